"""Young Carers assessment: what section 17ZA of the Children Act 1989 says it must cover."""

from django import forms

from . import fields as f
from .base import AssessmentSpec, RowSet, SectionForm, SectionSpec
from .common import ChildDetailsForm


class YoungCarerForm(ChildDetailsForm):
    school = f.text("School or college", error="Enter the young carer's school or college", max_length=200)


class CaredForPersonForm(forms.Form):
    name = f.text("Name", error="Enter the name of the person cared for", max_length=150)
    relationship = f.text(
        "Relationship to the young carer",
        error="Enter their relationship, like mum",
        max_length=60,
        width="govuk-!-width-one-half",
    )
    condition = f.long_text(
        "Their condition or needs",
        error="Enter their condition or needs",
        hint="For example, a physical disability, mental health condition, or drug or alcohol misuse.",
        max_length=1000,
    )


class CaredForForm(SectionForm):
    row_sets = {
        "people": RowSet(
            CaredForPersonForm,
            legend="People the young carer looks after",
            row_label="person",
            add_label="Add another person",
            min_rows=1,
            min_rows_message="Add the person the young carer looks after",
        )
    }


TASKS = [
    ("practical", "Practical tasks, like cooking, cleaning and shopping"),
    ("personal", "Personal care, like washing, dressing or help with the toilet"),
    ("emotional", "Emotional support, like keeping them company or calming them"),
    ("siblings", "Looking after brothers or sisters"),
    ("medication", "Managing medication"),
    ("financial", "Managing money or paying bills"),
    ("interpreting", "Interpreting or speaking for the family"),
    ("mobility", "Helping them move about, in or out of the home"),
]
RELIANCE = [
    ("little", "A little: others do most of the caring"),
    ("some", "Some: the young carer shares the caring"),
    ("heavily", "Heavily: the family could not manage without them"),
]


class CaringForm(SectionForm):
    tasks = f.checkboxes("Caring tasks the young carer does", TASKS, error="Select the caring tasks they do")
    hours_per_week = f.whole_number(
        "Hours spent caring in a typical week",
        error="Enter the hours spent caring in a typical week",
        hint="Include time at night and at weekends.",
    )
    reliance = f.radios(
        "How much does the family rely on the young carer?", RELIANCE, error="Select how much the family relies on them"
    )
    details = f.long_text(
        "What a typical day or week of caring looks like", error="Describe a typical day or week of caring"
    )


class ImpactForm(SectionForm):
    wellbeing = f.long_text("Effect on their wellbeing", error="Describe the effect on their wellbeing")
    education = f.long_text(
        "Effect on their education",
        error="Describe the effect on their education",
        hint="For example, attendance, lateness, homework and friendships at school.",
    )
    development = f.long_text("Effect on their development", error="Describe the effect on their development")


class InappropriateForm(SectionForm):
    inappropriate = f.yes_no(
        "Are any of the caring tasks inappropriate for the young carer's age?",
        error="Select yes if any caring tasks are inappropriate for their age",
    )
    which_tasks = f.long_text(
        "Which tasks, and why", error="Enter which tasks are inappropriate, and why", required=False, max_length=2000
    )
    caring_appropriate = f.yes_no(
        "Is it appropriate for them to be caring at all?",
        error="Select yes if it is appropriate for them to be caring",
    )

    def clean(self):
        cleaned = super().clean()
        if self.strict and cleaned.get("inappropriate") == "yes" and not cleaned.get("which_tasks"):
            self.add_error("which_tasks", "Enter which tasks are inappropriate, and why")
        return cleaned


class WishesForm(SectionForm):
    wishes = f.long_text(
        "The young carer's wishes and feelings",
        error="Enter the young carer's wishes and feelings",
        hint="In their own words where you can.",
    )
    outcomes = f.long_text("Outcomes they want", error="Enter the outcomes they want")


class SupportActionForm(forms.Form):
    action = f.text("Support to be given", error="Enter the support to be given", max_length=300)
    who = f.text("Who will give it", error="Enter who will give it", max_length=150, width="govuk-!-width-one-half")
    by_when = f.date("By when", future_only=True)


class SupportPlanForm(SectionForm):
    row_sets = {
        "actions": RowSet(
            SupportActionForm,
            legend="Support plan",
            row_label="action",
            add_label="Add another action",
            min_rows=1,
            min_rows_message="Add at least one action to the support plan",
        )
    }


YOUNG_CARERS = AssessmentSpec(
    kind="young_carers",
    title="Young Carers assessment",
    short_title="Young Carers",
    child_section="young_carer",
    sections=(
        SectionSpec("young_carer", "The young carer", YoungCarerForm),
        SectionSpec("cared_for", "People they care for", CaredForForm),
        SectionSpec("caring", "Caring tasks and hours", CaringForm),
        SectionSpec("impact", "Impact on the young carer", ImpactForm),
        SectionSpec("inappropriate", "Tasks inappropriate for their age", InappropriateForm),
        SectionSpec("wishes", "Their views, wishes and outcomes", WishesForm),
        SectionSpec("plan", "Support plan", SupportPlanForm),
    ),
)
