"""Realistic synthetic casework for the demo, the reports and the benchmark.

Children, organisations, professionals, officers and assessments of all three kinds spread over two
years, in every state and outcome, with the rows the real services would have written: history
with users and reasons, timeline events, object rights, viewflow processes and tasks consistent with
each status, clock pauses and messages. Each case is simulated event by event (submit, claim, return,
resubmit, decide or withdraw) and cut at "now"; rows are written in batches with bulk inserts.
"""

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import pairwise

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS
from viewflow.workflow.token import Token

from casework.models import (
    REFERENCE_PREFIXES,
    Assessment,
    AssessmentGroupObjectPermission,
    AssessmentSection,
    AssessmentUserObjectPermission,
    CaseEvent,
    CaseEventKind,
    Child,
    Outcome,
    ReferenceCounter,
    SectionStatus,
    Status,
)
from casework.sections import spec_for
from identity.models import Organisation, OrganisationDomain, OrganisationKind, TeamMembership, TeamRole, User
from identity.roles import Role

from . import deadlines
from .flows import FLOWS
from .generator_ehc import SHOWCASE_AGES, SHOWCASE_TIMING, NeedsAssessmentSimulator, Planned
from .models import AssessmentReview, CaseMessage, ClockPause, PauseReason, TeamRoute
from .sample_answers import sample_answers
from .summaries import daily_summaries_rebuild

BATCH = 2000
# viewflow's token for the one branch of a flow without splits.
START_TOKEN = Token("start")
KIND_WEIGHTS = {"ehat": 5, "ehcp": 3, "young_carers": 2}
OUTCOME_WEIGHTS = {
    "ehat": {Outcome.ACCEPTED: 6, Outcome.SIGNPOSTED: 3, Outcome.STEPPED_UP: 1},
    "ehcp": {Outcome.AGREED_TO_ASSESS: 7, Outcome.REFUSED_TO_ASSESS: 3},
    "young_carers": {Outcome.SUPPORT_PLAN: 7, Outcome.NO_ELIGIBLE_NEEDS: 3},
}
FIRST_NAMES = (
    "Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Willow Florence "
    "Emily Ella Poppy Evie Noah Oliver George Arthur Muhammad Leo Harry Oscar Archie Henry "
    "Theodore Freddie Jack Charlie Theo Alfie Jacob Thomas Finley Ruby Amara Zara Kai Ethan "
    "Mason Logan Lucas Aiden Layla Hannah Nia"
).split()
LAST_NAMES = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Robinson Wright Thompson Evans Walker White Roberts "
    "Green Hall Thomas Clarke Jackson Wood Harris Edwards Turner Martin Cooper Hill Ward Hughes Moore Clark "
    "King Harrison Lewis Baker Lee Allen Morris Khan Scott Watson Davis Parker James Bennett Young Phillips "
    "Richardson Mitchell Bailey Carter Cook Singh Shaw Bell Collins Morgan Kelly Begum Miller Cox Hussain Marshall"
).split()
RETURN_REASONS = (
    "Add the dates of the support already given.",
    "The family's views are missing: please add them in their words.",
    "Attach the educational psychologist's report you mention.",
    "Say what has changed since the last plan.",
    "Consent: record who gave it and how.",
)
# The steps of a needs assessment (workflows.generator_ehc), besides "plan", the final plan on the request.
NEEDS_ASSESSMENT_ACTIONS = ("advice_ask", "advice_give", "advice_close", "issue_decide", "draft_send")
NEEDS_ASSESSMENT_ACTIONS += ("draft_comment", "comments_close")
# README's demo accounts: the SEND officer who coordinates, the SENCO who asked and is asked for advice.
DEMO_COORDINATOR = "tom.evans@plymouth.gov.uk"
DEMO_SENCO = "sam.taylor@stmarys.plymouth.sch.uk"
# Runs this large show the demo accounts' needs assessments (`make demo` makes 1,200 cases).
SHOWCASE_FROM_CASES = 100


@dataclass
class Simulated:
    """One case as the services would have left it, with the steps that led there."""

    kind: str
    author: User
    created: dt.datetime
    steps: list = field(default_factory=list)  # (time, action, actor, extra)
    advisers: dict | None = None  # who the needs assessment asks for each kind of advice


@dataclass
class Cast:
    professionals: list
    officers_by_team: dict
    managers_by_team: dict
    teams_by_kind: dict


class Generator:
    def __init__(self, *, cases: int, seed: int = 1, now: dt.datetime | None = None, progress: Callable | None = None):
        self.cases = cases
        # Synthetic data only: a seeded generator so that runs repeat, not a source of secrets.
        self.seed = seed
        self.random = random.Random(seed)  # noqa: S311
        self.now = now or timezone.now()
        self.progress = progress or (lambda message: None)
        self.holidays = deadlines.bank_holidays()
        self.password = make_password(None)
        self.assessment_type = ContentType.objects.get_for_model(Assessment)
        self.rights = {
            permission.codename: permission
            for permission in Permission.objects.filter(content_type=self.assessment_type)
        }
        self.counters: Counter = Counter()
        self.answers = {kind: sample_answers(kind) for kind in KIND_WEIGHTS}
        self.history_model = Assessment.history.model
        self.section_history_model = AssessmentSection.history.model
        self.needs_assessments = NeedsAssessmentSimulator(self)

    # ------------------------------------------------------------------ people

    def cast(self) -> Cast:
        """Organisations, professionals and council officers in proportion to the number of cases."""
        organisations = self._organisations(max(12, self.cases // 150))
        professionals = list(User.objects.filter(groups__name=Role.PROFESSIONAL.value, is_active=True))
        professionals += self._people(
            max(30, self.cases // 25),
            role=Role.PROFESSIONAL,
            organisation_for=lambda index: organisations[index % len(organisations)],
            titles=(
                "SENCO",
                "Class teacher",
                "Health visitor",
                "School nurse",
                "Family support worker",
                "Youth worker",
            ),
        )
        council = Organisation.objects.get(kind=OrganisationKind.COUNCIL)
        teams_by_kind = {route.kind: route.team for route in TeamRoute.objects.select_related("team")}
        officers_by_team, managers_by_team = {}, {}
        for team in {team.pk: team for team in teams_by_kind.values()}.values():
            extra = self._people(
                max(3, self.cases // 4000),
                role=Role.OFFICER,
                organisation_for=lambda index: council,
                titles=(f"{team.name} officer",),
                email_stem=team.slug,
            )
            for officer in extra:
                TeamMembership.objects.create(team=team, user=officer, role=TeamRole.OFFICER)
            team.group.user_set.add(*extra)
            officers_by_team[team.pk] = (
                list(User.objects.filter(team_memberships__team=team, team_memberships__role=TeamRole.OFFICER)) or extra
            )
            managers_by_team[team.pk] = list(
                User.objects.filter(team_memberships__team=team, team_memberships__role=TeamRole.MANAGER)
            )
        return Cast(professionals, officers_by_team, managers_by_team, teams_by_kind)

    def _organisations(self, count: int) -> list[Organisation]:
        kinds = [OrganisationKind.SCHOOL] * 5 + [OrganisationKind.EARLY_YEARS, OrganisationKind.HEALTH]
        kinds += [OrganisationKind.CHARITY]
        existing = set(Organisation.objects.values_list("name", flat=True))
        made = []
        for number in range(count):
            kind = kinds[number % len(kinds)]
            name = f"{self.random.choice(LAST_NAMES)} {kind.label.split(' ')[0]} {number + 1}"
            if name in existing:
                continue
            existing.add(name)
            made.append(Organisation(name=name, kind=kind))
        Organisation.objects.bulk_create(made)
        OrganisationDomain.objects.bulk_create(
            [
                OrganisationDomain(organisation=organisation, domain=f"org{organisation.pk}.example.org.uk")
                for organisation in made
            ]
        )
        return list(Organisation.objects.exclude(kind=OrganisationKind.COUNCIL))

    def _people(self, count, *, role, organisation_for, titles, email_stem="pro") -> list[User]:
        start = User.objects.count()
        now = self.now
        people = [
            User(
                email=f"{email_stem}{start + number}@generated.example.org.uk",
                full_name=f"{self.random.choice(FIRST_NAMES)} {self.random.choice(LAST_NAMES)}",
                job_title=self.random.choice(titles),
                organisation=organisation_for(number),
                password=self.password,
                email_verified_at=now - dt.timedelta(days=800),
                date_joined=now - dt.timedelta(days=800),
            )
            for number in range(count)
        ]
        User.objects.bulk_create(people)
        people = list(User.objects.filter(email__in=[person.email for person in people]))
        Group.objects.get(name=role.value).user_set.add(*people)
        return people

    # ------------------------------------------------------------------ simulating a case

    def _days(self, low: float, high: float) -> dt.timedelta:
        return dt.timedelta(days=self.random.uniform(low, high))

    def simulate(self, cast: Cast) -> Simulated:
        kind = self.random.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
        author = self.random.choice(cast.professionals)
        created = self.now - self._days(0, 730)
        case = Simulated(kind=kind, author=author, created=created)
        if self.random.random() < 0.04:
            return case  # abandoned in draft
        team = cast.teams_by_kind[kind]
        officers = cast.officers_by_team[team.pk]
        time = created + self._days(0.05, 10)
        case.steps.append((time, "submit", author, {}))
        officer = self.random.choice(officers)
        # Most are picked up within days; a few wait weeks (the overdue ones).
        time += self._days(0.1, 4) if self.random.random() < 0.9 else self._days(10, 40)
        case.steps.append((time, "claim", officer, {}))
        returns = 0
        while returns < 2 and self.random.random() < (0.25 if returns == 0 else 0.1):
            returns += 1
            time += self._days(1, 10)
            case.steps.append((time, "return", officer, {"section": self._returned_section(kind)}))
            time += self._days(1, 14)
            case.steps.append((time, "resubmit", author, {}))
            time += self._days(0.1, 3)
            case.steps.append((time, "claim", officer, {}))
        if self.random.random() < 0.15:
            time += self._days(0.5, 5)
            case.steps.append((time, "message", officer, {"body": "Could you tell me more about the support so far?"}))
        if self.random.random() < 0.05:
            time += self._days(1, 20)
            case.steps.append((time, "withdraw", author, {}))
            return case
        time += self._days(2, 25) if kind != "ehcp" else self._days(10, 45)
        weights = OUTCOME_WEIGHTS[kind]
        outcome = self.random.choices(list(weights), weights=list(weights.values()))[0]
        case.steps.append((time, "close", officer, {"outcome": outcome}))
        if outcome == Outcome.AGREED_TO_ASSESS:
            # The needs assessment, to the final plan ("plan") or the decision not to issue one.
            case.advisers = self.needs_assessments.advisers(author, self.random.choice(LAST_NAMES), cast.professionals)
            timing = self.needs_assessments.timing()
            case.steps += self.needs_assessments.steps(time, officer, case.advisers, timing)
        return case

    def showcase(self, cast: Cast) -> list[Simulated]:
        """README's demo accounts at work: Tom Evans coordinates a needs assessment at each stage, of requests
        Sam Taylor made, and holds annual reviews of their plans at each stage (one waiting for its meeting, one
        whose meeting is overdue, one waiting for the decision); Sam Taylor has advice asked of her (some due, some
        overdue)."""
        team = cast.teams_by_kind["ehcp"]
        tom = next((user for user in cast.officers_by_team[team.pk] if user.email == DEMO_COORDINATOR), None)
        sam = next((user for user in cast.professionals if user.email == DEMO_SENCO), None)
        if tom is None or sam is None:
            return []
        cases = []
        for age, issue, reviews in SHOWCASE_AGES:
            agreed = self.now - dt.timedelta(days=age, hours=2)
            submitted = agreed - dt.timedelta(days=35)
            case = Simulated(kind="ehcp", author=sam, created=submitted - dt.timedelta(days=3))
            case.steps = [
                (submitted, "submit", sam, {}),
                (submitted + dt.timedelta(days=1), "claim", tom, {}),
                (agreed, "close", tom, {"outcome": Outcome.AGREED_TO_ASSESS}),
            ]
            case.advisers = self.needs_assessments.advisers(sam, self.random.choice(LAST_NAMES), cast.professionals)
            timing = replace(SHOWCASE_TIMING, issue=issue, reviews=reviews)
            case.steps += self.needs_assessments.steps(agreed, tom, case.advisers, timing)
            cases.append(case)
        return cases

    def _returned_section(self, kind: str) -> str:
        keys = [section.key for section in spec_for(kind).sections if section.key != "safeguarding"]
        return self.random.choice(keys)

    # ------------------------------------------------------------------ writing

    def run(self) -> int:
        cast = self.cast()
        made = 0
        showcase = self.showcase(cast) if self.cases >= SHOWCASE_FROM_CASES else []
        while made < self.cases:
            size = min(BATCH, self.cases - made)
            cases, showcase = showcase[:size], showcase[size:]
            cases += [self.simulate(cast) for _ in range(size - len(cases))]
            with transaction.atomic():
                self._write_batch(cases, cast)
            made += size
            self.progress(f"{made:,} of {self.cases:,} cases written")
        self._save_counters()
        # The cases were written in bulk, past the services that keep the reports' summaries: count them.
        daily_summaries_rebuild()
        self.progress("daily summaries counted")
        return made

    def _reference(self, kind: str, when: dt.datetime) -> str:
        key = (kind, when.year)
        self.counters[key] += 1
        if self.counters[key] == 1:
            last = ReferenceCounter.objects.filter(kind=kind, year=when.year).values_list("last_number", flat=True)
            self.counters[key] += last[0] if last else 0
        return f"{REFERENCE_PREFIXES[kind]}-{when.year}-{self.counters[key]:06d}"

    def _save_counters(self) -> None:
        for (kind, year), last in self.counters.items():
            ReferenceCounter.objects.update_or_create(kind=kind, year=year, defaults={"last_number": last})

    def _write_batch(self, cases: list[Simulated], cast: Cast) -> None:
        children = [self._child(case) for case in cases]
        Child.objects.bulk_create(children)
        assessments = [self._assessment(case, child, cast) for case, child in zip(cases, children, strict=True)]
        Assessment.objects.bulk_create([assessment for assessment, _ in assessments])
        rows = defaultdict(list)
        for case, (assessment, state) in zip(cases, assessments, strict=True):
            self._rows_for(case, assessment, state, cast, rows)
        returned_histories = []
        for section in rows["sections"]:
            section.return_comment = ""
        # The current comment must be set before the sections are written, and needs their keys only.
        pending = {
            (assessment.pk, key) for assessment, key, _, _ in rows["returns"] if assessment.status == Status.RETURNED
        }
        AssessmentSection.objects.bulk_create(rows["sections"])
        returned_histories = self._returned_section_histories(rows["sections"], rows["returns"])
        current = [section for section in rows["sections"] if (section.assessment_id, section.key) in pending]
        AssessmentSection.objects.bulk_update(current, ["return_comment"])
        self.section_history_model.objects.bulk_create(
            [self._section_history(section) for section in rows["sections"]] + returned_histories
        )
        self.history_model.objects.bulk_create(rows["history"])
        CaseEvent.objects.bulk_create(rows["events"])
        AssessmentUserObjectPermission.objects.bulk_create(rows["user_rights"])
        AssessmentGroupObjectPermission.objects.bulk_create(rows["group_rights"])
        ClockPause.objects.bulk_create(rows["pauses"])
        ClockPause.history.model.objects.bulk_create([self._pause_history(pause) for pause in rows["pauses"]])
        CaseMessage.objects.bulk_create(rows["messages"])
        CaseMessage.history.model.objects.bulk_create(
            [
                CaseMessage.history.model(
                    id=message.pk,
                    assessment_id=message.assessment_id,
                    author_id=message.author_id,
                    body=message.body,
                    created_at=message.created_at,
                    history_date=message.created_at,
                    history_type="+",
                    history_user_id=message.author_id,
                    history_change_reason="Message",
                )
                for message in rows["messages"]
            ]
        )
        self._write_processes(rows["processes"])
        self.needs_assessments.write(rows["needs_assessments"])

    def _child(self, case: Simulated) -> Child:
        born = (case.created - dt.timedelta(days=self.random.randint(365 * 2, 365 * 16))).date()
        return Child(
            first_name=self.random.choice(FIRST_NAMES),
            last_name=self.random.choice(LAST_NAMES),
            date_of_birth=born,
            gender=self.random.choice(["female", "male"]),
            created_by=case.author,
            created_at=case.created,
        )

    def _assessment(self, case: Simulated, child: Child, cast: Cast) -> tuple[Assessment, dict]:
        """The case as it stands now, after the steps that happened before now."""
        assessment = Assessment(
            kind=case.kind,
            reference=self._reference(case.kind, case.created),
            status=Status.DRAFT,
            child=child,
            child_name=f"{child.first_name} {child.last_name}",
            child_date_of_birth=child.date_of_birth,
            author=case.author,
            organisation_id=case.author.organisation_id,
            created_at=case.created,
            updated_at=case.created,
        )
        state = {"snapshots": [], "pauses": [], "officer": None, "returned_sections": [], "tasks": [], "last": None}
        state["snapshots"].append((case.created, "Assessment started", case.author, self._snapshot(assessment)))
        for time, action, actor, extra in case.steps:
            if time > self.now:
                break
            self._apply(assessment, time, action, actor, extra, cast, state)
            state["snapshots"].append((time, state.pop("reason"), actor, self._snapshot(assessment)))
        assessment.updated_at = state["snapshots"][-1][0]
        return assessment, state

    @staticmethod
    def _snapshot(assessment: Assessment) -> dict:
        return {
            name: getattr(assessment, name)
            for name in (
                "status", "outcome", "submitted_at", "first_submitted_at", "closed_at", "claimed_at", "team_id",
                "assigned_to_id", "pickup_due", "decision_due", "final_due", "decision_note", "outcome_details",
                "plan_issued_on",
            )
        }  # fmt: skip

    def _apply(self, assessment, time, action, actor, extra, cast, state) -> None:
        state["last"] = (action, time, actor, extra)
        if action == "submit":
            team = cast.teams_by_kind[assessment.kind]
            due = deadlines.due_dates_for(assessment.kind, time.date(), self.holidays)
            assessment.team_id = team.pk
            assessment.pickup_due, assessment.decision_due, assessment.final_due = (
                due.pickup_due,
                due.decision_due,
                due.final_due,
            )
            assessment.first_submitted_at = assessment.submitted_at = time
            assessment.status = Status.SUBMITTED
            state["reason"] = "Submitted"
        elif action == "claim":
            assessment.status = Status.UNDER_REVIEW
            assessment.assigned_to_id = actor.pk
            assessment.claimed_at = time
            state["officer"] = actor
            state["reason"] = f"Picked up by {actor.full_name}"
        elif action == "return":
            assessment.status = Status.RETURNED
            state["returned_sections"].append((time, extra["section"], actor))
            if assessment.kind != "ehcp":
                state["pauses"].append([time.date(), None, actor])
            state["reason"] = "Returned for changes"
        elif action == "resubmit":
            if state["pauses"] and state["pauses"][-1][1] is None:
                started = state["pauses"][-1][0]
                state["pauses"][-1][1] = time.date()
                for name in ("pickup_due", "decision_due"):
                    value = getattr(assessment, name)
                    setattr(
                        assessment,
                        name,
                        deadlines.extended(assessment.kind, value, started, time.date(), self.holidays),
                    )
            assessment.status = Status.SUBMITTED
            assessment.submitted_at = time
            assessment.claimed_at = None
            state["reason"] = "Resubmitted"
        elif action == "close":
            assessment.status = Status.CLOSED
            assessment.outcome = extra["outcome"]
            assessment.closed_at = time
            assessment.decision_note = f"{Outcome(extra['outcome']).label}. Discussed with the family."
            assessment.outcome_details = self._details(extra["outcome"], time)
            if extra["outcome"] == Outcome.AGREED_TO_ASSESS:
                state["agreed_at"], state["needs_assessment_steps"] = time, []
            state["reason"] = f"Closed: {Outcome(extra['outcome']).label}"
        elif action == "withdraw":
            assessment.status = Status.CLOSED
            assessment.outcome = Outcome.WITHDRAWN
            assessment.closed_at = time
            assessment.decision_note = "The family moved out of the area."
            if state["pauses"] and state["pauses"][-1][1] is None:
                state["pauses"][-1][1] = time.date()
            state["reason"] = "Withdrawn by the author"
        elif action == "plan":
            assessment.plan_issued_on = timezone.localdate(time)
            state["needs_assessment_steps"].append((time, action, actor, extra))
            state["reason"] = "Final plan issued"
        elif action in NEEDS_ASSESSMENT_ACTIONS:
            state["needs_assessment_steps"].append((time, action, actor, extra))
            state["reason"] = ""
        elif action == "message":
            state.setdefault("messages", []).append((time, actor, extra["body"]))
            state["reason"] = ""

    def _details(self, outcome: str, time: dt.datetime) -> dict:
        if outcome == Outcome.ACCEPTED:
            return {
                "lead_professional": "The referring professional",
                "review_date": (time + dt.timedelta(weeks=8)).strftime("%-d %B %Y"),
            }
        if outcome == Outcome.AGREED_TO_ASSESS:
            return {"coordinator": "SEND assessment coordinator"}
        if outcome == Outcome.REFUSED_TO_ASSESS:
            return {"appeal_information": True}
        return {}

    def _rows_for(self, case: Simulated, assessment: Assessment, state: dict, cast: Cast, rows) -> None:
        spec = spec_for(case.kind)
        submitted = assessment.status != Status.DRAFT
        section_time = case.created + dt.timedelta(minutes=20)
        for number, section_spec in enumerate(spec.sections):
            done = submitted or number < len(spec.sections) // 2
            data = self.answers[case.kind][section_spec.key] if done or number == len(spec.sections) // 2 else {}
            if data and section_spec.key == spec.child_section:
                data = self._child_answers(data, assessment)
            status = (
                SectionStatus.COMPLETED if done else SectionStatus.IN_PROGRESS if data else SectionStatus.NOT_STARTED
            )
            rows["sections"].append(
                AssessmentSection(
                    assessment=assessment,
                    key=section_spec.key,
                    data=data,
                    status=status,
                    version=1,
                    updated_at=section_time,
                    updated_by=case.author,
                )
            )
            if status == SectionStatus.COMPLETED:
                rows["events"].append(
                    CaseEvent(
                        assessment=assessment,
                        kind=CaseEventKind.SECTION_COMPLETED,
                        actor=case.author,
                        summary=section_spec.title,
                        created_at=section_time,
                    )
                )
        for time, section_key, officer in state["returned_sections"]:
            rows["returns"].append((assessment, section_key, time, officer))

        for index, (time, reason, actor, snapshot) in enumerate(state["snapshots"]):
            if not reason:
                continue
            rows["history"].append(
                self.history_model(
                    **self._historical_fields(assessment, snapshot),
                    history_date=time,
                    history_type="+" if index == 0 else "~",
                    history_user_id=actor.pk,
                    history_change_reason=reason,
                )
            )
        self._events_for(assessment, state, rows)
        self._rights_for(case, assessment, state, cast, rows)
        if submitted:
            rows["processes"].append((assessment, state))
        if "agreed_at" in state:
            # The coordinator is the officer who agreed to assess (workflows.ehc.needs_assessment_start): they
            # hold the request's view and review rights already.
            planned = Planned(
                assessment=assessment,
                coordinator=state["officer"],
                agreed_at=state["agreed_at"],
                advisers=case.advisers,
                steps=state["needs_assessment_steps"],
            )
            self.needs_assessments.plan(planned)
            rows["needs_assessments"].append(planned)

    @staticmethod
    def _child_answers(template: dict, assessment: Assessment) -> dict:
        first, _, last = assessment.child_name.partition(" ")
        born = assessment.child_date_of_birth
        return {
            **template,
            "first_name": first,
            "last_name": last,
            "date_of_birth_day": str(born.day),
            "date_of_birth_month": str(born.month),
            "date_of_birth_year": str(born.year),
        }

    def _historical_fields(self, assessment: Assessment, snapshot: dict) -> dict:
        values = {f.attname: getattr(assessment, f.attname) for f in Assessment._meta.concrete_fields}
        values.update(snapshot)
        return values

    def _section_history(self, section: AssessmentSection):
        return self.section_history_model(
            id=section.pk,
            assessment_id=section.assessment_id,
            key=section.key,
            data=section.data,
            status=section.status,
            version=section.version,
            updated_at=section.updated_at,
            updated_by_id=section.updated_by_id,
            return_comment="",
            history_date=section.updated_at,
            history_type="+",
            history_user_id=section.updated_by_id,
            history_change_reason="Section saved",
        )

    def _returned_section_histories(self, sections: list[AssessmentSection], returns: list) -> list:
        """A history row for each section an officer returned, as assessment_return writes it."""
        by_key = {(section.assessment_id, section.key): section for section in sections}
        histories = []
        for assessment, key, time, officer in returns:
            section = by_key[(assessment.pk, key)]
            comment = self.random.choice(RETURN_REASONS)
            if assessment.status == Status.RETURNED:
                section.return_comment = comment
            history = self._section_history(section)
            history.return_comment = comment
            history.history_date = time
            history.history_type = "~"
            history.history_user_id = officer.pk
            history.history_change_reason = "Returned for changes"
            histories.append(history)
        return histories

    def _events_for(self, assessment: Assessment, state: dict, rows) -> None:
        labels = {
            "Submitted": (CaseEventKind.SUBMITTED, "Submitted to the council"),
            "Resubmitted": (CaseEventKind.SUBMITTED, "Submitted again after changes"),
            "Returned for changes": (CaseEventKind.RETURNED, "1 section(s) need changes"),
            "Withdrawn by the author": (CaseEventKind.WITHDRAWN, "The family moved out of the area."),
            "Final plan issued": (CaseEventKind.PLAN_ISSUED, "Final EHC plan issued"),
        }
        rows["events"].append(
            CaseEvent(
                assessment=assessment,
                kind=CaseEventKind.CREATED,
                actor=assessment.author,
                summary=f"{spec_for(assessment.kind).title} started for {assessment.child_name}",
                created_at=assessment.created_at,
            )
        )
        for time, reason, actor, _ in state["snapshots"][1:]:
            if not reason:
                continue
            if reason.startswith("Picked up by"):
                kind, summary = CaseEventKind.CLAIMED, actor.full_name
            elif reason.startswith("Closed:"):
                kind, summary = CaseEventKind.CLOSED, reason.removeprefix("Closed: ")
            else:
                kind, summary = labels[reason]
            changes = []
            if kind == CaseEventKind.PLAN_ISSUED:
                # As workflows.ehc.final_plan_issue records it.
                issued_on = timezone.localdate(time)
                summary = f"Final EHC plan issued on {issued_on:%-d %B %Y}"
                changes = [{"field": "Final plan issued", "before": "", "after": str(issued_on)}]
            rows["events"].append(
                CaseEvent(
                    assessment=assessment, kind=kind, actor=actor, summary=summary, changes=changes, created_at=time
                )
            )
        for time, actor, body in state.get("messages", []):
            if time <= self.now:
                rows["messages"].append(CaseMessage(assessment=assessment, author=actor, body=body, created_at=time))
                rows["events"].append(
                    CaseEvent(
                        assessment=assessment, kind=CaseEventKind.MESSAGE, actor=actor, summary=body, created_at=time
                    )
                )
        for started, ended, officer in state["pauses"]:
            rows["pauses"].append(
                ClockPause(
                    assessment=assessment,
                    reason=PauseReason.RETURNED,
                    started_on=started,
                    ended_on=ended,
                    started_by=officer,
                )
            )

    def _rights_for(self, case: Simulated, assessment: Assessment, state: dict, cast: Cast, rows) -> None:
        own = ["view_assessment", "share_assessment"]
        if assessment.status in (Status.DRAFT, Status.RETURNED):
            own += ["change_assessment", "submit_assessment"]
        for codename in own:
            rows["user_rights"].append(
                AssessmentUserObjectPermission(
                    user=case.author, permission=self.rights[codename], content_object=assessment
                )
            )
        if assessment.status == Status.DRAFT:
            return
        team = cast.teams_by_kind[assessment.kind]
        for codename in ("view_assessment", "review_assessment"):
            rows["group_rights"].append(
                AssessmentGroupObjectPermission(
                    group_id=team.group_id, permission=self.rights[codename], content_object=assessment
                )
            )
            if state["officer"] is not None:
                rows["user_rights"].append(
                    AssessmentUserObjectPermission(
                        user=state["officer"], permission=self.rights[codename], content_object=assessment
                    )
                )

    def _pause_history(self, pause: ClockPause):
        return ClockPause.history.model(
            id=pause.pk,
            assessment_id=pause.assessment_id,
            reason=pause.reason,
            started_on=pause.started_on,
            ended_on=pause.ended_on,
            started_by_id=pause.started_by_id,
            history_date=dt.datetime.combine(pause.started_on, dt.time(12), tzinfo=dt.UTC),
            history_type="+",
            history_user_id=pause.started_by_id,
            history_change_reason="Clock paused",
        )

    # ------------------------------------------------------------------ viewflow

    def _write_processes(self, cases: list) -> None:
        """One review process per submitted case, with the tasks its steps would have made."""
        processes, plans = [], []
        for assessment, state in cases:
            flow_class = FLOWS[assessment.kind]
            status = PROCESS.NEW
            finished = None
            if assessment.status == Status.CLOSED:
                status = PROCESS.CANCELED if assessment.outcome == Outcome.WITHDRAWN else PROCESS.DONE
                finished = assessment.closed_at
            processes.append(
                Process(flow_class=flow_class, status=status, created=assessment.first_submitted_at, finished=finished)
            )
            plans.append((assessment, state, flow_class))
        Process.objects.bulk_create(processes)
        with connection.cursor() as cursor:
            # bulk_create cannot write the child rows of multi-table inheritance; the table name is a constant.
            cursor.executemany(
                f"INSERT INTO {AssessmentReview._meta.db_table} (process_ptr_id, assessment_id, last_action) "  # noqa: S608
                "VALUES (%s, %s, %s)",
                [
                    (process.pk, assessment.pk, self._last_action(assessment))
                    for process, (assessment, _, _) in zip(processes, plans, strict=True)
                ],
            )
        tasks, chains = [], []
        for process, (assessment, state, flow_class) in zip(processes, plans, strict=True):
            chain = self._tasks(process, assessment, state, flow_class)
            tasks.extend(chain)
            chains.append(chain)
        Task.objects.bulk_create(tasks)
        links = [
            Task.previous.through(from_task_id=later.pk, to_task_id=earlier.pk)
            for chain in chains
            for earlier, later in pairwise(chain)
        ]
        Task.previous.through.objects.bulk_create(links)

    @staticmethod
    def _last_action(assessment: Assessment) -> str:
        if assessment.status == Status.RETURNED:
            return "returned"
        if assessment.status == Status.CLOSED and assessment.outcome != Outcome.WITHDRAWN:
            return "closed"
        return ""

    def _tasks(self, process, assessment, state, flow_class) -> list[Task]:
        def task(node, kind, status, created, *, finished=None, owner=None, human=False):
            return Task(
                process=process,
                flow_task=node,
                flow_task_type=kind,
                status=status,
                created=created,
                started=created if status in (STATUS.DONE, STATUS.STARTED) else None,
                finished=finished,
                token=START_TOKEN,
                owner=owner,
                owner_permission="casework.review_assessment" if human else None,
                owner_permission_content_type=self.assessment_type if human else None,
                owner_permission_obj_pk=str(assessment.pk) if human else None,
                data={},
            )

        steps = [(time, reason, actor) for time, reason, actor, _ in state["snapshots"][1:] if reason]
        chain = []
        review_open = None  # (created, owner) of the review task waiting or assigned
        with_author = None  # (created,) of the task waiting for the professional
        for time, reason, actor in steps:
            if reason == "Submitted":
                chain.append(task(flow_class.start, "START", STATUS.DONE, time, finished=time))
                review_open = (time, None)
            elif reason.startswith("Picked up by"):
                review_open = (review_open[0], actor)
            elif reason == "Returned for changes":
                chain.append(
                    task(
                        flow_class.review, "HUMAN", STATUS.DONE, review_open[0], finished=time, owner=actor, human=True
                    )
                )
                chain.append(task(flow_class.after_review, "SWITCH", STATUS.DONE, time, finished=time))
                review_open = None
                with_author = (time,)
            elif reason == "Resubmitted":
                chain.append(task(flow_class.with_author, "FUNCTION", STATUS.DONE, with_author[0], finished=time))
                review_open = (time, None)
            elif reason.startswith("Closed:"):
                chain.append(
                    task(
                        flow_class.review, "HUMAN", STATUS.DONE, review_open[0], finished=time, owner=actor, human=True
                    )
                )
                chain.append(task(flow_class.after_review, "SWITCH", STATUS.DONE, time, finished=time))
                chain.append(task(flow_class.end, "END", STATUS.DONE, time, finished=time))
                review_open = None
            elif reason == "Withdrawn by the author":
                if review_open is not None:
                    chain.append(
                        task(
                            flow_class.review,
                            "HUMAN",
                            STATUS.CANCELED,
                            review_open[0],
                            finished=time,
                            owner=review_open[1],
                            human=True,
                        )
                    )
                else:
                    chain.append(
                        task(flow_class.with_author, "FUNCTION", STATUS.CANCELED, with_author[0], finished=time)
                    )
                review_open = None
        if assessment.status == Status.SUBMITTED:
            chain.append(task(flow_class.review, "HUMAN", STATUS.NEW, review_open[0], human=True))
        elif assessment.status == Status.UNDER_REVIEW:
            chain.append(
                task(flow_class.review, "HUMAN", STATUS.ASSIGNED, review_open[0], owner=review_open[1], human=True)
            )
        elif assessment.status == Status.RETURNED:
            chain.append(task(flow_class.with_author, "FUNCTION", STATUS.NEW, with_author[0]))
        return chain
