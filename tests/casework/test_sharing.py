"""Sharing a draft with colleagues of the same organisation, and taking their access away."""

import pytest
from django.core import mail

from casework.models import CaseEvent, CaseEventKind, Collaborator
from identity.permissions import can_edit_assessment, can_submit_assessment, can_view_assessment
from tests.casework.conftest import (
    attach,
    client_for,
    share,
    verified_professional,
)
from tests.factories import ProfessionalFactory
from tests.helpers import last_email_to

REFUSED = (
    "There is no colleague with that e-mail address in your organisation. They need an account on the portal first"
)


def sharing_url(assessment):
    return f"/assessments/{assessment.pk}/sharing/"


def invite(client, assessment, email, role="co_author"):
    return client.post(sharing_url(assessment), {"email": email, "role": role})


def test_author_invites_a_colleague_as_co_author_who_can_edit(author_client, colleague, ehat):
    """A co-author can read, change and submit the draft, and is e-mailed a link to it."""
    response = invite(author_client, ehat, colleague.email.upper(), "co_author")
    assert response["Location"] == sharing_url(ehat)
    assert Collaborator.objects.get().user == colleague
    assert can_edit_assessment(colleague, ehat)
    assert can_submit_assessment(colleague, ehat)
    email = last_email_to(colleague.email)
    assert email.subject == f"Robin Author has shared {ehat.reference} with you"
    assert ehat.reference in email.body
    assert f"http://testserver/assessments/{ehat.pk}/" in email.body
    assert "You are a co-author" in email.body

    client = client_for(colleague)
    assert client.get(f"/assessments/{ehat.pk}/sections/reason/").status_code == 200
    client.post(f"/assessments/{ehat.pk}/sections/reason/", {"reason": "From the co-author", "version": "0"})
    assert ehat.sections.get(key="reason").data == {"reason": "From the co-author"}


def test_viewer_can_read_but_not_edit_or_submit(author_client, colleague, ehat):
    """A viewer reads the answers; the section pages send them to the read-only answers."""
    invite(author_client, ehat, colleague.email, "viewer")
    assert can_view_assessment(colleague, ehat)
    assert not can_edit_assessment(colleague, ehat)
    assert not can_submit_assessment(colleague, ehat)
    assert "You can read it, but not change it" in last_email_to(colleague.email).body

    client = client_for(colleague)
    assert client.get(f"/assessments/{ehat.pk}/answers/").status_code == 200
    response = client.post(f"/assessments/{ehat.pk}/sections/reason/", {"reason": "Viewer's words", "version": "0"})
    assert response["Location"] == f"/assessments/{ehat.pk}/answers/"
    assert not ehat.sections.filter(key="reason").exists()
    assert client.get(f"/assessments/{ehat.pk}/check-your-answers/")["Location"] == f"/assessments/{ehat.pk}/answers/"


@pytest.mark.parametrize(
    "who",
    [
        pytest.param("other-organisation", id="other-organisation"),
        pytest.param("unknown", id="unknown-address"),
        pytest.param("unverified", id="unverified-colleague"),
        pytest.param("inactive", id="inactive-colleague"),
    ],
)
def test_invitation_refused_with_the_same_message(author_client, author, ehat, who):
    """Whether the person is elsewhere, unknown or not yet verified, the answer gives nothing away."""
    if who == "other-organisation":
        email = verified_professional().email
    elif who == "unknown":
        email = "nobody@school.example.sch.uk"
    elif who == "unverified":
        email = ProfessionalFactory(organisation=author.organisation).email
    else:
        email = verified_professional(organisation=author.organisation, is_active=False).email
    mail.outbox.clear()
    response = invite(author_client, ehat, email)
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert not Collaborator.objects.exists()
    assert mail.outbox == []


def test_only_the_author_can_share(colleague, ehat):
    """A co-author can work on the draft but not invite anyone else."""
    share(ehat, with_user=colleague)
    third = verified_professional(organisation=colleague.organisation)
    client = client_for(colleague)
    assert client.get(sharing_url(ehat)).status_code == 403
    assert invite(client, ehat, third.email).status_code == 403
    assert Collaborator.objects.count() == 1


def test_removing_a_collaborator_ends_their_access_on_the_next_request(author_client, colleague, ehat, media):
    """Straight after removal the colleague gets 404 on the assessment, its documents and its history."""
    collaborator = share(ehat, with_user=colleague)
    attachment = attach(ehat)
    client = client_for(colleague)
    urls = [
        f"/assessments/{ehat.pk}/",
        f"/assessments/{ehat.pk}/evidence/{attachment.pk}/download/",
        f"/assessments/{ehat.pk}/history/",
    ]
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]

    response = author_client.post(f"{sharing_url(ehat)}{collaborator.pk}/remove/")
    assert response["Location"] == sharing_url(ehat)
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    assert not Collaborator.objects.exists()


def test_sharing_and_removal_appear_in_the_history(author_client, colleague, ehat):
    """The timeline says who was given access, as what, and when it was taken away."""
    invite(author_client, ehat, colleague.email, "viewer")
    collaborator = Collaborator.objects.get()
    author_client.post(f"{sharing_url(ehat)}{collaborator.pk}/remove/")
    events = [(event.kind, event.summary) for event in CaseEvent.objects.filter(assessment=ehat).order_by("pk")][-2:]
    assert events == [
        (CaseEventKind.SHARED, "Casey Colleague added as viewer"),
        (CaseEventKind.UNSHARED, "Casey Colleague's access removed"),
    ]
    html = author_client.get(f"/assessments/{ehat.pk}/history/").content.decode()
    assert "Shared with a colleague: Casey Colleague added as viewer" in html
    assert "Colleague&#x27;s access removed: Casey Colleague&#x27;s access removed" in html
