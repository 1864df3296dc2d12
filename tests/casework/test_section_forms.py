"""The section forms of each assessment type: valid answers pass, missing and conditional answers are named."""

import datetime as dt

import pytest
from django.utils import timezone

from casework.sections import spec_for
from tests.casework.conftest import (
    KINDS,
    client_for,
    complete_all,
    date_parts,
    form_for,
    messages_of,
    rows,
    save,
    start,
    valid_answers,
)

EVERY_SECTION = [
    pytest.param(kind, section.key, id=f"{kind}-{section.key}") for kind in KINDS for section in spec_for(kind).sections
]


@pytest.mark.parametrize(("kind", "key"), EVERY_SECTION)
def test_valid_answers_pass_strict_checks(kind, key):
    """The test answer set is valid for every section of every type (the other tests build on it)."""
    form = form_for(kind, key, valid_answers(kind)[key])
    assert form.is_valid(), form.all_errors()


@pytest.mark.parametrize(
    ("kind", "key", "expected"),
    [
        pytest.param(
            "ehat",
            "reason",
            ["Enter why you are completing this assessment", "Select the level of need"],
            id="ehat-reason",
        ),
        pytest.param(
            "ehcp",
            "child",
            [
                "Enter the child's first name",
                "Enter the child's last name",
                "Enter date of birth",
                "Select the child's gender, or Not known",
                "Select the child's ethnicity, or Not known",
                "Enter the child's address",
                "Enter the postcode",
                "Enter the child's first language",
                "Select yes if the child is looked after",
                "Enter the child's school or setting",
                "Select the child's year group",
                "Enter the child's attendance this year as a percentage",
            ],
            id="ehcp-child",
        ),
        pytest.param(
            "young_carers",
            "caring",
            [
                "Select the caring tasks they do",
                "Enter the hours spent caring in a typical week",
                "Select how much the family relies on them",
                "Describe a typical day or week of caring",
            ],
            id="young-carers-caring",
        ),
    ],
)
def test_empty_section_names_every_missing_answer(kind, key, expected):
    """An empty section lists each required question with its own message, in order."""
    assert messages_of(form_for(kind, key, {})) == expected


def test_ehat_consent_yes_needs_who_when_how_and_what():
    """Consent recorded as given must say who gave it, their name, when, how and what it covers; "no" needs none."""
    form = form_for("ehat", "consent", {"consent_given": "yes"})
    assert messages_of(form) == [
        "Select who gave consent",
        "Enter the name of the person who gave consent",
        "Enter the date consent was given",
        "Select how consent was given",
        "Select what the consent covers",
    ]
    assert form_for("ehat", "consent", {"consent_given": "no"}).is_valid()


def test_ehat_consent_must_cover_sharing():
    """Consent that does not cover sharing with agencies is not enough for early help."""
    answers = {**valid_answers("ehat")["consent"], "covers": ["store", "contact"]}
    assert messages_of(form_for("ehat", "consent", answers)) == [
        "The consent must cover sharing the assessment with agencies who can help"
    ]


def test_ehat_lead_professional_details_required_when_someone_else_leads():
    """If the completer is not the lead professional, the lead's name, role, agency and contact are needed."""
    answers = {**valid_answers("ehat")["people"], "lead_is_completer": "no"}
    assert messages_of(form_for("ehat", "people", answers)) == [
        "Enter the lead professional's name",
        "Enter the lead professional's role",
        "Enter the lead professional's agency",
        "Enter how to contact the lead professional",
    ]
    answers.update(lead_name="Jo Lead", lead_role="Family worker", lead_agency="Early Help", lead_contact="01752 1")
    assert form_for("ehat", "people", answers).is_valid()


@pytest.mark.parametrize(
    ("days_ahead", "valid"),
    [
        pytest.param(41, False, id="5-weeks-6-days"),
        pytest.param(42, True, id="6-weeks"),
        pytest.param(84, True, id="12-weeks"),
        pytest.param(85, False, id="12-weeks-1-day"),
    ],
)
def test_ehat_plan_review_must_be_6_to_12_weeks_away(days_ahead, valid):
    """The first Team Around the Family review is booked 6 to 12 weeks from today."""
    review = timezone.localdate() + dt.timedelta(days=days_ahead)
    answers = {**valid_answers("ehat")["plan"], **date_parts("review_date", review)}
    form = form_for("ehat", "plan", answers)
    assert form.is_valid() is valid
    if not valid:
        assert messages_of(form) == ["The first review must be between 6 and 12 weeks from today"]


def test_family_needs_someone_with_parental_responsibility():
    """A household without anyone holding parental responsibility is refused."""
    answers = rows(
        "members",
        {"name": "Sam Hart", "relationship": "Brother", "parental_responsibility": "no", "lives_with_child": "yes"},
    )
    assert messages_of(form_for("ehat", "family", answers)) == ["Add at least one person with parental responsibility"]


def test_family_with_no_rows_filled_is_refused():
    """An empty row does not count as a person."""
    assert messages_of(form_for("ehat", "family", rows("members", {}))) == [
        "Add at least one person with parental responsibility"
    ]


def test_ehcp_needs_at_least_two_review_cycles():
    """The panel needs at least 2 assess, plan, do, review cycles."""
    answers = valid_answers("ehcp")["support"]
    one_cycle = {key: value for key, value in answers.items() if not key.startswith("cycles-1-")}
    one_cycle["cycles-TOTAL_FORMS"] = "1"
    assert messages_of(form_for("ehcp", "support", one_cycle)) == [
        "Add at least 2 assess, plan, do, review cycles: the panel needs them to decide"
    ]


def test_ehcp_needs_one_area_significant_or_severe():
    """An EHC needs assessment is for needs beyond the setting's usual support."""
    answers = {**valid_answers("ehcp")["needs"], "communication_level": "some"}
    form = form_for("ehcp", "needs", answers)
    assert not form.is_valid()
    assert messages_of(form)[0].startswith("At least one area of need must be significant or severe")
    assert form_for("ehcp", "needs", {**answers, "sensory_level": "severe"}).is_valid()


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        pytest.param({"parents_told": "yes", "accurate": "on"}, "Enter the date the parents were told", id="no-date"),
        pytest.param(
            {"parents_told": "yes", **date_parts("parents_told_on", dt.date(2020, 1, 1))},
            "Confirm the information is accurate",
            id="not-declared",
        ),
    ],
)
def test_ehcp_declaration_parents_must_have_been_told(answers, message):
    """The request is statutory, but the parents must have been told (and when) and the facts confirmed."""
    assert messages_of(form_for("ehcp", "declaration", answers)) == [message]


def test_young_carers_inappropriate_tasks_must_be_named():
    """Saying some tasks are inappropriate for their age needs which ones, and why."""
    answers = {"inappropriate": "yes", "caring_appropriate": "yes"}
    assert messages_of(form_for("young_carers", "inappropriate", answers)) == [
        "Enter which tasks are inappropriate, and why"
    ]
    assert form_for("young_carers", "inappropriate", {**answers, "which_tasks": "Personal care for mum"}).is_valid()


@pytest.mark.parametrize(
    ("kind", "key", "field", "limit", "message"),
    [
        pytest.param(
            "ehat",
            "reason",
            "reason",
            5000,
            "The reason for the assessment must be 5,000 characters or fewer",
            id="long-text",
        ),
        pytest.param("ehat", "child", "first_name", 100, "First name must be 100 characters or fewer", id="short-text"),
    ],
)
def test_oversized_text_is_refused(kind, key, field, limit, message):
    """An answer over the question's length limit gets a message with the limit."""
    answers = {**valid_answers(kind)[key], field: "x" * (limit + 1)}
    assert messages_of(form_for(kind, key, answers)) == [message]
    assert form_for(kind, key, {**answers, field: "x" * limit}).is_valid()


def test_html_and_unicode_answers_are_kept_and_shown_escaped(author):
    """Markup is stored as typed and shown as text; names in any script come back unchanged."""
    assessment = start(author, "ehat")
    complete_all(assessment)
    script = "<script>alert('x')</script> Zoë Ó'Súilleabháin 👍 Żółć"
    result = save(assessment, "reason", {"reason": script, "level_of_need": "multiple"})
    assert result.completed
    assert result.section.data["reason"] == script

    html = client_for(author).get(f"/assessments/{assessment.pk}/answers/").content.decode()
    assert "<script>alert(" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Zoë Ó&#x27;Súilleabháin 👍 Żółć" in html
