"""Questions several assessments ask in the same words: the child, people, professionals involved."""

from django import forms

from . import fields as f
from .base import RowSet, SectionForm


class ChildDetailsForm(SectionForm):
    """The key child (EHAT section 3; the child in the EHCP and Young Carers forms)."""

    first_name = f.text("First name", error="Enter the child's first name", max_length=100)
    last_name = f.text("Last name", error="Enter the child's last name", max_length=100)
    date_of_birth = f.date("Date of birth", hint="For example, 27 3 2015", past_only=True)
    gender = f.radios("Gender", f.GENDERS, error="Select the child's gender, or Not known")
    ethnicity = f.select("Ethnicity", f.ETHNICITIES, error="Select the child's ethnicity, or Not known")
    address = forms.CharField(
        label="Address",
        help_text="Where the child lives, without the postcode",
        max_length=500,
        error_messages={
            "required": "Enter the child's address",
            "max_length": "Address must be 500 characters or fewer",
        },
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    postcode = f.PostcodeField()
    first_language = f.text(
        "First language", error="Enter the child's first language", max_length=60, width="govuk-!-width-one-half"
    )
    nhs_number = f.NHSNumberField()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date_of_birth") and cleaned["date_of_birth"].year < 1990:
            self.add_error("date_of_birth", "Date of birth must be after 1 January 1990")
        return cleaned


# Row questions: "{row}" in a message becomes the row in words, like "household member 2" (see base.row_message).
class FamilyMemberForm(forms.Form):
    name = f.text("Full name", error="Enter the full name of {row}", max_length=150)
    relationship = f.text(
        "Relationship to the child",
        error="Enter the relationship to the child of {row}",
        max_length=60,
        width="govuk-!-width-one-half",
        name="The relationship to the child of {row}",
    )
    date_of_birth = f.date("Date of birth (optional)", required=False, past_only=True)
    parental_responsibility = f.yes_no(
        "Do they have parental responsibility?", error="Select yes if {row} has parental responsibility"
    )
    lives_with_child = f.yes_no("Do they live with the child?", error="Select yes if {row} lives with the child")


class ProfessionalForm(forms.Form):
    name = f.text("Name", error="Enter the name of {row}", max_length=150)
    role = f.text(
        "Role", error="Enter the role of {row}, like school nurse", max_length=100, width="govuk-!-width-one-half"
    )
    agency = f.text("Agency or organisation", error="Enter the agency or organisation of {row}", max_length=150)
    contact = f.text(
        "Phone or e-mail (optional)", error="", required=False, max_length=150, width="govuk-!-width-one-half"
    )


class FamilyForm(SectionForm):
    row_sets = {
        "members": RowSet(
            FamilyMemberForm,
            legend="Family and household members",
            row_label="household member",
            add_label="Add another person",
            min_rows=1,
            min_rows_message="Add at least one person with parental responsibility",
            hint="Start with the people who have parental responsibility, then everyone else in the household.",
        )
    }

    def clean(self):
        cleaned = super().clean()
        if self.strict and self.formsets["members"].is_valid():
            rows = self.rows_cleaned("members")
            if rows and not any(row.get("parental_responsibility") == "yes" for row in rows):
                self.add_error(None, "Add at least one person with parental responsibility")
        return cleaned


class ProfessionalsForm(SectionForm):
    none_involved = forms.BooleanField(label="No other professionals or agencies are involved", required=False)
    row_sets = {
        "professionals": RowSet(
            ProfessionalForm,
            legend="Professionals and agencies already involved",
            row_label="professional",
            add_label="Add another professional",
        )
    }

    def clean(self):
        cleaned = super().clean()
        if self.strict and not cleaned.get("none_involved") and self.filled_row_count("professionals") == 0:
            self.add_error(None, "Add the professionals involved, or tick that no other professionals are involved")
        return cleaned
