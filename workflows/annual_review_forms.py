"""Forms of the annual review's pages: the review meeting, and the council's decision after it."""

from django import forms

from portal.forms import GovukDateField

from .annual_review_models import PARTICIPANTS_MAX_LENGTH, VIEWS_MAX_LENGTH, ReviewOutcome


def _long_text(label: str, missing: str, limit: int, help_text: str = "", rows: int = 5) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=limit,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": missing, "max_length": f"{label} must be {limit:,} characters or fewer"},
    )


class ReviewMeetingForm(forms.Form):
    """The review meeting, in short: when, who took part, the two views, progress, and the recommendation."""

    meeting_on = GovukDateField(label="Date of the review meeting", past_only=True, help_text="For example, 14 5 2027")
    participants = _long_text(
        "Who took part",
        "Enter who took part in the meeting",
        PARTICIPANTS_MAX_LENGTH,
        help_text="Names and roles, for example the parents, the SENCO and the educational psychologist",
        rows=3,
    )
    child_views = _long_text("The child's views", "Enter the child's views", VIEWS_MAX_LENGTH)
    parent_views = _long_text("The parents' views", "Enter the parents' views", VIEWS_MAX_LENGTH)
    progress = _long_text(
        "Progress towards the plan's outcomes",
        "Enter the progress towards the plan's outcomes",
        VIEWS_MAX_LENGTH,
    )
    recommendation = forms.ChoiceField(
        label="What the meeting recommends",
        choices=ReviewOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the meeting recommends"},
    )


class ReviewDecisionForm(forms.Form):
    """The council's decision after the review meeting."""

    decision = forms.ChoiceField(
        label="The council's decision",
        choices=ReviewOutcome.choices,
        widget=forms.RadioSelect,
        help_text="Keeping or amending the plan starts next year's review, due 12 months after this meeting",
        error_messages={"required": "Select the council's decision"},
    )


class ReviewHandOverForm(forms.Form):
    """A SEND team manager chooses another officer of the team to hold the annual review."""

    holder = forms.ModelChoiceField(
        label="Hand the annual review to",
        queryset=None,
        empty_label="Select an officer",
        error_messages={"required": "Select an officer", "invalid_choice": "Select an officer of the SEND team"},
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = members
        self.fields["holder"].label_from_instance = lambda user: user.full_name
