"""Who can see an assessment: every address answers 404 to people with no right to it, as if it did not exist."""

import pytest

from casework.models import Assessment, AssessmentSection, Attachment, Collaborator, SectionDraft
from tests.casework.conftest import attach, client_for, share, start, verified_professional
from tests.conftest import CommittingClient

# (method, address pattern); {pk}, {attachment} and {collaborator} are filled in per test.
ADDRESSES = [
    pytest.param("get", "/assessments/{pk}/", id="overview"),
    pytest.param("get", "/assessments/{pk}/sections/reason/", id="section"),
    pytest.param("post", "/assessments/{pk}/sections/reason/", id="section-save"),
    pytest.param("post", "/assessments/{pk}/sections/reason/autosave/", id="autosave"),
    pytest.param("post", "/assessments/{pk}/sections/reason/discard/", id="discard"),
    pytest.param("get", "/assessments/{pk}/check-your-answers/", id="check"),
    pytest.param("get", "/assessments/{pk}/answers/", id="answers"),
    pytest.param("get", "/assessments/{pk}/history/", id="history"),
    pytest.param("get", "/assessments/{pk}/evidence/", id="evidence"),
    pytest.param("post", "/assessments/{pk}/evidence/", id="evidence-upload"),
    pytest.param("get", "/assessments/{pk}/evidence/{attachment}/download/", id="download"),
    pytest.param("post", "/assessments/{pk}/evidence/{attachment}/remove/", id="evidence-remove"),
    pytest.param("get", "/assessments/{pk}/sharing/", id="sharing"),
    pytest.param("post", "/assessments/{pk}/sharing/", id="sharing-invite"),
    pytest.param("post", "/assessments/{pk}/sharing/{collaborator}/remove/", id="sharing-remove"),
    pytest.param("post", "/assessments/{pk}/submit/", id="submit"),
    pytest.param("get", "/assessments/{pk}/submitted/", id="submitted"),
]


@pytest.fixture
def draft(author, colleague, media):
    assessment = start(author, "ehcp")
    attachment = attach(assessment)
    collaborator = share(assessment, with_user=colleague, role="viewer")
    return assessment, attachment, collaborator


def request(client, method, pattern, draft):
    assessment, attachment, collaborator = draft
    url = pattern.format(pk=assessment.pk, attachment=attachment.pk, collaborator=collaborator.pk)
    data = {"reason": "Changed", "version": "1", "email": "x@example.com", "role": "viewer", "declaration": "yes"}
    return client.post(url, data) if method == "post" else client.get(url)


def nothing_changed(draft):
    assessment, attachment, collaborator = draft
    fresh = Assessment.objects.get(pk=assessment.pk)
    return (
        fresh.status == "draft"
        and not AssessmentSection.objects.filter(assessment=assessment, key="reason").exists()
        and not SectionDraft.objects.exists()
        and Attachment.objects.filter(pk=attachment.pk).exists()
        and Collaborator.objects.filter(pk=collaborator.pk).exists()
    )


@pytest.mark.parametrize(("method", "pattern"), ADDRESSES)
def test_professional_of_another_organisation_gets_404_everywhere(draft, method, pattern):
    """Another organisation's professional cannot see, change or even confirm the assessment exists."""
    response = request(client_for(verified_professional()), method, pattern, draft)
    assert response.status_code == 404
    assert nothing_changed(draft)


@pytest.mark.parametrize(("method", "pattern"), ADDRESSES)
def test_drafts_are_invisible_to_council_officers(officer, draft, method, pattern):
    """Until it is submitted, a draft is the professional's own: officers get 404."""
    response = request(client_for(officer), method, pattern, draft)
    assert response.status_code == 404
    assert nothing_changed(draft)


def test_colleague_of_the_same_organisation_without_an_invitation_gets_404(author, draft):
    """Working in the same school is not enough: only the people invited can see it."""
    assessment = draft[0]
    stranger = verified_professional(organisation=author.organisation)
    assert client_for(stranger).get(f"/assessments/{assessment.pk}/").status_code == 404


def test_signed_out_visitor_is_sent_to_sign_in(draft):
    """Without signing in, the assessment's pages lead to the sign-in page."""
    response = CommittingClient().get(f"/assessments/{draft[0].pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")
