"""People and the bodies they work for: users, organisations and their e-mail domains, council teams."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, Group, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords


class OrganisationKind(models.TextChoices):
    SCHOOL = "school", "School"
    EARLY_YEARS = "early_years", "Early years setting"
    COLLEGE = "college", "College"
    HEALTH = "health", "Health trust or GP practice"
    CHARITY = "charity", "Charity or voluntary organisation"
    POLICE = "police", "Police"
    COUNCIL = "council", "Council service"
    OTHER = "other", "Other organisation"


class NaturalKeyManager(models.Manager):
    """Finds rows by their natural key, so fixtures load again without duplicating or clashing."""

    natural_key_fields: tuple[str, ...] = ()

    def __init__(self, *fields: str):
        super().__init__()
        self.natural_key_fields = fields

    def get_by_natural_key(self, *values):
        return self.get(**dict(zip(self.natural_key_fields, values, strict=True)))


class Organisation(models.Model):
    """A body whose staff use the portal: a school, a health trust, a charity, the council itself."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices)
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    objects = NaturalKeyManager("name")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self):
        return (self.name,)


class OrganisationDomain(models.Model):
    """An e-mail domain known to belong to an organisation (e.g. stmarys.plymouth.sch.uk)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True, help_text="Lower case, without the @, e.g. nhs.net")
    history = HistoricalRecords()

    objects = NaturalKeyManager("domain")

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain

    def natural_key(self):
        return (self.domain,)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **fields):
        user = self.model(email=normalise_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


def normalise_email(email: str) -> str:
    """E-mail addresses are compared without regard to case, so they are stored in lower case."""
    return (email or "").strip().lower()


def typed_email(email: str) -> str:
    """An address as typed into a form that has not validated it, fit to look up and to record.

    Without control characters: PostgreSQL refuses a NUL in a query, and a log line should not carry one.
    """
    return normalise_email("".join(character for character in (email or "") if character.isprintable())[:254])


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in: a partner professional, a council officer, a manager or an administrator."""

    email = models.EmailField("email address", max_length=254, unique=True)
    full_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="users"
    )
    phone = PhoneNumberField(blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can use the administration pages.")
    date_joined = models.DateTimeField(default=timezone.now)

    # Registration: the address must be confirmed; accounts outside known work domains need approval.
    email_verified_at = models.DateTimeField(null=True, blank=True)
    verification_sent_at = models.DateTimeField(null=True, blank=True)
    approval_required = models.BooleanField(
        default=False, help_text="Registered with an address outside the known work domains."
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    # The security question is an extra check after an e-mailed reset link, never a way in alone.
    security_question = models.CharField(max_length=200, blank=True)
    security_answer_hash = models.CharField(max_length=256, blank=True, editable=False)
    security_answer_failures = models.PositiveSmallIntegerField(default=0, editable=False)
    security_answer_locked_until = models.DateTimeField(null=True, blank=True, editable=False)

    # One active session per account: a new sign-in ends the one recorded here.
    current_session_key = models.CharField(max_length=40, blank=True, editable=False)

    history = HistoricalRecords(
        excluded_fields=[
            "password",
            "last_login",
            "security_answer_hash",
            "security_answer_failures",
            "security_answer_locked_until",
            "current_session_key",
            "verification_sent_at",
        ]
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [models.UniqueConstraint(Lower("email"), name="identity_user_email_ci_unique")]
        permissions = [("approve_accounts", "Can approve accounts registered outside known work domains")]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_awaiting_approval(self) -> bool:
        return self.approval_required and self.approved_at is None


class Team(models.Model):
    """A council team that works a review queue, e.g. the Early Help hub."""

    name = models.CharField(max_length=150, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    email = models.EmailField(blank=True, help_text="The team's shared mailbox, told of new submissions.")
    # Object permissions on the cases routed to the team are granted to this group.
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="team")
    members = models.ManyToManyField(User, through="TeamMembership", related_name="teams")
    history = HistoricalRecords()

    objects = NaturalKeyManager("slug")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def natural_key(self):
        return (self.slug,)


class TeamRole(models.TextChoices):
    OFFICER = "officer", "Officer"
    MANAGER = "manager", "Team manager"


class TeamMembership(models.Model):
    """A council user's place in a team: officers work its queue, managers also allocate and report."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="team_memberships")
    role = models.CharField(max_length=10, choices=TeamRole.choices, default=TeamRole.OFFICER)
    history = HistoricalRecords()

    objects = NaturalKeyManager("team__slug", "user__email")

    class Meta:
        ordering = ["team__name", "user__full_name"]
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="identity_team_member_once")]

    def __str__(self) -> str:
        return f"{self.user.full_name} – {self.team.name} ({self.get_role_display()})"

    def natural_key(self):
        return (self.team.slug, self.user.email)


class AuthEventKind(models.TextChoices):
    REGISTERED = "registered", "Registered"
    REGISTRATION_EXISTING = "registration_existing", "Registration tried with an existing address"
    VERIFICATION_SENT = "verification_sent", "Verification link sent"
    VERIFIED = "verified", "E-mail address confirmed"
    APPROVED = "approved", "Account approved"
    REJECTED = "rejected", "Account rejected"
    PASSWORD_ACCEPTED = "password_accepted", "Password accepted, code sent"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGN_IN_BLOCKED = "sign_in_blocked", "Sign-in refused: account not ready"
    LOCKED_OUT = "locked_out", "Locked out after repeated failures"
    CODE_SENT = "code_sent", "Sign-in code sent"
    CODE_FAILED = "code_failed", "Wrong sign-in code"
    SIGNED_IN = "signed_in", "Signed in"
    SIGNED_OUT = "signed_out", "Signed out"
    TIMED_OUT = "timed_out", "Signed out after inactivity"
    SESSION_REPLACED = "session_replaced", "Session ended by a newer sign-in"
    PASSWORD_CHANGED = "password_changed", "Password changed"
    RESET_REQUESTED = "reset_requested", "Password reset link sent"
    RESET_COMPLETED = "reset_completed", "Password reset"
    SECURITY_ANSWER_FAILED = "security_answer_failed", "Wrong security answer"
    SECURITY_QUESTION_CHANGED = "security_question_changed", "Security question changed"
    DEACTIVATED = "deactivated", "Account deactivated"
    # Changes of access, made by someone else (the event's actor) through identity.services.
    ROLE_GIVEN = "role_given", "Role given"
    ROLE_REMOVED = "role_removed", "Role taken away"
    TEAM_JOINED = "team_joined", "Added to a team"
    TEAM_ROLE_CHANGED = "team_role_changed", "Role in a team changed"
    TEAM_LEFT = "team_left", "Removed from a team"
    GROUP_PERMISSIONS_CHANGED = "group_permissions_changed", "A group's permissions changed"


# The kinds that record a change of someone's access: shown with what changed and who changed it.
ACCESS_CHANGE_KINDS = frozenset(
    {
        AuthEventKind.ROLE_GIVEN,
        AuthEventKind.ROLE_REMOVED,
        AuthEventKind.TEAM_JOINED,
        AuthEventKind.TEAM_ROLE_CHANGED,
        AuthEventKind.TEAM_LEFT,
        AuthEventKind.GROUP_PERMISSIONS_CHANGED,
    }
)


class AuthEvent(models.Model):
    """One entry of the sign-in audit log. Never holds a password, a code or a security answer.

    For a change of access, `user` is whose access changed, `actor` who changed it, `detail` what changed.
    """

    kind = models.CharField(max_length=32, choices=AuthEventKind.choices)
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="auth_events")
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The address typed, kept for failures against addresses that have no account.
    email = models.CharField(max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="identity_authevent_user_time"),
            models.Index(fields=["kind", "-created_at"], name="identity_authevent_kind_time"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.email}"

    @property
    def is_access_change(self) -> bool:
        return self.kind in ACCESS_CHANGE_KINDS
