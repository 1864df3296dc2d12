"""Builders for the security tests: a case of every type in every state, and everyone who may or may not see it."""

import datetime as dt
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Sum
from django.test import Client, override_settings
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_email.models import EmailDevice
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from viewflow.workflow.models import Process, Task

from casework.models import (
    Assessment,
    AssessmentGroupObjectPermission,
    AssessmentSection,
    AssessmentUserObjectPermission,
    Attachment,
    CaseEvent,
    Child,
    Collaborator,
    SectionDraft,
)
from identity.models import AuthEvent, Organisation, Team, TeamMembership, TeamRole, User
from identity.roles import Role
from identity.services import account_deactivate, sign_in_device_for
from identity.tokens import verification_token_make
from tests.casework.conftest import attach, author, outsider, share, verified_professional  # noqa: F401  (fixtures for test_logging)
from tests.factories import CouncilUserFactory, ProfessionalFactory, TeamManagerFactory
from tests.helpers import sign_in
from tests.workflows.conftest import (
    ALEX,
    JO,
    LEE,
    OFFICER_OF_KIND,
    SAM,
    TEAM_OF_KIND,
    close_it,
    draft,
    fresh,
    join,
    person,
    return_it,
)
from workflows import services
from workflows.models import BankHoliday, CaseMessage, ClockPause, Notification, TeamRoute
from workflows.subject_access import subject_access_request_record

KINDS = ("ehat", "ehcp", "young_carers")
STATES = ("draft", "submitted", "under_review", "returned", "closed")
ROLES = (
    "anonymous",
    "unverified",
    "author",
    "co_author",
    "viewer",
    "other_org",
    "officer",
    "other_team_officer",
    "team_manager",
    "service_manager",
    "administrator",
    "data_protection_officer",
    "deactivated",
)
# Roles with no session a view can use: every private page sends them to sign in.
SIGNED_OUT_ROLES = ("anonymous", "unverified", "deactivated")

# An officer of a team the case is not routed to, for each kind.
OTHER_TEAM_OFFICER_OF_KIND = {
    "ehat": OFFICER_OF_KIND["ehcp"],
    "ehcp": OFFICER_OF_KIND["young_carers"],
    "young_carers": OFFICER_OF_KIND["ehat"],
}


@dataclass
class World:
    """Every case type in every state, each shared with a co-author, a viewer and a co-author since deactivated,
    with a document attached and (once with the council) messages both ways."""

    cases: dict[tuple[str, str], Assessment]
    attachments: dict[int, Attachment]
    viewer_rows: dict[int, Collaborator]
    people: dict[str, User]
    managers: dict[str, User]
    pending_applicant: User
    verification_token: str
    admin_objects: dict[str, object]
    subject_access_request: object = None  # one recorded by the data protection officer
    _clients: dict[object, Client] = field(default_factory=dict)

    def case(self, kind: str, state: str) -> Assessment:
        return self.cases[(kind, state)]

    def user_for(self, role: str, kind: str = "ehat") -> User | None:
        """The person playing the role; council roles depend on the team the case is routed to."""
        if role == "anonymous":
            return None
        if role in ("officer", "other_team_officer"):
            emails = OFFICER_OF_KIND if role == "officer" else OTHER_TEAM_OFFICER_OF_KIND
            return person(emails[kind])
        if role == "team_manager":
            return self.managers[kind]
        if role == "unverified":
            return self.people["author"]
        return self.people[role]

    def reset_link(self) -> dict[str, str]:
        """The parameters of a good password-reset link for the author (a sign-in spends older ones)."""
        user = User.objects.get(pk=self.people["author"].pk)
        return {
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        }

    def client_for(self, role: str, kind: str = "ehat") -> Client:
        """A browser for the role: signed in with both factors, or as the role's own way of not being."""
        user = self.user_for(role, kind)
        # One client per person: a second sign-in of the same account would end the first (one session each).
        key = (role, None) if role in SIGNED_OUT_ROLES else user.pk
        if key not in self._clients:
            client = Client(raise_request_exception=False)
            if role == "unverified":
                client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            elif role == "deactivated":
                sign_in(client, user)
                account_deactivate(request=None, actor=self.people["administrator"], user=user)
            elif user is not None:
                sign_in(client, user)
            self._clients[key] = client
        return self._clients[key]


def request_and_undo(client: Client, method: str, url: str, data=None, *, inspect=None, **extra):
    """Make the request, then roll back everything it changed (database and the client's cookies).

    `inspect`, if given, is called after the request and before the rollback; its answer is returned too.
    """
    saved = SimpleCookie()
    saved.load(client.cookies.output(header="", sep=";"))
    with transaction.atomic():
        response = getattr(client, method)(url, data or {}, **extra)
        seen = inspect() if inspect else None
        transaction.set_rollback(True)
    client.cookies = saved
    return response, seen


def state_of_everything() -> tuple:
    """What a refused request must leave as it was: cases, answers, drafts, evidence, sharing, rights, messages."""
    return (
        list(Assessment.objects.order_by("pk").values_list("pk", "status", "assigned_to_id", "outcome", "updated_at")),
        AssessmentSection.objects.aggregate(count=Count("pk"), versions=Sum("version")),
        SectionDraft.objects.count(),
        Attachment.objects.count(),
        Collaborator.objects.count(),
        CaseEvent.objects.count(),
        CaseMessage.objects.count(),
        ClockPause.objects.count(),
        Notification.objects.count(),
        AssessmentUserObjectPermission.objects.count(),
        AssessmentGroupObjectPermission.objects.count(),
        Child.objects.count(),
        TeamMembership.objects.count(),
        list(User.objects.order_by("pk").values_list("pk", "is_active", "approved_at", "is_staff", "is_superuser")),
    )


def _build_case(kind: str, state: str, *, co_author: User, viewer: User, deactivated: User):
    assessment = draft(kind)
    share(assessment, with_user=co_author, role="co_author")
    viewer_row = share(assessment, with_user=viewer, role="viewer")
    share(assessment, with_user=deactivated, role="co_author")
    attachment = attach(assessment, name=f"{kind}-{state}.pdf")
    if state == "draft":
        return fresh(assessment), attachment, viewer_row
    services.assessment_submit(actor=assessment.author, assessment=assessment, declaration=True)
    assessment = fresh(assessment)
    if state == "submitted":
        services.message_post(actor=assessment.author, assessment=assessment, body="Any news?")
        return fresh(assessment), attachment, viewer_row
    officer = person(OFFICER_OF_KIND[kind])
    services.assessment_claim(actor=officer, assessment=assessment)
    services.message_post(actor=officer, assessment=fresh(assessment), body="I have picked this up.")
    services.message_post(actor=assessment.author, assessment=fresh(assessment), body="Thank you.")
    assessment = fresh(assessment)
    if state == "returned":
        assessment = return_it(assessment)
    elif state == "closed":
        assessment = close_it(assessment)
    return assessment, attachment, viewer_row


def _admin_objects(people: dict[str, User]) -> dict[str, object]:
    """One real row of every model the admin lists, so its change pages have something to open."""
    sam = people["author"]
    sign_in_device_for(sam)
    StaticDevice.objects.create(user=sam, name="backup")
    TOTPDevice.objects.create(user=sam, name="phone")
    AccessAttempt.objects.create(username=sam.email, ip_address="192.0.2.1", failures_since_start=1)
    AccessLog.objects.create(username=sam.email, ip_address="192.0.2.1")
    AccessFailureLog.objects.create(username=sam.email, ip_address="192.0.2.1")
    AuthEvent.objects.create(kind="signed_in", user=sam, email=sam.email)
    objects = {
        "group": Group.objects.get(name="Team: Early Help hub"),
        "staticdevice": StaticDevice.objects.first(),
        "totpdevice": TOTPDevice.objects.first(),
        "emaildevice": EmailDevice.objects.first(),
        "process": Process.objects.first(),
        "task": Task.objects.first(),
        "organisation": Organisation.objects.get(name="St Mary's Catholic Primary School"),
        "team": Team.objects.get(slug="early-help-hub"),
        "user": sam,
        "authevent": AuthEvent.objects.first(),
        "teamroute": TeamRoute.objects.first(),
        "bankholiday": BankHoliday.objects.first(),
        "notification": Notification.objects.first(),
        "accessattempt": AccessAttempt.objects.first(),
        "accesslog": AccessLog.objects.first(),
        "accessfailurelog": AccessFailureLog.objects.first(),
        "user_content_type": ContentType.objects.get_for_model(User),
    }
    for name in ("organisation", "team", "user", "teamroute"):
        objects[name].save()  # a historical version to open (fixtures load without history)
    return objects


def build_world() -> World:
    """A case of every type in every state, the thirteen roles around them, and a row of every admin model."""
    call_command("load_demo_data", verbosity=0)
    sam = person(SAM)
    co_author = verified_professional(organisation=sam.organisation, full_name="Casey Coauthor")
    viewer = verified_professional(organisation=sam.organisation, full_name="Vic Viewer")
    deactivated = verified_professional(organisation=sam.organisation, full_name="Dee Deactivated")
    other_org = verified_professional(full_name="Olly Outsider")
    managers = {"ehat": person(JO)}
    for kind in ("ehcp", "young_carers"):
        manager = TeamManagerFactory(email_verified_at=timezone.now(), full_name=f"Mo Manager {kind}")
        managers[kind] = join(TEAM_OF_KIND[kind], manager, role=TeamRole.MANAGER)
    cases, attachments, viewer_rows = {}, {}, {}
    for kind in KINDS:
        for state in STATES:
            assessment, attachment, viewer_row = _build_case(
                kind, state, co_author=co_author, viewer=viewer, deactivated=deactivated
            )
            cases[(kind, state)] = assessment
            attachments[assessment.pk] = attachment
            viewer_rows[assessment.pk] = viewer_row
    people = {
        "author": sam,
        "co_author": co_author,
        "viewer": viewer,
        "other_org": other_org,
        "service_manager": person(LEE),
        "administrator": person(ALEX),
        # Reads the disclosure log and answers subject access requests: no team, so no case and no council tray.
        "data_protection_officer": CouncilUserFactory(
            roles=[Role.DATA_PROTECTION_OFFICER], email_verified_at=timezone.now(), full_name="Dana Protector"
        ),
        "deactivated": deactivated,
    }
    pending = ProfessionalFactory(
        email="pat.pending@example.org",
        email_verified_at=timezone.now() - dt.timedelta(hours=1),
        approval_required=True,
    )
    unconfirmed = ProfessionalFactory(email="una.unconfirmed@stmarys.plymouth.sch.uk", email_verified_at=None)
    subject_access_request = subject_access_request_record(
        actor=people["data_protection_officer"],
        child=cases[("ehat", "closed")].child,
        requester="The child's mother",
        received_on=timezone.localdate(),
    )
    return World(
        subject_access_request=subject_access_request,
        cases=cases,
        attachments=attachments,
        viewer_rows=viewer_rows,
        people=people,
        managers=managers,
        pending_applicant=pending,
        verification_token=verification_token_for(unconfirmed),
        admin_objects=_admin_objects(people),
    )


@pytest.fixture(scope="module")
def world_of_module(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once for a test module inside a transaction that is rolled back at its end.

    Each test runs in a savepoint inside it (pytest-django's `db`), so tests still cannot see each other's changes.
    The browsers are signed in here too, so their sessions outlive each test's rollback.
    """
    media_root = tmp_path_factory.mktemp("world-media")
    media_settings = override_settings(MEDIA_ROOT=media_root)
    media_settings.enable()
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            world = build_world()
            for kind in KINDS:
                for role in ROLES:
                    world.client_for(role, kind)
            yield world
            transaction.set_rollback(True)
    finally:
        media_settings.disable()


@pytest.fixture
def world(db, world_of_module) -> World:
    """The module's world; whatever a test does to the browsers' cookies is undone after it."""
    saved = {}
    for key, client in world_of_module._clients.items():
        saved[key] = SimpleCookie()
        saved[key].load(client.cookies.output(header="", sep=";"))
    yield world_of_module
    for key, client in world_of_module._clients.items():
        client.cookies = saved[key]


@pytest.fixture
def media(settings, tmp_path):
    """Uploads go to a folder of this test's own, so the tree can be checked afterwards."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def verification_token_for(user: User) -> str:
    return verification_token_make(user_id=user.pk, email=user.email)
