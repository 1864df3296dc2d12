"""Measure one database at one size: pages, a floor, writes and the report figures; print JSON.

Run by bench/run.py with DATABASE_URL and DJANGO_SETTINGS_MODULE=portal.settings.bench set. Times are
medians over repeated runs after a warm-up, so that figures from one run can be compared as ratios.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.bench")

import django

django.setup()

from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY

from bench.raw_sql import bench_filters, figures_by_hand, figures_by_orm
from casework.models import Assessment, AssessmentSection, Child, Status
from casework.services import assessment_start, child_create, section_save
from identity.models import User
from identity.services import LAST_ACTIVITY_SESSION_KEY, sign_in_device_for
from workflows import services as review
from workflows.kept_dashboards import kept_dashboards_refresh
from workflows.models import (
    ClockPause,
    DailyTeamDuration,
    DailyTeamSummary,
    KeptDashboard,
    NeedsAssessment,
    NeedsAssessmentStage,
)
from workflows.sample_answers import sample_answers
from workflows.summaries import daily_summaries_rebuild

PROFESSIONAL = "sam.taylor@stmarys.plymouth.sch.uk"
OFFICER = "priya.shah@plymouth.gov.uk"
MANAGER = "jo.bennett@plymouth.gov.uk"
SERVICE_MANAGER = "lee.morgan@plymouth.gov.uk"
COORDINATOR = "tom.evans@plymouth.gov.uk"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def signed_in(email: str) -> Client:
    """A client holding a session with both factors, as the sign-in journey leaves one."""
    user = User.objects.get(email=email)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = sign_in_device_for(user).persistent_id
    session[LAST_ACTIVITY_SESSION_KEY] = time.time() + 10**6  # never idle during the run
    session.save()
    User.objects.filter(pk=user.pk).update(current_session_key=session.session_key)
    return client


def alternating_medians_ms(first, second, *, repeat: int, warm_up: int = 3, before_first=None) -> tuple[float, float]:
    """The medians of two actions run in turn, so that a slow spell of the machine slows both alike;
    `before_first`, untimed, runs before each of the first action's runs."""
    prepare = before_first or (lambda: None)
    for _ in range(warm_up):
        prepare()
        first()
        second()
    firsts, seconds = [], []
    for _ in range(repeat):
        prepare()
        firsts.append(timed(first))
        seconds.append(timed(second))
    return round(statistics.median(firsts), 3), round(statistics.median(seconds), 3)


def getter(client: Client, url: str, *, uncached: bool = False):
    """A request of the page that must succeed; `uncached` empties the cache before it (the report figures
    kept for other filters, the rights and routes remembered)."""

    def get():
        if uncached:
            cache.clear()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return get


def forget_kept_dashboard(email: str):
    """The person's kept dashboard forgotten (untimed), so the next view works its figures out and draws them."""
    return lambda: KeptDashboard.objects.filter(viewer__email=email).delete()


def queries_of(get, before=None) -> int:
    get()
    if before is not None:
        before()
    with CaptureQueriesContext(connection) as queries:
        get()
    # Counted now: each later request starts by clearing the connection's query log.
    return len(queries.captured_queries)


def busiest_case_for(email: str) -> Assessment:
    """A case of the professional's with a long timeline, for the history page."""
    user = User.objects.get(email=email)
    return (
        Assessment.objects.filter(author=user)
        .exclude(status=Status.DRAFT)
        .annotate(event_count=Count("events"))
        .order_by("-event_count", "pk")
        .first()
    )


def fullest_needs_assessment_of(email: str) -> NeedsAssessment:
    """The coordinator's needs assessment with the most advice asked for, waiting for it (the overview's table)."""
    found = (
        NeedsAssessment.objects.filter(coordinator__email=email, stage=NeedsAssessmentStage.GATHERING_ADVICE)
        .annotate(advice_count=Count("advice_requests"))
        .order_by("-advice_count", "pk")
        .first()
    )
    if found is None:
        raise SystemExit(f"No needs assessment coordinated by {email}: delete bench/data to generate it afresh")
    return found


def pages(repeat: int) -> tuple[dict, float]:
    professional, officer, manager = signed_in(PROFESSIONAL), signed_in(OFFICER), signed_in(MANAGER)
    history_case = busiest_case_for(PROFESSIONAL)
    coordinator, needs_assessment = signed_in(COORDINATOR), fullest_needs_assessment_of(COORDINATOR)
    floor_medians: list[float] = []
    # The floor: a signed-in page with the same layout and middleware and nothing of its own to fetch.
    floor = getter(officer, "/guides/")

    def interleaved(client: Client, url: str, *, uncached: bool = False, before=None) -> dict:
        """A page's median, its requests alternating with the floor's."""
        get = getter(client, url, uncached=uncached)
        queries = queries_of(get, before)
        page_ms, floor_ms = alternating_medians_ms(get, floor, repeat=repeat, before_first=before)
        floor_medians.append(floor_ms)
        return {"ms": page_ms, "queries": queries}

    measured = {
        "queue": interleaved(officer, "/work/queue/"),
        "home": interleaved(professional, "/assessments/"),
        "history": interleaved(professional, f"/assessments/{history_case.pk}/history/"),
        "dashboard": interleaved(manager, "/reports/"),
        "needs_assessment": interleaved(coordinator, f"/cases/{needs_assessment.assessment_id}/needs-assessment/"),
    }
    # The dashboard as its first viewer in five minutes gets it (a cold view): the cache emptied before each
    # request, and the manager's dashboard as first opened as the worker keeps it (its beat task, run here
    # once first: the rounds take well under the five minutes a kept dashboard may be shown).
    kept_dashboards_refresh()
    measured["dashboard_first_view"] = interleaved(manager, "/reports/", uncached=True)
    # The same page with nothing kept: its figures worked out and drawn, and kept, within the request (a
    # manager's first view ever, or one after a fortnight away).
    measured["dashboard_worked_out"] = interleaved(
        manager, "/reports/", uncached=True, before=forget_kept_dashboard(MANAGER)
    )
    return measured, round(statistics.median(floor_medians), 3)


# ------------------------------------------------------------------ writes


class FakeRequest:
    def build_absolute_uri(self, location):
        return f"http://testserver{location}"


def complete_draft(author: User) -> Assessment:
    child = child_create(
        actor=author, first_name="Bench", last_name="Child", date_of_birth=timezone.localdate().replace(year=2015)
    )
    assessment = assessment_start(actor=author, kind="ehat", child=child, safeguarding_answer="no")
    for key, data in sample_answers("ehat").items():
        section = AssessmentSection.objects.filter(assessment=assessment, key=key).first()
        answers = dict(data)
        if key == "plan":
            answers |= _future_plan_dates()
        if key == "consent":
            today = timezone.localdate()
            answers |= {
                "given_on_day": str(today.day),
                "given_on_month": str(today.month),
                "given_on_year": str(today.year),
            }
        section_save(
            actor=author,
            assessment=assessment,
            key=key,
            data=answers | ({"first_name": "Bench", "last_name": "Child"} if key == "child" else {}),
            base_version=section.version if section else 0,
            complete=True,
        )
    return assessment


def _future_plan_dates() -> dict:
    review = timezone.localdate() + timezone.timedelta(weeks=8)
    action = timezone.localdate() + timezone.timedelta(weeks=2)
    return {
        "review_date_day": str(review.day),
        "review_date_month": str(review.month),
        "review_date_year": str(review.year),
        "actions-0-by_when_day": str(action.day),
        "actions-0-by_when_month": str(action.month),
        "actions-0-by_when_year": str(action.year),
    }


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def writes(repeat: int) -> dict:
    """Each write through its service, against a plain save of the same row, each committed on its own.

    Nothing wraps them, so each timing holds the write's COMMIT and the work it leaves for after the commit
    (publishing its notifications to the broker: kombu's in-memory transport here, as Redis in production), as a
    request's would. The plain saves commit too. The cases made are removed afterwards, and the day's
    summaries put back as they were, so the data set stays the same from one run to the next.
    """
    today = timezone.localdate()
    summaries_before = [
        (model, list(model.objects.filter(day=today).values())) for model in (DailyTeamSummary, DailyTeamDuration)
    ]
    drafts: list[Assessment] = []
    try:
        return _writes(repeat, drafts)
    finally:
        _remove(drafts, today, summaries_before)


def _remove(drafts: list[Assessment], today, summaries_before: list[tuple[type, list[dict]]]) -> None:
    ids = [draft.pk for draft in drafts]
    children = {draft.child_id for draft in drafts}
    with transaction.atomic():
        Assessment.objects.filter(pk__in=ids).delete()
        Child.objects.filter(pk__in=children, assessments__isnull=True).delete()
        for model in (Assessment.history.model, AssessmentSection.history.model, ClockPause.history.model):
            field = "id" if model is Assessment.history.model else "assessment_id"
            model.objects.filter(**{f"{field}__in": ids}).delete()
        # The daily summaries and duration histograms (a claim times its pick-up) of today, as they were.
        for model, rows in summaries_before:
            model.objects.filter(day=today).delete()
            model.objects.bulk_create(model(**row) for row in rows)


def _writes(repeat: int, drafts: list[Assessment]) -> dict:
    author, officer = User.objects.get(email=PROFESSIONAL), User.objects.get(email=OFFICER)
    drafts += [complete_draft(author) for _ in range(repeat + 2)]
    results: dict = {}

    section = AssessmentSection.objects.get(assessment=drafts[0], key="reason")
    texts = iter(range(10**6))

    def save_section():
        current = AssessmentSection.objects.get(pk=section.pk)
        section_save(
            actor=author,
            assessment=drafts[0],
            key="reason",
            data={"reason": f"Reason {next(texts)}", "level_of_need": "multiple"},
            base_version=current.version,
            complete=False,
        )

    def plain_section_save():
        row = AssessmentSection.objects.get(pk=section.pk)
        row.data = {"reason": f"Reason {next(texts)}", "level_of_need": "multiple"}
        row.save()

    section_ms, section_plain_ms = alternating_medians_ms(save_section, plain_section_save, repeat=repeat)
    results["section_save"] = {"ms": section_ms, "plain_save_ms": section_plain_ms}

    def plain_assessment_save(assessment):
        row = Assessment.objects.get(pk=assessment.pk)
        row.save()

    # Each write of a case between two plain saves of its row, so both see the machine in the same state.
    samples: dict[str, list[float]] = {"submit": [], "claim": [], "return": [], "plain": []}
    for draft in drafts[1:]:
        samples["plain"].append(timed(lambda a=draft: plain_assessment_save(a)))
        samples["submit"].append(
            timed(lambda a=draft: review.assessment_submit(actor=author, assessment=a, declaration=True))
        )
        samples["plain"].append(timed(lambda a=draft: plain_assessment_save(a)))
        samples["claim"].append(timed(lambda a=draft: review.assessment_claim(actor=officer, assessment=a)))
        samples["plain"].append(timed(lambda a=draft: plain_assessment_save(a)))
        samples["return"].append(
            timed(
                lambda a=draft: review.assessment_return(
                    request=FakeRequest(), actor=officer, assessment=a, comments={"reason": "Say more, please."}
                )
            )
        )
    plain_ms = round(statistics.median(samples["plain"]), 3)
    for name in ("submit", "claim", "return"):
        results[name] = {"ms": round(statistics.median(samples[name]), 3), "plain_save_ms": plain_ms}
    return results


# ------------------------------------------------------------------ report figures


def report(repeat: int) -> dict:
    """The dashboard's counting figures through the reports module against the same by hand-written SQL."""
    manager = User.objects.get(email=SERVICE_MANAGER)
    filters = bench_filters()
    by_orm, by_hand = alternating_medians_ms(
        lambda: figures_by_orm(manager, filters), lambda: figures_by_hand(manager, filters), repeat=repeat
    )
    return {"ms": by_orm, "raw_sql_ms": by_hand}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=25)
    parser.add_argument("--skip-writes", action="store_true")
    arguments = parser.parse_args()

    call_command("migrate", verbosity=0)
    have = Assessment.objects.count()
    if have < arguments.size:
        log(f"generating {arguments.size - have:,} cases on {connection.vendor} (once; kept for later runs)")
        from workflows.generator import Generator

        call_command("load_demo_data", verbosity=0)
        Generator(cases=arguments.size - have, seed=arguments.seed, progress=log).run()
    elif not DailyTeamSummary.objects.exists() or not DailyTeamDuration.objects.exists():
        log("counting the daily summaries and duration histograms of cases generated before they existed (once)")
        daily_summaries_rebuild()
    connection.close()

    log(f"measuring pages at {arguments.size:,} cases on {connection.vendor}")
    measured_pages, floor = pages(arguments.repeat)
    log("measuring report figures")
    figures = report(arguments.repeat)
    result = {
        "size": arguments.size,
        "vendor": connection.vendor,
        "pages": measured_pages,
        "floor_ms": floor,
        "report": figures,
    }
    if not arguments.skip_writes:
        log("measuring writes")
        result["writes"] = writes(arguments.repeat)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
