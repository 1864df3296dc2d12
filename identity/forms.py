"""Account forms: what each field accepts, and GOV.UK error messages saying how to put it right."""

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from phonenumber_field.formfields import PhoneNumberField

from .models import User
from .permissions import CASE_OBJECT_RIGHTS, can_manage_team_memberships
from .selectors import EmailDomainStatus, email_domain_status, organisations_for_registration, roles_changeable_by
from .services import (
    CodeRefusal,
    SignInBlock,
    SignInCodeRefused,
    permission_codename,
    sign_in_block_for,
    sign_in_code_verify,
)

OWN_QUESTION = "own"
SECURITY_QUESTIONS = [
    "What was the name of your first school?",
    "What is the name of the town where your mother or father was born?",
    "What was the make of your first car?",
    "What was your childhood nickname?",
    "What is the name of a street you lived on as a child?",
]
EMAIL_FORMAT_ERROR = "Enter an e-mail address in the correct format, like name@example.com"


def _email_field(label: str = "E-mail address", help_text: str = "") -> forms.EmailField:
    return forms.EmailField(
        label=label,
        help_text=help_text,
        max_length=254,
        error_messages={"required": "Enter your e-mail address", "invalid": EMAIL_FORMAT_ERROR},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


def _new_password_field(label: str = "Create a password") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text="Use 12 characters or more. A few unrelated words make a password that is long and easy to remember.",
        strip=False,
        max_length=settings.PORTAL_PASSWORD_MAX_LENGTH,
        error_messages={
            "required": "Enter a password",
            "max_length": "Password must be %(limit_value)d characters or fewer",
        },
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


def _check_new_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ValidationError([_govuk_password_message(message) for message in error.messages]) from None


def _govuk_password_message(message: str) -> str:
    if "too short" in message:
        return "Password must be 12 characters or more"
    if "too common" in message:
        return "Password is too easy to guess: choose a less common one, such as a few unrelated words"
    if "too similar" in message:
        return "Password must not be like your name, job title or e-mail address"
    return message


class SecurityQuestionFieldsMixin(forms.Form):
    """A question from the list or one of your own, and its answer."""

    security_question = forms.ChoiceField(
        label="Security question",
        help_text="You will be asked this if you reset your password. Choose one only you know the answer to.",
        choices=[*((question, question) for question in SECURITY_QUESTIONS), (OWN_QUESTION, "Write my own question")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select a security question", "invalid_choice": "Select a security question"},
    )
    own_question = forms.CharField(
        label="Your own question (if you chose to write one)",
        required=False,
        max_length=200,
        error_messages={"max_length": "Question must be 200 characters or fewer"},
    )
    security_answer = forms.CharField(
        label="Answer to your security question",
        help_text="Capital letters and extra spaces do not matter.",
        max_length=100,
        error_messages={
            "required": "Enter the answer to your security question",
            "max_length": "Answer must be 100 characters or fewer",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("security_question") == OWN_QUESTION:
            own = (cleaned.get("own_question") or "").strip()
            if not own:
                self.add_error("own_question", "Write your security question")
            elif len(own) < 10:
                self.add_error("own_question", "Security question must be 10 characters or more")
            else:
                cleaned["question_text"] = own
        elif cleaned.get("security_question"):
            cleaned["question_text"] = cleaned["security_question"]
        answer = " ".join((cleaned.get("security_answer") or "").split())
        if cleaned.get("security_answer") and len(answer) < 3:
            self.add_error("security_answer", "Answer must be 3 characters or more")
        return cleaned


class RegistrationForm(SecurityQuestionFieldsMixin):
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        error_messages={"required": "Enter your full name", "max_length": "Full name must be 150 characters or fewer"},
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    email = _email_field(
        "Work e-mail address",
        "Use the address you have at your school, practice, trust or organisation. Accounts are for one person only.",
    )
    confirm_personal_email = forms.BooleanField(
        label="I understand that an account with this e-mail address must be approved by the portal team "
        "before I can use it",
        required=False,
    )
    organisation = forms.ModelChoiceField(
        label="Organisation",
        help_text="If your organisation is not listed, contact the portal team before registering.",
        queryset=organisations_for_registration(),
        empty_label="Select your organisation",
        error_messages={"required": "Select your organisation", "invalid_choice": "Select your organisation"},
    )
    job_title = forms.CharField(
        label="Job title",
        max_length=150,
        error_messages={"required": "Enter your job title", "max_length": "Job title must be 150 characters or fewer"},
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    phone = PhoneNumberField(
        label="Work phone number (optional)",
        required=False,
        region="GB",
        error_messages={"invalid": "Enter a phone number, like 01752 668000 or 07700 900 982"},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    password = _new_password_field()
    confirm_own_use = forms.BooleanField(
        label="This account is for my own professional use and I will not share it or its password with anyone",
        error_messages={"required": "Confirm that the account is for your own use and will not be shared"},
    )

    field_order = [
        "full_name",
        "email",
        "confirm_personal_email",
        "organisation",
        "job_title",
        "phone",
        "password",
        "security_question",
        "own_question",
        "security_answer",
        "confirm_own_use",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.email_status = None
        for name in ("full_name", "job_title"):
            self.fields[name].widget.attrs.setdefault("class", "govuk-!-width-two-thirds")
        # The warning and its tick box appear once an address outside the work domains has been entered.
        email = self.data.get("email", "") if self.is_bound else ""
        status = email_domain_status(email) if "@" in email else EmailDomainStatus.WORK
        if status == EmailDomainStatus.WORK:
            del self.fields["confirm_personal_email"]
        else:
            self.fields["confirm_personal_email"].help_text = self.personal_email_warnings[status]

    personal_email_warnings = {
        EmailDomainStatus.WEBMAIL: "This looks like a personal e-mail address. Use your work address if you can: "
        "an account with a personal address cannot be used until the portal team has checked and approved it, "
        "which can take up to 2 working days.",
        EmailDomainStatus.UNKNOWN: "We do not recognise this e-mail address as belonging to a school, NHS, police, "
        "council or other registered organisation. The portal team will check and approve your account before "
        "you can use it, which can take up to 2 working days.",
    }

    def clean_email(self):
        email = self.cleaned_data["email"]
        self.email_status = email_domain_status(email)
        return email

    def clean(self):
        cleaned = super().clean()
        needs_approval = self.email_status and self.email_status != EmailDomainStatus.WORK
        if needs_approval and "confirm_personal_email" in self.fields and not cleaned.get("confirm_personal_email"):
            self.add_error(
                "confirm_personal_email",
                "Confirm you understand an account with this e-mail address must be approved before you can use it",
            )
        password = cleaned.get("password")
        if password:
            candidate = User(
                email=cleaned.get("email", ""),
                full_name=cleaned.get("full_name", ""),
                job_title=cleaned.get("job_title", ""),
            )
            try:
                _check_new_password(password, candidate)
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned


class SignInPasswordForm(AuthenticationForm):
    """The first step of signing in. Accounts not ready yet are told why, but only after the right password."""

    username = forms.EmailField(
        label="E-mail address",
        max_length=254,
        error_messages={"required": "Enter your e-mail address", "invalid": EMAIL_FORMAT_ERROR},
        widget=forms.EmailInput(attrs={"autocomplete": "username", "spellcheck": "false", "autofocus": True}),
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        max_length=settings.PORTAL_PASSWORD_MAX_LENGTH,
        error_messages={"required": "Enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": "Enter a correct e-mail address and password. If you have forgotten your password, reset it.",
        "inactive": "Enter a correct e-mail address and password. If you have forgotten your password, reset it.",
        SignInBlock.UNVERIFIED: "You need to confirm your e-mail address before you can sign in. "
        "Use the link we sent you, or ask for a new one.",
        SignInBlock.AWAITING_APPROVAL: "Your account is waiting for approval by the portal team. "
        "We will e-mail you when you can sign in.",
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        block = sign_in_block_for(user)
        if block is not None:
            self.blocked_by = block
            raise ValidationError(self.error_messages[block], code=block)


class SignInCodeForm(forms.Form):
    """The second step: the 6-digit code e-mailed for this sign-in."""

    # The code is checked once and then spent, so the wizard must not check it again at the end.
    idempotent = False

    code = forms.CharField(
        label="Sign-in code",
        help_text="The code is 6 digits. You can paste it from the e-mail.",
        max_length=20,
        error_messages={"required": "Enter the 6-digit code from the e-mail"},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
                "autofocus": True,
            }
        ),
    )

    refusal_messages = {
        CodeRefusal.WRONG: "The code is not correct. Check the e-mail and enter the code again",
        CodeRefusal.EXPIRED: "The code has expired or a newer one has been sent. Send a new code and use that one",
        CodeRefusal.TOO_MANY: "You have entered a wrong code too many times. Send a new code and use that one",
    }

    def __init__(self, *args, user=None, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request
        self.device = None

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split()).replace("-", "")
        if not code.isdigit() or len(code) != 6:
            raise ValidationError("The code must be 6 digits")
        return code

    def clean(self):
        cleaned = super().clean()
        if not self.user:
            # No password step in this session (it was restarted in another tab, say).
            raise ValidationError("Your sign-in was restarted. Start again with your e-mail address and password")
        if "code" in cleaned:
            try:
                self.device = sign_in_code_verify(request=self.request, user=self.user, code=cleaned["code"])
            except SignInCodeRefused as refusal:
                self.add_error("code", self.refusal_messages[refusal.reason])
        return cleaned


class EmailAddressForm(forms.Form):
    email = _email_field()


class SecurityAnswerForm(forms.Form):
    answer = forms.CharField(
        label="Answer",
        max_length=100,
        error_messages={"required": "Enter the answer to your security question"},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "govuk-!-width-two-thirds"}
        ),
    )


class NewPasswordForm(forms.Form):
    password = _new_password_field("New password")

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        _check_new_password(password, self.user)
        return password


class CurrentPasswordMixin(forms.Form):
    current_password = forms.CharField(
        label="Current password",
        strip=False,
        max_length=settings.PORTAL_PASSWORD_MAX_LENGTH,
        error_messages={"required": "Enter your current password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_current_password(self):
        current = self.cleaned_data["current_password"]
        if not self.user.check_password(current):
            raise ValidationError("Your current password is not correct")
        return current


class PasswordChangeForm(CurrentPasswordMixin):
    password = _new_password_field("New password")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password"):
            try:
                _check_new_password(cleaned["password"], self.user)
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned


class SecurityQuestionChangeForm(CurrentPasswordMixin, SecurityQuestionFieldsMixin):
    field_order = ["current_password", "security_question", "own_question", "security_answer"]


class ProfileForm(forms.Form):
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        error_messages={"required": "Enter your full name", "max_length": "Full name must be 150 characters or fewer"},
        widget=forms.TextInput(attrs={"autocomplete": "name", "class": "govuk-!-width-two-thirds"}),
    )
    job_title = forms.CharField(
        label="Job title",
        max_length=150,
        error_messages={"required": "Enter your job title", "max_length": "Job title must be 150 characters or fewer"},
        widget=forms.TextInput(attrs={"autocomplete": "organization-title", "class": "govuk-!-width-two-thirds"}),
    )
    phone = PhoneNumberField(
        label="Work phone number (optional)",
        required=False,
        region="GB",
        error_messages={"invalid": "Enter a phone number, like 01752 668000 or 07700 900 982"},
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )


# ---------------------------------------------------------------- the Django admin's forms


class UserAdminChangeForm(UserChangeForm):
    """The admin's account form: only the roles the signed-in person may change, given through the services."""

    # The signed-in person, set by the admin on a class made for each request.
    actor: User | None = None

    roles = forms.ModelMultipleChoiceField(
        queryset=Group.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Roles",
        help_text="Roles that reach case data and team places are given by a superuser; nobody changes their own.",
    )
    approve = forms.BooleanField(
        required=False,
        label="Approve this account",
        help_text="The person is e-mailed that they can sign in, as from Accounts to approve.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        changeable = roles_changeable_by(self.actor, self.instance)
        self.fields["roles"].queryset = changeable
        if self.instance.pk:
            self.initial["roles"] = list(self.instance.groups.filter(pk__in=changeable.values("pk")))
        if not changeable.exists():
            self.fields["roles"].help_text = "You cannot change this person's roles."


class GroupAdminForm(forms.ModelForm):
    """A group's model permissions; rights on assessments are given case by case, never to a group globally."""

    class Meta:
        model = Group
        fields = ["name", "permissions"]

    def clean_permissions(self):
        permissions = self.cleaned_data["permissions"]
        refused = sorted(permission_codename(p) for p in permissions if permission_codename(p) in CASE_OBJECT_RIGHTS)
        if refused:
            raise ValidationError(
                "A group cannot hold a right on assessments (%(rights)s): those are given case by case",
                params={"rights": ", ".join(refused)},
            )
        return permissions


class TeamMembershipFormSet(BaseInlineFormSet):
    """A team's memberships in the admin: each change is checked here and made by the services."""

    actor: User | None = None

    def clean(self):
        super().clean()
        for form in self.forms:
            if not form.has_changed() and form not in self.deleted_forms:
                continue
            # The person the row was for and the one it is for now: either may be the actor.
            chosen = form.cleaned_data.get("user")
            people = {form.initial.get("user"), chosen.pk if chosen else None} - {None}
            if self.actor.pk in people:
                raise ValidationError("You cannot change your own team memberships")
            if not can_manage_team_memberships(self.actor):
                raise ValidationError("Only a superuser can change team memberships")
