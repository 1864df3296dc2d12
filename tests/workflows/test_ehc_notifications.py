"""Who the needs assessment e-mails, and what for: the professionals asked, the coordinator, the request's authors."""

import pytest
from django.core import mail
from django.http import Http404
from django.utils import timezone

from tests.casework.conftest import share
from tests.factories import ProfessionalFactory
from tests.helpers import emails_to
from tests.workflows.conftest import SAM, TOM, close_it, draft, fresh
from tests.workflows.ehc_steps import (
    ANSWER,
    advice_asked,
    advice_of,
    agreed,
    draft_sent,
    finalising,
    give,
    needs_assessment_of,
)
from workflows import ehc, services
from workflows.models import Notification, NotificationKind

INVITED = "dr.ada.stone@psychology.example.org"


def kinds_to(address: str) -> list[str]:
    return sorted(Notification.objects.filter(recipient_email=address).values_list("kind", flat=True))


@pytest.fixture
def asked_of_sam_and_an_address(people, django_capture_on_commit_callbacks):
    """The setting's advice asked of Sam (registered); the psychologist's of an address with no account."""
    needs_assessment = agreed()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ehc.advice_request(
            actor=needs_assessment.coordinator,
            needs_assessment=needs_assessment,
            recipients={
                "setting": ehc.AdviceRecipient(name="Sam Taylor", email=SAM),
                "educational_psychology": ehc.AdviceRecipient(name="Dr Ada Stone", email=INVITED),
            },
            not_sought=dict.fromkeys(("health", "social_care", "parents", "child"), "The annual review is enough"),
        )
    return needs_assessment


def test_a_registered_professional_gets_a_link_to_give_their_advice(asked_of_sam_and_an_address):
    reference = asked_of_sam_and_an_address.assessment.reference
    notification = Notification.objects.get(recipient_email=SAM, kind=NotificationKind.ADVICE_REQUESTED)
    assert notification.recipient.email == SAM
    [email] = emails_to(SAM)
    assert email.subject.startswith(f"Action needed: school or setting advice for {reference} by ")
    assert f"/cases/{asked_of_sam_and_an_address.assessment_id}/needs-assessment/advice/setting/" in email.body
    assert "/account/register/" not in email.body


def test_an_address_with_no_account_gets_an_invitation_to_register_with_it(asked_of_sam_and_an_address):
    notification = Notification.objects.get(recipient_email=INVITED)
    assert (notification.kind, notification.recipient) == (NotificationKind.ADVICE_INVITATION, None)
    [email] = emails_to(INVITED)
    assert email.body.startswith("Hello colleague,")
    assert "Register with this e-mail address (the one this message was sent to): http" in email.body
    assert "/account/register/" in email.body
    assert "/needs-assessment/advice/educational_psychology/" in email.body


def test_someone_who_registers_with_the_invited_address_gives_the_advice_and_it_becomes_theirs(
    asked_of_sam_and_an_address, django_capture_on_commit_callbacks
):
    """Ada registers with the address the invitation went to: the advice page is hers, and the request links to her."""
    needs_assessment = asked_of_sam_and_an_address
    ada = ProfessionalFactory(email=INVITED, full_name="Ada Stone", email_verified_at=timezone.now())
    someone_else = ProfessionalFactory(email_verified_at=timezone.now())
    with pytest.raises(Http404):
        ehc.advice_for_adviser(someone_else, needs_assessment.assessment_id, "educational_psychology")
    advice = ehc.advice_for_adviser(ada, needs_assessment.assessment_id, "educational_psychology")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ehc.advice_give(actor=ada, advice=advice, answer=ANSWER)
    advice = advice_of(needs_assessment, "educational_psychology")
    assert (advice.professional, advice.answered_by) == (ada, ada)
    assert kinds_to(TOM) == [NotificationKind.ADVICE_GIVEN]
    [email] = emails_to(TOM)
    assert email.subject == f"Advice given for {needs_assessment.assessment.reference}: educational psychology advice"
    assert "Ada Stone has given the educational psychology advice" in email.body
    assert ANSWER["needs"] not in email.body


def test_advice_the_coordinator_records_themselves_tells_nobody(people, django_capture_on_commit_callbacks):
    needs_assessment = advice_asked(kinds=("health",))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        give(needs_assessment, "health")
    assert Notification.objects.filter(kind=NotificationKind.ADVICE_GIVEN).count() == 0
    assert emails_to(TOM) == []


@pytest.fixture
def request_with_a_co_author(people):
    """Sam's EHCP request, written with a colleague, agreed to assess."""
    colleague = ProfessionalFactory(organisation=people.sam.organisation, email_verified_at=timezone.now())
    assessment = draft("ehcp")
    share(assessment, with_user=colleague)
    services.assessment_submit(actor=people.sam, assessment=assessment, declaration=True)
    services.assessment_claim(actor=people.tom, assessment=fresh(assessment))
    return needs_assessment_of(close_it(fresh(assessment))), colleague


def test_the_requests_authors_hear_the_draft_plan_is_out_and_the_final_plan_issued(
    request_with_a_co_author, django_capture_on_commit_callbacks
):
    needs_assessment, colleague = request_with_a_co_author
    with django_capture_on_commit_callbacks(execute=True):
        needs_assessment = finalising(needs_assessment)
        ehc.final_plan_issue(
            actor=needs_assessment.coordinator,
            needs_assessment=needs_assessment,
            sections={**needs_assessment.plan_sections, "I": "Hillside Primary School"},
        )
    expected = [NotificationKind.DRAFT_PLAN_SENT, NotificationKind.PLAN_ISSUED]
    plan_kinds = (*expected, NotificationKind.PLAN_NOT_ISSUED)
    for address in (SAM, colleague.email):
        assert [kind for kind in kinds_to(address) if kind in plan_kinds] == expected
    sent = Notification.objects.get(recipient_email=SAM, kind=NotificationKind.DRAFT_PLAN_SENT)
    assert sent.link.endswith(f"/assessments/{needs_assessment.assessment_id}/progress/")
    assert f"Comments are due by {needs_assessment.comments_due:%-d %B %Y}" in sent.body


def test_the_requests_author_hears_no_plan_will_be_issued_but_not_the_reasons(
    people, django_capture_on_commit_callbacks
):
    needs_assessment = advice_asked(kinds=("health",))
    give(needs_assessment, "health")
    with django_capture_on_commit_callbacks(execute=True):
        ehc.issue_decide(
            actor=needs_assessment.coordinator,
            needs_assessment=needs_assessment,
            decision="not_issue",
            reasons="Needs met from the school's own resources",
            appeal_rights_given=True,
        )
    notification = Notification.objects.get(kind=NotificationKind.PLAN_NOT_ISSUED)
    assert notification.recipient == people.sam
    assert "told of their right to appeal" in notification.body
    assert "own resources" not in notification.body


def test_sending_the_draft_twice_is_refused_and_emails_each_author_once(
    request_with_a_co_author, django_capture_on_commit_callbacks
):
    """The draft goes out once: sending it again is refused and e-mails nobody."""
    needs_assessment, _ = request_with_a_co_author
    with django_capture_on_commit_callbacks(execute=True):
        needs_assessment = draft_sent(needs_assessment)
    with pytest.raises(ehc.TransitionRefused):
        ehc.draft_plan_send(actor=needs_assessment.coordinator, needs_assessment=needs_assessment)
    assert Notification.objects.filter(kind=NotificationKind.DRAFT_PLAN_SENT).count() == 2
