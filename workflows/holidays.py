"""Bank holidays for England and Wales: which years are loaded, the usual dates of a year not yet loaded, and
loading next years' dates from the file the GOV.UK bank holidays service publishes
(https://www.gov.uk/bank-holidays.json).

Deadlines count working days with the dates in the database. A year past the last one loaded is counted with
the usual bank holidays (`usual_bank_holidays`) rather than none, and administrators are warned to load it:
the usual rules miss a one-off holiday (a coronation, a jubilee) and a moved one (VE Day in 2020).
"""

import datetime
import json
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from portal.remembered import forget

from .models import BankHoliday

BANK_HOLIDAYS_CACHE_KEY = "workflows:bank-holidays"

DIVISION = "england-and-wales"
GOV_UK_ADDRESS = "https://www.gov.uk/bank-holidays.json"
# The GOV.UK file is about 20 KB; anything far larger is not it.
LARGEST_FILE_BYTES = 1024 * 1024
NAME_LENGTH = BankHoliday._meta.get_field("name").max_length

MONDAY, SATURDAY = 0, 5


def easter_sunday(year: int) -> datetime.date:
    """Easter Sunday in the Gregorian calendar (the anonymous algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_offset = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_offset) // 451
    month, day = divmod(h + weekday_offset - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


def _monday_on_or_after(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=(MONDAY - day.weekday()) % 7)


def _last_monday(year: int, month: int) -> datetime.date:
    last_day = datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)
    return last_day - datetime.timedelta(days=(last_day.weekday() - MONDAY) % 7)


def usual_bank_holidays(year: int) -> dict[datetime.date, str]:
    """The eight bank holidays England and Wales have every year, with substitute days for those on a weekend."""
    easter, new_year = easter_sunday(year), datetime.date(year, 1, 1)
    holidays = {
        # New Year's Day on a weekend moves to the Monday.
        _monday_on_or_after(new_year) if new_year.weekday() >= SATURDAY else new_year: "New Year's Day",
        easter - datetime.timedelta(days=2): "Good Friday",
        easter + datetime.timedelta(days=1): "Easter Monday",
        _monday_on_or_after(datetime.date(year, 5, 1)): "Early May bank holiday",
        _last_monday(year, 5): "Spring bank holiday",
        _last_monday(year, 8): "Summer bank holiday",
    }
    # Christmas Day and Boxing Day on a weekend move to the next weekdays not already taken.
    for day, name in ((datetime.date(year, 12, 25), "Christmas Day"), (datetime.date(year, 12, 26), "Boxing Day")):
        while day.weekday() >= SATURDAY or day in holidays:
            day += datetime.timedelta(days=1)
        holidays[day] = name
    return holidays


def with_usual_years_after(
    loaded: frozenset[datetime.date], today: datetime.date, years_ahead: int = 2
) -> tuple[frozenset[datetime.date], list[int]]:
    """The loaded dates, and the usual bank holidays of each year after the last loaded one up to `years_ahead`
    years after this one; with the years filled in. Nothing is filled in when no date is loaded at all."""
    if not loaded:
        return loaded, []
    filled = list(range(max(loaded).year + 1, today.year + years_ahead + 1))
    usual = {day for year in filled for day in usual_bank_holidays(year)}
    return loaded | usual, filled


# ---------------------------------------------------------------- what administrators are told


@dataclass(frozen=True)
class Coverage:
    """How far the loaded bank holidays reach, and what to load when they run out within a year."""

    last_loaded: datetime.date | None
    missing_years: tuple[int, ...]
    today: datetime.date

    @property
    def needs_loading(self) -> bool:
        return bool(self.missing_years)

    @property
    def already_over(self) -> bool:
        return self.last_loaded is None or self.last_loaded < self.today

    @property
    def missing_years_text(self) -> str:
        years = [str(year) for year in self.missing_years]
        return years[0] if len(years) == 1 else ", ".join(years[:-1]) + " and " + years[-1]


def bank_holidays_coverage(today: datetime.date | None = None) -> Coverage:
    """The last bank holiday loaded, and the years to load when it is less than a year away (or already past).

    Deadlines reach about 20 weeks ahead, plus any pause; GOV.UK publishes the dates about a year ahead.
    """
    today = today or timezone.localdate()
    last_loaded = BankHoliday.objects.aggregate(last=Max("date"))["last"]
    # A year from today (28 February for 29 February).
    horizon = today.replace(year=today.year + 1, day=min(today.day, 28 if today.month == 2 else 31))
    if last_loaded is not None and last_loaded >= horizon:
        return Coverage(last_loaded, (), today)
    first_missing = last_loaded.year + 1 if last_loaded else today.year
    return Coverage(last_loaded, tuple(range(first_missing, max(first_missing, horizon.year) + 1)), today)


# ---------------------------------------------------------------- loading the GOV.UK file


class BankHolidayFileError(ValueError):
    """The file is not the GOV.UK bank holidays file, or a date in it is wrong: the message says what to fix."""


@dataclass
class LoadReport:
    added: list[BankHoliday] = field(default_factory=list)
    already_loaded: int = 0
    different_names: list[tuple[datetime.date, str, str]] = field(default_factory=list)

    def summary(self) -> str:
        if not self.added:
            return f"No dates added: all {self.already_loaded} bank holidays in the file were already loaded."
        years = sorted({holiday.date.year for holiday in self.added})
        span = str(years[0]) if len(years) == 1 else f"{years[0]} to {years[-1]}"
        added = f"Added {len(self.added)} bank holiday{'s' if len(self.added) != 1 else ''} ({span})."
        return added + (f" {self.already_loaded} were already loaded." if self.already_loaded else "")


def _events_of(content: bytes | str) -> list[dict]:
    if isinstance(content, bytes):
        if len(content) > LARGEST_FILE_BYTES:
            raise BankHolidayFileError("The file must be smaller than 1 MB. The GOV.UK bank holidays file is 20 KB.")
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BankHolidayFileError("The file must be a JSON file, as GOV.UK publishes it") from None
    try:
        data = json.loads(content)
    except ValueError:
        raise BankHolidayFileError("The file must be a JSON file, as GOV.UK publishes it") from None
    if not isinstance(data, dict) or not isinstance(data.get(DIVISION), dict):
        raise BankHolidayFileError(f'The file must have the "{DIVISION}" bank holidays, as GOV.UK publishes them')
    events = data[DIVISION].get("events")
    if not isinstance(events, list) or not events:
        raise BankHolidayFileError(f'The file\'s "{DIVISION}" part must list its bank holidays under "events"')
    return events


def bank_holidays_from_file(content: bytes | str) -> dict[datetime.date, str]:
    """Each England and Wales bank holiday in a GOV.UK bank holidays file, by date; every fault explained."""
    holidays: dict[datetime.date, str] = {}
    for number, event in enumerate(_events_of(content), start=1):
        where = f"Bank holiday {number} in the file"
        if not isinstance(event, dict):
            raise BankHolidayFileError(f'{where} must have a "title" and a "date"')
        title, date = event.get("title"), event.get("date")
        if not isinstance(title, str) or not title.strip():
            raise BankHolidayFileError(f'{where} must have a "title"')
        if any(unicodedata.category(character) == "Cc" for character in title):
            raise BankHolidayFileError(f"{where} must have a title without control characters")
        if len(title.strip()) > NAME_LENGTH:
            raise BankHolidayFileError(f"{where} must have a title of {NAME_LENGTH} characters or fewer")
        try:
            day = datetime.date.fromisoformat(date) if isinstance(date, str) and len(date) == 10 else None
        except ValueError:
            day = None
        if day is None:
            raise BankHolidayFileError(f'{where} ("{title.strip()[:40]}") must have a real date, like "2029-12-25"')
        if day in holidays:
            raise BankHolidayFileError(f"{where} is on {day:%-d %B %Y}, which the file already lists")
        holidays[day] = title.strip()
    return holidays


def bank_holidays_load(*, content: bytes | str, actor=None) -> LoadReport:
    """Add the file's bank holidays not loaded yet; running it again with the same file adds nothing.

    A date already loaded keeps its name (an administrator may have renamed it); the report lists those whose
    names differ. `actor` is None for the management command (run by whoever runs the server).
    """
    if actor is not None and not actor.has_perm("workflows.add_bankholiday"):
        raise PermissionDenied
    holidays = bank_holidays_from_file(content)
    report = LoadReport()
    with transaction.atomic():
        loaded = dict(BankHoliday.objects.select_for_update().filter(date__in=holidays).values_list("date", "name"))
        for day, name in sorted(holidays.items()):
            if day in loaded:
                report.already_loaded += 1
                if loaded[day] != name:
                    report.different_names.append((day, loaded[day], name))
            else:
                report.added.append(BankHoliday(date=day, name=name))
        BankHoliday.objects.bulk_create(report.added)
        # bulk_create sends no post_save (workflows.apps): forget the remembered dates here.
        transaction.on_commit(bank_holidays_forget)
    return report


def bank_holidays_forget(**signal_arguments) -> None:
    """Forget the remembered bank holidays: the next deadline counted reads them again."""
    forget(BANK_HOLIDAYS_CACHE_KEY)
