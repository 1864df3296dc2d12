"""Notifications: an outbox row with the change, the e-mail after the commit, a sweeper for broker outages."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import TestCase
from django.utils import timezone
from kombu.exceptions import OperationalError

from casework.models import Outcome, Status
from identity.models import TeamRole
from tests.casework.conftest import share, start
from tests.factories import ProfessionalFactory
from tests.helpers import emails_to, last_email_to
from tests.workflows import ehc_steps
from tests.workflows.annual_review_steps import current_review, meeting_recorded, plan_issued
from tests.workflows.conftest import (
    SAM,
    claimed,
    client_of,
    close_it,
    draft,
    fresh,
    join,
    resubmit,
    return_it,
    submitted,
    withdraw_it,
)
from tests.workflows.ehc_steps import advice_of, all_advice_in, needs_assessment_of
from workflows import ehc, services
from workflows.models import (
    MANDATORY_KINDS,
    DeliveryStatus,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from workflows.notifications import notification_deliver, notifications_sweep
from workflows.reminders import advice_reminders_send, annual_review_reminders_send, deadline_reminders_send

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def statuses() -> list[str]:
    return sorted(Notification.objects.values_list("status", flat=True))


def test_notifications_are_emailed_only_after_the_transaction_commits(people, django_capture_on_commit_callbacks):
    """The rows are written with the submission; the e-mails wait for the commit."""
    assessment = draft("ehat")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.assessment_submit(actor=people.sam, assessment=assessment, declaration=True)
    assert statuses() == ["created", "created"]
    assert mail.outbox == []

    for callback in callbacks:
        callback()
    assert statuses() == ["sent", "sent"]
    assert sorted(email.to[0] for email in mail.outbox) == ["earlyhelp@plymouth.gov.uk", SAM]


def test_broker_outage_keeps_the_submission_and_the_sweeper_sends_later(people, monkeypatch):
    """Publishing fails: the professional still submits, the rows wait, and the sweeper sends them once."""

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    assessment = draft("ehat")
    with time_machine.travel(NOW, tick=False) as traveller:
        client = client_of(people.sam)
        monkeypatch.setattr("workflows.notifications.deliver_notification.delay", broker_down)
        mail.outbox.clear()
        response = client.post(f"/assessments/{assessment.pk}/submit/", {"declaration": "yes"})
        assert response["Location"] == f"/assessments/{assessment.pk}/submitted/"
        assert fresh(assessment).status == Status.SUBMITTED
        assert statuses() == ["created", "created"]
        assert mail.outbox == []

        traveller.shift(dt.timedelta(minutes=2))
        assert notifications_sweep() == 0  # still down: nothing lost, nothing sent
        assert statuses() == ["created", "created"]

        monkeypatch.undo()
        assert notifications_sweep() == 2
        assert statuses() == ["sent", "sent"]
        assert len(emails_to(SAM)) == 1
        assert len(emails_to("earlyhelp@plymouth.gov.uk")) == 1
        assert notifications_sweep() == 0
        assert len(mail.outbox) == 2


def test_sweeper_leaves_just_written_notifications_to_the_normal_path(people):
    """A row younger than a minute may still be on its way through the broker."""
    with time_machine.travel(NOW, tick=False) as traveller:
        submitted("ehat")
        traveller.shift(dt.timedelta(seconds=30))
        assert notifications_sweep() == 0
        assert statuses() == ["created", "created"]


def test_delivering_the_same_notification_twice_sends_one_email(people):
    """A redelivered task (acks_late) finds the row sent and does nothing."""
    submitted("ehat")
    notification = Notification.objects.get(kind=NotificationKind.SUBMITTED)
    mail.outbox.clear()
    assert notification_deliver(notification.pk) is True
    assert notification_deliver(notification.pk) is False
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (DeliveryStatus.SENT, 1)
    assert notification.sent_at is not None


def test_send_left_half_done_by_a_lost_worker_is_retried_after_15_minutes(people):
    with time_machine.travel(NOW, tick=False) as traveller:
        submitted("ehat")
        Notification.objects.update(status=DeliveryStatus.SENDING, sending_since=NOW, attempts=1)
        traveller.shift(dt.timedelta(minutes=10))
        assert notifications_sweep() == 0
        traveller.shift(dt.timedelta(minutes=6))
        mail.outbox.clear()
        assert notifications_sweep() == 2
    assert statuses() == ["sent", "sent"]
    assert len(mail.outbox) == 2


def test_a_notification_sent_again_carries_the_same_message_id(people):
    """If a lost worker sent it before it was marked sent, the second copy is one mail systems drop."""
    submitted("ehat")
    notification = Notification.objects.get(kind=NotificationKind.SUBMITTED)
    mail.outbox.clear()
    notification_deliver(notification.pk)
    Notification.objects.filter(pk=notification.pk).update(status=DeliveryStatus.FAILED)
    notification_deliver(notification.pk)
    first, second = (message.extra_headers["Message-ID"] for message in mail.outbox)
    assert first == second
    assert first.startswith(f"<notification.{notification.pk}.")
    other = Notification.objects.exclude(pk=notification.pk).first()
    notification_deliver(other.pk)
    assert mail.outbox[-1].extra_headers["Message-ID"] != first


def test_turned_off_notification_is_listed_in_the_portal_but_not_emailed(people):
    """Sam unticks 'an officer picked up your assessment': the claim shows on the portal, with no e-mail."""
    client = client_of(people.sam)
    page = client.get("/notifications/settings/").content.decode()
    assert 'name="claimed"' in page
    for kind in MANDATORY_KINDS:
        assert f'name="{kind}"' not in page
    wanted = {kind.value: "on" for kind in NotificationKind if kind not in MANDATORY_KINDS}
    del wanted[NotificationKind.CLAIMED]
    response = client.post("/notifications/settings/", {**wanted, NotificationKind.RETURNED: ""})
    assert response["Location"] == "/notifications/"
    assert list(NotificationPreference.objects.filter(user=people.sam, email=False).values_list("kind", flat=True)) == [
        NotificationKind.CLAIMED
    ]

    assessment = submitted("ehat")
    mail.outbox.clear()
    client_of(people.priya).post(f"/cases/{assessment.pk}/claim/")
    notification = Notification.objects.get(kind=NotificationKind.CLAIMED)
    assert (notification.recipient, notification.status) == (people.sam, DeliveryStatus.NOT_EMAILED)
    assert emails_to(SAM) == []
    assert notifications_sweep() == 0

    listed = client_of(people.sam).get("/notifications/").content.decode()
    assert f"{assessment.reference} is being reviewed by Priya Shah" in listed


def test_a_choice_made_before_the_email_goes_is_honoured(people, django_capture_on_commit_callbacks):
    """Sam turns 'submitted' e-mails off after submitting but before the worker sends it: no e-mail goes."""
    with django_capture_on_commit_callbacks(execute=False) as waiting:
        assessment = submitted("ehat")
    NotificationPreference.objects.create(user=people.sam, kind=NotificationKind.SUBMITTED, email=False)
    mail.outbox.clear()
    for callback in waiting:
        callback()
    notification = Notification.objects.get(assessment=assessment, kind=NotificationKind.SUBMITTED)
    assert notification.status == DeliveryStatus.NOT_EMAILED
    assert emails_to(SAM) == []
    assert [email.to for email in mail.outbox] == [[assessment.team.email]]


def test_mandatory_notifications_are_emailed_whatever_the_choices(cast, django_capture_on_commit_callbacks):
    """Returned, closed, assigned and overdue need action or are decisions: a stored 'off' is ignored."""
    for user in (cast.sam, cast.priya, cast.second, cast.jo):
        for kind in NotificationKind:
            NotificationPreference.objects.create(user=user, kind=kind, email=False)
    mail.outbox.clear()
    with time_machine.travel(NOW, tick=False) as traveller, django_capture_on_commit_callbacks(execute=True):
        assessment = return_it(claimed("ehat"))
        services.assessment_assign(actor=cast.jo, assessment=resubmit(assessment), officer=cast.second)
        close_it(fresh(assessment))
        claimed("ehat")
        traveller.move_to(dt.datetime(2026, 4, 1, 7, 0, tzinfo=dt.UTC))
        deadline_reminders_send()

    emailed = {(notification.kind, notification.recipient.email) for notification in _sent()}
    assert emailed == {
        (NotificationKind.RETURNED, SAM),
        (NotificationKind.ASSIGNED, cast.second.email),
        (NotificationKind.CLOSED, SAM),
        (NotificationKind.OVERDUE, cast.priya.email),
        (NotificationKind.OVERDUE, cast.jo.email),
    }
    to_people = [email.to[0] for email in mail.outbox if email.to != ["earlyhelp@plymouth.gov.uk"]]
    assert sorted(to_people) == sorted(address for _, address in emailed)
    not_emailed = Notification.objects.filter(status=DeliveryStatus.NOT_EMAILED)
    assert set(not_emailed.values_list("kind", flat=True)) == {"submitted", "claimed", "resubmitted"}


def _sent():
    return Notification.objects.filter(status=DeliveryStatus.SENT, recipient__isnull=False).select_related("recipient")


# What each e-mail tells the reader to do.
WHAT_TO_DO = {
    NotificationKind.SUBMITTED: "What happens next",
    NotificationKind.NEW_IN_QUEUE: "It should be picked up by",
    NotificationKind.CLAIMED: "You do not need to do anything",
    NotificationKind.ASSIGNED: "sign in to read the assessment and review it",
    NotificationKind.RETURNED: "What to do: sign in to read the comments, change the sections marked",
    NotificationKind.RESUBMITTED: "It is waiting for you",
    NotificationKind.MESSAGE: "Sign in to read it and reply on the portal",
    NotificationKind.CLOSED: "Sign in to read the decision, the officer's notes and what happens next",
    NotificationKind.WITHDRAWN: "you do not need to do anything more",
    NotificationKind.REOPENED: "Sign in to see why and what happens next",
    NotificationKind.DEADLINE_SOON: "What to do: make the decision",
    NotificationKind.OVERDUE: "Please act on it today",
    NotificationKind.CONSENT_WITHDRAWN: "If you work with the family, talk to them",
    NotificationKind.ADVICE_REQUESTED: "What to do: sign in and answer the three questions of the advice form",
    NotificationKind.ADVICE_INVITATION: "Register with this e-mail address (the one this message was sent to)",
    NotificationKind.ADVICE_DUE_SOON: "What to do: give your advice before then",
    NotificationKind.ADVICE_OVERDUE: "today, or ",
    NotificationKind.ADVICE_ESCALATED: "What to do: agree with Tom Evans today how the assessment goes on",
    NotificationKind.ADVICE_GIVEN: "once all the advice is in, decide whether to issue a plan",
    NotificationKind.DRAFT_PLAN_SENT: "What to do: read the draft and send any comments to Tom Evans by",
    NotificationKind.PLAN_ISSUED: "Sign in to see the key dates and what happens next",
    NotificationKind.PLAN_NOT_ISSUED: "Sign in to see the decision and what happens next",
    NotificationKind.ANNUAL_REVIEW_SOON: "What to do: arrange the review meeting",
    NotificationKind.ANNUAL_REVIEW_LATE: "What to do: hold the review meeting as soon as you can",
    NotificationKind.ANNUAL_DECISION_LATE: "What to do: decide whether to keep, amend or cease the plan",
}

# What happened, in each e-mail, in words the reader can act on without opening the case.
WHAT_HAPPENED = {
    NotificationKind.SUBMITTED: "You have submitted ",
    NotificationKind.NEW_IN_QUEUE: "is in the Early Help hub's queue",
    NotificationKind.CLAIMED: "Priya Shah of the Early Help hub has picked up",
    NotificationKind.ASSIGNED: "Jo Bennett has assigned",
    NotificationKind.RETURNED: "Priya Shah has returned {reference} to you for changes",
    NotificationKind.RESUBMITTED: "Sam Taylor has made the changes you asked for",
    NotificationKind.MESSAGE: "Priya Shah has sent you a message about {reference}",
    NotificationKind.CLOSED: "The council has made a decision on {reference}: Accepted for early help",
    NotificationKind.WITHDRAWN: "Sam Taylor has withdrawn {reference}",
    NotificationKind.REOPENED: "Jo Bennett has reopened {reference}",
    NotificationKind.DEADLINE_SOON: "is due on",
    NotificationKind.OVERDUE: "is overdue",
    NotificationKind.CONSENT_WITHDRAWN: "The family has withdrawn their consent for {reference}",
    NotificationKind.ADVICE_REQUESTED: "Tom Evans, the council's assessment coordinator, has asked you for the",
    NotificationKind.ADVICE_INVITATION: "Tom Evans, the council's assessment coordinator, has asked you for the",
    NotificationKind.ADVICE_DUE_SOON: "for the EHC needs assessment {reference}. It is due on 13 May 2026",
    NotificationKind.ADVICE_OVERDUE: "for the EHC needs assessment {reference}. It is overdue: it was due on 13 May",
    NotificationKind.ADVICE_ESCALATED: "is still missing 10 working days after it was due on",
    NotificationKind.ADVICE_GIVEN: "Ada Stone has given the educational psychology advice for the EHC needs assessment",
    NotificationKind.DRAFT_PLAN_SENT: "Tom Evans has sent the draft EHC plan for {reference} to the family",
    NotificationKind.PLAN_ISSUED: "The council issued the final EHC plan for {reference} on",
    NotificationKind.PLAN_NOT_ISSUED: "the council has decided not to issue an EHC plan for {reference}",
    NotificationKind.ANNUAL_REVIEW_SOON: "The annual review of the EHC plan of {reference} is due by",
    NotificationKind.ANNUAL_REVIEW_LATE: "The annual review of the EHC plan of {reference} was due by",
    NotificationKind.ANNUAL_DECISION_LATE: "after the annual review of the EHC plan of {reference} was due by",
}

NEEDS_ASSESSMENT_KINDS = {kind for kind in NotificationKind if kind.startswith(("advice", "draft", "plan"))}

# A child and case words that appear nowhere else, so finding one in an e-mail can only be a leak.
CHILD_FIRST, CHILD_LAST = "Zephyrine", "Quillfeather"
SECRETS = {
    "child's first name": CHILD_FIRST,
    "child's last name": CHILD_LAST,
    "date of birth": "2016",
    "date of birth, written out": "3 April",
    "an answer": "Attendance has fallen",
    "a family member from the answers": "Lucy Hart",
    "the child's voice": "I like drawing",
    "message text": "Marmalade-kettle",
    "return comment": "Periwinkle-lantern",
    "return message": "Gooseberry-compass",
    "decision note": "Tangerine-ledger",
    "name typed into the decision": "Ottoline Brackwater",
    "reopening reason": "Saffron-anvil",
    "withdrawal reason": "Juniper-harbour",
    "advice given": "Quince-lighthouse",
    "why advice is not needed": "Bramble-orchard",
    "why the assessment went on without advice": "Hazel-quarry",
    "a section of the plan": "Marigold-cathedral",
    "comments on the draft plan": "Walnut-trellis",
    "who commented on the draft": "Rosalind Pennywhistle",
    "the preferred school": "Larkspur Academy",
    "reasons for not issuing a plan": "Cobalt-meadow",
}
PLAN = {key: f"Marigold-cathedral section {key}" for key in ("A", "B", "E", "F", "K")}


@pytest.fixture
def every_kind_of_email(cast, django_capture_on_commit_callbacks):
    """One journey that sends every kind of notification, e-mailed after each commit, about a child with a
    distinctive name and with distinctive words in every message, comment, note and reason."""
    child = {"first_name": CHILD_FIRST, "last_name": CHILD_LAST}
    mail.outbox.clear()
    with time_machine.travel(NOW, tick=False) as traveller, django_capture_on_commit_callbacks(execute=True):
        assessment = submitted("ehat", **child)  # submitted, new_in_queue
        services.assessment_claim(actor=cast.priya, assessment=assessment)  # claimed
        services.message_post(
            actor=cast.priya, assessment=assessment, body="Marmalade-kettle: can you call me?"
        )  # message
        returned_case = return_it(
            fresh(assessment),
            comments={"reason": "Periwinkle-lantern: say what the family has tried"},
            message="Gooseberry-compass",
        )  # returned
        assessment = resubmit(returned_case)  # resubmitted
        services.assessment_assign(actor=cast.jo, assessment=assessment, officer=cast.second)  # assigned
        assessment = close_it(
            fresh(assessment),
            outcome=Outcome.ACCEPTED,
            details={"lead_professional": "Ottoline Brackwater", "review_date": "14 May 2026"},
            note="Tangerine-ledger: the family agreed a plan",
        )  # closed
        services.assessment_reopen(actor=cast.jo, assessment=assessment, reason="Saffron-anvil concerns")  # reopened
        withdraw_it(fresh(assessment), reason="Juniper-harbour: the family moved")  # withdrawn
        claimed("ehat", **child)
        traveller.move_to(dt.datetime(2026, 3, 25, 7, 0, tzinfo=dt.UTC))
        deadline_reminders_send()  # deadline_soon
        traveller.move_to(dt.datetime(2026, 4, 1, 7, 0, tzinfo=dt.UTC))
        deadline_reminders_send()  # overdue
        consent_withdrawn = claimed("ehat")
        services.consent_withdrawal_record(
            actor=consent_withdrawn.author,
            assessment=consent_withdrawn,
            withdrawn_on=timezone.localdate(),
            withdrawn_by="Their mother",
            method="phone",
        )  # consent_withdrawn
        _needs_assessment_journey(cast, child, traveller)
        _annual_review_reminders(child, traveller)
    return list(Notification.objects.select_related("assessment"))


def _needs_assessment_journey(cast, child, traveller) -> None:
    """Every e-mail of the EHC needs assessment, about the same child, with distinctive words at every step."""
    adviser = ProfessionalFactory(email="ada.stone@psychology.example.org", full_name="Ada Stone")
    join("send-statutory-assessment", role=TeamRole.MANAGER)
    # Agreed to assess on Wednesday 1 April 2026; the advice is due on Wednesday 13 May.
    needs_assessment = needs_assessment_of(close_it(claimed("ehcp", **child)))
    coordinator = needs_assessment.coordinator
    ehc.advice_request(
        actor=coordinator,
        needs_assessment=needs_assessment,
        recipients={
            "educational_psychology": ehc.AdviceRecipient(name="Dr Ada Stone", email=adviser.email),
            "health": ehc.AdviceRecipient(name="Ben Hale", email="ben.hale@nhs.example.org"),
        },
        not_sought=dict.fromkeys(
            ("social_care", "setting", "parents", "child"), "Bramble-orchard: the recent report is enough"
        ),
    )  # advice_requested, advice_invitation
    traveller.move_to(dt.datetime(2026, 5, 6, 9, 0, tzinfo=dt.UTC))
    advice_reminders_send()  # advice_due_soon
    answer = {"needs": "Quince-lighthouse", "outcomes": "Quince-lighthouse", "provision": "Quince-lighthouse"}
    ehc.advice_give(actor=adviser, advice=advice_of(needs_assessment, "educational_psychology"), answer=answer)
    # advice_given; 10 working days after 13 May, with the spring bank holiday on 25 May, is 28 May.
    traveller.move_to(dt.datetime(2026, 5, 28, 9, 0, tzinfo=dt.UTC))
    advice_reminders_send()  # advice_overdue, advice_escalated
    ehc.advice_close_unanswered(
        actor=coordinator, advice=advice_of(needs_assessment, "health"), reason="Hazel-quarry: no reply"
    )
    ehc.issue_decide(actor=coordinator, needs_assessment=needs_assessment, decision="issue")
    ehc.draft_plan_save(actor=coordinator, needs_assessment=needs_assessment, sections=PLAN)
    ehc.draft_plan_send(actor=coordinator, needs_assessment=needs_assessment)  # draft_plan_sent
    ehc.draft_comment_record(
        actor=coordinator,
        needs_assessment=needs_assessment,
        from_whom="Rosalind Pennywhistle",
        comments="Walnut-trellis",
        preferred_school="Larkspur Academy",
        no_further_comments=True,
    )
    ehc.comment_period_close(actor=coordinator, needs_assessment=needs_assessment)
    ehc.final_plan_issue(
        actor=coordinator, needs_assessment=needs_assessment, sections={**PLAN, "I": "Larkspur Academy"}
    )  # plan_issued
    not_issuing = all_advice_in(needs_assessment_of(close_it(claimed("ehcp", **child))))
    ehc.issue_decide(
        actor=coordinator,
        needs_assessment=not_issuing,
        decision="not_issue",
        reasons="Cobalt-meadow",
        appeal_rights_given=True,
    )  # plan_not_issued


def _annual_review_reminders(child, traveller) -> None:
    """The annual review of the same child's EHC plan, its meeting's views holding distinctive words: due soon,
    overdue, and the decision overdue. The request's own e-mails on the way are the kinds checked above, for
    an Early Help Assessment; only the annual review's are kept."""
    needs_assessment = plan_issued(needs_assessment=ehc_steps.needs_assessment_of(close_it(claimed("ehcp", **child))))
    Notification.objects.filter(assessment=needs_assessment.assessment).delete()
    mail.outbox[:] = [email for email in mail.outbox if needs_assessment.assessment.reference not in email.subject]
    review = current_review(needs_assessment)
    traveller.move_to(dt.datetime.combine(review.due_on, dt.time(7), tzinfo=dt.UTC) - dt.timedelta(weeks=4))
    annual_review_reminders_send()  # annual_review_soon
    traveller.move_to(dt.datetime.combine(review.due_on, dt.time(7), tzinfo=dt.UTC) + dt.timedelta(days=1))
    annual_review_reminders_send()  # annual_review_late
    meeting_recorded(
        review,
        timezone.localdate(),
        child_views="I like drawing with Zephyrine's friends",
        parent_views="Marmalade-kettle: she is happier",
        progress="Periwinkle-lantern progress",
    )
    traveller.move_to(dt.datetime.combine(timezone.localdate(), dt.time(7), tzinfo=dt.UTC) + dt.timedelta(weeks=5))
    annual_review_reminders_send()  # annual_decision_late


def test_every_email_names_the_reference_what_happened_and_what_to_do_with_a_link(every_kind_of_email):
    """Not 'you have new information': each e-mail says which case, what happened, what to do, and where."""
    assert {notification.kind for notification in every_kind_of_email} == set(NotificationKind)
    assert {notification.status for notification in every_kind_of_email} == {DeliveryStatus.SENT}
    assert len(mail.outbox) == len(every_kind_of_email)
    for notification in every_kind_of_email:
        kind = notification.kind
        [email] = [m for m in mail.outbox if (m.to, m.body) == ([notification.recipient_email], notification.body)]
        reference = notification.assessment.reference
        assert reference in email.subject, kind
        assert reference in email.body, kind
        # The EHCP requests' own review e-mails (picked up, agreed) name the SEND team, not the hub's words above.
        if notification.assessment.kind != "ehcp" or kind in NEEDS_ASSESSMENT_KINDS:
            assert WHAT_HAPPENED[kind].format(reference=reference) in email.body, (kind, email.body)
        assert WHAT_TO_DO[kind] in email.body, (kind, email.body)
        assert notification.link.startswith(settings.PORTAL_BASE_URL), kind
        assert f"/{notification.assessment.pk}/" in notification.link, kind
        assert notification.link in email.body, kind
        [(html, mimetype)] = email.alternatives
        assert mimetype == "text/html"
        assert f'href="{notification.link}"' in html, kind
        assert WHAT_TO_DO[kind] in html, (kind, html)


def test_no_email_carries_the_childs_name_birth_date_answers_or_anyones_words(every_kind_of_email):
    """E-mail leaves the council's systems: the subject, text and HTML give the reference, never what the case
    holds – the child's name or date of birth, answers, message text, comments, notes or reasons."""
    assert {notification.kind for notification in every_kind_of_email} == set(NotificationKind)
    assert len(mail.outbox) == len(every_kind_of_email)
    for email in mail.outbox:
        [(html, _)] = email.alternatives
        for part, text in (("subject", email.subject), ("text", email.body), ("HTML", html)):
            leaked = [what for what, secret in SECRETS.items() if secret.lower() in text.lower()]
            assert leaked == [], f"the {part} of an e-mail to {email.to} holds {leaked}:\n{text}"


def test_the_sharing_email_names_the_reference_and_not_the_child(db):
    """Inviting a co-author e-mails the reference and what they may do, never whose assessment it is."""
    author = ProfessionalFactory(email_verified_at=timezone.now())
    colleague = ProfessionalFactory(email_verified_at=timezone.now(), organisation=author.organisation)
    assessment = start(author, "ehat", first_name=CHILD_FIRST, last_name=CHILD_LAST)
    mail.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        share(assessment, with_user=colleague)
    email = last_email_to(colleague.email)
    assert email.subject == f"{author.full_name} has shared {assessment.reference} with you"
    [(html, _)] = email.alternatives
    for text in (email.subject, email.body, html):
        assert CHILD_FIRST not in text
        assert CHILD_LAST not in text
        assert "2016" not in text
    assert "You are a co-author" in email.body


def test_a_returned_assessment_email_lists_the_sections_to_change_but_not_the_comments(every_kind_of_email):
    """The professional learns which sections need work and that there is a message, and reads both on the portal."""
    [returned_email] = [n for n in every_kind_of_email if n.kind == NotificationKind.RETURNED]
    assert "Sections that need changes:\n- Reason for the assessment" in returned_email.body, returned_email.body
    assert "Priya Shah has also written you a message." in returned_email.body
