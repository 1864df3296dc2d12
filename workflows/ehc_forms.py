"""Forms of the EHC needs assessment's pages: asking for advice, and the professional's advice."""

from django import forms
from django.conf import settings

from casework.evidence import ALLOWED_DESCRIPTION, EvidenceRejected, document_check

from .ehc import ADVICE_QUESTIONS, ADVICE_WHAT, AdviceRecipient
from .ehc_adviser import MAX_DOCUMENTS
from .ehc_models import AdviceKind

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
