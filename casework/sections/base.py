"""The machinery every assessment section shares: forms with repeating rows, answers as typed,
strict and lenient checking, and the answers as a check-your-answers page shows them.

A section's answers are stored as the form data the browser sent (only the section's own keys), so
half-finished work comes back exactly as typed. `SectionForm(data, strict=True)` checks them fully;
`strict=False` is used only to read them back for display.
"""

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.utils.datastructures import MultiValueDict
from django.utils.formats import date_format

from portal.forms import GovukDateField

# How many rows a section may hold, so a page cannot store unbounded data. Values are never cut: each question
# refuses an answer over its own limit with a message, the answer is kept as typed, and the request size limit
# (DATA_UPLOAD_MAX_MEMORY_SIZE) bounds what one page can send.
MAX_ROWS = 50


@dataclass(frozen=True)
class RowSet:
    """Repeating rows in a section (family members, actions, review cycles)."""

    form_class: type[forms.Form]
    legend: str
    row_label: str
    add_label: str
    min_rows: int = 0
    min_rows_message: str = ""
    hint: str = ""


@dataclass(frozen=True)
class Answer:
    """One line of a check-your-answers summary."""

    label: str
    value: str | list[str]

    @property
    def lines(self) -> list[str]:
        return [self.value] if isinstance(self.value, str) else list(self.value)


@dataclass(frozen=True)
class RowAnswers:
    """The answers of one repeating row, under its heading."""

    heading: str
    answers: list[Answer]


@dataclass(frozen=True)
class RowSetAnswers:
    legend: str
    rows: list[RowAnswers] = field(default_factory=list)


def row_message(message: str, form_field: forms.Field, row_name: str) -> str:
    """An error of a row's question that says which row in words: "Date of birth of household member 2 …"."""
    if "{row}" in message:
        return message.replace("{row}", row_name)
    subject = str(getattr(form_field, "field_label", "") or form_field.label or "").removesuffix(" (optional)")
    if subject and message.startswith(subject):
        return f"{subject} of {row_name}{message[len(subject) :]}"
    return f"{row_name[0].upper()}{row_name[1:]}: {message[0].lower()}{message[1:]}"


class RowErrorsInWords:
    """A repeating row whose errors name the row, so the error summary can be read without the page."""

    row_label = ""
    # Checked as the section is (its section form sets this for each row): conditional checks apply only when strict.
    strict = True

    @property
    def row_name(self) -> str:
        index = self.prefix.rsplit("-", 1)[-1] if self.prefix else "0"
        return f"{self.row_label} {int(index) + 1 if index.isdigit() else index}"

    def full_clean(self):
        super().full_clean()
        for name, errors in self._errors.items():
            if name in self.fields:
                errors.data = [row_message(str(message), self.fields[name], self.row_name) for message in errors]


@functools.cache
def row_form_class(form_class: type[forms.Form], row_label: str) -> type[forms.Form]:
    return type(form_class.__name__, (RowErrorsInWords, form_class), {"row_label": row_label})


class SectionForm(forms.Form):
    """A section's questions. Subclasses declare fields and, optionally, `row_sets`."""

    row_sets: dict[str, RowSet] = {}
    # Fields shown before the rows (the rest after them); by default all fields come first.
    fields_after_rows: tuple[str, ...] = ()

    def __init__(self, data=None, *, strict: bool = True, initial=None, context=None):
        super().__init__(data=data, initial=initial)
        self.strict = strict
        self.context = context or {}
        if not strict:
            for form_field in self.fields.values():
                form_field.required = False
        self.formsets = {name: self._formset(name, row_set, data) for name, row_set in self.row_sets.items()}

    def _formset(self, name: str, row_set: RowSet, data):
        formset_class = forms.formset_factory(
            row_form_class(row_set.form_class, row_set.row_label),
            extra=0 if data is not None else max(1, row_set.min_rows),
            max_num=MAX_ROWS,
        )
        formset = formset_class(data=data, prefix=name)
        for row in formset.forms:
            row.strict = self.strict
            if not self.strict:
                for form_field in row.fields.values():
                    form_field.required = False
        return formset

    # ------------------------------------------------------------------ checking

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name, formset in self.formsets.items():
            row_set = self.row_sets[name]
            if not formset.is_valid():
                valid = False
            elif self.strict and self.filled_row_count(name) < row_set.min_rows:
                self.add_error(None, row_set.min_rows_message or f"Add at least {row_set.min_rows} {row_set.row_label}")
                valid = False
        return valid

    def filled_row_count(self, name: str) -> int:
        return sum(1 for row in self.formsets[name].forms if row.has_changed())

    def all_errors(self) -> list[tuple[str, str]]:
        """Every error as (anchor id, message), the section's own first, then its rows', for the error summary."""
        found = [("", str(message)) for message in self.non_field_errors()]
        for name in self.fields:
            bound = self[name]
            found += [(bound.error_anchor_id, str(message)) for message in bound.errors]
        for formset in self.formsets.values():
            found += [("", str(message)) for message in formset.non_form_errors()]
            for row in formset.forms:
                for name in row.fields:
                    bound = row[name]
                    found += [(bound.error_anchor_id, str(message)) for message in bound.errors]
        return found

    def rows_cleaned(self, name: str) -> list[dict]:
        return [row.cleaned_data for row in self.formsets[name].forms if row.has_changed() and row.is_valid()]

    def without_errors(self) -> "SectionForm":
        """Show the answers as they were typed, without checking them (a page opened, not submitted)."""
        self._errors = forms.utils.ErrorDict()
        for formset in self.formsets.values():
            formset._errors = []
            formset._non_form_errors = formset.error_class()
            for row in formset.forms:
                row._errors = forms.utils.ErrorDict()
        return self

    def fields_before_rows(self) -> list:
        return [self[name] for name in self.fields if name not in self.fields_after_rows]

    def fields_after_rows_bound(self) -> list:
        return [self[name] for name in self.fields if name in self.fields_after_rows]

    def row_groups(self) -> list[tuple[str, RowSet, object]]:
        return [(name, row_set, self.formsets[name]) for name, row_set in self.row_sets.items()]

    # ------------------------------------------------------------------ stored data

    @classmethod
    def owned_keys(cls, data) -> dict:
        """The section's own keys from a POST (or a stored dict): its fields, date parts and rows."""
        field_names = set(cls.base_fields)
        row_prefixes = tuple(f"{name}-" for name in cls.row_sets)
        kept = {}
        items = (
            data.lists()
            if hasattr(data, "lists")
            else ((k, v if isinstance(v, list) else [v]) for k, v in data.items())
        )
        for key, values in items:
            base = key.rsplit("_", 1)[0] if key.endswith(("_day", "_month", "_year")) else key
            if key in field_names or base in field_names or key.startswith(row_prefixes):
                values = [str(value) for value in values]
                kept[key] = values if len(values) != 1 else values[0]
        return kept

    @classmethod
    def with_row_added(cls, stored: dict, name: str) -> dict:
        """The answers with one more, empty, row in a row set ("Add another person")."""
        data = dict(stored)
        total = _count(data.get(f"{name}-TOTAL_FORMS"))
        data[f"{name}-TOTAL_FORMS"] = str(min(total + 1, MAX_ROWS))
        data.setdefault(f"{name}-INITIAL_FORMS", "0")
        return data

    @classmethod
    def with_row_removed(cls, stored: dict, name: str, index: int) -> dict:
        """The answers without row `index` of a row set; later rows move up one place."""
        total = _count(stored.get(f"{name}-TOTAL_FORMS"))
        if not 0 <= index < total:
            return dict(stored)
        data = {key: value for key, value in stored.items() if not key.startswith(f"{name}-{index}-")}
        for later in range(index + 1, total):
            old_prefix, new_prefix = f"{name}-{later}-", f"{name}-{later - 1}-"
            for key in [key for key in data if key.startswith(old_prefix)]:
                data[new_prefix + key[len(old_prefix) :]] = data.pop(key)
        data[f"{name}-TOTAL_FORMS"] = str(total - 1)
        return data

    @staticmethod
    def as_form_data(stored: dict) -> MultiValueDict:
        return MultiValueDict({key: value if isinstance(value, list) else [value] for key, value in stored.items()})

    @classmethod
    def has_any_answer(cls, stored: dict) -> bool:
        return any(
            (value if isinstance(value, str) else "".join(value)).strip()
            for key, value in stored.items()
            if not key.endswith(("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"))
        )

    # ------------------------------------------------------------------ showing the answers

    def answers(self) -> list[Answer]:
        """The section's own questions and answers, read leniently from what was stored."""
        cleaned = getattr(self, "cleaned_data", {})
        return [
            Answer(str(bound.label), display_value(bound.field, cleaned.get(name)))
            for name, bound in ((name, self[name]) for name in self.fields)
        ]

    def row_answers(self) -> list[RowSetAnswers]:
        result = []
        for name, row_set in self.row_sets.items():
            rows = []
            for number, row in enumerate(self.formsets[name].forms, start=1):
                if not row.has_changed():
                    continue
                row_cleaned = getattr(row, "cleaned_data", {})
                answers = [
                    Answer(str(row[n].label), display_value(row.fields[n], row_cleaned.get(n))) for n in row.fields
                ]
                rows.append(RowAnswers(f"{row_set.row_label.capitalize()} {number}", answers))
            result.append(RowSetAnswers(row_set.legend, rows))
        return result


def _count(value) -> int:
    try:
        return max(0, min(int(value), MAX_ROWS))
    except (TypeError, ValueError):
        return 0


def display_value(form_field: forms.Field, value) -> str | list[str]:
    """An answer as a person reads it: choice labels, dates in words, Yes or No."""
    if value in (None, "", [], ()):
        return "Not answered"
    if isinstance(form_field, forms.BooleanField):
        return "Yes" if value else "No"
    if isinstance(form_field, GovukDateField) or isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    if isinstance(form_field, forms.MultipleChoiceField):
        labels = dict(form_field.choices)
        return [str(labels.get(item, item)) for item in value]
    if isinstance(form_field, forms.ChoiceField):
        return str(dict(form_field.choices).get(value, value))
    return str(value)


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    form_class: type[SectionForm]
    hint: str = ""
    required: bool = True
    # When a required section is not needed after all, given the completed answers of `checks_read` (a
    # support plan when the assessment found no eligible needs).
    not_needed_when: Callable[[dict[str, dict]], bool] | None = None


@dataclass(frozen=True)
class Gap:
    """Something that stops an assessment being submitted, and where to put it right."""

    message: str
    section: str  # a section key, or "evidence" for the attachments page


def no_extra_checks(answers: dict[str, dict], attachment_categories: set[str]) -> list[Gap]:
    return []


@dataclass(frozen=True)
class AssessmentSpec:
    """An assessment type: its sections in order, and the checks that make it complete."""

    kind: str
    title: str
    short_title: str
    sections: tuple[SectionSpec, ...]
    # The section whose answers name the child (kept on the assessment for lists and search).
    child_section: str
    # Checks across sections and evidence, given the cleaned answers of the completed sections they read
    # (`checks_read`, so that submitting re-checks those and not every section) and, when they look at the
    # evidence (`checks_evidence`), the categories of the files attached.
    extra_checks: Callable[[dict[str, dict], set[str]], list[Gap]] = no_extra_checks
    checks_read: tuple[str, ...] = ()
    checks_evidence: bool = False
    # The first section is a safeguarding screen, answered "no" before the assessment starts (a "yes" stops).
    safeguarding_screen: bool = False

    def sections_needed(self, answers: dict[str, dict]) -> list[SectionSpec]:
        """The sections that must be completed before submitting, given the answers `checks_read` names."""
        return [
            spec
            for spec in self.sections
            if spec.required and not (spec.not_needed_when is not None and spec.not_needed_when(answers))
        ]

    def section(self, key: str) -> SectionSpec:
        for spec in self.sections:
            if spec.key == key:
                return spec
        raise KeyError(key)

    def next_section(self, key: str) -> SectionSpec | None:
        keys = [spec.key for spec in self.sections]
        position = keys.index(key)
        return self.sections[position + 1] if position + 1 < len(self.sections) else None
