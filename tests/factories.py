"""factory_boy factories for the portal's records, one per model, with per-role user factories."""

import json
from functools import cache
from pathlib import Path

import factory
from django.contrib.auth.models import Group, Permission

from identity.models import Organisation, OrganisationDomain, OrganisationKind, Team, TeamMembership, TeamRole, User
from identity.roles import Role
from identity.services import team_group_sync_members

TEST_PASSWORD = "a long enough test passphrase"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Test School {n}")
    kind = OrganisationKind.SCHOOL


class OrganisationDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationDomain

    organisation = factory.SubFactory(OrganisationFactory)
    domain = factory.Sequence(lambda n: f"school{n}.example.sch.uk")


class CouncilFactory(OrganisationFactory):
    name = "Test City Council"
    kind = OrganisationKind.COUNCIL


ROLE_FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "roles.json"


@cache
def _role_permissions() -> dict[str, list[list[str]]]:
    """Each role's permissions as the demo fixture defines them (the one place they are written down)."""
    rows = json.loads(ROLE_FIXTURE.read_text())
    return {row["fields"]["name"]: row["fields"]["permissions"] for row in rows}


def role_group(role: Role) -> Group:
    group, created = Group.objects.get_or_create(name=role.value)
    if created:
        for codename, app_label, model in _role_permissions().get(role.value, []):
            group.permissions.add(
                Permission.objects.get(codename=codename, content_type__app_label=app_label, content_type__model=model)
            )
    return group


def with_roles(*default_roles: Role) -> factory.PostGeneration:
    """Give the user these roles, or the ones passed as `roles=`."""

    def add_roles(user, create, extracted, **kwargs):
        if create:
            user.groups.add(*(role_group(role) for role in (extracted or default_roles)))

    return factory.PostGeneration(add_roles)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@school.example.sch.uk")
    full_name = factory.Faker("name", locale="en_GB")
    job_title = "Teacher"
    organisation = factory.SubFactory(OrganisationFactory)
    password = factory.django.Password(TEST_PASSWORD)
    roles = with_roles()


class ProfessionalFactory(UserFactory):
    roles = with_roles(Role.PROFESSIONAL)


class CouncilUserFactory(UserFactory):
    email = factory.Sequence(lambda n: f"officer{n}@council.example.gov.uk")
    job_title = "Officer"
    organisation = factory.SubFactory(CouncilFactory)


class OfficerFactory(CouncilUserFactory):
    roles = with_roles(Role.OFFICER)


class TeamManagerFactory(CouncilUserFactory):
    roles = with_roles(Role.OFFICER, Role.TEAM_MANAGER)


class ServiceManagerFactory(CouncilUserFactory):
    roles = with_roles(Role.SERVICE_MANAGER)


class AdministratorFactory(CouncilUserFactory):
    is_staff = True
    roles = with_roles(Role.ADMINISTRATOR)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")
    group = factory.LazyAttribute(lambda team: Group.objects.get_or_create(name=f"Team: {team.name}")[0])


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(OfficerFactory)
    role = TeamRole.OFFICER

    @factory.post_generation
    def join_group(self, create, extracted, **kwargs):
        if create:
            team_group_sync_members(team=self.team)
