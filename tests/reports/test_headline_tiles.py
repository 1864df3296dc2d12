"""The dashboard's headline timeliness figures are those of the kinds the reader's teams receive."""

import re

import pytest
import time_machine

from tests.reports.conftest import NOW
from tests.reports.test_pages import PERIOD_QUERY, REPORTS_URL, client_as

pytestmark = pytest.mark.django_db


def headlines(user) -> dict[str, str]:
    """Each headline figure's label and what it shows, as words."""
    page = client_as(user).get(f"{REPORTS_URL}?{PERIOD_QUERY}").content.decode()
    card = page.split('id="report-headlines-title"', 1)[1].split("</dl>", 1)[0]
    found = {}
    for label, shown in re.findall(r'<dt class="portal-headline__label">(.*?)</dt>(.*?)</div>', card, re.S):
        found[label] = " ".join(re.sub(r"<[^>]+>", " ", shown).split())
    return found


def test_an_early_help_manager_sees_early_helps_local_target_and_no_ehcp_figures(casebook):
    with time_machine.travel(NOW, tick=False):
        shown = headlines(casebook.jo)
        page = client_as(casebook.jo).get(f"{REPORTS_URL}?{PERIOD_QUERY}").content.decode()
    # A accepted within its 20 working days; D was withdrawn, which is no decision.
    assert shown["EHAT decisions within 20 working days"] == "100.0% 1 of 1 decisions"
    assert not [label for label in shown if "EHC" in label], shown
    assert "within 6 weeks" not in page and "within 20 weeks" not in page


def test_a_service_manager_sees_every_kinds_timeliness(casebook):
    with time_machine.travel(NOW, tick=False):
        shown = headlines(casebook.lee)
    assert shown["EHAT decisions within 20 working days"] == "100.0% 1 of 1 decisions"
    assert shown["Young Carers decisions within 20 working days"] == "100.0% 1 of 1 decisions"
    # E within its paused clock, G late, H within.
    assert shown["EHCP decisions within 6 weeks"] == "66.7% 2 of 3 decisions"
    assert shown["EHC plans within 20 weeks"].startswith("66.7% 2 of 3 plans")
