"""The EHC needs assessments of the generated requests agreed to assess (workflows.generator).

Each one is simulated step by step from the day the request was agreed to assess — advice asked for, given
(some late, some never: the coordinator goes on without it), the decision whether to issue, the draft, the
family's comments, the final plan — and cut at "now", so its stage follows its age. Its rows are those the
services of workflows.ehc would have left: the needs assessment, its advice requests and comments with their
history, and the viewflow process with the tasks of each step done and the active ones (the invariants of
tests/workflows/ehc_steps.assert_needs_assessment_flow_agrees). Rows are written in bulk, a batch at a time.
"""

import datetime as dt
import random
from dataclasses import dataclass, field
from itertools import pairwise

from django.db import connection
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS
from viewflow.workflow.token import Token

from casework.models import Assessment

from . import ehc_dates
from .annual_review import decision_due, months_after
from .annual_review_flows import AnnualReviewFlow
from .annual_review_models import AnnualReview, AnnualReviewProcess, AnnualReviewStage, ReviewOutcome
from .ehc import ADVICE_QUESTIONS, PLAN_SECTIONS
from .ehc_flows import ADVICE_NODES, NeedsAssessmentFlow
from .ehc_models import (
    AdviceKind,
    AdviceRequest,
    DraftPlanComment,
    IssueDecision,
    NeedsAssessment,
    NeedsAssessmentProcess,
    NeedsAssessmentStage,
)

START_TOKEN = Token("start")
ANSWER = {
    "needs": "Difficulties with expressive language and with attention in large groups; anxious at transitions.",
    "outcomes": "To ask an adult for help in class and take part in small-group work by the end of the school year.",
    "provision": "Weekly speech and language therapy, a daily small-group session and a visual timetable.",
}
DRAFT_SECTIONS = {
    "A": "Enjoys drawing and animals; the family want a calm start to each day.",
    "B": "Communication and interaction: expressive language well below age-related expectations.",
    "C": "None related to the special educational needs.",
    "E": "By the end of the school year, asks an adult for help in class without prompting.",
    "F": "Speech and language therapy weekly; small-group teaching daily; a visual timetable.",
    "K": "The advice gathered during the needs assessment.",
}
SCHOOLS = ("Hillside Primary School", "St Mary's Catholic Primary School", "Oakfield Academy", "Riverside Primary")
NOT_SOUGHT_REASON = "A recent report is enough; the family and the professionals agree (reg. 6(4))"
NOT_ISSUE_REASONS = "The needs can be met from the support the school already provides, with the advice gathered."
# Kinds a coordinator sometimes leaves out, when recent advice exists.
SOMETIMES_NOT_SOUGHT = (AdviceKind.SOCIAL_CARE, AdviceKind.CHILD)
REVIEW_MEETING = {
    "participants": "The parents; the SENCO; the class teacher; the speech and language therapist",
    "child_views": "I like my small group and I want to keep my visual timetable.",
    "parent_views": "Happier at school and talking more at home; mornings are still hard.",
    "progress": "Asks an adult for help in class most days; small-group work is still hard.",
}


@dataclass(frozen=True)
class ReviewCourse:
    """How one annual review goes, in days: the meeting after its due date (before it when negative), the meeting
    recorded and the council's decision after the meeting; what the meeting recommends and the council decides."""

    meeting: int
    recorded: float
    decided: float
    recommendation: str
    decision: str


@dataclass
class Timing:
    """Days after the agreement to assess of each step; None for a step that never happens."""

    ask: float
    advice: dict  # kind -> ("give" | "close", days)
    decide: float
    issue: bool
    send: float | None = None
    comment: float | None = None
    no_further_comments: bool = False
    close: float | None = None
    final: float | None = None
    # Every annual review of the plan goes this way; None draws a course for each review.
    reviews: ReviewCourse | None = None


# The demo accounts' needs assessments (README's Tom Evans and Sam Taylor): one timing, agreed different days ago.
SHOWCASE_TIMING = Timing(
    ask=2,
    advice={
        AdviceKind.EDUCATIONAL_PSYCHOLOGY: ("give", 20),
        AdviceKind.HEALTH: ("give", 30),
        AdviceKind.SOCIAL_CARE: ("give", 50),
        AdviceKind.SETTING: ("give", 49),
        AdviceKind.PARENTS: ("give", 10),
        AdviceKind.CHILD: ("close", 48),
    },
    decide=55,
    issue=True,
    send=65,
    comment=70,
    no_further_comments=True,
    close=72,
    final=80,
)
# The demo accounts' annual reviews: the meeting 5 days before it is due, recorded the next day, the plan amended
# 25 days after the meeting; or a meeting 60 days late.
SHOWCASE_REVIEWS = ReviewCourse(-5, 1, 25, ReviewOutcome.AMEND, ReviewOutcome.AMEND)
LATE_SHOWCASE_REVIEWS = ReviewCourse(60, 1, 25, ReviewOutcome.KEEP, ReviewOutcome.KEEP)
# Days since the agreement to assess, whether the plan is issued, and how its annual reviews go: one needs
# assessment at each stage, and (the plan issued 80 days after the agreement) one annual review at each stage.
SHOWCASE_AGES = (
    (1, True, None),  # asking for advice
    (25, True, None),  # waiting for advice: Sam Taylor's for the school and the child's views due in 19 days
    (46, True, None),  # waiting for advice: Sam Taylor's for the school overdue, and the social care advice
    (52, True, None),  # deciding
    (60, True, None),  # drafting
    (68, True, None),  # comments
    (75, True, None),  # finalising
    (120, True, SHOWCASE_REVIEWS),  # issued; its first annual review due in about 10 months
    (70, False, None),  # not issued
    (455, True, SHOWCASE_REVIEWS),  # review 1 met about 15 days ago, waiting for the decision
    (470, True, LATE_SHOWCASE_REVIEWS),  # review 1 due about 25 days ago, the meeting overdue
    (560, True, SHOWCASE_REVIEWS),  # review 1 decided about 95 days ago: the plan amended, review 2 under way
)


@dataclass
class Adviser:
    name: str
    email: str
    user: object | None  # a registered professional, or None for someone invited by e-mail


@dataclass
class Planned:
    """One needs assessment as its steps up to now left it, ready to write."""

    assessment: Assessment
    coordinator: object
    agreed_at: dt.datetime
    advisers: dict
    steps: list  # (time, action, actor, extra), in time order, none after now
    needs_assessment: NeedsAssessment | None = None
    history: list = field(default_factory=list)  # (time, reason, actor, values)
    advice: dict = field(default_factory=dict)  # kind -> AdviceRequest
    advice_history: dict = field(default_factory=dict)  # kind -> [(time, reason, actor, values)]
    comment: DraftPlanComment | None = None
    reviews: list = field(default_factory=list)  # PlannedReview, in order


@dataclass
class PlannedReview:
    """One annual review of an issued plan as its steps up to now left it, ready to write."""

    review: AnnualReview
    created_at: dt.datetime
    decided_at: dt.datetime | None = None
    history: list = field(default_factory=list)  # (time, reason, actor, values)
    # The times its tasks were done: the meeting recorded, the decision.
    recorded_at: dt.datetime | None = None


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment)


class NeedsAssessmentSimulator:
    """Timings, steps and rows of the needs assessments of one generator run (shares its seeded random)."""

    def __init__(self, generator):
        self.random = generator.random
        self.now = generator.now
        self.assessment_type = generator.assessment_type
        self.history_model = NeedsAssessment.history.model
        self.advice_history_model = AdviceRequest.history.model
        self.comment_history_model = DraftPlanComment.history.model
        self.review_history_model = AnnualReview.history.model
        # The annual reviews draw from their own seeded random, so that the cases and needs assessments of a seed
        # are those they were before the reviews were generated.
        self.review_random = random.Random(f"annual reviews {generator.seed}")  # noqa: S311

    # ------------------------------------------------------------------ simulating

    def _days(self, low: float, high: float) -> float:
        return self.random.uniform(low, high)

    def timing(self) -> Timing:
        """A realistic course: most advice within 6 weeks, some late, a few never; most plans issued."""
        ask = self._days(1, 10)
        advice = {}
        for kind in AdviceKind.values:
            if kind in SOMETIMES_NOT_SOUGHT and self.random.random() < 0.2:
                continue
            roll = self.random.random()
            if roll < 0.7:
                advice[kind] = ("give", ask + self._days(5, 41))
            elif roll < 0.92:
                advice[kind] = ("give", ask + self._days(43, 70))
            else:
                advice[kind] = ("close", ask + self._days(45, 60))
        decide = max(days for _, days in advice.values()) + self._days(2, 15)
        if self.random.random() < 0.15:
            return Timing(ask=ask, advice=advice, decide=decide, issue=False)
        send = decide + self._days(5, 20)
        if self.random.random() < 0.6:
            comment = send + self._days(3, 13)
            close, done = comment + self._days(0.2, 3), True
        else:
            comment = send + self._days(4, 14)
            # The family's 15 calendar days must be over (workflows.ehc.comment_period_close).
            close, done = send + 16 + self._days(0.2, 5), False
        return Timing(
            ask=ask,
            advice=advice,
            decide=decide,
            issue=True,
            send=send,
            comment=comment,
            no_further_comments=done,
            close=close,
            final=close + self._days(3, 15),
        )

    def advisers(self, author, family_name: str, professionals: list) -> dict:
        """Who each kind of advice is asked of: the requesting professional for the setting and the child's
        views, registered professionals or invited advisers for the others, the parents by e-mail."""
        advisers = {}
        for kind in AdviceKind.values:
            if kind in (AdviceKind.SETTING, AdviceKind.CHILD):
                advisers[kind] = Adviser(author.full_name, author.email, author)
            elif kind == AdviceKind.PARENTS:
                number = self.random.randint(1000, 9999)
                advisers[kind] = Adviser(f"Parent {family_name}", f"parent{number}@family.example.org", None)
            elif self.random.random() < 0.5:
                professional = self.random.choice(professionals)
                advisers[kind] = Adviser(professional.full_name, professional.email, professional)
            else:
                number = self.random.randint(100, 999)
                advisers[kind] = Adviser(
                    f"{kind.replace('_', ' ').title()} adviser {number}",
                    f"{kind.replace('_', '.')}{number}@adviser.example.org",
                    None,
                )
        return advisers

    def steps(self, agreed_at: dt.datetime, coordinator, advisers: dict, timing: Timing) -> list:
        """The steps of a timing, in time order (the generator cuts them at now)."""
        at = lambda days: agreed_at + dt.timedelta(days=days)  # noqa: E731
        steps = [(at(timing.ask), "advice_ask", coordinator, {"kinds": list(timing.advice)})]
        for kind, (how, days) in timing.advice.items():
            giver = advisers[kind].user or coordinator
            if how == "give":
                steps.append((at(days), "advice_give", giver, {"kind": kind}))
            else:
                steps.append((at(days), "advice_close", coordinator, {"kind": kind}))
        steps.append((at(timing.decide), "issue_decide", coordinator, {"issue": timing.issue}))
        if timing.issue:
            steps += [
                (at(timing.send), "draft_send", coordinator, {}),
                (at(timing.comment), "draft_comment", coordinator, {"done": timing.no_further_comments}),
                (at(timing.close), "comments_close", coordinator, {}),
                (at(timing.final), "plan", coordinator, {"reviews": timing.reviews}),
            ]
        return sorted(steps, key=lambda step: step[0])

    # ------------------------------------------------------------------ the rows, as the services leave them

    def plan(self, planned: Planned) -> None:
        """The needs assessment, its advice and comments with their history, from the steps up to now."""
        assessment = planned.assessment
        received_on = local_date(assessment.first_submitted_at)
        dates = ehc_dates.statutory_dates(received_on)
        needs_assessment = NeedsAssessment(
            assessment=assessment,
            coordinator=planned.coordinator,
            stage=NeedsAssessmentStage.REQUESTING_ADVICE,
            received_on=received_on,
            agreed_to_assess_on=local_date(planned.agreed_at),
            issue_decision_due=dates.issue_decision_due,
            final_due=assessment.final_due or dates.final_due,
            advice_not_sought={},
            plan_sections={},
        )
        planned.needs_assessment = needs_assessment
        coordinator = planned.coordinator

        def saved(time, reason, actor):
            planned.history.append((time, reason, actor, self._values(needs_assessment)))

        saved(planned.agreed_at, f"Needs assessment started, coordinated by {coordinator.full_name}", coordinator)
        outstanding = set()
        for time, action, actor, extra in planned.steps:
            day = local_date(time)
            if action == "advice_ask":
                for kind in extra["kinds"]:
                    adviser = planned.advisers[kind]
                    planned.advice[kind] = AdviceRequest(
                        kind=kind,
                        professional=adviser.user,
                        professional_name=adviser.name,
                        professional_email=adviser.email.lower(),
                        requested_on=day,
                        due_on=ehc_dates.advice_due(day),
                        answer={},
                    )
                    planned.advice_history[kind] = [(time, "Advice asked for", coordinator, None)]
                    outstanding.add(kind)
                needs_assessment.advice_requested_on = day
                needs_assessment.advice_not_sought = {
                    kind: NOT_SOUGHT_REASON for kind in AdviceKind.values if kind not in extra["kinds"]
                }
                needs_assessment.stage = NeedsAssessmentStage.GATHERING_ADVICE
                saved(time, f"Advice asked for from {len(extra['kinds'])} professional(s)", actor)
            elif action in ("advice_give", "advice_close"):
                advice = planned.advice[extra["kind"]]
                if action == "advice_give":
                    advice.answer = {key: ANSWER[key] for key in ADVICE_QUESTIONS}
                    advice.answered_on = day
                    advice.answered_by = actor
                    planned.advice_history[advice.kind].append((time, "Advice given", actor, None))
                else:
                    advice.closed_unanswered_on = day
                    advice.closed_unanswered_reason = "No reply after two reminders; the other advice is enough."
                    planned.advice_history[advice.kind].append((time, "Gone on without the advice", actor, None))
                outstanding.discard(advice.kind)
                if not outstanding:
                    needs_assessment.stage = NeedsAssessmentStage.DECIDING
                    saved(time, "All the advice asked for is in", actor)
            elif action == "issue_decide":
                decision = IssueDecision.ISSUE if extra["issue"] else IssueDecision.NOT_ISSUE
                needs_assessment.issue_decision = decision
                needs_assessment.issue_decided_on = day
                if decision == IssueDecision.NOT_ISSUE:
                    needs_assessment.not_issue_reasons = NOT_ISSUE_REASONS
                    needs_assessment.appeal_rights_given = True
                    needs_assessment.stage = NeedsAssessmentStage.NOT_ISSUED
                else:
                    needs_assessment.stage = NeedsAssessmentStage.DRAFTING
                saved(time, f"Decided: {decision.label}", actor)
            elif action == "draft_send":
                needs_assessment.plan_sections = {key: DRAFT_SECTIONS.get(key, "") for key in PLAN_SECTIONS}
                saved(time, "Draft plan saved", actor)
                needs_assessment.draft_sent_on = day
                needs_assessment.comments_due = ehc_dates.comments_due(day)
                needs_assessment.stage = NeedsAssessmentStage.COMMENTS
                saved(time, "Draft plan sent for comments", actor)
            elif action == "draft_comment":
                planned.comment = DraftPlanComment(
                    from_whom="The parents",
                    comments="We agree with the draft and would like the therapy to start this term.",
                    preferred_school=self.random.choice(SCHOOLS),
                    no_further_comments=extra["done"],
                    received_on=day,
                    recorded_by=actor,
                )
                planned.comment.history_time = time
            elif action == "comments_close":
                needs_assessment.stage = NeedsAssessmentStage.FINALISING
                saved(time, "Comment period ended", actor)
            elif action == "plan":
                school = planned.comment.preferred_school if planned.comment else SCHOOLS[0]
                needs_assessment.plan_sections = {**needs_assessment.plan_sections, "I": school}
                needs_assessment.final_issued_on = day
                needs_assessment.stage = NeedsAssessmentStage.ISSUED
                saved(time, "Final plan issued", actor)
                # workflows.ehc.final_plan_issue starts review 1 in the same transaction.
                self._plan_reviews(planned, time, actor, extra.get("reviews"))

    def review_course(self) -> ReviewCourse:
        """A realistic annual review: most meetings within a few weeks of the due date, some late, a few long
        overdue; most decisions within the 4 weeks; the plan mostly kept or amended, rarely ceased."""
        draw = self.review_random
        roll = draw.random()
        if roll < 0.75:
            meeting = draw.randint(-28, 14)
        elif roll < 0.9:
            meeting = draw.randint(15, 70)
        else:
            meeting = draw.randint(90, 300)
        recorded = draw.uniform(0.1, 5)
        decided = recorded + (draw.uniform(1, 22) if draw.random() < 0.85 else draw.uniform(30, 60))
        recommendation = draw.choices(
            (ReviewOutcome.KEEP, ReviewOutcome.AMEND, ReviewOutcome.CEASE), weights=(55, 40, 5)
        )[0]
        decision = recommendation
        if recommendation != ReviewOutcome.CEASE and draw.random() < 0.1:
            # The council sometimes decides otherwise than the meeting recommended.
            decision = ReviewOutcome.AMEND if recommendation == ReviewOutcome.KEEP else ReviewOutcome.KEEP
        return ReviewCourse(meeting, recorded, decided, recommendation, decision)

    def _plan_reviews(self, planned: Planned, issued_at: dt.datetime, coordinator, course: ReviewCourse | None):
        """The plan's annual reviews up to now, as workflows.annual_review leaves them: each started when the one
        before was decided (the first with the final plan), held by the coordinator."""
        holder = planned.coordinator
        created_at, created_by, number = issued_at, coordinator, 1
        due_on = months_after(planned.needs_assessment.final_issued_on, 12)
        while True:
            review = AnnualReview(number=number, holder=holder, stage=AnnualReviewStage.AWAITING_MEETING, due_on=due_on)
            planned_review = PlannedReview(review=review, created_at=created_at)
            planned.reviews.append(planned_review)

            def saved(time, reason, actor, review=review, planned_review=planned_review):
                planned_review.history.append((time, reason, actor, self._values(review)))

            saved(created_at, f"Annual review due by {due_on:%-d %B %Y}, held by {holder.full_name}", created_by)
            how = course or self.review_course()
            meeting_on = due_on + dt.timedelta(days=how.meeting)
            # The meeting in the morning (UK time is UTC or UTC+1): recorded at least a couple of hours later.
            meeting_at = dt.datetime.combine(meeting_on, dt.time(9), tzinfo=dt.UTC)
            recorded_at = meeting_at + dt.timedelta(days=how.recorded)
            if recorded_at > self.now:
                return
            review.meeting_on = meeting_on
            for name, text in REVIEW_MEETING.items():
                setattr(review, name, text)
            review.recommendation = how.recommendation
            review.meeting_recorded_by = holder
            review.decision_due = decision_due(meeting_on)
            review.stage = AnnualReviewStage.AWAITING_DECISION
            planned_review.recorded_at = recorded_at
            saved(recorded_at, f"Review meeting of {meeting_on:%-d %B %Y} recorded", holder)
            decided_at = meeting_at + dt.timedelta(days=how.decided)
            if decided_at > self.now:
                return
            review.decision = how.decision
            review.decided_on = local_date(decided_at)
            review.decided_by = holder
            review.stage = AnnualReviewStage.DECIDED
            planned_review.decided_at = decided_at
            saved(decided_at, f"Decided: {ReviewOutcome(how.decision).label}", holder)
            if how.decision == ReviewOutcome.CEASE:
                return
            # Each later review is due 12 months after the previous review meeting (CoP 9.166).
            created_at, created_by, number = decided_at, holder, number + 1
            due_on = months_after(meeting_on, 12)

    @staticmethod
    def _values(instance) -> dict:
        values = {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
        values.pop("id", None)
        for name in ("plan_sections", "advice_not_sought"):
            if name in values:
                values[name] = dict(values[name])
        return values

    def write(self, planned_list: list[Planned]) -> None:
        """Write the batch's needs assessments with their history, advice, comments and processes."""
        if not planned_list:
            return
        for planned in planned_list:
            planned.needs_assessment.assessment_id = planned.assessment.pk
        NeedsAssessment.objects.bulk_create([planned.needs_assessment for planned in planned_list])
        histories, advice, comments = [], [], []
        for planned in planned_list:
            needs_assessment = planned.needs_assessment
            for index, (time, reason, actor, values) in enumerate(planned.history):
                histories.append(
                    self.history_model(
                        id=needs_assessment.pk,
                        **{**values, "assessment_id": needs_assessment.assessment_id},
                        history_date=time,
                        history_type="+" if index == 0 else "~",
                        history_user_id=actor.pk,
                        history_change_reason=reason,
                    )
                )
            for request in planned.advice.values():
                request.needs_assessment = needs_assessment
                advice.append(request)
            if planned.comment is not None:
                planned.comment.needs_assessment = needs_assessment
                comments.append(planned.comment)
        self.history_model.objects.bulk_create(histories)
        AdviceRequest.objects.bulk_create(advice)
        DraftPlanComment.objects.bulk_create(comments)
        self.advice_history_model.objects.bulk_create(self._advice_histories(planned_list))
        self.comment_history_model.objects.bulk_create(
            [
                self.comment_history_model(
                    id=comment.pk,
                    **self._values(comment),
                    history_date=comment.history_time,
                    history_type="+",
                    history_user_id=comment.recorded_by_id,
                    history_change_reason="Comments on the draft plan",
                )
                for comment in comments
            ]
        )
        self._write_processes(planned_list)
        self._write_reviews(planned_list)

    def _advice_histories(self, planned_list: list[Planned]) -> list:
        """Each advice request's history: asked for, then given or gone on without (its values at each)."""
        rows = []
        for planned in planned_list:
            for kind, request in planned.advice.items():
                final = self._values(request)
                asked = {
                    **final,
                    "answered_on": None,
                    "answered_by_id": None,
                    "answer": {},
                    "closed_unanswered_on": None,
                    "closed_unanswered_reason": "",
                }
                for index, (time, reason, actor, _) in enumerate(planned.advice_history[kind]):
                    rows.append(
                        self.advice_history_model(
                            id=request.pk,
                            **(asked if index == 0 else final),
                            history_date=time,
                            history_type="+" if index == 0 else "~",
                            history_user_id=actor.pk,
                            history_change_reason=reason,
                        )
                    )
        return rows

    def _write_reviews(self, planned_list: list[Planned]) -> None:
        """The batch's annual reviews with their history and their processes, each with the tasks done and the
        active one."""
        reviews = []
        for planned in planned_list:
            for planned_review in planned.reviews:
                planned_review.review.needs_assessment = planned.needs_assessment
                reviews.append((planned, planned_review))
        if not reviews:
            return
        AnnualReview.objects.bulk_create([planned_review.review for _, planned_review in reviews])
        self.review_history_model.objects.bulk_create(
            [
                self.review_history_model(
                    id=planned_review.review.pk,
                    **{**values, "needs_assessment_id": planned_review.review.needs_assessment_id},
                    history_date=time,
                    history_type="+" if index == 0 else "~",
                    history_user_id=actor.pk,
                    history_change_reason=reason,
                )
                for _, planned_review in reviews
                for index, (time, reason, actor, values) in enumerate(planned_review.history)
            ]
        )
        processes = [
            Process(
                flow_class=AnnualReviewFlow,
                status=PROCESS.DONE if planned_review.decided_at else PROCESS.NEW,
                created=planned_review.created_at,
                finished=planned_review.decided_at,
            )
            for _, planned_review in reviews
        ]
        Process.objects.bulk_create(processes)
        with connection.cursor() as cursor:
            # As for the needs assessments' processes: bulk_create cannot write the child rows.
            cursor.executemany(
                f"INSERT INTO {AnnualReviewProcess._meta.db_table} (process_ptr_id, annual_review_id) "  # noqa: S608
                "VALUES (%s, %s)",
                [
                    (process.pk, planned_review.review.pk)
                    for process, (_, planned_review) in zip(processes, reviews, strict=True)
                ],
            )
        chains = [
            self._review_tasks(process, planned, planned_review)
            for process, (planned, planned_review) in zip(processes, reviews, strict=True)
        ]
        Task.objects.bulk_create([task for chain in chains for task in chain])
        Task.previous.through.objects.bulk_create(
            [
                Task.previous.through(from_task_id=after.pk, to_task_id=before.pk)
                for chain in chains
                for before, after in pairwise(chain)
            ]
        )

    def _review_tasks(self, process, planned: Planned, planned_review: PlannedReview) -> list[Task]:
        """start → record_meeting → decide → end, as far as the review has gone; the holder's open task assigned.
        (The generated holder is always the coordinator, whom _task makes the owner of the human tasks.)"""
        flow = AnnualReviewFlow
        created, recorded, decided = planned_review.created_at, planned_review.recorded_at, planned_review.decided_at
        tasks = [
            self._task(process, planned, flow.start, "START", STATUS.DONE, created, finished=created),
            self._task(
                process,
                planned,
                flow.record_meeting,
                "HUMAN",
                STATUS.DONE if recorded else STATUS.ASSIGNED,
                created,
                finished=recorded,
            ),
        ]
        if recorded is None:
            return tasks
        tasks.append(
            self._task(
                process,
                planned,
                flow.decide,
                "HUMAN",
                STATUS.DONE if decided else STATUS.ASSIGNED,
                recorded,
                finished=decided,
            )
        )
        if decided is not None:
            tasks.append(self._task(process, planned, flow.end, "END", STATUS.DONE, decided, finished=decided))
        return tasks

    # ------------------------------------------------------------------ viewflow

    def _write_processes(self, planned_list: list[Planned]) -> None:
        processes = []
        for planned in planned_list:
            finished = planned.needs_assessment.stage in (NeedsAssessmentStage.ISSUED, NeedsAssessmentStage.NOT_ISSUED)
            processes.append(
                Process(
                    flow_class=NeedsAssessmentFlow,
                    status=PROCESS.DONE if finished else PROCESS.NEW,
                    created=planned.agreed_at,
                    finished=planned.steps[-1][0] if finished else None,
                )
            )
        Process.objects.bulk_create(processes)
        with connection.cursor() as cursor:
            # bulk_create cannot write the child rows of multi-table inheritance; the table name is a constant.
            cursor.executemany(
                f"INSERT INTO {NeedsAssessmentProcess._meta.db_table} (process_ptr_id, needs_assessment_id) "  # noqa: S608
                "VALUES (%s, %s)",
                [
                    (process.pk, planned.needs_assessment.pk)
                    for process, planned in zip(processes, planned_list, strict=True)
                ],
            )
        # The advice tasks' tokens name the split's task ("start/<split task>_<n>"): the first tasks go first.
        chains = [self._first_tasks(process, planned) for process, planned in zip(processes, planned_list, strict=True)]
        Task.objects.bulk_create([task for chain, _ in chains for task in chain])
        links = []
        later_tasks = [(chain, rest(chain[-1]) if rest else []) for chain, rest in chains]
        Task.objects.bulk_create([task for _, later in later_tasks for task, _ in later])
        for chain, later in later_tasks:
            links += [Task.previous.through(from_task_id=b.pk, to_task_id=a.pk) for a, b in pairwise(chain)]
            for task, previous in later:
                links += [Task.previous.through(from_task_id=task.pk, to_task_id=before.pk) for before in previous]
        Task.previous.through.objects.bulk_create(links)

    def _task(self, process, planned, node, kind, status, created, *, finished=None, token=START_TOKEN):
        human = kind == "HUMAN"
        done = status == STATUS.DONE
        return Task(
            process=process,
            flow_task=node,
            flow_task_type=kind,
            status=status,
            created=created,
            # viewflow starts a task as it runs it; gateways are finished without being started.
            started=finished if done and kind not in ("PARALLEL_GATEWAY", "EXCLUSIVE_GATEWAY") else None,
            finished=finished,
            token=token,
            owner=planned.coordinator if human else None,
            owner_permission="casework.review_assessment" if human else None,
            owner_permission_content_type=self.assessment_type if human else None,
            owner_permission_obj_pk=str(planned.assessment.pk) if human else None,
            data={},
        )

    def _first_tasks(self, process, planned: Planned):
        """The start, the coordinator's asking for advice and the split; and a builder of the rest once the split
        has its key (None when the advice has not been asked for yet)."""
        flow = NeedsAssessmentFlow
        times = {action: time for time, action, _, _ in planned.steps}
        start = self._task(
            process, planned, flow.start, "START", STATUS.DONE, planned.agreed_at, finished=planned.agreed_at
        )
        asked_at = times.get("advice_ask")
        if asked_at is None:
            ask = self._task(process, planned, flow.request_advice, "HUMAN", STATUS.ASSIGNED, planned.agreed_at)
            return [start, ask], None
        ask = self._task(
            process, planned, flow.request_advice, "HUMAN", STATUS.DONE, planned.agreed_at, finished=asked_at
        )
        split = self._task(
            process, planned, flow.ask_for_advice, "PARALLEL_GATEWAY", STATUS.DONE, asked_at, finished=asked_at
        )
        return [start, ask, split], lambda split_task: self._later_tasks(process, planned, split_task, times)

    def _later_tasks(self, process, planned: Planned, split: Task, times: dict) -> list:
        """The advice branches, the join and whatever followed, each with the tasks it came from."""
        flow = NeedsAssessmentFlow
        asked_at = times["advice_ask"]
        done_at = {}
        for time, action, _, extra in planned.steps:
            if action in ("advice_give", "advice_close"):
                done_at[extra["kind"]] = time
        tasks = []
        branches = []
        asked = [kind for kind in ADVICE_NODES if kind in planned.advice]
        for number, kind in enumerate(asked, start=1):
            node = getattr(flow, ADVICE_NODES[kind])
            finished = done_at.get(kind)
            status = STATUS.DONE if finished else STATUS.NEW
            branch = self._task(
                process,
                planned,
                node,
                "FUNCTION",
                status,
                asked_at,
                finished=finished,
                token=Token(f"start/{split.pk}_{number}"),
            )
            tasks.append((branch, [split]))
            if finished:
                branches.append((finished, branch))
        if not branches:
            return tasks
        branches.sort(key=lambda pair: pair[0])
        all_in = len(branches) == len(asked)
        gathered_at = branches[-1][0]
        join = self._task(
            process,
            planned,
            flow.advice_gathered,
            "JOIN",
            STATUS.DONE if all_in else STATUS.STARTED,
            branches[0][0],
            finished=gathered_at if all_in else None,
        )
        if not all_in:
            join.started = branches[0][0]
        tasks.append((join, [branch for _, branch in reversed(branches)]))
        if not all_in:
            return tasks
        previous = join

        def step(node, kind, created, finished_at, *, open_status=STATUS.ASSIGNED):
            nonlocal previous
            status = STATUS.DONE if finished_at else open_status
            task = self._task(process, planned, node, kind, status, created, finished=finished_at)
            tasks.append((task, [previous]))
            previous = task
            return task

        decided = times.get("issue_decide")
        step(flow.decide_issue, "HUMAN", gathered_at, decided)
        if decided is None:
            return tasks
        step(flow.after_decision, "EXCLUSIVE_GATEWAY", decided, decided)
        if planned.needs_assessment.issue_decision == IssueDecision.NOT_ISSUE:
            step(flow.not_issued, "END", decided, decided)
            return tasks
        sent = times.get("draft_send")
        step(flow.draft_plan, "HUMAN", decided, sent)
        if sent is None:
            return tasks
        closed = times.get("comments_close")
        step(flow.comment_period, "FUNCTION", sent, closed, open_status=STATUS.NEW)
        if closed is None:
            return tasks
        final = times.get("plan")
        step(flow.finalise, "HUMAN", closed, final)
        if final is not None:
            step(flow.issued, "END", final, final)
        return tasks
