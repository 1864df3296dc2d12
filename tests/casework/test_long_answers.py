"""Long answers: the GOV.UK character count on every limited textarea, nothing cut, limits refused in words;
and error messages that name the question without "(optional)" and the row in words."""

import re

import pytest
from django import forms

from casework.models import SectionDraft
from casework.sections import spec_for
from tests.casework.conftest import (
    KINDS,
    form_for,
    messages_of,
    rows,
    section_of,
    valid_answers,
    version_of,
)
from workflows.forms import CloseForm, MessageForm, ReasonForm, ReturnForm

EVERY_SECTION = [
    pytest.param(kind, section.key, id=f"{kind}-{section.key}") for kind in KINDS for section in spec_for(kind).sections
]


def textareas_of(html: str) -> list[str]:
    return re.findall(r"<textarea[^>]*>", html)


def character_count_groups(html: str) -> list[str]:
    return re.findall(r'<div class="govuk-form-group govuk-character-count[^"]*"[^>]*>', html)


def limited_textareas(form: forms.Form) -> list[forms.BoundField]:
    return [
        form[name]
        for name, field in form.fields.items()
        if isinstance(field.widget, forms.Textarea) and getattr(field, "max_length", None)
    ]


@pytest.mark.parametrize(("kind", "key"), EVERY_SECTION)
def test_every_long_answer_box_of_every_section_is_a_govuk_character_count(kind, key):
    """Each textarea with a limit is rendered as the GOV.UK character count: the module and its limit, the
    no-JavaScript hint saying the limit, the textarea described by it, and no maxlength attribute to cut text."""
    form_class = spec_for(kind).section(key).form_class
    form = form_class(data=form_class.as_form_data(valid_answers(kind)[key]), context={})
    bound_fields = limited_textareas(form) + [
        row[name]
        for formset in form.formsets.values()
        for row in formset.forms
        for name in row.fields
        if isinstance(row.fields[name].widget, forms.Textarea)
    ]
    for bound in bound_fields:
        html = str(bound.as_field_group())
        limit = bound.field.max_length
        assert f'data-module="govuk-character-count" data-maxlength="{limit}"' in html, bound.name
        assert f'<div id="{bound.auto_id}-info" class="govuk-hint govuk-character-count__message">' in html
        assert f"You can enter up to {limit:,} characters" in html
        (textarea,) = textareas_of(html)
        assert "govuk-js-character-count" in textarea
        assert f'aria-describedby="{bound.auto_id}-info' in textarea
        assert "maxlength" not in textarea


@pytest.mark.parametrize(
    "form",
    [
        pytest.param(lambda ehat: ReturnForm(assessment=ehat), id="return-comments"),
        pytest.param(lambda ehat: CloseForm(assessment=ehat, outcomes=["accepted"]), id="decision-note"),
        pytest.param(lambda ehat: ReasonForm(), id="reason"),
        pytest.param(lambda ehat: MessageForm(), id="message"),
    ],
)
def test_the_councils_textareas_are_character_counts_too(ehat, form):
    """Return comments, decision notes, reasons and messages share the field templates: each has the count and
    no maxlength attribute."""
    html = str(form(ehat))
    assert textareas_of(html), "the form has a textarea"
    assert len(character_count_groups(html)) == len(textareas_of(html))
    assert not [textarea for textarea in textareas_of(html) if "maxlength" in textarea]


@pytest.mark.parametrize(
    ("form", "field", "limit", "message"),
    [
        pytest.param(
            lambda ehat, data: ReturnForm(data, assessment=ehat),
            "section_reason",
            2000,
            "What needs to change in ‘Reason for the assessment’ must be 2,000 characters or fewer",
            id="return-comment",
        ),
        pytest.param(
            lambda ehat, data: ReturnForm(data, assessment=ehat),
            "message",
            2000,
            "Message to the professional must be 2,000 characters or fewer",
            id="return-message",
        ),
        pytest.param(
            lambda ehat, data: CloseForm(data, assessment=ehat, outcomes=["signposted"]),
            "note",
            5000,
            "Decision note must be 5,000 characters or fewer",
            id="decision-note",
        ),
        pytest.param(
            lambda ehat, data: ReasonForm(data), "reason", 2000, "Reason must be 2,000 characters or fewer", id="reason"
        ),
    ],
)
def test_the_councils_long_answers_over_the_limit_are_refused_saying_the_limit(ehat, form, field, limit, message):
    bound = form(ehat, {field: "x" * (limit + 1), "outcome": "signposted"})
    assert not bound.is_valid()
    assert message in bound.errors[field]


def test_too_long_answer_is_refused_saying_the_limit_and_kept_whole(author_client, ehat):
    """An answer of 25,000 characters in a 5,000 box: the page says the limit, the box shows all of it, and the
    section keeps all of it as typed (nothing is cut at any length)."""
    typed = "word " * 5000  # 25,000 characters
    response = author_client.post(
        f"/assessments/{ehat.pk}/sections/reason/",
        {"reason": typed, "level_of_need": "multiple", "version": version_of(ehat, "reason"), "action": "continue"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_reason">The reason for the assessment must be 5,000 characters or fewer</a>' in html
    assert typed.strip() in html
    assert section_of(ehat, "reason").data["reason"] == typed
    assert section_of(ehat, "reason").status == "in_progress"


def test_autosave_keeps_a_too_long_answer_whole(author_client, author, ehat):
    typed = "x" * 30_000
    response = author_client.post(
        f"/assessments/{ehat.pk}/sections/reason/autosave/", {"reason": typed, "version": "0"}
    )
    assert response.json()["saved"] is True
    assert SectionDraft.objects.get(assessment=ehat, key="reason", user=author).data["reason"] == typed


# ---------------------------------------------------------------- error messages in words


def test_a_row_error_names_the_question_and_the_row_in_words():
    """Not "Row 2: Date of birth (optional) must be a real date"."""
    answers = {
        **rows(
            "members",
            {
                "name": "Lucy Hart",
                "relationship": "Mother",
                "parental_responsibility": "yes",
                "lives_with_child": "yes",
            },
            {
                "name": "Sam Hart",
                "relationship": "Brother",
                "parental_responsibility": "no",
                "lives_with_child": "yes",
                "date_of_birth_day": "31",
                "date_of_birth_month": "2",
                "date_of_birth_year": "2015",
            },
        )
    }
    assert messages_of(form_for("ehat", "family", answers)) == [
        "Date of birth of household member 2 must be a real date"
    ]


def test_the_row_error_is_the_same_next_to_the_question_as_in_the_summary(author_client, ehat):
    data = rows("members", {"name": "Lucy Hart", "relationship": "Mother", "lives_with_child": "yes"})
    response = author_client.post(
        f"/assessments/{ehat.pk}/sections/family/", {**data, "version": "0", "action": "continue"}
    )
    html = response.content.decode()
    message = "Select yes if household member 1 has parental responsibility"
    assert f'<a href="#id_members-0-parental_responsibility_0">{message}</a>' in html
    assert f'<span class="govuk-visually-hidden">Error:</span> {message}</p>' in html
    assert "Row 1" not in html


def _every_answer_wrong(form_class: type[forms.Form], prefix: str = "") -> dict:
    """Answers that make every question of a form fail: too long, not a date, not a number, not a choice."""
    data = {}
    for name, field in form_class.base_fields.items():
        key = f"{prefix}{name}"
        if hasattr(field, "field_label"):  # a GOV.UK date
            data.update({f"{key}_day": "31", f"{key}_month": "2", f"{key}_year": "2015"})
        elif isinstance(field, forms.ChoiceField):
            data[key] = "not-a-choice"
        elif isinstance(field, forms.IntegerField):
            data[key] = "lots"
        elif isinstance(field, forms.CharField):
            data[key] = "x" * 6000
    return data


@pytest.mark.parametrize(("kind", "key"), EVERY_SECTION)
def test_no_error_of_any_section_says_optional_or_row_numbers_or_djangos_defaults(kind, key):
    """Every question answered wrongly, in the section and in two rows of each row set: each message names its
    question in words, never "(optional)", "Row 2:", a placeholder or Django's English defaults."""
    form_class = spec_for(kind).section(key).form_class
    data = _every_answer_wrong(form_class)
    for name, row_set in form_class.row_sets.items():
        data.update({f"{name}-TOTAL_FORMS": "2", f"{name}-INITIAL_FORMS": "0"})
        for index in range(2):
            data.update(_every_answer_wrong(row_set.form_class, prefix=f"{name}-{index}-"))
    messages = messages_of(form_for(kind, key, data)) + messages_of(form_for(kind, key, {}))
    assert messages
    for message in messages:
        assert "(optional)" not in message
        assert not re.match(r"Row \d", message)
        assert "{row}" not in message
        assert "Ensure this value" not in message
        assert "?" not in message.split(" must ")[0], f"a question in the subject of: {message}"
    for name, row_set in form_class.row_sets.items():
        row_messages = [message for message in messages if f"{row_set.row_label} 2" in message]
        assert row_messages, f"the errors of {name} 2 say which row they are about"
