"""Plausible complete answers for every section of each assessment type, for generated demo cases."""


def _date(prefix: str, day: int, month: int, year: int) -> dict:
    return {f"{prefix}_day": str(day), f"{prefix}_month": str(month), f"{prefix}_year": str(year)}


def _rows(prefix: str, *rows: dict) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})
    return data


CHILD = {
    "first_name": "Mia",
    "last_name": "Hart",
    **_date("date_of_birth", 3, 4, 2016),
    "gender": "female",
    "ethnicity": "white_british",
    "address": "12 Harbour View\nPlymouth",
    "postcode": "PL1 2AA",
    "first_language": "English",
    "nhs_number": "",
}
PERSON = {
    "name": "A professional",
    "role": "SENCO",
    "organisation": "A school",
    "phone": "01752 668000",
    "email": "professional@example.org.uk",
}


def sample_answers(kind: str) -> dict[str, dict]:
    """Each section's answers as a browser posts them; the child's name and birth date are set per case."""
    if kind == "ehat":
        return {
            "safeguarding": {"significant_harm": "no"},
            "people": {**{f"completer_{key}": value for key, value in PERSON.items()}, "lead_is_completer": "yes"},
            "child": {**CHILD, "interpreter_needed": "no"},
            "family": _rows(
                "members",
                {
                    "name": "A parent",
                    "relationship": "Mother",
                    "parental_responsibility": "yes",
                    "lives_with_child": "yes",
                },
            ),
            "professionals": {"none_involved": "on", **_rows("professionals")},
            "consent": {
                "consent_given": "yes",
                "given_by": "parent",
                "given_by_name": "A parent",
                **_date("given_on", 5, 1, 2026),
                "method": "written",
                "covers": ["share", "store"],
            },
            "reason": {"reason": "Attendance has fallen and the child seems withdrawn.", "level_of_need": "multiple"},
            "voice": {"voice_of_child": "I like drawing and my dog.", "family_views": "We want help with mornings."},
            "assessment": {
                f"{domain}_{aspect}": "Discussed with the family and agreed."
                for domain in ("development", "parenting", "environment")
                for aspect in ("working_well", "worried_about", "needs_to_happen")
            },
            "plan": {
                **_rows("actions", {"action": "Morning club place", "who": "School", **_date("by_when", 1, 3, 2026)}),
                "team_around_family": "Parent, school, health visitor",
                **_date("review_date", 1, 4, 2026),
            },
        }
    if kind == "ehcp":
        cycle = {"assess": "Reading age 6", "plan": "Daily phonics", "do": "1:1 phonics", "review": "Slow progress"}
        return {
            "child": {
                **CHILD,
                "upn": "",
                "looked_after": "no",
                "setting": "A school",
                "year_group": "year_3",
                "attendance": "91",
            },
            "requester": {
                "requested_by": "professional",
                **{f"requester_{key}": value for key, value in PERSON.items() if key != "organisation"},
                "requester_setting": "A school",
                "evidence": ["parent_views", "child_views"],
            },
            "parents": _rows(
                "parents",
                {
                    "name": "A parent",
                    "relationship": "Mother",
                    "parental_responsibility": "yes",
                    "phone": "07700 900982",
                    "knows_of_request": "yes",
                },
            ),
            "needs": {
                "communication_needs": "Limited expressive language.",
                "communication_level": "significant",
                "cognition_needs": "Behind in reading and number.",
                "cognition_level": "significant",
                "semh_needs": "Anxious at transitions.",
                "semh_level": "some",
                "sensory_needs": "None known.",
                "sensory_level": "expected",
            },
            "support": {
                **_rows("cycles", {**cycle, **_date("started", 1, 9, 2025)}, {**cycle, **_date("started", 5, 1, 2026)}),
                "baseline_and_targets": "Baseline reading age 5y; target 6y by summer.",
                "provision_map": "5 hours a week of 1:1, costed at £2,000.",
                "beyond_usual": "Speech and language therapy twice a term.",
            },
            "professionals": _rows(
                "professionals",
                {
                    "name": "An educational psychologist",
                    "role": "Educational psychologist",
                    "agency": "EPS",
                    "report_attached": "no",
                },
            ),
            "views": {"parent_views": "We are worried about reading.", "child_views": "Reading is hard."},
            "declaration": {"parents_told": "yes", **_date("parents_told_on", 10, 1, 2026), "accurate": "on"},
        }
    return {
        "safeguarding": {"significant_harm": "no"},
        "young_carer": {**CHILD, "school": "A secondary school"},
        "consent": {
            "young_carer_consent": "yes",
            **_date("young_carer_consent_on", 5, 1, 2026),
            "young_carer_consent_method": "verbal",
            "parent_consent": "yes",
            "parent_name": "A parent",
            "parent_relationship": "Mum",
            **_date("parent_consent_on", 5, 1, 2026),
            "parent_consent_method": "written",
            "covers": ["share", "store"],
        },
        "cared_for": _rows("people", {"name": "A parent", "relationship": "Mum", "condition": "Multiple sclerosis"}),
        "caring": {
            "tasks": ["practical", "emotional"],
            "hours_per_week": "12",
            "reliance": "some",
            "details": "Cooks tea every night and helps with medication.",
        },
        "impact": {"wellbeing": "Often tired.", "education": "Late twice a week.", "development": "Few friends."},
        "inappropriate": {"inappropriate": "no", "caring_appropriate": "yes"},
        "wishes": {"wishes": "Time with friends.", "outcomes": "A break each week."},
        "needs": {"eligible_needs": "yes"},
        "plan": _rows(
            "actions", {"action": "Young carers group", "who": "Young Carers service", **_date("by_when", 1, 3, 2026)}
        ),
    }
