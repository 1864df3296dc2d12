"""Identifier checks (UPN, NHS number, postcode) and the GOV.UK date field's messages."""

import datetime as dt

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from casework.sections.fields import NHSNumberField, PostcodeField, UPNField
from portal.forms import GovukDateField


def clean(field, value):
    try:
        return field.clean(value), None
    except ValidationError as error:
        return None, error.messages[0]


def test_upn_with_the_right_check_letter_is_accepted():
    """H801200001001 is a well-formed UPN whose first letter is its check letter."""
    assert clean(UPNField(), " h801200001001 ") == ("H801200001001", None)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param(
            "A801200001001",
            "The unique pupil number is not right: check it against the school's records",
            id="wrong-check-letter",
        ),
        pytest.param(
            "H80120000100",
            "Enter a unique pupil number in the correct format, like H801200001001",
            id="twelve-characters",
        ),
        pytest.param(
            "8012000010011",
            "Enter a unique pupil number in the correct format, like H801200001001",
            id="no-leading-letter",
        ),
        pytest.param(
            "H80120000100I",
            "Enter a unique pupil number in the correct format, like H801200001001",
            id="letter-the-dfe-does-not-use",
        ),
    ],
)
def test_upn_errors_say_what_is_wrong(value, message):
    """A UPN in the wrong format or with the wrong check letter gets its own message."""
    assert clean(UPNField(), value) == (None, message)


def test_nhs_number_with_spaces_is_accepted_and_stored_as_digits():
    """943 476 5919 passes the modulus 11 check; the spaces are dropped."""
    assert clean(NHSNumberField(), "943 476 5919") == ("9434765919", None)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param("943 476 5918", "The NHS number is not right: check each digit", id="bad-checksum"),
        pytest.param("943 476 591", "Enter an NHS number with 10 digits, like 943 476 5919", id="nine-digits"),
        pytest.param("943 476 59190", "Enter an NHS number with 10 digits, like 943 476 5919", id="eleven-digits"),
    ],
)
def test_nhs_number_errors(value, message):
    """A wrong checksum and a wrong length are told apart."""
    assert clean(NHSNumberField(), value) == (None, message)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("pl12aa", "PL1 2AA", id="lower-case-no-space"),
        pytest.param(" PL1  2AA ", "PL1 2AA", id="extra-spaces"),
        pytest.param("sw1a1aa", "SW1A 1AA", id="london"),
    ],
)
def test_postcode_is_normalised(value, expected):
    """Postcodes are stored upper case with one space before the inward code."""
    assert clean(PostcodeField(), value) == (expected, None)


@pytest.mark.parametrize("value", [pytest.param("PL1", id="outward-only"), pytest.param("12345", id="digits")])
def test_invalid_postcode_is_refused(value):
    """Something that is not a postcode gets an example of one."""
    assert clean(PostcodeField(), value) == (None, "Enter a real postcode, like PL1 2AA")


class DateForm(forms.Form):
    when = GovukDateField(label="Date of birth", past_only=True)


def date_error(day, month, year):
    form = DateForm({"when_day": day, "when_month": month, "when_year": year})
    assert not form.is_valid()
    return form.errors["when"][0]


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        pytest.param(("", "", ""), "Enter date of birth", id="nothing"),
        pytest.param(("3", "", "2016"), "Date of birth must include a month", id="no-month"),
        pytest.param(("", "", "2016"), "Date of birth must include a day and month", id="no-day-or-month"),
        pytest.param(("31", "2", "2016"), "Date of birth must be a real date", id="31-february"),
        pytest.param(("3", "4", "16"), "Date of birth must be a real date", id="two-digit-year"),
        pytest.param(("3", "13", "2016"), "Date of birth must be a real date", id="month-13"),
    ],
)
def test_date_field_messages(parts, message):
    """Each way a date can be wrong gets the GOV.UK message for it."""
    assert date_error(*parts) == message


def test_date_field_refuses_a_future_date_when_past_only():
    """A date of birth cannot be tomorrow; today counts as the past."""
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    assert date_error(str(tomorrow.day), str(tomorrow.month), str(tomorrow.year)) == (
        "Date of birth must be today or in the past"
    )
    form = DateForm({"when_day": str(today.day), "when_month": str(today.month), "when_year": str(today.year)})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["when"] == today
