"""Young Carers assessment: what section 17ZA of the Children Act 1989 says it must cover."""

from django import forms

from . import fields as f
from .base import AssessmentSpec, Gap, RowSet, SectionForm, SectionSpec
from .common import ChildDetailsForm
from .ehat import CONSENT_METHODS


class SafeguardingForm(SectionForm):
    significant_harm = f.yes_no(
        "Do you believe the young person is at risk of significant harm?",
        error="Select yes if you believe the young person is at risk of significant harm",
        hint="For example, from physical, sexual or emotional abuse or neglect, or caring that harms them.",
    )


class YoungCarerForm(ChildDetailsForm):
    school = f.text("School or college", error="Enter the young carer's school or college", max_length=200)


PARENT_CONSENT = [
    ("yes", "Yes"),
    ("no", "No, they did not consent"),
    ("not_asked", "No, it was not appropriate to ask them"),
]
CONSENT_COVERS = [
    ("share", "Sharing this assessment with the agencies who can help"),
    ("store", "Keeping it on the council's Young Carers records"),
    ("contact", "The Young Carers service contacting the young carer and family"),
]


class ConsentForm(SectionForm):
    """Consent to share and store: the young carer's own, and a parent's or carer's where appropriate."""

    young_carer_consent = f.yes_no(
        "Has the young carer given consent to share and store this information?",
        error="Select yes if the young carer has given consent",
        hint="Ask them yourself, in words they understand. The assessment cannot be submitted without it.",
    )
    young_carer_consent_on = f.date("Date the young carer gave consent", required=False, past_only=True)
    young_carer_consent_method = f.radios(
        "How did the young carer give consent?",
        CONSENT_METHODS,
        error="Select how the young carer gave consent",
        required=False,
    )
    parent_consent = f.radios(
        "Has a parent or carer with parental responsibility given consent?",
        PARENT_CONSENT,
        error="Select whether a parent or carer with parental responsibility has given consent",
        hint="Ask them where it is appropriate: not when it could put the young carer at risk, or when a young "
        "carer who understands what they are agreeing to does not want them asked.",
    )
    parent_name = f.text("Name of the parent or carer", error="", required=False, max_length=150)
    parent_relationship = f.text(
        "Their relationship to the young carer",
        error="",
        required=False,
        max_length=60,
        width="govuk-!-width-one-half",
        name="The parent's or carer's relationship to the young carer",
    )
    parent_consent_on = f.date(
        "Date the parent or carer gave consent", required=False, past_only=True, name="The date the parent gave consent"
    )
    parent_consent_method = f.radios(
        "How did the parent or carer give consent?",
        CONSENT_METHODS,
        error="Select how the parent or carer gave consent",
        required=False,
    )
    parent_not_asked_reason = f.long_text(
        "Why they did not consent, or why it was not appropriate to ask them",
        error="",
        required=False,
        max_length=1000,
        name="The reason a parent or carer did not consent or was not asked",
    )
    covers = f.checkboxes(
        "What does the consent cover?", CONSENT_COVERS, error="Select what the consent covers", required=False
    )

    def clean(self):
        cleaned = super().clean()
        if not self.strict:
            return cleaned
        required = []
        if cleaned.get("young_carer_consent") == "yes":
            required += [
                ("young_carer_consent_on", "Enter the date the young carer gave consent"),
                ("young_carer_consent_method", "Select how the young carer gave consent"),
                ("covers", "Select what the consent covers"),
            ]
        if cleaned.get("parent_consent") == "yes":
            required += [
                ("parent_name", "Enter the name of the parent or carer who gave consent"),
                ("parent_relationship", "Enter the parent's or carer's relationship to the young carer"),
                ("parent_consent_on", "Enter the date the parent or carer gave consent"),
                ("parent_consent_method", "Select how the parent or carer gave consent"),
            ]
        elif cleaned.get("parent_consent") in ("no", "not_asked"):
            required.append(
                ("parent_not_asked_reason", "Enter why the parent or carer did not consent, or was not asked")
            )
        for name, message in required:
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, message)
        if cleaned.get("covers") and "share" not in cleaned["covers"]:
            self.add_error("covers", "The consent must cover sharing the assessment with agencies who can help")
        return cleaned


class CaredForPersonForm(forms.Form):
    name = f.text("Name", error="Enter the name of {row}", max_length=150)
    relationship = f.text(
        "Relationship to the young carer",
        error="Enter the relationship of {row} to the young carer, like mum",
        max_length=60,
        width="govuk-!-width-one-half",
        name="The relationship of {row} to the young carer",
    )
    condition = f.long_text(
        "Their condition or needs",
        error="Enter the condition or needs of {row}",
        name="The condition or needs of {row}",
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
        "What a typical day or week of caring looks like",
        error="Describe a typical day or week of caring",
        name="The description of a typical day or week of caring",
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
        "Which tasks, and why",
        error="Enter which tasks are inappropriate, and why",
        required=False,
        max_length=2000,
        name="The tasks and why they are inappropriate",
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


class NeedsForSupportForm(SectionForm):
    """What the assessment concluded: a support plan is needed only when the young carer has needs for support."""

    eligible_needs = f.yes_no(
        "Does the young carer have needs for support?",
        error="Select yes if the young carer has needs for support",
        hint="Needs that come from their caring and affect their wellbeing, education or development. If they "
        "have none, no support plan is needed.",
    )
    advice_given = f.long_text(
        "Information and advice given",
        error="",
        required=False,
        max_length=2000,
        hint="What you told the young carer and their family about other help they can have.",
    )

    def clean(self):
        cleaned = super().clean()
        if self.strict and cleaned.get("eligible_needs") == "no" and not cleaned.get("advice_given"):
            self.add_error("advice_given", "Enter the information and advice given to the young carer and family")
        return cleaned


class SupportActionForm(forms.Form):
    action = f.text(
        "Support to be given",
        error="Enter the support to be given in {row}",
        max_length=300,
        name="The support to be given in {row}",
    )
    who = f.text(
        "Who will give it",
        error="Enter who will give the support in {row}",
        max_length=150,
        width="govuk-!-width-one-half",
        name="Who will give the support in {row}",
    )
    by_when = f.date("By when", future_only=True, name="The date for {row}")


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


def no_eligible_needs(answers: dict[str, dict]) -> bool:
    return answers.get("needs", {}).get("eligible_needs") == "no"


def young_carers_checks(answers: dict[str, dict], attachment_categories: set[str]) -> list[Gap]:
    gaps = []
    if answers.get("safeguarding", {}).get("significant_harm") == "yes":
        gaps.append(
            Gap(
                "You said the young person may be at risk of significant harm: contact the safeguarding hub now",
                "safeguarding",
            )
        )
    if "consent" in answers and answers["consent"].get("young_carer_consent") != "yes":
        gaps.append(Gap("The young carer's consent is needed: record it before you submit", "consent"))
    return gaps


YOUNG_CARERS = AssessmentSpec(
    kind="young_carers",
    title="Young Carers assessment",
    short_title="Young Carers",
    child_section="young_carer",
    sections=(
        SectionSpec("safeguarding", "Safeguarding check", SafeguardingForm),
        SectionSpec("young_carer", "The young carer", YoungCarerForm),
        SectionSpec("consent", "Consent to share information", ConsentForm),
        SectionSpec("cared_for", "People they care for", CaredForForm),
        SectionSpec("caring", "Caring tasks and hours", CaringForm),
        SectionSpec("impact", "Impact on the young carer", ImpactForm),
        SectionSpec("inappropriate", "Tasks inappropriate for their age", InappropriateForm),
        SectionSpec("wishes", "Their views, wishes and outcomes", WishesForm),
        SectionSpec("needs", "Needs for support", NeedsForSupportForm),
        # Not needed when the assessment finds no needs for support (Young Carers (Needs Assessments)
        # Regulations 2015): the outcome is then information and advice, recorded in "Needs for support".
        SectionSpec("plan", "Support plan", SupportPlanForm, not_needed_when=no_eligible_needs),
    ),
    extra_checks=young_carers_checks,
    checks_read=("safeguarding", "consent", "needs"),
    safeguarding_screen=True,
)
