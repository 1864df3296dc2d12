"""GOV.UK Design System rendering for every Django form, and the GOV.UK date input field."""

import datetime

from django import forms
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.forms.widgets import Input
from django.utils import timezone


def posted(request):
    """The form data of a POST, or None on a GET: a form is bound (and shows its errors) only when sent."""
    return request.POST if request.method == "POST" else None


# GOV.UK class, and its error modifier, for each kind of widget Django renders itself.
_WIDGET_CLASSES = (
    (forms.Textarea, "govuk-textarea"),
    (forms.Select, "govuk-select"),
    (forms.ClearableFileInput, "govuk-file-upload"),
    (forms.FileInput, "govuk-file-upload"),
    (forms.CheckboxInput, "govuk-checkboxes__input"),
    (Input, "govuk-input"),
)
_NO_CLASS_WIDGETS = (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.HiddenInput, forms.MultiWidget)


def _govuk_class_for(widget: forms.Widget) -> str | None:
    if isinstance(widget, _NO_CLASS_WIDGETS):
        return None
    for widget_class, css_class in _WIDGET_CLASSES:
        if isinstance(widget, widget_class):
            return css_class
    return None


class GovukBoundField(BoundField):
    """A bound field whose widget carries the GOV.UK classes, with the error modifier when invalid."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        css_class = _govuk_class_for(widget)
        if css_class:
            # These attrs replace the widget's own "class", so keep its modifiers (widths and the like).
            classes = [css_class, widget.attrs.get("class", ""), attrs.get("class", "")]
            if self.errors and css_class != "govuk-checkboxes__input":
                classes.append(f"{css_class}--error")
            if isinstance(widget, forms.PasswordInput):
                classes.append("govuk-password-input__input govuk-js-password-input-input")
                attrs.setdefault("spellcheck", "false")
                attrs.setdefault("autocapitalize", "none")
            attrs["class"] = " ".join(c for c in classes if c)
        return attrs

    @property
    def error_anchor_id(self) -> str:
        """The id the error summary links to: the first input of a group, the day of a date."""
        if isinstance(self.field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
            return f"{self.auto_id}_0"
        if isinstance(self.field.widget, GovukDateInput):
            return self.field.widget.id_for_label(self.auto_id)
        return self.auto_id


class GovukFormRenderer(TemplatesSetting):
    """Renders forms and fields through templates/govuk/forms/ with GOV.UK markup."""

    form_template_name = "govuk/forms/form.html"
    field_template_name = "govuk/forms/field.html"
    bound_field_class = GovukBoundField


class GovukDateInput(forms.MultiWidget):
    """The GOV.UK date input: three boxes for day, month and year."""

    template_name = "govuk/widgets/date_input.html"
    use_fieldset = True
    # The names of the parts, used for the suffixes of their names (their ids are numbered).
    part_names = ("day", "month", "year")

    def __init__(self, attrs=None):
        widgets = {
            "day": forms.TextInput(attrs={"inputmode": "numeric"}),
            "month": forms.TextInput(attrs={"inputmode": "numeric"}),
            "year": forms.TextInput(attrs={"inputmode": "numeric"}),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def id_for_label(self, id_):
        # The day box: Django's MultiWidget numbers its parts' ids (_0, _1, _2) whatever the parts are called.
        return f"{id_}_0" if id_ else id_

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        invalid = context["widget"]["attrs"].get("aria-invalid") == "true"
        for part, subwidget in zip(self.part_names, context["widget"]["subwidgets"], strict=True):
            width = 4 if part == "year" else 2
            classes = f"govuk-input govuk-date-input__input govuk-input--width-{width}"
            subwidget["attrs"]["class"] = classes + (" govuk-input--error" if invalid else "")
            subwidget["part_label"] = part.capitalize()
        return context


class GovukDateField(forms.MultiValueField):
    """A date typed as day, month and year, with the GOV.UK error messages for each way it can be wrong."""

    widget = GovukDateInput

    def __init__(self, *, label: str, past_only: bool = False, future_only: bool = False, **kwargs):
        self.past_only = past_only
        self.future_only = future_only
        self.field_label = label
        fields = (forms.CharField(required=False), forms.CharField(required=False), forms.CharField(required=False))
        super().__init__(fields, label=label, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        day, month, year = [*(data_list or []), None, None, None][:3]
        parts = {"day": (day or "").strip(), "month": (month or "").strip(), "year": (year or "").strip()}
        if not any(parts.values()):
            if self.required:
                raise forms.ValidationError(f"Enter {self.field_label.lower()}", code="required")
            return None
        missing = [name for name, value in parts.items() if not value]
        if missing:
            raise forms.ValidationError(f"{self.field_label} must include a {' and '.join(missing)}", code="incomplete")
        try:
            numbers = {name: int(value) for name, value in parts.items()}
            if not 1000 <= numbers["year"] <= 9999:
                raise ValueError("year must have four digits")
            value = datetime.date(numbers["year"], numbers["month"], numbers["day"])
        except (ValueError, OverflowError):
            raise forms.ValidationError(f"{self.field_label} must be a real date", code="invalid") from None
        today = timezone.localdate()
        if self.past_only and value > today:
            raise forms.ValidationError(f"{self.field_label} must be today or in the past", code="future")
        if self.future_only and value < today:
            raise forms.ValidationError(f"{self.field_label} must be today or in the future", code="past")
        return value

    def clean(self, value):
        # require_all_fields=False with required=True would demand each part; compress() words the errors instead.
        if isinstance(value, (list, tuple)):
            cleaned = self.compress(list(value))
            self.run_validators(cleaned)
            return cleaned
        return super().clean(value)
