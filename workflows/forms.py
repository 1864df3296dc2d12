"""Forms and filters of the review pages."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from casework.models import Assessment, AssessmentKind, ConsentWithdrawalMethod, Outcome, Status
from casework.sections import spec_for
from portal.forms import GovukDateField

from .models import MANDATORY_KINDS, NotificationKind

SORTS = {
    "oldest": ("submitted_at", "pk"),
    "newest": ("-submitted_at", "-pk"),
    "due": ("decision_due", "submitted_at", "pk"),
    "child": ("child_name", "pk"),
}


class QueueFilter(django_filters.FilterSet):
    """The filters of the work trays, each on an indexed column or a simple date comparison."""

    q = django_filters.CharFilter(label="Child's name or reference", method="filter_search")
    kind = django_filters.ChoiceFilter(label="Assessment", choices=AssessmentKind.choices, empty_label="Any")
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[(Status.SUBMITTED, "Submitted"), (Status.UNDER_REVIEW, "Under review"), (Status.RETURNED, "Returned")],
        empty_label="Any",
    )
    overdue = django_filters.BooleanFilter(label="Overdue only", method="filter_overdue", widget=forms.CheckboxInput)
    due_within = django_filters.NumberFilter(
        label="Due within (days)", method="filter_due_within", min_value=0, max_value=365
    )
    # A name to search for, not a list: a county has hundreds of schools, surgeries and services.
    organisation = django_filters.CharFilter(
        label="Organisation",
        help_text="All or part of its name",
        field_name="organisation__name",
        lookup_expr="icontains",
        max_length=100,
    )
    sort = django_filters.ChoiceFilter(
        label="Sort by",
        choices=[
            ("oldest", "Oldest first"),
            ("newest", "Newest first"),
            ("due", "Due soonest"),
            ("child", "Child's name"),
        ],
        method="filter_sort",
        empty_label=None,
    )

    class Meta:
        model = Assessment
        fields = ["q", "kind", "status", "overdue", "due_within", "organisation", "sort"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(child_name__icontains=value) | Q(reference__iexact=value)) if value else queryset

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(decision_due__lt=timezone.localdate()) if value else queryset

    def filter_due_within(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        return queryset.filter(decision_due__lte=today + timezone.timedelta(days=int(value)))

    def filter_sort(self, queryset, name, value):
        return queryset

    @property
    def qs(self):
        ordering = (
            SORTS.get(self.form.cleaned_data.get("sort") or "oldest", SORTS["oldest"])
            if self.is_bound and self.form.is_valid()
            else SORTS["oldest"]
        )
        return super().qs.order_by(*ordering)


class AssignForm(forms.Form):
    officer = forms.ModelChoiceField(
        label="Assign to",
        queryset=None,
        empty_label="Select an officer",
        error_messages={"required": "Select an officer", "invalid_choice": "Select an officer of this team"},
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = members
        self.fields["officer"].label_from_instance = lambda user: user.full_name


class ReturnForm(forms.Form):
    """What needs to change, section by section."""

    message = forms.CharField(
        label="Message to the professional (optional)",
        required=False,
        max_length=2000,
        error_messages={"max_length": "Message to the professional must be 2,000 characters or fewer"},
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, assessment: Assessment, **kwargs):
        super().__init__(*args, **kwargs)
        for section in spec_for(assessment.kind).sections:
            self.fields[f"section_{section.key}"] = forms.CharField(
                label=f"{section.title}: what needs to change",
                required=False,
                max_length=2000,
                error_messages={
                    "max_length": f"What needs to change in ‘{section.title}’ must be 2,000 characters or fewer"
                },
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.order_fields([name for name in self.fields if name != "message"] + ["message"])

    @classmethod
    def as_posted(cls, data) -> "ReturnForm":
        """The form as drawn for the page that sent `data`: for the kind of assessment whose sections it holds."""
        posted = {name.removeprefix("section_") for name in data if name.startswith("section_")}
        for kind in AssessmentKind.values:
            if posted == {section.key for section in spec_for(kind).sections}:
                return cls(data, assessment=Assessment(kind=kind))
        return cls(data, assessment=Assessment(kind=AssessmentKind.EHAT))

    def clean(self):
        cleaned = super().clean()
        if not any((value or "").strip() for name, value in cleaned.items() if name.startswith("section_")):
            raise forms.ValidationError("Say what needs to change in at least one section")
        return cleaned

    def comments(self) -> dict[str, str]:
        return {
            name.removeprefix("section_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("section_") and value
        }


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Decision", widget=forms.RadioSelect, error_messages={"required": "Select the decision"}
    )
    note = forms.CharField(
        label="Decision note",
        help_text="The reasons for the decision and what happens next. The professional sees this.",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "Write a decision note",
            "max_length": "Decision note must be 5,000 characters or fewer",
        },
    )
    lead_professional = forms.CharField(label="Lead professional (if accepted)", required=False, max_length=150)
    review_date = GovukDateField(
        label="Team Around the Family review date (if accepted)", required=False, future_only=True
    )
    coordinator = forms.CharField(label="Assessment coordinator (if agreed to assess)", required=False, max_length=150)
    appeal_information = forms.BooleanField(
        label="The parents have been given the reasons in writing and told of their right to appeal (if refused)",
        required=False,
    )

    KIND_FIELDS = {
        "ehat": ("lead_professional", "review_date"),
        "ehcp": ("coordinator", "appeal_information"),
        "young_carers": (),
    }

    def __init__(self, *args, assessment: Assessment, outcomes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [(outcome, Outcome(outcome).label) for outcome in outcomes]
        for kind, names in self.KIND_FIELDS.items():
            if kind != assessment.kind:
                for name in names:
                    self.fields.pop(name, None)

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        if outcome == Outcome.ACCEPTED:
            if not cleaned.get("lead_professional"):
                self.add_error("lead_professional", "Enter the lead professional for the family")
            if not cleaned.get("review_date") and "review_date" not in self.errors:
                self.add_error("review_date", "Enter the date of the Team Around the Family review")
        if outcome == Outcome.AGREED_TO_ASSESS and not cleaned.get("coordinator"):
            self.add_error("coordinator", "Enter the assessment coordinator allocated")
        if outcome == Outcome.REFUSED_TO_ASSESS and not cleaned.get("appeal_information"):
            self.add_error(
                "appeal_information",
                "Confirm the parents have been given the reasons and told of their right to appeal",
            )
        return cleaned

    def details(self) -> dict:
        data = self.cleaned_data
        details = {
            "lead_professional": data.get("lead_professional") or "",
            "review_date": data["review_date"].strftime("%-d %B %Y") if data.get("review_date") else "",
            "coordinator": data.get("coordinator") or "",
            "appeal_information": bool(data.get("appeal_information")),
        }
        return {key: value for key, value in details.items() if value}


class PauseForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why is the clock stopping?", widget=forms.RadioSelect, error_messages={"required": "Select why"}
    )

    def __init__(self, *args, reasons: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [(reason.value, reason.label) for reason in reasons]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give a reason", "max_length": "Reason must be 2,000 characters or fewer"},
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label="Your message",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write your message", "max_length": "Message must be 5,000 characters or fewer"},
    )


class NotificationSettingsForm(forms.Form):
    """One tick box per notification a person may choose to have in the portal only."""

    def __init__(self, *args, current: dict[str, bool], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in NotificationKind:
            if kind in MANDATORY_KINDS:
                continue
            self.fields[kind.value] = forms.BooleanField(
                label=f"E-mail me when: {kind.label[0].lower()}{kind.label[1:]}",
                required=False,
                initial=current.get(kind.value, True),
            )


class PlanIssuedForm(forms.Form):
    issued_on = GovukDateField(label="Date the final EHC plan was issued", past_only=True)


class ConsentWithdrawalForm(forms.Form):
    withdrawn_by = forms.CharField(
        label="Who in the family withdrew their consent",
        help_text="Their name and how they are related to the child, for example Jane Hart, mother",
        max_length=200,
        error_messages={"required": "Enter who in the family withdrew their consent"},
    )
    withdrawn_on = GovukDateField(label="When they withdrew it", past_only=True)
    method = forms.ChoiceField(
        label="How they withdrew it",
        choices=ConsentWithdrawalMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the family withdrew their consent"},
    )


class ChildSearchForm(forms.Form):
    reference = forms.CharField(
        label="Case reference", required=False, max_length=20, help_text="For example, EHAT-2026-000123"
    )
    last_name = forms.CharField(label="Last name", required=False, max_length=100)
    first_name = forms.CharField(
        label="First name", required=False, max_length=100, help_text="Or the start of it, if you are not sure"
    )
    date_of_birth = GovukDateField(label="Date of birth", past_only=True, required=False)

    def clean(self):
        cleaned = super().clean()
        nothing_to_search = (
            not (cleaned.get("reference") or "").strip() and not (cleaned.get("last_name") or "").strip()
        )
        if nothing_to_search and "reference" not in self.errors and "last_name" not in self.errors:
            self.add_error("reference", "Enter a case reference or the child's last name")
        return cleaned


class SubjectAccessRequestForm(forms.Form):
    requester = forms.CharField(
        label="Who asked for the copy",
        help_text="Their name and how they are related to the child, for example Jane Hart, mother",
        max_length=200,
        error_messages={"required": "Enter who asked for the copy"},
    )
    received_on = GovukDateField(label="Date the request was received", past_only=True)
