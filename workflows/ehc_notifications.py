"""The EHC needs assessment's e-mails: advice asked for (or an invitation to register), given, and the plan.

Written to the outbox by the services of workflows.ehc in their own transaction, sent after the commit
(workflows.notifications). Like every e-mail of the portal they give the reference, the kind of advice, dates and
the names of the people involved, never the child's name or anyone's words (the advice, reasons, comments).
The reminders before and after an advice's due date are sent by workflows.reminders.
"""

from django.conf import settings
from django.urls import reverse

from casework.models import Collaborator, CollaboratorRole
from identity.models import User

from .ehc_models import AdviceKind, AdviceRequest, NeedsAssessment
from .models import NotificationKind
from .notifications import notify_all

# Each kind of advice as an e-mail's sentence names it ("asked you for the health advice").
ADVICE_NAMED = {
    AdviceKind.EDUCATIONAL_PSYCHOLOGY: "educational psychology advice",
    AdviceKind.HEALTH: "health advice",
    AdviceKind.SOCIAL_CARE: "social care advice",
    AdviceKind.SETTING: "school or setting advice",
    AdviceKind.PARENTS: "parents' views",
    AdviceKind.CHILD: "child's views",
}


def _absolute(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def advice_link(advice: AdviceRequest) -> str:
    """The page on which the professional gives this advice (sign-in, or registration first, leads there)."""
    return _absolute(reverse("workflows:ehc-advice", args=[advice.needs_assessment.assessment_id, advice.kind]))


def coordinator_link(needs_assessment: NeedsAssessment) -> str:
    return _absolute(reverse("workflows:ehc", args=[needs_assessment.assessment_id]))


def register_link() -> str:
    return _absolute(reverse("identity:register"))


def advice_context(advice: AdviceRequest) -> dict:
    """What an e-mail about one advice request may say: its kind, due date, who is asked and who coordinates."""
    return {
        "advice_kind": ADVICE_NAMED[advice.kind],
        "due_date": f"{advice.due_on:%-d %B %Y}",
        "professional": advice.professional_name,
        "coordinator": advice.needs_assessment.coordinator.full_name,
        # Not yet a user: the e-mail says how to register with the address it was sent to.
        "register_link": register_link() if advice.professional_id is None else "",
    }


def to_adviser(advice: AdviceRequest, kind: NotificationKind, **spec) -> dict:
    """A notification for the professional asked: their account, or the address they are invited to register."""
    return {
        "kind": kind,
        "assessment": advice.needs_assessment.assessment,
        "recipient": advice.professional,
        "email": advice.professional_email,
        "link": advice_link(advice),
        "context": advice_context(advice),
        **spec,
    }


def advice_requested(asked: list[AdviceRequest]) -> None:
    """Each professional asked: a link to give their advice, or an invitation to register first."""
    notify_all(
        *(
            to_adviser(
                advice,
                NotificationKind.ADVICE_REQUESTED if advice.professional_id else NotificationKind.ADVICE_INVITATION,
            )
            for advice in asked
        )
    )


def advice_given(advice: AdviceRequest) -> None:
    """The coordinator learns the advice is in (unless they recorded it themselves)."""
    needs_assessment = advice.needs_assessment
    if advice.answered_by_id == needs_assessment.coordinator_id:
        return
    notify_all(
        {
            "kind": NotificationKind.ADVICE_GIVEN,
            "assessment": needs_assessment.assessment,
            "recipient": needs_assessment.coordinator,
            "link": coordinator_link(needs_assessment),
            "context": {**advice_context(advice), "professional": advice.answered_by.full_name, "register_link": ""},
        }
    )


def _request_authors(needs_assessment: NeedsAssessment) -> list[User]:
    """Who wrote the EHCP request, for the setting: its author and co-authors."""
    assessment = needs_assessment.assessment
    co_authors = (
        Collaborator.objects.filter(assessment=assessment, role=CollaboratorRole.CO_AUTHOR)
        .select_related("user")
        .order_by("pk")
    )
    return [assessment.author, *(collaborator.user for collaborator in co_authors)]


def _to_request_authors(needs_assessment: NeedsAssessment, kind: NotificationKind, context: dict) -> None:
    assessment = needs_assessment.assessment
    link = _absolute(reverse("workflows:progress", args=[assessment.pk]))
    context = {"coordinator": needs_assessment.coordinator.full_name, **context}
    notify_all(
        *(
            {"kind": kind, "assessment": assessment, "recipient": author, "link": link, "context": context}
            for author in _request_authors(needs_assessment)
        )
    )


def draft_plan_sent(needs_assessment: NeedsAssessment) -> None:
    _to_request_authors(
        needs_assessment,
        NotificationKind.DRAFT_PLAN_SENT,
        {"comments_due": f"{needs_assessment.comments_due:%-d %B %Y}"},
    )


def plan_issued(needs_assessment: NeedsAssessment) -> None:
    _to_request_authors(
        needs_assessment,
        NotificationKind.PLAN_ISSUED,
        {"issued_on": f"{needs_assessment.final_issued_on:%-d %B %Y}"},
    )


def plan_not_issued(needs_assessment: NeedsAssessment) -> None:
    _to_request_authors(needs_assessment, NotificationKind.PLAN_NOT_ISSUED, {})
