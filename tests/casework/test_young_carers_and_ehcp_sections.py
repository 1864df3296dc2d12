"""Young Carers: safeguarding screen, consent, needs for support and a plan only when needed. EHCP: parents with
parental responsibility, and who asks for the assessment (a young person aged 16 to 25 for themselves)."""

import datetime as dt

import pytest
from django.utils import timezone

from casework.models import AssessmentSection
from casework.sections import Gap, spec_for
from casework.selectors import assessment_gaps, task_list
from tests.casework.conftest import (
    client_for,
    complete_all,
    form_for,
    messages_of,
    rows,
    save,
    start,
    submit,
    valid_answers,
)


def years_ago(years: int, *, days: int = 0) -> dt.date:
    today = timezone.localdate()
    # On 29 February, the same day of a year without one is 28 February.
    day = min(today.day, 28) if (today.month, today.day) == (2, 29) else today.day
    return today.replace(year=today.year - years, day=day) + dt.timedelta(days=days)


def date_parts(prefix: str, value: dt.date) -> dict:
    return {f"{prefix}_day": str(value.day), f"{prefix}_month": str(value.month), f"{prefix}_year": str(value.year)}


# ---------------------------------------------------------------- Young Carers: consent


def test_young_carers_consent_given_must_say_when_how_and_what_it_covers():
    form = form_for("young_carers", "consent", {"young_carer_consent": "yes", "parent_consent": "not_asked"})
    assert messages_of(form) == [
        "Enter the date the young carer gave consent",
        "Select how the young carer gave consent",
        "Enter why the parent or carer did not consent, or was not asked",
        "Select what the consent covers",
    ]


def test_young_carers_parents_consent_must_say_who_when_and_how():
    answers = {**valid_answers("young_carers")["consent"], "parent_consent": "yes"}
    for name in ("parent_name", "parent_relationship", "parent_consent_method"):
        answers.pop(name)
    answers.pop("parent_consent_on_day")
    assert messages_of(form_for("young_carers", "consent", answers)) == [
        "Enter the name of the parent or carer who gave consent",
        "Enter the parent's or carer's relationship to the young carer",
        "The date the parent gave consent must include a day",
        "Select how the parent or carer gave consent",
    ]


def test_young_carers_parent_not_asked_is_allowed_with_the_reason():
    """Asking a parent is not always appropriate: the reason is recorded instead of their consent."""
    answers = {
        **valid_answers("young_carers")["consent"],
        "parent_consent": "not_asked",
        "parent_not_asked_reason": "The young carer is 17 and does not want their dad told.",
    }
    assert form_for("young_carers", "consent", answers).is_valid()


def test_young_carers_consent_must_cover_sharing():
    answers = {**valid_answers("young_carers")["consent"], "covers": ["store"]}
    assert messages_of(form_for("young_carers", "consent", answers)) == [
        "The consent must cover sharing the assessment with agencies who can help"
    ]


def test_young_carers_without_the_young_carers_consent_cannot_be_submitted(author):
    assessment = start(author, "young_carers")
    answers = valid_answers("young_carers")
    answers["consent"] = {
        "young_carer_consent": "no",
        "parent_consent": "no",
        "parent_not_asked_reason": "Not yet discussed",
    }
    complete_all(assessment, answers=answers)
    assert assessment_gaps(assessment) == [
        Gap("The young carer's consent is needed: record it before you submit", "consent")
    ]


# ---------------------------------------------------------------- Young Carers: safeguarding in the sections


def test_young_carers_safeguarding_changed_to_yes_stops_every_other_section(author):
    assessment = start(author, "young_carers")
    save(assessment, "safeguarding", {"significant_harm": "yes"})
    statuses = {row.key: row.status for row in task_list(assessment)}
    assert statuses.pop("safeguarding") == "completed"
    assert set(statuses.values()) == {"cannot_start"}
    assert Gap(
        "You said the young person may be at risk of significant harm: contact the safeguarding hub now",
        "safeguarding",
    ) in assessment_gaps(assessment)


# ---------------------------------------------------------------- Young Carers: no plan without eligible needs


def test_no_eligible_needs_needs_the_advice_given():
    assert messages_of(form_for("young_carers", "needs", {"eligible_needs": "no"})) == [
        "Enter the information and advice given to the young carer and family"
    ]


def test_support_plan_not_required_when_the_young_carer_has_no_eligible_needs(council, author):
    """Every section but the plan completed, and the assessment found no needs for support: nothing is missing,
    and it can be submitted."""
    assessment = start(author, "young_carers")
    answers = valid_answers("young_carers")
    answers.pop("plan")
    answers["needs"] = {"eligible_needs": "no", "advice_given": "Told about the young carers' group."}
    complete_all(assessment, answers=answers)
    assert assessment_gaps(assessment) == []
    assert submit(assessment).status == "submitted"


def test_support_plan_required_when_the_young_carer_has_eligible_needs(author):
    assessment = start(author, "young_carers")
    answers = valid_answers("young_carers")
    answers.pop("plan")
    complete_all(assessment, answers=answers)
    assert assessment_gaps(assessment) == [Gap("Complete the section ‘Support plan’", "plan")]


def test_support_plan_required_while_the_needs_are_not_yet_recorded(author):
    """Until "Needs for support" is completed, the plan is asked for like every other section."""
    assessment = start(author, "young_carers")
    answers = valid_answers("young_carers")
    answers.pop("plan")
    answers.pop("needs")
    complete_all(assessment, answers=answers)
    assert [gap.section for gap in assessment_gaps(assessment)] == ["needs", "plan"]


def test_a_young_carers_draft_from_before_the_new_sections_still_opens(author):
    """A draft saved before the safeguarding, consent and needs sections existed: its pages open and the new
    sections are listed as missing."""
    assessment = start(author, "young_carers")
    AssessmentSection.objects.filter(assessment=assessment, key="safeguarding").delete()
    answers = valid_answers("young_carers")
    for key in ("safeguarding", "consent", "needs"):
        answers.pop(key)
    complete_all(assessment, answers=answers)
    assert [gap.section for gap in assessment_gaps(assessment)] == ["safeguarding", "consent", "needs"]
    client = client_for(author)
    for path in ("", "check-your-answers/", "answers/", "sections/consent/", "sections/needs/"):
        assert client.get(f"/assessments/{assessment.pk}/{path}").status_code == 200, path


# ---------------------------------------------------------------- EHCP: parents


def test_ehcp_parents_need_someone_with_parental_responsibility():
    answers = rows(
        "parents",
        {
            "name": "Sam Hart",
            "relationship": "Stepfather",
            "parental_responsibility": "no",
            "phone": "07700 900982",
            "knows_of_request": "yes",
        },
    )
    assert messages_of(form_for("ehcp", "parents", answers)) == ["Add at least one person with parental responsibility"]


def test_ehcp_each_parent_needs_a_way_to_contact_them():
    answers = rows(
        "parents",
        {"name": "Lucy Hart", "relationship": "Mother", "parental_responsibility": "yes", "knows_of_request": "yes"},
    )
    assert messages_of(form_for("ehcp", "parents", answers)) == [
        "Enter a phone number, e-mail address or address for parent or carer 1"
    ]
    assert form_for("ehcp", "parents", {**answers, "parents-0-email": "lucy@example.org"}).is_valid()


def test_ehcp_empty_parents_section_names_every_question():
    assert messages_of(form_for("ehcp", "parents", rows("parents", {"name": "Lucy Hart"}))) == [
        "Enter the relationship to the child of parent or carer 1, like mother",
        "Select yes if parent or carer 1 has parental responsibility",
        "Enter a phone number, e-mail address or address for parent or carer 1",
        "Select yes if parent or carer 1 knows about this request",
    ]


def test_ehcp_a_parent_who_does_not_know_of_the_request_stops_submitting(author):
    assessment = start(author, "ehcp")
    answers = valid_answers("ehcp")
    answers["parents"] = {**answers["parents"], "parents-0-knows_of_request": "no"}
    complete_all(assessment, answers=answers)
    assert assessment_gaps(assessment) == [Gap("Tell Lucy Hart about the request before you submit it", "parents")]


def test_ehcp_parents_not_told_stops_submitting(author):
    assessment = start(author, "ehcp")
    answers = valid_answers("ehcp")
    answers["declaration"] = {"parents_told": "no", "accurate": "on"}
    complete_all(assessment, answers=answers)
    assert assessment_gaps(assessment) == [
        Gap("Tell the parents about the request before you submit it", "declaration")
    ]


# ---------------------------------------------------------------- EHCP: who asks


def test_ehcp_requester_must_say_who_is_asking_and_a_parent_by_name():
    answers = {**valid_answers("ehcp")["requester"]}
    answers.pop("requested_by")
    assert messages_of(form_for("ehcp", "requester", answers)) == ["Select who is asking for the assessment"]
    assert messages_of(form_for("ehcp", "requester", {**answers, "requested_by": "parent"})) == [
        "Enter the name of the parent asking for the assessment"
    ]
    assert form_for("ehcp", "requester", {**answers, "requested_by": "young_person"}).is_valid()


def _young_person_request(author, born: dt.date, **declaration):
    assessment = start(author, "ehcp", born=born)
    answers = valid_answers("ehcp")
    answers["child"] = {**answers["child"], **date_parts("date_of_birth", born), "year_group": "post_16"}
    answers["requester"] = {**answers["requester"], "requested_by": "young_person"}
    if declaration:
        answers["declaration"] = {**declaration, "accurate": "on"}
    complete_all(assessment, answers=answers)
    return assessment


@pytest.mark.parametrize(
    ("born", "age"),
    [
        pytest.param(years_ago(16), None, id="16-today"),
        pytest.param(years_ago(16, days=1), 15, id="16-tomorrow"),
        pytest.param(years_ago(26, days=1), None, id="25-and-364-days"),
        pytest.param(years_ago(10), 10, id="10"),
    ],
)
def test_a_young_person_may_ask_for_themselves_from_16_to_25_by_their_date_of_birth(author, born, age):
    gaps = assessment_gaps(_young_person_request(author, born))
    if age is None:
        assert gaps == []
    else:
        assert gaps == [
            Gap(
                f"A young person can ask for an assessment for themselves only from 16 to 25: by their date of birth "
                f"they are {age}. Change who is asking for the assessment",
                "requester",
            )
        ]


def test_a_young_person_asking_for_themselves_need_not_have_told_their_parents(council, author):
    """From 16 the young person makes the request; the parents' knowing of it is not required."""
    assessment = _young_person_request(author, years_ago(17), parents_told="no")
    assert assessment_gaps(assessment) == []
    assert submit(assessment).status == "submitted"


def test_ehcp_child_over_25_by_date_of_birth_is_refused():
    answers = {**valid_answers("ehcp")["child"], **date_parts("date_of_birth", years_ago(26))}
    assert messages_of(form_for("ehcp", "child", answers)) == [
        "Date of birth must be less than 26 years ago: an EHC needs assessment is for children and young people "
        "up to 25"
    ]
    answers.update(date_parts("date_of_birth", years_ago(26, days=1)))
    assert form_for("ehcp", "child", answers).is_valid()


def test_every_section_of_every_kind_is_in_the_sample_answers_of_the_demo():
    """The demo generator's answers cover every section, so generated cases are complete."""
    from workflows.sample_answers import sample_answers

    for kind in ("ehat", "ehcp", "young_carers"):
        assert set(sample_answers(kind)) == {section.key for section in spec_for(kind).sections}, kind
