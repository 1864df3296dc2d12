"""Early Help Assessment (EHAT): the sections of the form councils such as Plymouth use."""

from django import forms

from . import fields as f
from .base import AssessmentSpec, Gap, RowSet, SectionForm, SectionSpec
from .common import ChildDetailsForm, FamilyForm, ProfessionalsForm


class SafeguardingForm(SectionForm):
    significant_harm = f.yes_no(
        "Do you believe the child is at risk of significant harm?",
        error="Select yes if you believe the child is at risk of significant harm",
        hint="For example, from physical, sexual or emotional abuse or neglect.",
    )


class PeopleForm(SectionForm):
    completer_name = f.text("Your name", error="Enter your name", max_length=150)
    completer_role = f.text("Your role", error="Enter your role", max_length=100, width="govuk-!-width-one-half")
    completer_organisation = f.text("Your organisation", error="Enter your organisation", max_length=150)
    completer_phone = f.phone("Your phone number", required=True)
    completer_email = f.email("Your e-mail address")
    lead_is_completer = f.yes_no(
        "Are you the lead professional?",
        error="Select yes if you are the lead professional",
        hint="The lead professional coordinates the support for the family.",
    )
    lead_name = f.text(
        "Lead professional's name", error="Enter the lead professional's name", required=False, max_length=150
    )
    lead_role = f.text("Lead professional's role", error="Enter their role", required=False, max_length=100)
    lead_agency = f.text("Lead professional's agency", error="Enter their agency", required=False, max_length=150)
    lead_contact = f.text(
        "Lead professional's phone or e-mail", error="Enter how to contact them", required=False, max_length=150
    )

    def clean(self):
        cleaned = super().clean()
        if self.strict and cleaned.get("lead_is_completer") == "no":
            for name, message in (
                ("lead_name", "Enter the lead professional's name"),
                ("lead_role", "Enter the lead professional's role"),
                ("lead_agency", "Enter the lead professional's agency"),
                ("lead_contact", "Enter how to contact the lead professional"),
            ):
                if not cleaned.get(name):
                    self.add_error(name, message)
        return cleaned


class EhatChildForm(ChildDetailsForm):
    interpreter_needed = f.yes_no(
        "Does the child or family need an interpreter?", error="Select yes if the child or family needs an interpreter"
    )
    interpreter_language = f.text(
        "Language for the interpreter",
        error="Enter the language",
        required=False,
        max_length=60,
        width="govuk-!-width-one-half",
    )
    meeting_requirements = f.long_text(
        "Special requirements for meetings (optional)",
        error="",
        required=False,
        max_length=1000,
        hint="For example, wheelchair access, a quiet room, or times to avoid.",
    )

    def clean(self):
        cleaned = super().clean()
        if self.strict and cleaned.get("interpreter_needed") == "yes" and not cleaned.get("interpreter_language"):
            self.add_error("interpreter_language", "Enter the language the interpreter needs to speak")
        return cleaned


CONSENT_GIVERS = [
    ("parent", "A parent"),
    ("carer", "A carer with parental responsibility"),
    ("child", "The child or young person (if they are old enough to understand)"),
]
CONSENT_METHODS = [
    ("written", "In writing, signed"),
    ("verbal", "Verbally, and recorded"),
    ("electronic", "By e-mail or online"),
]
CONSENT_COVERS = [
    ("share", "Sharing this assessment with the agencies who can help"),
    ("store", "Keeping it on the council's early help records"),
    ("contact", "Agencies contacting the family about support"),
]


class ConsentForm(SectionForm):
    consent_given = f.yes_no(
        "Has the family given consent to share and store this information?",
        error="Select yes if the family has given consent",
        hint="Early help is voluntary: the assessment cannot be submitted without consent.",
    )
    given_by = f.radios("Who gave consent?", CONSENT_GIVERS, error="Select who gave consent", required=False)
    given_by_name = f.text(
        "Name of the person who gave consent", error="Enter their name", required=False, max_length=150
    )
    given_on = f.date("Date consent was given", required=False, past_only=True)
    method = f.radios("How was consent given?", CONSENT_METHODS, error="Select how consent was given", required=False)
    covers = f.checkboxes(
        "What does the consent cover?", CONSENT_COVERS, error="Select what the consent covers", required=False
    )

    def clean(self):
        cleaned = super().clean()
        if self.strict and cleaned.get("consent_given") == "yes":
            for name, message in (
                ("given_by", "Select who gave consent"),
                ("given_by_name", "Enter the name of the person who gave consent"),
                ("given_on", "Enter the date consent was given"),
                ("method", "Select how consent was given"),
                ("covers", "Select what the consent covers"),
            ):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, message)
            if cleaned.get("covers") and "share" not in cleaned["covers"]:
                self.add_error("covers", "The consent must cover sharing the assessment with agencies who can help")
        return cleaned


LEVELS_OF_NEED = [
    ("emerging", "Emerging needs: one agency can meet them with some extra help"),
    ("multiple", "Multiple needs: several agencies need to work together"),
    ("complex", "Complex needs: a coordinated plan and a lead professional are needed"),
]


class ReasonForm(SectionForm):
    reason = f.long_text(
        "Why are you completing this assessment?",
        error="Enter why you are completing this assessment",
        name="The reason for the assessment",
        hint="What has happened, and what made you and the family decide early help is needed now.",
    )
    level_of_need = f.radios("Level of need", LEVELS_OF_NEED, error="Select the level of need")


class VoiceForm(SectionForm):
    voice_of_child = f.long_text(
        "The child's views",
        error="Enter the child's views, in their own words where you can",
        hint="What the child says about their life: what is good and what worries them.",
    )
    family_views = f.long_text("The family's views", error="Enter the family's views")


DOMAIN_ASPECTS = {
    "working_well": ("what is working well", "Enter what is working well"),
    "worried_about": ("what we are worried about", "Enter what you are worried about"),
    "needs_to_happen": ("what needs to happen", "Enter what needs to happen"),
}


def _domain(title: str, aspect: str) -> forms.CharField:
    label, error = DOMAIN_ASPECTS[aspect]
    return f.long_text(f"{title}: {label}", error=f"{error} for {title[0].lower()}{title[1:]}")


class AssessmentDomainsForm(SectionForm):
    """The three domains of the assessment, each as strengths, worries and next steps."""

    development_working_well = _domain("The child's development", "working_well")
    development_worried_about = _domain("The child's development", "worried_about")
    development_needs_to_happen = _domain("The child's development", "needs_to_happen")
    parenting_working_well = _domain("Parents and carers", "working_well")
    parenting_worried_about = _domain("Parents and carers", "worried_about")
    parenting_needs_to_happen = _domain("Parents and carers", "needs_to_happen")
    environment_working_well = _domain("Family and environment", "working_well")
    environment_worried_about = _domain("Family and environment", "worried_about")
    environment_needs_to_happen = _domain("Family and environment", "needs_to_happen")


class ActionForm(forms.Form):
    action = f.text(
        "What will be done",
        error="Enter what will be done for {row}",
        max_length=300,
        name="What will be done in {row}",
    )
    who = f.text(
        "Who will do it",
        error="Enter who will do {row}",
        max_length=150,
        width="govuk-!-width-one-half",
        name="Who will do {row}",
    )
    by_when = f.date("By when", future_only=True, name="The date for {row}")


class PlanForm(SectionForm):
    row_sets = {
        "actions": RowSet(
            ActionForm,
            legend="Action plan",
            row_label="action",
            add_label="Add another action",
            min_rows=1,
            min_rows_message="Add at least one action to the plan",
            hint="Make each action specific: what will be done, by whom, and by when.",
        )
    }
    team_around_family = f.long_text(
        "Team Around the Family",
        error="Enter who will be in the Team Around the Family",
        hint="The professionals and family members who will meet to review the plan.",
        max_length=2000,
    )
    review_date = f.date(
        "Date of the first review",
        hint="Usually 6 to 12 weeks from now.",
        future_only=True,
    )
    fields_after_rows = ("team_around_family", "review_date")

    def clean(self):
        cleaned = super().clean()
        review = cleaned.get("review_date")
        today = self.context.get("today")
        if self.strict and review and today and not 6 * 7 <= (review - today).days <= 12 * 7:
            self.add_error("review_date", "The first review must be between 6 and 12 weeks from today")
        return cleaned


def ehat_checks(answers: dict[str, dict], attachment_categories: set[str]) -> list[Gap]:
    gaps = []
    if answers.get("safeguarding", {}).get("significant_harm") == "yes":
        gaps.append(
            Gap(
                "You said the child may be at risk of significant harm: contact the safeguarding hub now",
                "safeguarding",
            )
        )
    if "consent" in answers and answers["consent"].get("consent_given") != "yes":
        gaps.append(Gap("Early help needs the family's consent: record it before you submit", "consent"))
    return gaps


EHAT = AssessmentSpec(
    kind="ehat",
    title="Early Help Assessment",
    short_title="EHAT",
    child_section="child",
    sections=(
        SectionSpec("safeguarding", "Safeguarding check", SafeguardingForm),
        SectionSpec("people", "You and the lead professional", PeopleForm),
        SectionSpec("child", "The child", EhatChildForm),
        SectionSpec("family", "Family and household", FamilyForm),
        SectionSpec("professionals", "Professionals involved", ProfessionalsForm),
        SectionSpec("consent", "Consent to share information", ConsentForm),
        SectionSpec("reason", "Reason for the assessment", ReasonForm),
        SectionSpec("voice", "Voice of the child and family", VoiceForm),
        SectionSpec("assessment", "Assessment", AssessmentDomainsForm),
        SectionSpec("plan", "Action plan and Team Around the Family", PlanForm),
    ),
    extra_checks=ehat_checks,
    checks_read=("safeguarding", "consent"),
    safeguarding_screen=True,
)
