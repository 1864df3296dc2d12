"""Starting an assessment: the kind, the safeguarding screen, the child, references and the author's rights."""

import datetime as dt

import pytest
from django.utils import timezone

from casework.models import Assessment, CaseEventKind, Child
from casework.sections.young_carers import YoungCarerForm
from casework.services import assessment_start
from identity.permissions import (
    can_edit_assessment,
    can_share_assessment,
    can_submit_assessment,
    can_view_assessment,
)
from tests.casework.conftest import client_for, date_parts, save, start, valid_answers, verified_professional

BORN = dt.date(2016, 4, 3)


def new_child_data(first_name="Mia", last_name="Hart", born=BORN):
    return {"first_name": first_name, "last_name": last_name, **date_parts("date_of_birth", born)}


def start_through_pages(client, kind, child=None):
    """Choose the kind (and answer no to safeguarding), then name a new child; returns the last response."""
    response = client.post("/assessments/new/", {"kind": kind})
    if kind in ("ehat", "young_carers"):
        assert response["Location"] == "/assessments/new/safeguarding/"
        response = client.post("/assessments/new/safeguarding/", {"significant_harm": "no"})
    assert response["Location"] == "/assessments/new/child/"
    return client.post("/assessments/new/child/details/", child or new_child_data())


def test_choosing_a_kind(author_client):
    """The first question offers the three assessments; continuing without a choice says what to do."""
    html = author_client.get("/assessments/new/").content.decode()
    for label in ("Early Help Assessment", "Request for an EHC needs assessment", "Young Carers assessment"):
        assert label in html
    response = author_client.post("/assessments/new/", {})
    assert response.status_code == 200
    assert "Select the kind of assessment" in response.content.decode()
    assert author_client.post("/assessments/new/", {"kind": "ehcp"})["Location"] == "/assessments/new/child/"


def test_ehat_safeguarding_yes_stops_with_the_hub_number_and_saves_nothing(author_client, settings):
    """A child at risk of significant harm is for the safeguarding hub: no assessment, no child is created."""
    settings.PORTAL_SAFEGUARDING_PHONE = "01752 000111"
    author_client.post("/assessments/new/", {"kind": "ehat"})
    response = author_client.post("/assessments/new/safeguarding/", {"significant_harm": "yes"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Contact the safeguarding hub now" in html
    assert "01752 000111" in html
    assert not Assessment.objects.exists()
    assert not Child.objects.exists()
    assert author_client.get("/assessments/new/child/details/")["Location"] == "/assessments/new/", (
        "the journey starts again from the beginning"
    )


def test_ehat_safeguarding_no_continues_to_the_child(author_client, author):
    """Answering no leads to naming the child, and the assessment starts with the check already completed."""
    response = start_through_pages(author_client, "ehat")
    assessment = Assessment.objects.get()
    assert response["Location"] == f"/assessments/{assessment.pk}/"
    assert assessment.kind == "ehat"
    assert assessment.child_name == "Mia Hart"
    assert assessment.sections.get(key="safeguarding").data == {"significant_harm": "no"}
    assert assessment.events.get().kind == CaseEventKind.CREATED


def test_ehat_cannot_be_started_by_skipping_the_safeguarding_screen(author_client):
    """Going straight to the child page after choosing EHAT sends the professional back to the start."""
    author_client.post("/assessments/new/", {"kind": "ehat"})
    response = author_client.post("/assessments/new/child/details/", new_child_data())
    assert response["Location"] == "/assessments/new/"
    assert not Assessment.objects.exists()


def test_young_carers_safeguarding_yes_stops_with_the_hub_number_and_saves_nothing(author_client, settings):
    """A young person at risk of significant harm is for the MASH: the screen asks about them, and a yes saves
    nothing and says how to contact the hub now."""
    settings.PORTAL_SAFEGUARDING_PHONE = "01752 000111"
    response = author_client.post("/assessments/new/", {"kind": "young_carers"})
    assert response["Location"] == "/assessments/new/safeguarding/"
    page = author_client.get("/assessments/new/safeguarding/").content.decode()
    assert "Do you believe the young person is at risk of significant harm?" in page
    assert "Young Carers assessment" in page

    response = author_client.post("/assessments/new/safeguarding/", {"significant_harm": "yes"})
    html = response.content.decode()
    assert "Contact the safeguarding hub now" in html
    assert "01752 000111" in html
    assert "Do not complete a Young Carers assessment for a young person at risk of significant harm" in html
    assert not Assessment.objects.exists()
    assert not Child.objects.exists()
    assert author_client.get("/assessments/new/child/details/")["Location"] == "/assessments/new/"


def test_young_carers_safeguarding_unanswered_names_the_young_person(author_client):
    author_client.post("/assessments/new/", {"kind": "young_carers"})
    response = author_client.post("/assessments/new/safeguarding/", {})
    assert "Select yes if you believe the young person is at risk of significant harm" in response.content.decode()


def test_young_carers_cannot_be_started_by_skipping_the_safeguarding_screen(author_client, author):
    """Going straight to the child after choosing Young Carers goes back to the start; the service refuses too."""
    author_client.post("/assessments/new/", {"kind": "young_carers"})
    response = author_client.post("/assessments/new/child/details/", new_child_data())
    assert response["Location"] == "/assessments/new/"
    assert not Assessment.objects.exists()
    child = Child.objects.create(first_name="Mia", last_name="Hart", date_of_birth=BORN, created_by=author)
    with pytest.raises(ValueError, match="safeguarding check"):
        assessment_start(actor=author, kind="young_carers", child=child, safeguarding_answer="")


def test_young_carers_safeguarding_no_starts_with_the_check_completed(author_client):
    response = start_through_pages(author_client, "young_carers")
    assessment = Assessment.objects.get()
    assert response["Location"] == f"/assessments/{assessment.pk}/"
    section = assessment.sections.get(key="safeguarding")
    assert (section.data, section.status) == ({"significant_harm": "no"}, "completed")


def test_same_child_again_asks_whether_it_is_the_same_child_and_yes_reuses_them(author_client, author):
    """The same name and date of birth from the same author leads to 'You have added this child before'."""
    existing = start(author, "ehcp").child
    response = start_through_pages(author_client, "young_carers", new_child_data(first_name="mia "))
    assert response["Location"] == "/assessments/new/child/already-added/"
    page = author_client.get(response["Location"]).content.decode()
    assert "You have added this child before" in page

    response = author_client.post("/assessments/new/child/already-added/", {"use_existing": "yes"})
    started = Assessment.objects.get(kind="young_carers")
    assert response["Location"] == f"/assessments/{started.pk}/"
    assert started.child == existing
    assert Child.objects.count() == 1


def test_same_child_again_answered_no_creates_a_new_child(author_client, author):
    """Twins or namesakes: 'No, this is a different child' adds a second child."""
    existing = start(author, "ehcp").child
    start_through_pages(author_client, "ehcp")
    author_client.post("/assessments/new/child/already-added/", {"use_existing": "no"})
    started = Assessment.objects.order_by("pk").last()
    assert started.child != existing
    assert (started.child.full_name, started.child.date_of_birth, started.child.created_by) == (
        "Mia Hart",
        BORN,
        author,
    )
    assert Child.objects.count() == 2


def test_another_authors_identical_child_is_not_matched(author_client, author):
    """Children are matched only among the author's own: another professional's child stays private."""
    other = verified_professional(organisation=author.organisation)
    theirs = start(other, "ehcp").child
    response = start_through_pages(author_client, "ehcp")
    started = Assessment.objects.get(author=author)
    assert response["Location"] == f"/assessments/{started.pk}/"
    assert started.child != theirs
    assert started.child.created_by == author


def test_references_count_up_per_kind_and_year(author):
    """References look like EHAT-2026-000001 and each kind has its own sequence."""
    year = timezone.localdate().year
    references = [start(author, kind).reference for kind in ("ehat", "ehat", "ehcp", "young_carers", "ehcp")]
    assert references == [
        f"EHAT-{year}-000001",
        f"EHAT-{year}-000002",
        f"EHCP-{year}-000001",
        f"YC-{year}-000001",
        f"EHCP-{year}-000002",
    ]


def test_author_gets_view_edit_share_and_submit_rights(author):
    """Whoever starts an assessment can read, change, share and submit it."""
    assessment = start(author, "ehcp")
    assert can_view_assessment(author, assessment)
    assert can_edit_assessment(author, assessment)
    assert can_share_assessment(author, assessment)
    assert can_submit_assessment(author, assessment)


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/assessments/new/", id="kind"),
        pytest.param("/assessments/new/safeguarding/", id="safeguarding"),
        pytest.param("/assessments/new/child/", id="child"),
        pytest.param("/assessments/new/child/details/", id="new-child"),
        pytest.param("/assessments/new/child/already-added/", id="duplicate"),
    ],
)
def test_officers_cannot_start_assessments(officer, path):
    """Council officers have no right to start assessments: every start page is forbidden."""
    response = client_for(officer).get(path)
    assert response.status_code == 403


def test_choosing_an_existing_child_starts_for_them(author_client, author):
    """A professional with children already added can pick one from the list."""
    child = start(author, "ehcp").child
    author_client.post("/assessments/new/", {"kind": "young_carers"})
    author_client.post("/assessments/new/safeguarding/", {"significant_harm": "no"})
    page = author_client.get("/assessments/new/child/").content.decode()
    assert "Mia Hart, born 3 April 2016" in page
    response = author_client.post("/assessments/new/child/", {"child": str(child.pk)})
    started = Assessment.objects.get(kind="young_carers")
    assert response["Location"] == f"/assessments/{started.pk}/"
    assert started.child == child


def test_another_authors_child_cannot_be_chosen_by_its_id(author_client, author, outsider):
    """A forged child id from another professional is not one of the choices, and starts nothing."""
    start(author, "ehcp")
    theirs = start(outsider, "ehcp").child
    author_client.post("/assessments/new/", {"kind": "young_carers"})
    author_client.post("/assessments/new/safeguarding/", {"significant_harm": "no"})
    response = author_client.post("/assessments/new/child/", {"child": str(theirs.pk)})
    assert response.status_code == 200
    assert "Select the child, or a child not listed" in response.content.decode()
    assert not Assessment.objects.filter(kind="young_carers").exists()


def test_reused_child_section_starts_from_their_last_completed_one_with_only_its_own_questions(author):
    """The young carer's details come from the child's completed EHCP request, without the EHCP-only answers."""
    first = start(author, "ehcp")
    save(first, "child", valid_answers("ehcp")["child"])
    second = start(author, "young_carers", child=first.child)
    data = second.sections.get(key="young_carer").data
    assert data["address"] == "12 Harbour View\nPlymouth"
    assert data["postcode"] == "PL1 2AA"
    own = set(YoungCarerForm.owned_keys(data))
    assert set(data) == own, f"answers to other forms' questions were copied in: {sorted(set(data) - own)}"
