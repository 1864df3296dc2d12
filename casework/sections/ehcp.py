"""Request for an Education, Health and Care needs assessment (the EHCP proposal)."""

from django import forms

from . import fields as f
from .base import AssessmentSpec, Gap, RowSet, SectionForm, SectionSpec
from .common import ChildDetailsForm

YEAR_GROUPS = [
    ("nursery", "Nursery or pre-school"),
    ("reception", "Reception"),
    *((f"year_{n}", f"Year {n}") for n in range(1, 14)),
    ("post_16", "Post-16 (college or training)"),
]


class EhcpChildForm(ChildDetailsForm):
    upn = f.UPNField()
    looked_after = f.yes_no(
        "Is the child looked after by a local authority?", error="Select yes if the child is looked after"
    )
    setting = f.text("School or setting", error="Enter the child's school or setting", max_length=200)
    year_group = f.select("Year group", YEAR_GROUPS, error="Select the child's year group")
    attendance = f.whole_number(
        "Attendance this school year (%)",
        error="Enter the child's attendance this year as a percentage",
        hint="From the school's records, for example 87",
        maximum=100,
    )


EVIDENCE = [
    ("sen_support_plan", "SEN support plan"),
    ("apdr_records", "Assess, plan, do, review records"),
    ("provision_map", "Costed provision map"),
    ("professional_reports", "Reports from professionals involved"),
    ("attendance", "Attendance record"),
    ("parent_views", "Parents' views"),
    ("child_views", "The child's or young person's views"),
]


class RequesterForm(SectionForm):
    requester_name = f.text("Your name", error="Enter your name", max_length=150)
    requester_role = f.text(
        "Your role", error="Enter your role, like SENCO", max_length=100, width="govuk-!-width-one-half"
    )
    requester_setting = f.text(
        "Your school, setting or service", error="Enter your school, setting or service", max_length=150
    )
    requester_phone = f.phone("Your phone number", required=True)
    requester_email = f.email("Your e-mail address")
    evidence = f.checkboxes(
        "Evidence included with this request",
        EVIDENCE,
        error="Select the evidence included with this request",
        hint="Requests are most often returned because evidence is missing. Attach documents on the evidence page.",
    )


NEED_LEVELS = [
    ("expected", "Within the range expected for their age"),
    ("some", "Some difficulty, met by the setting's usual support"),
    ("significant", "Significant difficulty, needing support beyond the usual"),
    ("severe", "Severe and complex difficulty"),
]
AREAS = {
    "communication": "Communication and interaction",
    "cognition": "Cognition and learning",
    "semh": "Social, emotional and mental health",
    "sensory": "Sensory and/or physical",
}


def _need_description(area: str) -> forms.CharField:
    return f.long_text(
        f"{AREAS[area]}: the child's needs",
        error=f"Describe the child's needs in {AREAS[area].lower()}, or write that there are none",
        hint="What the child finds difficult, with examples and any assessment scores.",
    )


def _need_level(area: str) -> forms.ChoiceField:
    return f.radios(
        f"{AREAS[area]}: current level", NEED_LEVELS, error=f"Select the level of need in {AREAS[area].lower()}"
    )


class NeedsForm(SectionForm):
    """The four broad areas of need (SEND Code of Practice 6.28–6.35)."""

    communication_needs = _need_description("communication")
    communication_level = _need_level("communication")
    cognition_needs = _need_description("cognition")
    cognition_level = _need_level("cognition")
    semh_needs = _need_description("semh")
    semh_level = _need_level("semh")
    sensory_needs = _need_description("sensory")
    sensory_level = _need_level("sensory")

    def clean(self):
        cleaned = super().clean()
        levels = [cleaned.get(f"{area}_level") for area in AREAS]
        if self.strict and all(levels) and all(level in ("expected", "some") for level in levels):
            self.add_error(
                None,
                "At least one area of need must be significant or severe: an EHC needs assessment is for needs "
                "the setting cannot meet from its usual support",
            )
        return cleaned


class ReviewCycleForm(forms.Form):
    started = f.date("Cycle started", past_only=True)
    assess = f.long_text("Assess: what was found", error="Enter what the assessment found", max_length=2000)
    plan = f.long_text("Plan: targets and support", error="Enter the targets and the support planned", max_length=2000)
    do = f.long_text("Do: support given", error="Enter the support given", max_length=2000)
    review = f.long_text("Review: outcome", error="Enter the outcome of the review", max_length=2000)


class SupportForm(SectionForm):
    row_sets = {
        "cycles": RowSet(
            ReviewCycleForm,
            legend="Assess, plan, do, review cycles",
            row_label="cycle",
            add_label="Add another cycle",
            min_rows=2,
            min_rows_message="Add at least 2 assess, plan, do, review cycles: the panel needs them to decide",
            hint="Usually 2 or 3 cycles of SEN support, oldest first.",
        )
    }
    baseline_and_targets = f.long_text(
        "Baseline and SMART targets",
        error="Enter the baseline and the targets set",
        hint="Where the child started and the specific, measurable targets they have worked towards.",
    )
    provision_map = f.long_text("Provision map", error="Describe the provision in place, with hours and costs")
    beyond_usual = f.long_text(
        "Support beyond what the setting normally provides",
        error="Describe the support given beyond what the setting normally provides",
    )
    fields_after_rows = ("baseline_and_targets", "provision_map", "beyond_usual")


class InvolvedProfessionalForm(forms.Form):
    name = f.text("Name", error="Enter the professional's name", max_length=150)
    role = f.text(
        "Role", error="Enter their role, like educational psychologist", max_length=100, width="govuk-!-width-one-half"
    )
    agency = f.text("Service", error="Enter their service", max_length=150)
    report_date = f.date("Date of their latest report", required=False, past_only=True)
    report_attached = f.yes_no("Is their report attached?", error="Select yes if their report is attached")


class EhcpProfessionalsForm(SectionForm):
    row_sets = {
        "professionals": RowSet(
            InvolvedProfessionalForm,
            legend="Professionals involved in the last 18 months",
            row_label="professional",
            add_label="Add another professional",
            min_rows=1,
            min_rows_message="Add the professionals involved in the last 18 months",
        )
    }

    def clean(self):
        cleaned = super().clean()
        today = self.context.get("today")
        if self.strict and today and self.formsets["professionals"].is_valid():
            for row in self.rows_cleaned("professionals"):
                if row.get("report_date") and (today - row["report_date"]).days > 548:
                    self.add_error(None, f"{row['name']}'s report is more than 18 months old: ask for an update")
        return cleaned


class ViewsForm(SectionForm):
    parent_views = f.long_text("Parents' views", error="Enter the parents' views")
    child_views = f.long_text(
        "The child's or young person's views",
        error="Enter the child's or young person's views",
        hint="In their own words where you can, and how they were gathered.",
    )


class DeclarationForm(SectionForm):
    parents_told = f.yes_no(
        "Have the parents been told about this request?",
        error="Select yes if the parents have been told",
        hint="A request is a statutory process and needs no consent, but the parents must be told about it.",
    )
    parents_told_on = f.date("Date the parents were told", required=False, past_only=True)
    accurate = forms.BooleanField(
        label="The information in this request is accurate to the best of my knowledge",
        error_messages={"required": "Confirm the information is accurate"},
    )

    def clean(self):
        cleaned = super().clean()
        if self.strict:
            if cleaned.get("parents_told") == "no":
                self.add_error("parents_told", "Tell the parents about the request before you submit it")
            if (
                cleaned.get("parents_told") == "yes"
                and not cleaned.get("parents_told_on")
                and "parents_told_on" not in self.errors
            ):
                self.add_error("parents_told_on", "Enter the date the parents were told")
        return cleaned


# The kind of attached document each ticked piece of evidence needs (views are written in the form).
EVIDENCE_ATTACHMENTS = {
    "sen_support_plan": ("plan", "the SEN support plan"),
    "apdr_records": ("plan", "the assess, plan, do, review records"),
    "provision_map": ("provision_map", "the costed provision map"),
    "professional_reports": ("professional_report", "the professionals' reports"),
    "attendance": ("attendance", "the attendance record"),
}


def ehcp_checks(answers: dict[str, dict], attachment_categories: set[str]) -> list[Gap]:
    gaps = []
    for item in answers.get("requester", {}).get("evidence", []):
        if item in EVIDENCE_ATTACHMENTS:
            category, description = EVIDENCE_ATTACHMENTS[item]
            if category not in attachment_categories:
                gaps.append(Gap(f"Attach {description}: you said it is included", "evidence"))
    reports_promised = any(
        row.get("report_attached") == "yes" for row in answers.get("professionals", {}).get("professionals", [])
    )
    if reports_promised and "professional_report" not in attachment_categories:
        gaps.append(Gap("Attach the professionals' reports you said are attached", "evidence"))
    return gaps


EHCP = AssessmentSpec(
    kind="ehcp",
    title="Request for an EHC needs assessment",
    short_title="EHCP request",
    child_section="child",
    sections=(
        SectionSpec("child", "The child and their setting", EhcpChildForm),
        SectionSpec("requester", "You and the evidence", RequesterForm),
        SectionSpec("needs", "Areas of need", NeedsForm),
        SectionSpec("support", "SEN support so far", SupportForm),
        SectionSpec("professionals", "Professionals involved", EhcpProfessionalsForm),
        SectionSpec("views", "Views of the parents and child", ViewsForm),
        SectionSpec("declaration", "Parents told and declaration", DeclarationForm),
    ),
    extra_checks=ehcp_checks,
    checks_read=("requester", "professionals"),
    checks_evidence=True,
)
