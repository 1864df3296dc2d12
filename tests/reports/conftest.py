"""A small fixed case book for the reports, written by the real services at fixed times.

Every step happens at 12:00 UTC on its day, so every duration is a whole number of days. The report
period is 1 January to 30 June 2026 and "now" is 1 July 2026, 12:00 UTC. The figures the tests expect
are worked out by hand in tests/reports/test_figures.py from the story below.

Early Help hub (officer Priya, manager Jo):
  A  school   submitted Mon 5 Jan; picked up Tue 6 Jan; returned Wed 7 Jan (reason, voice: the clock
              pauses); resubmitted Fri 9 Jan; picked up Mon 12 Jan; accepted Wed 14 Jan.
  B  school   submitted Tue 13 Jan (decision due 10 Feb); picked up Thu 15 Jan; still under review.
  C  health   submitted Wed 10 Jun (decision due 8 Jul); still in the queue.
  D  school   submitted Tue 20 Jan; withdrawn by its author Thu 22 Jan.
  F  school   submitted Mon 2 Feb (decision due 2 Mar); assigned to Priya by Jo Wed 4 Feb; returned
              Fri 6 Feb (reason): with the author since, the clock paused.
SEND statutory assessment team (officer Tom):
  E  school   submitted Mon 5 Jan; picked up Wed 7 Jan; clock paused (CoP 9.42) Mon 12 Jan to Mon 26 Jan,
              so the decision is due 2 Mar, not 16 Feb, and the plan 8 Jun; agreed Fri 27 Feb; plan
              issued Fri 5 Jun.
  G  school   submitted Mon 12 Jan (decision due 23 Feb); picked up Mon 19 Jan; refused Mon 2 Mar (late).
  H  school   submitted Mon 2 Feb (due 16 Mar, plan 22 Jun); picked up Tue 3 Feb; returned Wed 4 Feb
              (needs: the statutory clock runs on); resubmitted Mon 9 Feb; picked up Tue 10 Feb; agreed
              Fri 13 Mar; plan issued Fri 26 Jun (late).
  I  school   submitted Mon 3 Nov 2025 (plan due 23 Mar); picked up Tue 4 Nov; agreed Mon 8 Dec 2025;
              plan issued Fri 20 Mar 2026.
Young Carers service (officer Ana):
  K  school   submitted Mon 9 Mar; picked up Tue 10 Mar; support plan Mon 16 Mar.
  L  school   a draft, never submitted.
"""

import datetime as dt
import html.parser
from types import SimpleNamespace

import pytest
import time_machine
from django.test import RequestFactory

from casework.models import Outcome
from identity.models import OrganisationKind
from tests.casework.conftest import complete_all, start, verified_professional
from tests.factories import OrganisationFactory
from tests.workflows import ehc_steps
from tests.workflows.conftest import ANA, JO, LEE, PRIYA, TOM, person
from workflows import ehc, services
from workflows.models import NeedsAssessment
from workflows.reports import ReportFilters, report_scope

UTC = dt.UTC
NOW = dt.datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
PERIOD = (dt.date(2026, 1, 1), dt.date(2026, 6, 30))


def at(day: dt.date):
    """Travel to 12:00 UTC on the day, with the clock standing still."""
    return time_machine.travel(dt.datetime.combine(day, dt.time(12, 0), tzinfo=UTC), tick=False)


def _request(user):
    request = RequestFactory().post("/")
    request.user = user
    return request


def submitted(author, kind: str, on: dt.date):
    with at(on):
        case = start(author, kind)
        complete_all(case)
        services.assessment_submit(actor=author, assessment=case, declaration=True)
    case.refresh_from_db()
    return case


def picked_up(case, officer, on):
    with at(on):
        services.assessment_claim(actor=officer, assessment=case)


def assigned(case, manager, officer, on):
    with at(on):
        services.assessment_assign(actor=manager, assessment=case, officer=officer)


def returned(case, officer, on, *sections):
    with at(on):
        services.assessment_return(
            request=_request(officer),
            actor=officer,
            assessment=case,
            comments={key: f"Please say more about {key}" for key in sections},
        )


def resubmitted(case, on):
    with at(on):
        services.assessment_submit(actor=case.author, assessment=case, declaration=True)


def decided(case, officer, on, outcome):
    with at(on):
        services.assessment_close(
            request=_request(officer), actor=officer, assessment=case, outcome=outcome, note="Decided", details={}
        )


def withdrawn(case, on):
    with at(on):
        services.assessment_withdraw(actor=case.author, assessment=case, reason="No longer needed")


def paused(case, officer, on, until):
    with at(on):
        services.clock_pause(actor=officer, assessment=case, reason="child_away")
    with at(until):
        services.clock_resume(actor=officer, assessment=case)


def plan_issued(case, officer, on):
    """The needs assessment of a request agreed to assess taken through to its final plan, all on one day."""
    with at(on):
        needs_assessment = NeedsAssessment.objects.get(assessment=case)
        ehc_steps.finalising(needs_assessment)
        ehc.final_plan_issue(
            actor=officer,
            needs_assessment=ehc_steps.refreshed(needs_assessment),
            sections={**ehc_steps.DRAFT_SECTIONS, "I": "Hillside Primary"},
        )


def day(month: int, number: int, year: int = 2026) -> dt.date:
    return dt.date(year, month, number)


@pytest.fixture
def casebook(demo_data):
    priya, tom, ana, jo = person(PRIYA), person(TOM), person(ANA), person(JO)
    school = verified_professional(full_name="Sam School")
    health = verified_professional(
        full_name="Hana Health", organisation=OrganisationFactory(name="Test NHS Trust", kind=OrganisationKind.HEALTH)
    )

    a = submitted(school, "ehat", day(1, 5))
    picked_up(a, priya, day(1, 6))
    returned(a, priya, day(1, 7), "reason", "voice")
    resubmitted(a, day(1, 9))
    picked_up(a, priya, day(1, 12))
    decided(a, priya, day(1, 14), Outcome.ACCEPTED)

    b = submitted(school, "ehat", day(1, 13))
    picked_up(b, priya, day(1, 15))

    c = submitted(health, "ehat", day(6, 10))

    d = submitted(school, "ehat", day(1, 20))
    withdrawn(d, day(1, 22))

    f = submitted(school, "ehat", day(2, 2))
    assigned(f, jo, priya, day(2, 4))
    returned(f, priya, day(2, 6), "reason")

    e = submitted(school, "ehcp", day(1, 5))
    picked_up(e, tom, day(1, 7))
    paused(e, tom, day(1, 12), until=day(1, 26))
    decided(e, tom, day(2, 27), Outcome.AGREED_TO_ASSESS)
    plan_issued(e, tom, day(6, 5))

    g = submitted(school, "ehcp", day(1, 12))
    picked_up(g, tom, day(1, 19))
    decided(g, tom, day(3, 2), Outcome.REFUSED_TO_ASSESS)

    h = submitted(school, "ehcp", day(2, 2))
    picked_up(h, tom, day(2, 3))
    returned(h, tom, day(2, 4), "needs")
    resubmitted(h, day(2, 9))
    picked_up(h, tom, day(2, 10))
    decided(h, tom, day(3, 13), Outcome.AGREED_TO_ASSESS)
    plan_issued(h, tom, day(6, 26))

    i = submitted(school, "ehcp", day(11, 3, 2025))
    picked_up(i, tom, day(11, 4, 2025))
    decided(i, tom, day(12, 8, 2025), Outcome.AGREED_TO_ASSESS)
    plan_issued(i, tom, day(3, 20))

    k = submitted(school, "young_carers", day(3, 9))
    picked_up(k, ana, day(3, 10))
    decided(k, ana, day(3, 16), Outcome.SUPPORT_PLAN)

    with at(day(3, 1)):
        draft = start(school, "young_carers")

    cases = {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g, "h": h, "i": i, "k": k, "draft": draft}
    for case in cases.values():
        case.refresh_from_db()
    return SimpleNamespace(**cases, priya=priya, tom=tom, ana=ana, jo=jo, lee=person(LEE), health=health)


def filters(**overrides) -> ReportFilters:
    """The report period of the case book, seen at NOW."""
    return ReportFilters(date_from=PERIOD[0], date_to=PERIOD[1], now=NOW, **overrides)


def scope_of(user):
    return report_scope(user)


# ---------------------------------------------------------------- reading tables off a page


class _Tables(html.parser.HTMLParser):
    """Every <table> of a page as rows of cell texts, keyed by caption."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption = None
        self._rows = None
        self._cell = None
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._rows, self._caption = [], ""
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(" ".join(self._cell.split()))
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[" ".join(self._caption.split())] = self._rows
            self._rows = None

    def handle_data(self, data):
        if self._in_caption:
            self._caption += data
        elif self._cell is not None:
            self._cell += data


def page_tables(html_text: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html_text)
    return parser.tables
