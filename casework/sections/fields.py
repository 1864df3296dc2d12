"""Field builders for section forms, each with a GOV.UK error message that says how to put it right."""

from django import forms

from portal.forms import GovukDateField

from .validators import (
    normalise_nhs_number,
    normalise_postcode,
    normalise_upn,
    validate_nhs_number,
    validate_postcode,
    validate_upn,
)

YES_NO = [("yes", "Yes"), ("no", "No")]


def subject_of(label: str) -> str:
    """What an error message calls a question: its label without "(optional)"."""
    return label.removesuffix(" (optional)").strip()


def length_message(subject: str, max_length: int) -> str:
    return f"{subject} must be {max_length:,} characters or fewer"


def text(
    label: str,
    *,
    error: str,
    hint: str = "",
    required: bool = True,
    max_length: int = 200,
    width: str = "govuk-!-width-two-thirds",
    autocomplete: str = "off",
    name: str = "",
) -> forms.CharField:
    """A one-line answer; `name` is what errors call it when its label does not read well in a sentence."""
    return forms.CharField(
        label=label,
        help_text=hint,
        required=required,
        max_length=max_length,
        error_messages={"required": error, "max_length": length_message(name or subject_of(label), max_length)},
        widget=forms.TextInput(attrs={"class": width, "autocomplete": autocomplete}),
    )


def long_text(
    label: str, *, error: str, hint: str = "", required: bool = True, max_length: int = 5000, name: str = ""
) -> forms.CharField:
    """A long answer in a textarea with the GOV.UK character count; over the limit it is refused, never cut."""
    return forms.CharField(
        label=label,
        help_text=hint,
        required=required,
        max_length=max_length,
        error_messages={"required": error, "max_length": length_message(name or subject_of(label), max_length)},
        widget=forms.Textarea(attrs={"rows": 6}),
    )


def yes_no(label: str, *, error: str, hint: str = "", required: bool = True) -> forms.ChoiceField:
    field = forms.ChoiceField(
        label=label,
        help_text=hint,
        required=required,
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": error, "invalid_choice": error},
    )
    field.inline = True
    return field


def radios(label: str, choices, *, error: str, hint: str = "", required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        help_text=hint,
        required=required,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": error, "invalid_choice": error},
    )


def select(label: str, choices, *, error: str, hint: str = "", required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        help_text=hint,
        required=required,
        choices=[("", "Select an option"), *choices],
        error_messages={"required": error, "invalid_choice": error},
    )


def checkboxes(label: str, choices, *, error: str, hint: str = "", required: bool = True):
    return forms.MultipleChoiceField(
        label=label,
        help_text=hint,
        required=required,
        choices=choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": error, "invalid_choice": error},
    )


def date(
    label: str, *, hint: str = "", required: bool = True, past_only=False, future_only=False, name: str = ""
) -> GovukDateField:
    """A GOV.UK date input; its errors call it `name`, or its label without "(optional)"."""
    field = GovukDateField(label=label, help_text=hint, required=required, past_only=past_only, future_only=future_only)
    field.field_label = name or subject_of(label)
    return field


def whole_number(
    label: str, *, error: str, hint: str = "", minimum: int = 0, maximum: int = 168, required=True, name: str = ""
):
    subject = name or subject_of(label)
    return forms.IntegerField(
        label=label,
        help_text=hint,
        required=required,
        min_value=minimum,
        max_value=maximum,
        error_messages={
            "required": error,
            "invalid": f"{subject} must be a whole number, like 12",
            "min_value": f"{subject} must be {minimum} or more",
            "max_value": f"{subject} must be {maximum} or fewer",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-4"}),
    )


def email(label: str, *, required: bool = True) -> forms.EmailField:
    return forms.EmailField(
        label=label,
        required=required,
        max_length=254,
        error_messages={
            "required": f"Enter {subject_of(label).lower()}",
            "invalid": "Enter an e-mail address in the correct format, like name@example.com",
            "max_length": length_message(subject_of(label), 254),
        },
        widget=forms.EmailInput(attrs={"class": "govuk-!-width-two-thirds", "spellcheck": "false"}),
    )


def phone(label: str, *, required: bool = False) -> forms.RegexField:
    return forms.RegexField(
        label=label,
        required=required,
        regex=r"^\+?[0-9 ()-]{10,20}$",
        error_messages={
            "required": f"Enter {subject_of(label).lower()}",
            "invalid": "Enter a phone number, like 01752 668000 or 07700 900 982",
        },
        widget=forms.TextInput(attrs={"type": "tel", "class": "govuk-input--width-20"}),
    )


# The identifiers have no max_length: their format checks refuse anything too long with a message that says
# what is expected, and no maxlength attribute cuts what is pasted.
class UPNField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label="Unique pupil number (UPN)",
            help_text="13 characters, on the school's records, like H801200001001. Leave blank if the child has none.",
            required=False,
            validators=[validate_upn],
            widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
            **kwargs,
        )

    def to_python(self, value):
        return normalise_upn(super().to_python(value))


class NHSNumberField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            label="NHS number (optional)",
            help_text="10 digits, like 943 476 5919",
            required=False,
            validators=[validate_nhs_number],
            widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "numeric"}),
            **kwargs,
        )

    def to_python(self, value):
        return normalise_nhs_number(super().to_python(value))


class PostcodeField(forms.CharField):
    def __init__(self, *, required: bool = True, **kwargs):
        super().__init__(
            label="Postcode",
            required=required,
            validators=[validate_postcode],
            error_messages={"required": "Enter the postcode"},
            widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "off"}),
            **kwargs,
        )

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_postcode(value) if value else value


GENDERS = [
    ("female", "Female"),
    ("male", "Male"),
    ("other", "Describes themselves in another way"),
    ("not_known", "Not known"),
]

# The ethnic groups of the 2021 census for England and Wales, as schools and councils record them.
ETHNICITIES = [
    ("white_british", "White: English, Welsh, Scottish, Northern Irish or British"),
    ("white_irish", "White: Irish"),
    ("white_gypsy", "White: Gypsy or Irish Traveller"),
    ("white_roma", "White: Roma"),
    ("white_other", "White: any other White background"),
    ("mixed_white_black_caribbean", "Mixed: White and Black Caribbean"),
    ("mixed_white_black_african", "Mixed: White and Black African"),
    ("mixed_white_asian", "Mixed: White and Asian"),
    ("mixed_other", "Mixed: any other mixed or multiple ethnic background"),
    ("asian_indian", "Asian or Asian British: Indian"),
    ("asian_pakistani", "Asian or Asian British: Pakistani"),
    ("asian_bangladeshi", "Asian or Asian British: Bangladeshi"),
    ("asian_chinese", "Asian or Asian British: Chinese"),
    ("asian_other", "Asian or Asian British: any other Asian background"),
    ("black_african", "Black, Black British, Caribbean or African: African"),
    ("black_caribbean", "Black, Black British, Caribbean or African: Caribbean"),
    ("black_other", "Black, Black British, Caribbean or African: any other Black background"),
    ("arab", "Other ethnic group: Arab"),
    ("other", "Other ethnic group: any other ethnic group"),
    ("not_known", "Not known"),
    ("refused", "Prefers not to say"),
]
