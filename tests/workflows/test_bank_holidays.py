"""Bank holidays beyond the last loaded year: deadlines count the usual ones (never none), administrators are
warned a year ahead, and next years' dates load from the GOV.UK file by command or in the admin."""

import datetime
import json
import logging

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from tests.factories import ProfessionalFactory
from tests.helpers import sign_in
from tests.workflows.conftest import ALEX, person
from workflows import deadlines, holidays
from workflows.holidays import BankHolidayFileError, bank_holidays_coverage, bank_holidays_load
from workflows.models import BankHoliday

D = datetime.date
pytestmark = pytest.mark.usefixtures("demo_data")

# What https://www.gov.uk/bank-holidays.json publishes, cut to 2028 (already loaded) and 2029 (not yet).
GOV_UK_FILE = {
    "england-and-wales": {
        "division": "england-and-wales",
        "events": [
            {"title": "Christmas Day", "date": "2028-12-25", "notes": "", "bunting": True},
            {"title": "Boxing Day", "date": "2028-12-26", "notes": "", "bunting": True},
            {"title": "New Year’s Day", "date": "2029-01-01", "notes": "", "bunting": True},
            {"title": "Good Friday", "date": "2029-03-30", "notes": "", "bunting": False},
            {"title": "Easter Monday", "date": "2029-04-02", "notes": "", "bunting": True},
            {"title": "Early May bank holiday", "date": "2029-05-07", "notes": "", "bunting": True},
            {"title": "Spring bank holiday", "date": "2029-05-28", "notes": "", "bunting": True},
            {"title": "Summer bank holiday", "date": "2029-08-27", "notes": "", "bunting": True},
            {"title": "Christmas Day", "date": "2029-12-25", "notes": "", "bunting": True},
            {"title": "Boxing Day", "date": "2029-12-26", "notes": "", "bunting": True},
        ],
    },
    "scotland": {
        "division": "scotland",
        "events": [{"title": "St Andrew’s Day", "date": "2029-11-30", "notes": "", "bunting": True}],
    },
}
DATES_OF_2029 = {D(2029, 1, 1), D(2029, 3, 30), D(2029, 4, 2), D(2029, 5, 7), D(2029, 5, 28), D(2029, 8, 27)} | {
    D(2029, 12, 25),
    D(2029, 12, 26),
}


def gov_uk_file(**changes) -> bytes:
    data = json.loads(json.dumps(GOV_UK_FILE))
    data["england-and-wales"].update(changes)
    return json.dumps(data).encode()


# ---------------------------------------------------------------- deadlines past the last loaded year


def test_the_usual_bank_holidays_are_the_fixtures_dates_of_every_year_it_holds():
    loaded = set(BankHoliday.objects.values_list("date", flat=True))
    usual = {day for year in range(2024, 2029) for day in holidays.usual_bank_holidays(year)}
    assert usual == loaded


@pytest.mark.parametrize(
    ("year", "christmas_and_boxing_day"),
    [
        pytest.param(2027, {D(2027, 12, 27), D(2027, 12, 28)}, id="saturday-and-sunday"),
        pytest.param(2022, {D(2022, 12, 26), D(2022, 12, 27)}, id="sunday-and-monday"),
        pytest.param(2026, {D(2026, 12, 25), D(2026, 12, 28)}, id="friday-and-saturday"),
    ],
)
def test_christmas_and_boxing_day_on_a_weekend_move_to_the_next_weekdays(year, christmas_and_boxing_day):
    december = {day for day in holidays.usual_bank_holidays(year) if day.month == 12}
    assert december == christmas_and_boxing_day


@pytest.mark.parametrize(("year", "easter"), [(2024, D(2024, 3, 31)), (2029, D(2029, 4, 1)), (2038, D(2038, 4, 25))])
def test_easter_sunday(year, easter):
    assert holidays.easter_sunday(year) == easter


@time_machine.travel(datetime.datetime(2028, 12, 1, 12, tzinfo=datetime.UTC), tick=False)
def test_a_deadline_past_the_last_loaded_year_skips_the_usual_bank_holidays_and_logs_it(caplog):
    """Seven working days from 20 December 2028 cross the fixture's end: 1 January 2029 is still not a working day."""
    with caplog.at_level(logging.WARNING, logger="workflows.deadlines"):
        holidays_now = deadlines.bank_holidays()
    assert holidays_now >= DATES_OF_2029
    assert deadlines.add_working_days(D(2028, 12, 20), 7, holidays_now) == D(2029, 1, 3)
    assert "Bank holidays not loaded for 2029, 2030" in caplog.text


def test_years_already_loaded_are_not_filled_in():
    """Nothing is added to a loaded year: a council closure day or a missing date is the administrator's choice."""
    BankHoliday.objects.filter(date=D(2026, 5, 25)).delete()
    assert D(2026, 5, 25) not in deadlines.bank_holidays()


def test_nothing_is_filled_in_when_no_bank_holiday_is_loaded(caplog):
    BankHoliday.objects.all().delete()
    with caplog.at_level(logging.WARNING, logger="workflows.deadlines"):
        assert deadlines.bank_holidays() == frozenset()
    assert "No bank holidays loaded" in caplog.text


# ---------------------------------------------------------------- the warning


@pytest.mark.parametrize(
    ("today", "missing"),
    [
        pytest.param(D(2027, 12, 26), (), id="a-year-ahead"),
        pytest.param(D(2027, 12, 27), (2029,), id="a-day-less-than-a-year-ahead"),
        pytest.param(D(2028, 12, 27), (2029,), id="over-yesterday"),
        pytest.param(D(2030, 3, 1), (2029, 2030, 2031), id="over-for-years"),
    ],
)
def test_the_warning_starts_a_year_before_the_loaded_dates_run_out(today, missing):
    coverage = bank_holidays_coverage(today)
    assert coverage.last_loaded == D(2028, 12, 26)
    assert coverage.missing_years == missing
    assert coverage.already_over == (today > D(2028, 12, 26))


def test_the_warning_names_this_year_when_nothing_is_loaded():
    BankHoliday.objects.all().delete()
    coverage = bank_holidays_coverage(D(2026, 12, 6))
    assert coverage.missing_years == (2026, 2027)
    assert coverage.missing_years_text == "2026 and 2027"


@pytest.fixture
def alex_in_the_admin(client):
    return sign_in(client, person(ALEX))


def admin_page_on(day: datetime.datetime, client, page: str):
    """An admin page as Alex Reed, the administrator, sees it on `day` (signed in that day)."""
    with time_machine.travel(day, tick=False):
        return sign_in(client, person(ALEX)).get(page)


@pytest.mark.parametrize("page", ["/admin/", "/admin/workflows/bankholiday/", "/admin/workflows/bankholiday/add/"])
def test_administrators_see_which_year_is_missing_and_how_to_load_it(client, page):
    response = admin_page_on(datetime.datetime(2028, 2, 1, 12, tzinfo=datetime.UTC), client, page)
    text = response.content.decode()
    assert "Bank holidays for 2029 are not loaded." in text
    assert "The last one loaded is 26 December 2028." in text
    assert "manage.py load_bank_holidays bank-holidays.json" in text
    assert 'href="/admin/workflows/bankholiday/load/"' in text


def test_the_warning_says_when_the_loaded_dates_are_already_over(client):
    text = admin_page_on(datetime.datetime(2029, 1, 10, 12, tzinfo=datetime.UTC), client, "/admin/").content.decode()
    assert "Bank holidays for 2029 and 2030 are not loaded." in text
    assert "The last one loaded was 26 December 2028." in text


@pytest.mark.parametrize("page", ["/admin/", "/admin/workflows/bankholiday/", "/admin/workflows/bankholiday/add/"])
def test_no_warning_while_the_loaded_dates_reach_a_year_ahead(client, page):
    response = admin_page_on(datetime.datetime(2026, 12, 6, 12, tzinfo=datetime.UTC), client, page)
    assert response.status_code == 200
    assert "bank-holidays-warning" not in response.content.decode()


# ---------------------------------------------------------------- loading the GOV.UK file


def test_loading_adds_the_england_and_wales_dates_not_loaded_yet():
    report = bank_holidays_load(content=gov_uk_file())
    assert {holiday.date for holiday in report.added} == DATES_OF_2029
    assert report.already_loaded == 2
    assert report.summary() == "Added 8 bank holidays (2029). 2 were already loaded."
    assert BankHoliday.objects.get(date=D(2029, 1, 1)).name == "New Year’s Day"
    # Scotland's are not England and Wales's.
    assert not BankHoliday.objects.filter(date=D(2029, 11, 30)).exists()
    assert deadlines.bank_holidays() >= DATES_OF_2029


def test_loading_the_same_file_again_adds_nothing():
    bank_holidays_load(content=gov_uk_file())
    count = BankHoliday.objects.count()
    report = bank_holidays_load(content=gov_uk_file())
    assert report.added == []
    assert report.summary() == "No dates added: all 10 bank holidays in the file were already loaded."
    assert BankHoliday.objects.count() == count


def test_a_date_already_loaded_keeps_its_name_and_the_difference_is_reported():
    BankHoliday.objects.filter(date=D(2028, 12, 25)).update(name="Christmas")
    report = bank_holidays_load(content=gov_uk_file())
    assert BankHoliday.objects.get(date=D(2028, 12, 25)).name == "Christmas"
    assert report.different_names == [(D(2028, 12, 25), "Christmas", "Christmas Day")]


BAD_FILES = [
    pytest.param(b"<html>Bank holidays</html>", "must be a JSON file", id="not-json"),
    pytest.param(b"\xff\xfe\x00bad", "must be a JSON file", id="not-utf8"),
    pytest.param(b"[]", 'must have the "england-and-wales" bank holidays', id="a-list"),
    pytest.param(json.dumps({"scotland": {}}).encode(), 'must have the "england-and-wales"', id="no-division"),
    pytest.param(gov_uk_file(events=[]), 'must list its bank holidays under "events"', id="no-events"),
    pytest.param(gov_uk_file(events="2029-01-01"), 'under "events"', id="events-not-a-list"),
    pytest.param(gov_uk_file(events=["2029-01-01"]), 'Bank holiday 1 in the file must have a "title"', id="bare-date"),
    pytest.param(gov_uk_file(events=[{"date": "2029-01-01"}]), 'must have a "title"', id="no-title"),
    pytest.param(gov_uk_file(events=[{"title": "X" * 101, "date": "2029-01-01"}]), "100 characters", id="long"),
    pytest.param(
        gov_uk_file(events=[{"title": "Boxing Day", "date": "2029-02-30"}]),
        'Bank holiday 1 in the file ("Boxing Day") must have a real date, like "2029-12-25"',
        id="no-such-day",
    ),
    pytest.param(gov_uk_file(events=[{"title": "Boxing Day", "date": 20291226}]), "real date", id="number"),
    pytest.param(gov_uk_file(events=[{"title": "Boxing Day", "date": "26/12/2029"}]), "real date", id="uk-order"),
    pytest.param(
        gov_uk_file(events=[{"title": "A", "date": "2029-12-26"}, {"title": "B", "date": "2029-12-26"}]),
        "Bank holiday 2 in the file is on 26 December 2029, which the file already lists",
        id="twice",
    ),
    pytest.param(b" " * (1024 * 1024 + 1), "smaller than 1 MB", id="too-large"),
    pytest.param(
        gov_uk_file(events=[{"title": "Boxing\u0000Day", "date": "2029-12-26"}]), "without control characters", id="nul"
    ),
]


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_a_bad_file_is_refused_with_what_to_fix_and_adds_nothing(content, message):
    count = BankHoliday.objects.count()
    with pytest.raises(BankHolidayFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        bank_holidays_load(content=content)
    assert BankHoliday.objects.count() == count


def test_one_bad_date_adds_none_of_the_good_ones():
    events = [*GOV_UK_FILE["england-and-wales"]["events"], {"title": "Extra", "date": "2029-13-01"}]
    with pytest.raises(BankHolidayFileError):
        bank_holidays_load(content=gov_uk_file(events=events))
    assert not BankHoliday.objects.filter(date__year=2029).exists()


def test_only_someone_who_may_add_bank_holidays_loads_them():
    with pytest.raises(PermissionDenied):
        bank_holidays_load(content=gov_uk_file(), actor=ProfessionalFactory())
    assert not BankHoliday.objects.filter(date__year=2029).exists()


# ---------------------------------------------------------------- the command


def test_the_command_loads_the_file_and_says_what_it_added(tmp_path, capsys):
    saved = tmp_path / "bank-holidays.json"
    saved.write_bytes(gov_uk_file())
    call_command("load_bank_holidays", str(saved))
    assert "Added 8 bank holidays (2029). 2 were already loaded." in capsys.readouterr().out
    call_command("load_bank_holidays", str(saved))
    assert "No dates added" in capsys.readouterr().out
    assert BankHoliday.objects.filter(date__year=2029).count() == 8


@time_machine.travel(datetime.datetime(2029, 3, 1, 12, tzinfo=datetime.UTC), tick=False)
def test_the_command_says_which_years_are_still_missing(tmp_path, capsys):
    saved = tmp_path / "bank-holidays.json"
    saved.write_bytes(gov_uk_file())
    call_command("load_bank_holidays", str(saved))
    assert "Bank holidays are still needed for 2030" in capsys.readouterr().out


def test_the_command_refuses_a_bad_file_with_what_to_fix(tmp_path):
    saved = tmp_path / "bank-holidays.json"
    saved.write_bytes(b"<html></html>")
    with pytest.raises(CommandError, match=r"must be a JSON file, as GOV\.UK publishes it\. Nothing was added\."):
        call_command("load_bank_holidays", str(saved))


def test_the_command_says_when_it_cannot_read_the_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("load_bank_holidays", str(tmp_path / "missing.json"))


# ---------------------------------------------------------------- the admin's upload


def upload(content: bytes, name: str = "bank-holidays.json") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/json")


def test_an_administrator_loads_the_file_in_the_admin(alex_in_the_admin):
    response = alex_in_the_admin.post(
        "/admin/workflows/bankholiday/load/", {"file": upload(gov_uk_file())}, follow=True
    )
    assert response.redirect_chain == [("/admin/workflows/bankholiday/", 302)]
    assert "Added 8 bank holidays (2029). 2 were already loaded." in response.content.decode()
    assert BankHoliday.objects.filter(date__year=2029).count() == 8


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_a_bad_file_in_the_admin_shows_what_to_fix_never_a_500(alex_in_the_admin, content, message):
    response = alex_in_the_admin.post("/admin/workflows/bankholiday/load/", {"file": upload(content)})
    assert response.status_code == 200
    text = response.content.decode()
    assert 'class="errornote"' in text and 'aria-invalid="true"' in text
    assert message.replace('"', "&quot;") in text
    assert not BankHoliday.objects.filter(date__year=2029).exists()


def test_no_file_chosen_is_an_error_not_a_500(alex_in_the_admin):
    response = alex_in_the_admin.post("/admin/workflows/bankholiday/load/", {})
    assert response.status_code == 200
    assert "Choose the bank holidays file" in response.content.decode()


def test_staff_who_may_not_add_bank_holidays_are_refused_the_load_page(client):
    viewer = ProfessionalFactory(is_staff=True)
    sign_in(client, viewer)
    assert client.get("/admin/workflows/bankholiday/load/").status_code == 403
    assert client.post("/admin/workflows/bankholiday/load/", {"file": upload(gov_uk_file())}).status_code == 403
    assert not BankHoliday.objects.filter(date__year=2029).exists()


def test_a_title_is_kept_as_text_and_shown_escaped(alex_in_the_admin):
    """A hostile file's markup is a name like any other: stored as typed, never run on the admin's pages."""
    probe = '<script>alert("probe")</script> \u202eyad gnixoB'
    bank_holidays_load(content=gov_uk_file(events=[{"title": probe, "date": "2029-12-26"}]))
    assert BankHoliday.objects.get(date=D(2029, 12, 26)).name == probe
    text = alex_in_the_admin.get("/admin/workflows/bankholiday/?date__year=2029").content.decode()
    assert "&lt;script&gt;alert(&quot;probe&quot;)&lt;/script&gt;" in text
    assert '<script>alert("probe")' not in text
