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
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [models.UniqueConstraint(Lower("email"), name="identity_user_email_ci_unique")]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


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
