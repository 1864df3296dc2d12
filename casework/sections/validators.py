"""Format checks for identifiers on the real forms: UPN, NHS number, postcode."""

import re

from django.core.exceptions import ValidationError

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # the DfE's 23 letters (no I, O, S)
POSTCODE = re.compile(r"^(GIR ?0AA|[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2})$")


def normalise_upn(value: str) -> str:
    return "".join(value.split()).upper()


def upn_check_letter(upn: str) -> str:
    """The DfE check letter for characters 2 to 13 of a unique pupil number."""
    total = 0
    for weight, character in zip(range(2, 14), upn[1:13], strict=True):
        total += weight * (int(character) if character.isdigit() else UPN_LETTERS.index(character))
    return UPN_LETTERS[total % 23]


def validate_upn(value: str) -> None:
    upn = normalise_upn(value)
    if not re.fullmatch(r"[A-Z][0-9]{11}[0-9A-Z]", upn) or (upn[12].isalpha() and upn[12] not in UPN_LETTERS):
        raise ValidationError("Enter a unique pupil number in the correct format, like H801200001001")
    if upn[0] != upn_check_letter(upn):
        raise ValidationError("The unique pupil number is not right: check it against the school's records")


def normalise_nhs_number(value: str) -> str:
    return re.sub(r"[\s-]", "", value)


def validate_nhs_number(value: str) -> None:
    number = normalise_nhs_number(value)
    if not re.fullmatch(r"[0-9]{10}", number):
        raise ValidationError("Enter an NHS number with 10 digits, like 943 476 5919")
    remainder = sum(int(digit) * weight for digit, weight in zip(number[:9], range(10, 1, -1), strict=True)) % 11
    check = 11 - remainder
    if check == 11:
        check = 0
    if check == 10 or check != int(number[9]):
        raise ValidationError("The NHS number is not right: check each digit")


def normalise_postcode(value: str) -> str:
    compact = "".join(value.split()).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def validate_postcode(value: str) -> None:
    if not POSTCODE.match(normalise_postcode(value)):
        raise ValidationError("Enter a real postcode, like PL1 2AA")
