"""Request for an Education, Health and Care needs assessment (the EHCP proposal)."""

import datetime

from django import forms
from django.utils import timezone

from . import fields as f
from .base import AssessmentSpec, Gap, RowSet, SectionForm, SectionSpec
from .common import ChildDetailsForm

YEAR_GROUPS = [
    ("nursery", "Nursery or pre-school"),
    ("reception", "Reception"),
    *((f"year_{n}", f"Year {n}") for n in range(1, 14)),
    ("post_16", "Post-16 (college or training)"),
]


# An EHC plan can run from birth to 25 (Children and Families Act 2014, s.36; SEND Code of Practice 1.1), and a
# young person over compulsory school age (from 16) may request an assessment for themselves (s.36(1)).
OLDEST_AGE = 25
YOUNG_PERSON_FROM_AGE = 16


def age_on(date_of_birth: datetime.date, day: datetime.date) -> int:
    """Age in whole years on `day` (someone born on 29 February turns a year older on 1 March)."""
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


class EhcpChildForm(ChildDetailsForm):
    upn = f.UPNField()
    looked_after = f.yes_no(
        "Is the child looked after by a local authority?", error="Select yes if the child is looked after"
    )
    setting = f.text("School or setting", error="Enter the child's school or setting", max_length=200)
    year_group = f.select("Year group", YEAR_GROUPS, error="Select the child's year group")
    attendance = f.whole_number(
        "Attendance this school year (%)",
        name="Attendance this school year",
        error="Enter the child's attendance this year as a percentage",
        hint="From the school's records, for example 87",
        maximum=100,
    )

    def clean(self):
        cleaned = super().clean()
        born, today = cleaned.get("date_of_birth"), self.context.get("today")
        if self.strict and born and today and "date_of_birth" not in self.errors and age_on(born, today) > OLDEST_AGE:
            self.add_error(
                "date_of_birth",
                f"Date of birth must be less than {OLDEST_AGE + 1} years ago: an EHC needs assessment is for "
                f"children and young people up to {OLDEST_AGE}",
            )
        return cleaned


EVIDENCE = [
    ("sen_support_plan", "SEN support plan"),
    ("apdr_records", "Assess, plan, do, review records"),
    ("provision_map", "Costed provision map"),
    ("professional_reports", "Reports from professionals involved"),
    ("attendance", "Attendance record"),
    ("parent_views", "Parents' views"),
    ("child_views", "The child's or young person's views"),
]


REQUESTERS = [
    ("professional", "A professional, for the school, setting or service (you)"),
    ("parent", "A parent of the child, with your help"),
    ("young_person", "The young person, for themselves, with your help (only from 16 to 25)"),
]


class RequesterForm(SectionForm):
    requested_by = f.radios(
        "Who is asking for the assessment?",
        REQUESTERS,
        error="Select who is asking for the assessment",
        hint="A young person aged 16 to 25 may ask for an assessment for themselves.",
    )
    requesting_parent = f.text(
        "Name of the parent asking for the assessment",
        error="",
        required=False,
        max_length=150,
        name="The name of the parent asking for the assessment",
    )
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

    def clean(self):
        cleaned = super().clean()
        if self.strict and cleaned.get("requested_by") == "parent" and not cleaned.get("requesting_parent"):
            self.add_error("requesting_parent", "Enter the name of the parent asking for the assessment")
        return cleaned


class ParentForm(forms.Form):
    name = f.text("Full name", error="Enter the full name of {row}", max_length=150)
    relationship = f.text(
        "Relationship to the child",
        error="Enter the relationship to the child of {row}, like mother",
        max_length=60,
        width="govuk-!-width-one-half",
        name="The relationship to the child of {row}",
    )
    parental_responsibility = f.yes_no(
        "Do they have parental responsibility?", error="Select yes if {row} has parental responsibility"
    )
    phone = f.phone("Phone number (optional)")
    email = f.email("E-mail address (optional)", required=False)
    address = f.text("Address (optional)", error="", required=False, max_length=300, name="The address of {row}")
    knows_of_request = f.yes_no(
        "Do they know about this request?", error="Select yes if {row} knows about this request"
    )

    def clean(self):
        cleaned = super().clean()
        contact = ("phone", "email", "address")
        if self.strict and not any(cleaned.get(name) or name in self.errors for name in contact):
            self.add_error("phone", "Enter a phone number, e-mail address or address for {row}")
        return cleaned


class ParentsForm(SectionForm):
    """The child's parents and others with parental responsibility, and whether they know of the request."""

    row_sets = {
        "parents": RowSet(
            ParentForm,
            legend="Parents and people with parental responsibility",
            row_label="parent or carer",
            add_label="Add another parent or carer",
            min_rows=1,
            min_rows_message="Add at least one person with parental responsibility",
            hint="Everyone with parental responsibility, and any other parent or carer the child lives with.",
        )
    }

    def clean(self):
        cleaned = super().clean()
        if self.strict and self.formsets["parents"].is_valid():
            rows = self.rows_cleaned("parents")
            if rows and not any(row.get("parental_responsibility") == "yes" for row in rows):
                self.add_error(None, "Add at least one person with parental responsibility")
        return cleaned


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
    started = f.date("Cycle started", past_only=True, name="The start date of {row}")
    assess = f.long_text(
        "Assess: what was found",
        error="Enter what the assessment found in {row}",
        max_length=2000,
        name="What was found in {row}",
    )
    plan = f.long_text(
        "Plan: targets and support",
        error="Enter the targets and the support planned in {row}",
        max_length=2000,
        name="The targets and support planned in {row}",
    )
    do = f.long_text(
        "Do: support given",
        error="Enter the support given in {row}",
        max_length=2000,
        name="The support given in {row}",
    )
    review = f.long_text(
        "Review: outcome", error="Enter the outcome of {row}", max_length=2000, name="The outcome of {row}"
    )


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
    name = f.text("Name", error="Enter the name of {row}", max_length=150)
    role = f.text(
        "Role",
        error="Enter the role of {row}, like educational psychologist",
        max_length=100,
        width="govuk-!-width-one-half",
    )
    agency = f.text("Service", error="Enter the service of {row}", max_length=150)
    report_date = f.date(
        "Date of their latest report", required=False, past_only=True, name="The date of the latest report of {row}"
    )
    report_attached = f.yes_no("Is their report attached?", error="Select yes if the report of {row} is attached")


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
        hint="A request is a statutory process and needs no consent, but the parents must be told about it, "
        "unless a young person aged 16 to 25 is asking for themselves.",
    )
    parents_told_on = f.date("Date the parents were told", required=False, past_only=True)
    accurate = forms.BooleanField(
        label="The information in this request is accurate to the best of my knowledge",
        error_messages={"required": "Confirm the information is accurate"},
    )

    def clean(self):
        # Parents answered "no" are refused at submit (ehcp_checks), unless the young person is asking themselves.
        cleaned = super().clean()
        if self.strict and (
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
    requested_by = answers.get("requester", {}).get("requested_by")
    born = answers.get("child", {}).get("date_of_birth")
    if requested_by == "young_person" and born:
        age = age_on(born, timezone.localdate())
        if not YOUNG_PERSON_FROM_AGE <= age <= OLDEST_AGE:
            gaps.append(
                Gap(
                    f"A young person can ask for an assessment for themselves only from {YOUNG_PERSON_FROM_AGE} to "
                    f"{OLDEST_AGE}: by their date of birth they are {age}. Change who is asking for the assessment",
                    "requester",
                )
            )
    if requested_by != "young_person":
        if answers.get("declaration", {}).get("parents_told") == "no":
            gaps.append(Gap("Tell the parents about the request before you submit it", "declaration"))
        for parent in answers.get("parents", {}).get("parents", []):
            if parent.get("knows_of_request") == "no":
                gaps.append(Gap(f"Tell {parent.get('name')} about the request before you submit it", "parents"))
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
        SectionSpec("parents", "Parents and parental responsibility", ParentsForm),
        SectionSpec("needs", "Areas of need", NeedsForm),
        SectionSpec("support", "SEN support so far", SupportForm),
        SectionSpec("professionals", "Professionals involved", EhcpProfessionalsForm),
        SectionSpec("views", "Views of the parents and child", ViewsForm),
        SectionSpec("declaration", "Parents told and declaration", DeclarationForm),
    ),
    extra_checks=ehcp_checks,
    checks_read=("child", "requester", "parents", "professionals", "declaration"),
    checks_evidence=True,
)
