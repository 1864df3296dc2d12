"""Forms of the drafting pages other than the sections: starting, evidence, sharing, searching."""

from django import forms
from django.conf import settings

from portal.forms import GovukDateField

from .models import KIND_IN_SENTENCE, AssessmentKind, AttachmentCategory, CollaboratorRole, DisclosureKind
from .sections.fields import YES_NO

KIND_HINTS = {
    AssessmentKind.EHAT: "For a child and family who would benefit from support from more than one service, with "
    "their consent.",
    AssessmentKind.EHCP: "To ask the council to assess a child's special educational needs for an Education, Health "
    "and Care Plan.",
    AssessmentKind.YOUNG_CARERS: "For a child or young person who looks after someone in their family.",
}


class DeclarationForm(forms.Form):
    """The declaration ticked on check your answers before an assessment is submitted."""

    declaration = forms.BooleanField(
        error_messages={"required": "Confirm the declaration to submit the assessment"},
    )

    def __init__(self, *args, kind: str, **kwargs):
        # "declaration", not Django's "id_declaration": the id the error summary and old links point at.
        super().__init__(*args, auto_id="%s", **kwargs)
        self.fields["declaration"].label = (
            f"To the best of my knowledge, the information in this {KIND_IN_SENTENCE[kind]} is correct, and I have "
            "shared it as the law and the family's consent allow."
        )


class KindForm(forms.Form):
    kind = forms.ChoiceField(
        label="What do you want to complete?",
        choices=AssessmentKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of assessment", "invalid_choice": "Select the kind of assessment"},
    )

    def options(self) -> list[tuple]:
        """Each radio with the hint that explains when to choose it."""
        return [(option, KIND_HINTS[option.data["value"]]) for option in self["kind"].subwidgets]


class SafeguardingCheckForm(forms.Form):
    """The screen before an EHAT or a Young Carers assessment, asked about "the child" or "the young person"."""

    significant_harm = forms.ChoiceField(
        label="Do you believe the child is at risk of significant harm?",
        help_text="For example, from physical, sexual or emotional abuse or neglect.",
        choices=YES_NO,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, kind: str = AssessmentKind.EHAT, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["significant_harm"]
        who = "the young person" if kind == AssessmentKind.YOUNG_CARERS else "the child"
        field.label = f"Do you believe {who} is at risk of significant harm?"
        message = f"Select yes if you believe {who} is at risk of significant harm"
        field.error_messages = {**field.error_messages, "required": message, "invalid_choice": message}
        field.legend_size = "l"
        field.inline = True


NEW_CHILD = "new"


class ChildChoiceForm(forms.Form):
    child = forms.ChoiceField(
        label="Who is the assessment about?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the child, or a child not listed"},
    )

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(child.pk), f"{child.full_name}, born {child.date_of_birth:%-d %B %Y}") for child in children]
        self.fields["child"].choices = [*choices, (NEW_CHILD, "A child not listed")]
        self.fields["child"].error_messages["invalid_choice"] = "Select the child, or a child not listed"
        self.fields["child"].legend_size = "l"


class NewChildForm(forms.Form):
    first_name = forms.CharField(
        label="First name",
        max_length=100,
        error_messages={
            "required": "Enter the child's first name",
            "max_length": "First name must be 100 characters or fewer",
        },
        widget=forms.TextInput(
            attrs={"class": "govuk-!-width-two-thirds", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=100,
        error_messages={
            "required": "Enter the child's last name",
            "max_length": "Last name must be 100 characters or fewer",
        },
        widget=forms.TextInput(
            attrs={"class": "govuk-!-width-two-thirds", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    date_of_birth = GovukDateField(label="Date of birth", help_text="For example, 27 3 2015", past_only=True)

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        if value and value.year < 1990:
            raise forms.ValidationError("Date of birth must be after 1 January 1990")
        return value


class DuplicateChildForm(forms.Form):
    use_existing = forms.ChoiceField(
        label="Is this the same child?",
        choices=[("yes", "Yes, use the details I entered before"), ("no", "No, this is a different child")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether this is the same child"},
    )


class AttachmentForm(forms.Form):
    document = forms.FileField(
        label="Upload a document",
        help_text=f"A PDF, Word document, OpenDocument text, PNG or JPG, smaller than "
        f"{settings.PORTAL_ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB",
        error_messages={"required": "Select a document to upload", "empty": "The selected file is empty"},
    )
    category = forms.ChoiceField(
        label="What is it?",
        choices=AttachmentCategory.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the document is"},
    )
    description = forms.CharField(
        label="Description (optional)",
        help_text="For example, the author and date of a report",
        required=False,
        max_length=200,
        error_messages={"max_length": "Description must be 200 characters or fewer"},
        widget=forms.TextInput(attrs={"class": "govuk-!-width-two-thirds"}),
    )


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Colleague's work e-mail address",
        help_text="They must have an account on the portal and work for your organisation",
        max_length=254,
        error_messages={
            "required": "Enter your colleague's e-mail address",
            "invalid": "Enter an e-mail address in the correct format, like name@example.com",
        },
        widget=forms.EmailInput(attrs={"class": "govuk-!-width-two-thirds", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(
        label="What can they do?",
        choices=CollaboratorRole.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what they can do"},
    )


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search by child's name or reference",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "class": "govuk-!-width-one-half"}),
    )


class DisclosureSearchForm(forms.Form):
    """The disclosure log's search, as a GET form: about a child, or to a person, between two dates."""

    child = forms.CharField(
        label="Child's name or case reference",
        help_text="For example, Mia Hart or EHAT-2026-000123",
        required=False,
        max_length=200,
    )
    date_of_birth = GovukDateField(
        label="Child's date of birth", required=False, past_only=True, help_text="For example, 3 4 2016"
    )
    person = forms.CharField(
        label="Name or e-mail address of the person who saw it",
        help_text="A whole e-mail address, or all or part of their name",
        required=False,
        max_length=254,
    )
    seen_from = GovukDateField(label="Seen from", required=False, past_only=True, help_text="For example, 1 4 2026")
    seen_to = GovukDateField(label="Seen up to", required=False, past_only=True, help_text="For example, 30 6 2026")
    kind = forms.ChoiceField(label="What was seen", required=False, choices=[("", "Anything"), *DisclosureKind.choices])

    def clean(self):
        cleaned = super().clean()
        seen_from, seen_to = cleaned.get("seen_from"), cleaned.get("seen_to")
        if seen_from and seen_to and seen_to < seen_from:
            self.add_error("seen_to", "The end date must be the same as or after the start date")
        return cleaned

    def search(self) -> dict:
        """The search asked for, as the selector's arguments; nothing narrowed before the form is valid."""
        if not self.is_bound or not self.is_valid():
            return {}
        return dict(self.cleaned_data)
