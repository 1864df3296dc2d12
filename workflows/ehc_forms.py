"""Forms of the EHC needs assessment's pages: advice, the decision whether to issue, the plan, comments, the clock."""

from django import forms
from django.conf import settings

from casework.evidence import ALLOWED_DESCRIPTION, EvidenceRejected, document_check

from .ehc import ADVICE_QUESTIONS, ADVICE_WHAT, CODE_OF_PRACTICE_EXCEPTIONS, PLAN_SECTIONS, AdviceRecipient
from .ehc_adviser import MAX_DOCUMENTS
from .ehc_models import AdviceKind, IssueDecision
from .models import PauseReason

ANSWER_MAX_LENGTH = 5000
ADVICE_MISSING = {
    "needs": "Enter the child's needs as you see them",
    "outcomes": "Enter the outcomes the support should aim for",
    "provision": "Enter the provision or support you advise",
}


class AdviceRequestForm(forms.Form):
    """For each kind of advice: who is asked (name and work e-mail), or why it is not needed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in AdviceKind:
            what = ADVICE_WHAT[kind]
            self.fields[f"{kind.value}_name"] = forms.CharField(
                label="Name of the professional", required=False, max_length=150
            )
            self.fields[f"{kind.value}_email"] = forms.EmailField(
                label="Work e-mail address",
                required=False,
                help_text="If they have no account, they are invited to register with this address",
                error_messages={
                    "invalid": f"Enter the e-mail address for {what} in the right format, like name@example.org"
                },
            )
            self.fields[f"{kind.value}_not_needed"] = forms.CharField(
                label="Or: why this advice is not needed",
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="Only when suitable advice already exists and everyone agrees it is enough",
            )

    def groups(self) -> list[tuple[str, list]]:
        """The fields of each kind of advice, for one fieldset each."""
        return [
            (kind.label, [self[f"{kind.value}_{part}"] for part in ("name", "email", "not_needed")])
            for kind in AdviceKind
        ]

    def clean(self):
        cleaned = super().clean()
        for kind in AdviceKind:
            what = ADVICE_WHAT[kind]
            name = (cleaned.get(f"{kind.value}_name") or "").strip()
            email = cleaned.get(f"{kind.value}_email") or ""
            reason = (cleaned.get(f"{kind.value}_not_needed") or "").strip()
            if f"{kind.value}_email" in self.errors:
                continue
            if reason and (name or email):
                self.add_error(
                    f"{kind.value}_not_needed", f"Either ask someone for {what} or say why it is not needed, not both"
                )
            elif not reason and not name and not email:
                self.add_error(f"{kind.value}_name", f"Enter who is asked for {what}, or say why it is not needed")
            elif not reason and not name:
                self.add_error(f"{kind.value}_name", f"Enter the name of who is asked for {what}")
            elif not reason and not email:
                self.add_error(f"{kind.value}_email", f"Enter the e-mail address of who is asked for {what}")
        return cleaned

    def recipients(self) -> dict[str, AdviceRecipient]:
        data = self.cleaned_data
        return {
            kind: AdviceRecipient(name=data[f"{kind}_name"].strip(), email=data[f"{kind}_email"])
            for kind in AdviceKind.values
            if data.get(f"{kind}_name")
        }

    def not_sought(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            kind: data[f"{kind}_not_needed"].strip() for kind in AdviceKind.values if data.get(f"{kind}_not_needed")
        }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    """Any number of files from one file input (none is fine), each checked by its content as evidence is."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = [file for file in (data if isinstance(data, list | tuple) else [data]) if file]
        if len(files) > MAX_DOCUMENTS:
            raise forms.ValidationError(f"Select up to {MAX_DOCUMENTS} documents")
        checked, problems = [], []
        for file in files:
            try:
                checked.append(document_check(name=file.name, content=file.read()))
            except EvidenceRejected as rejection:
                problems.append(f"{file.name}: {rejection}")
        if problems:
            raise forms.ValidationError(problems)
        return checked


class AdviceForm(forms.Form):
    """The professional's advice: three questions, each answered in their own words, and any reports."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, question in ADVICE_QUESTIONS.items():
            self.fields[key] = forms.CharField(
                label=question,
                max_length=ANSWER_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 6}),
                error_messages={
                    "required": ADVICE_MISSING[key],
                    "max_length": f"The answer must be {ANSWER_MAX_LENGTH:,} characters or fewer",
                },
            )
        self.fields["documents"] = DocumentsField(
            label="Attach reports or other documents (optional)",
            required=False,
            help_text=f"Up to {MAX_DOCUMENTS} files, each {ALLOWED_DESCRIPTION} smaller than "
            f"{settings.PORTAL_ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB. If there is a problem with the form, "
            "choose the files again: they are not kept",
        )

    def answer(self) -> dict[str, str]:
        return {key: self.cleaned_data[key] for key in ADVICE_QUESTIONS}

    def documents(self):
        return self.cleaned_data["documents"]


SECTION_MAX_LENGTH = 10000
REASON_MAX_LENGTH = 5000


def _long_text(label: str, max_length: int, *, required: bool = True, rows: int = 5, help_text: str = "", **messages):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": f"{label} must be {max_length:,} characters or fewer", **messages},
    )


class IssueDecisionForm(forms.Form):
    """Whether to issue an EHC plan; not issuing needs the reasons and the parents told of their right to appeal."""

    decision = forms.ChoiceField(
        label="Will the council issue an EHC plan?",
        choices=IssueDecision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether to issue an EHC plan"},
    )
    reasons = _long_text(
        "Reasons for not issuing a plan",
        REASON_MAX_LENGTH,
        required=False,
        help_text="Only when not issuing. The parents are given these reasons in writing",
    )
    appeal_rights_given = forms.BooleanField(
        label="The parents have been told of their right to appeal and of mediation (Code of Practice 9.61)",
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == IssueDecision.NOT_ISSUE:
            if not (cleaned.get("reasons") or "").strip() and "reasons" not in self.errors:
                self.add_error("reasons", "Enter the reasons for not issuing a plan")
            if not cleaned.get("appeal_rights_given"):
                self.add_error("appeal_rights_given", "Confirm the parents have been told of their right to appeal")
        return cleaned


class PlanForm(forms.Form):
    """The plan's sections A to K, with the version of the saved plan the page was shown."""

    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    required_sections: tuple[str, ...] = ()
    omitted_sections: tuple[str, ...] = ()

    def __init__(self, *args, section_hints: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for key, title in PLAN_SECTIONS.items():
            if key in self.omitted_sections:
                continue
            label = f"Section {key}: {title}"
            self.fields[f"section_{key}"] = _long_text(
                label,
                SECTION_MAX_LENGTH,
                required=key in self.required_sections,
                rows=6,
                help_text=(section_hints or {}).get(key, ""),
            )
            self.fields[f"section_{key}"].error_messages["required"] = f"Write section {key} of the plan"

    def sections(self) -> dict[str, str]:
        return {
            key: (self.cleaned_data.get(f"section_{key}") or "").strip()
            for key in PLAN_SECTIONS
            if f"section_{key}" in self.fields
        }


class DraftPlanForm(PlanForm):
    """The draft plan: section I names no school until the final plan (Code of Practice 9.78)."""

    omitted_sections = ("I",)


class FinalPlanForm(PlanForm):
    required_sections = ("A", "B", "E", "F", "I", "K")


class DraftCommentForm(forms.Form):
    """Comments on the draft plan that reached the coordinator from the family (or the setting, another way)."""

    from_whom = forms.CharField(
        label="Who are the comments from?",
        max_length=150,
        help_text="For example, Mia's mother",
        error_messages={"required": "Enter who the comments are from"},
    )
    comments = _long_text("Comments", 10000)
    preferred_school = forms.CharField(
        label="Preferred school or setting (optional)",
        required=False,
        max_length=200,
        help_text="The school the parents ask to be named in section I",
    )
    no_further_comments = forms.BooleanField(
        label="The parents say they have no further comments",
        required=False,
        help_text="Then the plan can be finalised before the 15 days are over",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comments"].error_messages["required"] = "Enter the comments"


class SettingCommentForm(forms.Form):
    """The setting's own comments on the draft plan, sent through the portal."""

    comments = _long_text("Your comments on the draft plan", 10000)
    preferred_school = forms.CharField(
        label="A school or setting you suggest naming in section I (optional)", required=False, max_length=200
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comments"].error_messages["required"] = "Write your comments on the draft plan"


class NeedsAssessmentPauseForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why is the clock stopping?",
        widget=forms.RadioSelect,
        choices=[(reason.value, PauseReason(reason).label) for reason in CODE_OF_PRACTICE_EXCEPTIONS],
        error_messages={"required": "Select why the clock is stopping"},
    )


class GoOnWithoutForm(forms.Form):
    reason = _long_text("Why does the assessment go on without this advice?", 2000, rows=4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "Enter why the assessment goes on without this advice"


class CoordinatorForm(forms.Form):
    coordinator = forms.ModelChoiceField(
        label="New assessment coordinator",
        queryset=None,
        empty_label="Select an officer",
        error_messages={"required": "Select an officer", "invalid_choice": "Select an officer of this team"},
    )

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = officers
        self.fields["coordinator"].label_from_instance = lambda user: user.full_name
