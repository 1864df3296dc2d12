"""Every URL of the project, as every role, against cases of every type and state (ASVS 8.2.1, 8.2.2, 8.3.1).

The URLs come from the resolver, so a new view cannot escape; what each role must get comes from ACCESS,
the one declared table. A URL missing from ACCESS fails the test, and so does a row for a URL that is gone.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from casework.models import (
    Assessment,
)
from casework.sections import spec_for
from tests.security.conftest import KINDS, ROLES, SIGNED_OUT_ROLES, STATES, World, request_and_undo, state_of_everything
from tests.workflows.conftest import OFFICER_OF_KIND, person

# ---------------------------------------------------------------- what a response can be

OK = "200"
GO = "302"  # a redirect within the portal, not to sign in: allowed (often back to a page with a message)
LOGIN = "sign-in"  # a redirect to the portal's sign-in
ADMIN_LOGIN = "admin-login"  # Django's admin sends signed-in people who are not staff to its login (our redirect)
BAD = "400"
DENY = "403"
HIDE = "404"  # as if the object did not exist
NOT_POST = "405"
TAKEN = "409"

DENIED = (LOGIN, ADMIN_LOGIN, DENY, HIDE, BAD, NOT_POST)


def outcome(response) -> str:
    if response.status_code in (301, 302):
        location = response["Location"]
        if location.startswith("/account/sign-in/"):
            return LOGIN
        if location.startswith("/admin/login/"):
            return ADMIN_LOGIN
        if not location.startswith("/") or location.startswith("//"):
            return f"off-site redirect to {location}"
        return GO
    return str(response.status_code)


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class Row:
    """How to request one URL, and what each role must get (a code, or one per state for case URLs)."""

    method: str
    targets: str  # "none", "cases", "ehcp_cases" (an EHCP request in every state), "trays" or "admin"
    expect: dict[str, object]
    data: Callable[[World, object], dict] | None = None
    params: Callable[[World, object], dict] = field(default=lambda world, target: {})


def _roles(default: str, signed_out: str = LOGIN, **given) -> dict[str, object]:
    unknown = set(given) - set(ROLES)
    assert not unknown, unknown
    return {role: given.get(role, signed_out if role in SIGNED_OUT_ROLES else default) for role in ROLES}


def everyone(code: str) -> dict[str, object]:
    """A public page: the same for every role, signed in or not."""
    return _roles(code, signed_out=code)


def signed_in(code: str, **given) -> dict[str, object]:
    """A private page: sign in first; then `code` for every role not named."""
    return _roles(code, **given)


PROFESSIONALS = ("author", "co_author", "viewer", "other_org")
COUNCIL = ("officer", "other_team_officer", "team_manager", "service_manager")


def professionals(code: str, others: str) -> dict[str, object]:
    return signed_in(others, **dict.fromkeys(PROFESSIONALS, code))


def council(code: str, others: str = DENY, **given) -> dict[str, object]:
    return signed_in(others, **{**dict.fromkeys(COUNCIL, code), **given})


def case_row(method: str = "get", data=None, **given) -> Row:
    """A URL about one case: 404 for every signed-in role not named (deny by default).

    A role's value is one code for every state, or a tuple in STATES order:
    (draft, submitted, under review, returned, closed).
    """
    return Row(method, "cases", signed_in(HIDE, **given), data=data)


# Council roles on the professional's pages of a case: drafts are invisible, the rest they may read.
COUNCIL_READS = (HIDE, OK, OK, OK, OK)
COUNCIL_GETS_REDIRECTED = (HIDE, GO, GO, GO, GO)
COUNCIL_REFUSED = (HIDE, DENY, DENY, DENY, DENY)
EDITABLE_ONLY = (OK, GO, GO, OK, GO)  # drafting pages: only while a draft or returned, else to the answers
EDITS_REFUSED = (GO, DENY, DENY, GO, DENY)  # drafting actions: done while editable, refused otherwise
HOLDER_ONLY = (HIDE, GO, OK, GO, GO)  # a reviewing officer's form: only under review, to the officer holding it
NOT_THE_HOLDER = (HIDE, GO, DENY, GO, GO)  # the same form, to anyone else of the council


def needs_assessment_row(method: str = "get", **given) -> Row:
    """A URL of a request's EHC needs assessment, asked about the EHCP request in every state.

    Only the closed one (agreed to assess) has a needs assessment: 404 for the others and every role not named.
    """
    return Row(
        method, "ehcp_cases", signed_in(HIDE, **{role: (HIDE, HIDE, HIDE, HIDE, code) for role, code in given.items()})
    )


def per_kind(*, ehat, others) -> dict[str, str]:
    """Answers that differ by case type: one for an Early Help Assessment, another for the other types
    (each one code, or a tuple in STATES order)."""

    def code(value, index: int) -> str:
        return value[index] if isinstance(value, tuple) else value

    return {
        f"{kind} {state}": code(ehat if kind == "ehat" else others, index)
        for kind in KINDS
        for index, state in enumerate(STATES)
    }


def _today_parts(prefix: str) -> dict:
    today = timezone.localdate()
    return {f"{prefix}_day": today.day, f"{prefix}_month": today.month, f"{prefix}_year": today.year}


ACCESS: dict[str, Row] = {
    # ------------------------------------------------------------ public pages
    "portal:start": Row("get", "none", everyone(OK)),
    "portal:accessibility": Row("get", "none", everyone(OK)),
    "portal:privacy": Row("get", "none", everyone(OK)),
    "portal:cookies": Row("get", "none", everyone(OK)),
    "portal:guides": Row("get", "none", everyone(OK)),
    "portal:guide-early-help": Row("get", "none", everyone(OK)),
    "portal:guide-send": Row("get", "none", everyone(OK)),
    "portal:guide-young-carers": Row("get", "none", everyone(OK)),
    "identity:sign-in": Row("get", "none", everyone(OK)),
    "identity:sign-out": Row("post", "none", everyone(GO)),
    "identity:signed-out": Row("get", "none", everyone(OK)),
    # Registering while signed in goes home; signed-out roles (their session ended) may register.
    "identity:register": Row("get", "none", signed_in(GO, **dict.fromkeys(SIGNED_OUT_ROLES, OK))),
    "identity:check-email": Row("get", "none", everyone(OK)),
    "identity:verify-resend": Row("get", "none", everyone(OK)),
    "identity:verify": Row("get", "none", everyone(OK), params=lambda world, _: {"token": world.verification_token}),
    "identity:verify-resend-for-link": Row(
        "post", "none", everyone(OK), params=lambda world, _: {"token": world.verification_token}
    ),
    "identity:password-reset": Row("get", "none", everyone(OK)),
    "identity:password-reset-link": Row("get", "none", everyone(GO), params=lambda world, _: world.reset_link()),
    # Without a reset under way in the session, the later steps say the link is not valid.
    "identity:password-reset-question": Row("get", "none", everyone(BAD)),
    "identity:password-reset-new": Row("get", "none", everyone(BAD)),
    "identity:password-reset-done": Row("get", "none", everyone(OK)),
    "identity:session-status": Row("get", "none", everyone(OK)),
    # The time-out warning ran out: signed out, and sent to sign in, whoever asks.
    "identity:session-timed-out": Row("post", "none", everyone(LOGIN)),
    # ------------------------------------------------------------ anyone signed in
    "portal:home": Row("get", "none", signed_in(GO)),
    "identity:account": Row("get", "none", signed_in(OK)),
    "identity:account-details": Row("get", "none", signed_in(OK)),
    "identity:account-password": Row("get", "none", signed_in(OK)),
    "identity:account-security-question": Row("get", "none", signed_in(OK)),
    "identity:account-activity": Row("get", "none", signed_in(OK)),
    "identity:session-extend": Row("post", "none", signed_in(OK)),
    "casework:home": Row("get", "none", signed_in(OK)),
    "workflows:notifications": Row("get", "none", signed_in(OK)),
    "workflows:notification-settings": Row("get", "none", signed_in(OK)),
    # ------------------------------------------------------------ administrators
    "identity:approvals": Row("get", "none", signed_in(DENY, administrator=OK)),
    "identity:approval-decide": Row(
        "post",
        "none",
        signed_in(DENY, administrator=GO),
        params=lambda world, _: {"user_id": world.pending_applicant.pk, "decision": "approve"},
    ),
    # ------------------------------------------------------------ the data protection officer
    # Subject access: finding any child and exporting everything held on them is the DPO's alone (or a superuser's).
    "workflows:subject-access": Row("get", "none", signed_in(DENY, data_protection_officer=OK)),
    "workflows:subject-access-find": Row("get", "none", signed_in(DENY, data_protection_officer=OK)),
    "workflows:subject-access-record": Row(
        "get",
        "none",
        signed_in(DENY, data_protection_officer=OK),
        params=lambda world, _: {"child_id": world.subject_access_request.child_id},
    ),
    "workflows:subject-access-request": Row(
        "get",
        "none",
        signed_in(DENY, data_protection_officer=OK),
        params=lambda world, _: {"pk": world.subject_access_request.pk},
    ),
    "workflows:subject-access-export": Row(
        "post",
        "none",
        signed_in(DENY, data_protection_officer=OK),
        params=lambda world, _: {"pk": world.subject_access_request.pk},
    ),
    # Refused with a message until the copy has been exported.
    "workflows:subject-access-answered": Row(
        "post",
        "none",
        signed_in(DENY, data_protection_officer=GO),
        params=lambda world, _: {"pk": world.subject_access_request.pk},
    ),
    # ------------------------------------------------------------ starting an assessment: professionals
    "casework:start": Row("get", "none", professionals(OK, others=DENY)),
    # Later steps with nothing chosen yet go back to the first step.
    "casework:start-safeguarding": Row("get", "none", professionals(GO, others=DENY)),
    "casework:start-child": Row("get", "none", professionals(GO, others=DENY)),
    "casework:start-new-child": Row("get", "none", professionals(GO, others=DENY)),
    "casework:start-duplicate": Row("get", "none", professionals(GO, others=DENY)),
    # ------------------------------------------------------------ the council's trays and reports
    "workflows:work": Row("get", "none", council(OK)),
    "workflows:work-tray": Row(
        "get",
        "trays",
        council(
            OK,
            # Team work is for managers only.
            officer={"queue": OK, "mine": OK, "team": DENY},
            other_team_officer={"queue": OK, "mine": OK, "team": DENY},
        ),
    ),
    "workflows:reports": Row("get", "none", council(OK)),
    "workflows:reports-xlsx": Row("get", "none", council(OK)),
    "workflows:report-csv": Row("get", "none", council(OK), params=lambda world, _: {"slug": "status"}),
    # ------------------------------------------------------------ the disclosure log: the DPO and managers
    "data-protection:disclosures": Row(
        "get", "none", signed_in(DENY, data_protection_officer=OK, team_manager=OK, service_manager=OK)
    ),
    # ------------------------------------------------------------ a case: the professional's pages
    # A service manager reads every case the council has, as its officers do (identity.permissions.can_view_assessment).
    "casework:assessment": case_row(
        author=OK,
        co_author=OK,
        viewer=OK,
        officer=COUNCIL_READS,
        team_manager=COUNCIL_READS,
        service_manager=COUNCIL_READS,
    ),
    "casework:section": case_row(
        author=EDITABLE_ONLY,
        co_author=EDITABLE_ONLY,
        viewer=GO,
        officer=COUNCIL_GETS_REDIRECTED,
        team_manager=COUNCIL_GETS_REDIRECTED,
        service_manager=COUNCIL_GETS_REDIRECTED,
    ),
    "casework:section-autosave": case_row(
        "post",
        data=lambda world, case: {"version": "0"},
        author=(OK, DENY, DENY, OK, DENY),
        co_author=(OK, DENY, DENY, OK, DENY),
        viewer=DENY,
        officer=COUNCIL_REFUSED,
        team_manager=COUNCIL_REFUSED,
        service_manager=COUNCIL_REFUSED,
    ),
    # Discarding touches only the person's own unsaved draft, so anyone who can see the case may.
    "casework:section-discard": case_row(
        "post",
        author=GO,
        co_author=GO,
        viewer=GO,
        officer=COUNCIL_GETS_REDIRECTED,
        team_manager=COUNCIL_GETS_REDIRECTED,
        service_manager=COUNCIL_GETS_REDIRECTED,
    ),
    "casework:check": case_row(
        author=EDITABLE_ONLY,
        co_author=EDITABLE_ONLY,
        viewer=GO,
        officer=COUNCIL_GETS_REDIRECTED,
        team_manager=COUNCIL_GETS_REDIRECTED,
        service_manager=COUNCIL_GETS_REDIRECTED,
    ),
    "casework:answers": case_row(
        author=OK,
        co_author=OK,
        viewer=OK,
        officer=COUNCIL_READS,
        team_manager=COUNCIL_READS,
        service_manager=COUNCIL_READS,
    ),
    "casework:history": case_row(
        author=OK,
        co_author=OK,
        viewer=OK,
        officer=COUNCIL_READS,
        team_manager=COUNCIL_READS,
        service_manager=COUNCIL_READS,
    ),
    "casework:evidence": case_row(
        author=OK,
        co_author=OK,
        viewer=OK,
        officer=COUNCIL_READS,
        team_manager=COUNCIL_READS,
        service_manager=COUNCIL_READS,
    ),
    "casework:evidence-download": case_row(
        author=OK,
        co_author=OK,
        viewer=OK,
        officer=COUNCIL_READS,
        team_manager=COUNCIL_READS,
        service_manager=COUNCIL_READS,
    ),
    "casework:evidence-remove": case_row(
        "post",
        author=EDITS_REFUSED,
        co_author=EDITS_REFUSED,
        viewer=DENY,
        officer=COUNCIL_REFUSED,
        team_manager=COUNCIL_REFUSED,
        service_manager=COUNCIL_REFUSED,
    ),
    # Only the author shares, until the case is closed.
    "casework:sharing": case_row(
        author=(OK, OK, OK, OK, DENY),
        co_author=DENY,
        viewer=DENY,
        officer=COUNCIL_REFUSED,
        team_manager=COUNCIL_REFUSED,
        service_manager=COUNCIL_REFUSED,
    ),
    "casework:sharing-remove": case_row(
        "post",
        author=(GO, GO, GO, GO, DENY),
        co_author=DENY,
        viewer=DENY,
        officer=COUNCIL_REFUSED,
        team_manager=COUNCIL_REFUSED,
        service_manager=COUNCIL_REFUSED,
    ),
    # Without the declaration ticked: check your answers again with the error (200) where the person could
    # submit, and a case already with the council is refused with a message whoever asks; 403 for those with
    # no right.
    "workflows:submit": case_row(
        "post",
        author=(OK, GO, GO, OK, GO),
        co_author=(OK, GO, GO, OK, GO),
        viewer=(DENY, GO, GO, DENY, GO),
        officer=(HIDE, GO, GO, DENY, GO),
        team_manager=(HIDE, GO, GO, DENY, GO),
        service_manager=(HIDE, GO, GO, DENY, GO),
    ),
    "workflows:submitted": case_row(
        author=(GO, OK, OK, GO, OK),
        co_author=(GO, OK, OK, GO, OK),
        viewer=(GO, OK, OK, GO, OK),
        officer=(HIDE, OK, OK, GO, OK),
        team_manager=(HIDE, OK, OK, GO, OK),
        service_manager=(HIDE, OK, OK, GO, OK),
    ),
    "workflows:progress": case_row(
        author=(GO, OK, OK, OK, OK),
        co_author=(GO, OK, OK, OK, OK),
        viewer=(GO, OK, OK, OK, OK),
        officer=COUNCIL_READS,
        team_manager=COUNCIL_READS,
        service_manager=COUNCIL_READS,
    ),
    "workflows:withdraw": case_row(
        author=OK,
        co_author=DENY,
        viewer=DENY,
        officer=COUNCIL_REFUSED,
        team_manager=COUNCIL_REFUSED,
        service_manager=COUNCIL_REFUSED,
    ),
    # Only an Early Help Assessment relies on consent: its author, co-authors and the officer holding it record
    # the family's withdrawal once it is with the council; everyone else who can see the case is refused.
    "workflows:consent-withdrawal": case_row(
        author=per_kind(ehat=(DENY, OK, OK, OK, OK), others=DENY),
        co_author=per_kind(ehat=(DENY, OK, OK, OK, OK), others=DENY),
        viewer=DENY,
        officer=per_kind(ehat=(HIDE, DENY, OK, OK, DENY), others=COUNCIL_REFUSED),
        team_manager=COUNCIL_REFUSED,
        service_manager=COUNCIL_REFUSED,
    ),
    # ------------------------------------------------------------ a case: the council's pages
    "workflows:case": case_row(officer=COUNCIL_READS, team_manager=COUNCIL_READS, service_manager=COUNCIL_READS),
    # A case someone holds is "already taken" (409) to anyone; a case not in the queue is refused (302).
    "workflows:claim": case_row(
        "post",
        officer=(HIDE, GO, TAKEN, GO, GO),
        team_manager=(HIDE, GO, TAKEN, GO, GO),
        service_manager=(HIDE, DENY, TAKEN, GO, GO),
    ),
    "workflows:release": case_row(
        "post",
        officer=COUNCIL_GETS_REDIRECTED,
        team_manager=COUNCIL_GETS_REDIRECTED,
        service_manager=(HIDE, GO, DENY, GO, GO),
    ),
    "workflows:assign": case_row(
        "post",
        data=lambda world, case: {"officer": person(OFFICER_OF_KIND[case.kind]).pk},
        officer=COUNCIL_REFUSED,
        team_manager=COUNCIL_GETS_REDIRECTED,
        service_manager=COUNCIL_REFUSED,
    ),
    # A form page answers as its POST would: the form only for who may use it now; a case in the wrong state
    # back to the case page with the reason (302); 403 for anyone who could never use it.
    # Returning and deciding: only the officer holding the case under review.
    "workflows:return": case_row(officer=HOLDER_ONLY, team_manager=NOT_THE_HOLDER, service_manager=NOT_THE_HOLDER),
    "workflows:close": case_row(officer=HOLDER_ONLY, team_manager=NOT_THE_HOLDER, service_manager=NOT_THE_HOLDER),
    # Pausing: the holder, or a manager of the team (the case in the world's queue is held by no one).
    "workflows:pause": case_row(
        officer=(HIDE, DENY, OK, GO, GO), team_manager=(HIDE, OK, OK, GO, GO), service_manager=COUNCIL_REFUSED
    ),
    # Reopening: a manager of the team, a recently closed case.
    # The closed EHCP request's needs assessment is running: reopening it is refused with the reason.
    "workflows:reopen": case_row(
        officer=COUNCIL_REFUSED,
        team_manager={
            f"{kind} {state}": GO if (kind, state) == ("ehcp", "closed") else (HIDE, GO, GO, GO, OK)[index]
            for kind in KINDS
            for index, state in enumerate(STATES)
        },
        service_manager=COUNCIL_REFUSED,
    ),
    # The holder or a manager may restart the clock (refused with a message: it is not paused).
    "workflows:resume": case_row(
        "post",
        officer=(HIDE, DENY, GO, GO, GO),
        team_manager=COUNCIL_GETS_REDIRECTED,
        service_manager=COUNCIL_REFUSED,
    ),
    "workflows:message": case_row(
        "post",
        data=lambda world, case: {"body": "Hello"},
        officer=COUNCIL_GETS_REDIRECTED,
        team_manager=COUNCIL_GETS_REDIRECTED,
        service_manager=COUNCIL_REFUSED,
    ),
    "workflows:plan-issued": case_row(
        "post",
        data=lambda world, case: _today_parts("issued_on"),
        officer=COUNCIL_GETS_REDIRECTED,
        team_manager=COUNCIL_GETS_REDIRECTED,
        service_manager=COUNCIL_REFUSED,
    ),
    # ------------------------------------------------------------ the EHC needs assessment of an agreed request
    # The SEND team and service managers read it; only its coordinator (the deciding officer) asks for advice.
    "workflows:ehc": needs_assessment_row(officer=OK, team_manager=OK, service_manager=OK),
    "workflows:ehc-advice-request": needs_assessment_row(officer=OK, team_manager=DENY, service_manager=DENY),
    # Only the professional asked (none in the world) or the coordinator gives advice; anyone else gets 404.
    "workflows:ehc-advice": needs_assessment_row(),
    # The coordinator's steps: anyone else of the council who may read it gets 403; the coordinator, while the
    # world's needs assessment is still asking for advice, is sent back to the overview with the reason.
    "workflows:ehc-decide": needs_assessment_row(officer=GO, team_manager=DENY, service_manager=DENY),
    "workflows:ehc-draft": needs_assessment_row(officer=GO, team_manager=DENY, service_manager=DENY),
    "workflows:ehc-draft-send": needs_assessment_row("post", officer=GO, team_manager=DENY, service_manager=DENY),
    "workflows:ehc-comments": needs_assessment_row(officer=GO, team_manager=DENY, service_manager=DENY),
    "workflows:ehc-comments-end": needs_assessment_row("post", officer=GO, team_manager=DENY, service_manager=DENY),
    "workflows:ehc-final": needs_assessment_row(officer=GO, team_manager=DENY, service_manager=DENY),
    "workflows:ehc-advice-go-on-without": needs_assessment_row(officer=GO, team_manager=DENY, service_manager=DENY),
    # The clock: the coordinator or a SEND manager (not paused in the world, so restarting it is refused).
    "workflows:ehc-pause": needs_assessment_row(officer=OK, team_manager=OK, service_manager=DENY),
    "workflows:ehc-resume": needs_assessment_row("post", officer=GO, team_manager=GO, service_manager=DENY),
    # Only a SEND team manager hands the needs assessment to another coordinator.
    "workflows:ehc-coordinator": needs_assessment_row(officer=DENY, team_manager=OK, service_manager=DENY),
    # The draft plan is shown to the request's author only while it is out for comments: never in the world.
    "workflows:ehc-setting-draft": needs_assessment_row(),
    # A document sent with advice: none in the world (no advice asked for yet), so 404 for everyone; who may
    # download one is tested in tests/workflows/test_ehc_advice_documents.py.
    "workflows:ehc-advice-document": needs_assessment_row(),
    # Each signed-in person's own requests for advice (none in the world): the page answers everyone signed in.
    "workflows:advice-asked": Row("get", "none", signed_in(OK)),
    # The annual review of the plan: the world's needs assessment has issued no plan yet, so 404 for everyone
    # (tests/workflows/test_annual_review_pages.py covers each role once a plan is issued).
    "workflows:ehc-annual-review": needs_assessment_row(),
    "workflows:ehc-annual-review-meeting": needs_assessment_row(),
    "workflows:ehc-annual-review-decision": needs_assessment_row(),
    "workflows:ehc-annual-review-assign": needs_assessment_row(),
    # ------------------------------------------------------------ the admin: only through the portal's sign-in
    "admin:login": Row("get", "none", everyone(LOGIN)),
    "<unnamed admin/login/>": Row("get", "none", everyone(LOGIN)),
}

# What the Administrator role may do in Django's admin, model by model ("" = nothing: 403).
# v: view, a: add, c: change, d: delete.
ADMINISTRATOR_MAY = {
    "auth.group": "",
    "otp_static.staticdevice": "",
    "otp_totp.totpdevice": "",
    "otp_email.emaildevice": "",
    "viewflow.process": "",
    "viewflow.task": "",
    "identity.organisation": "vacd",
    "identity.team": "vacd",
    "identity.user": "vacd",
    "identity.authevent": "v",
    "workflows.teamroute": "vac",
    "workflows.bankholiday": "vacd",
    "workflows.notification": "v",
    "axes.accessattempt": "",
    "axes.accesslog": "",
    "axes.accessfailurelog": "",
}
# Models kept with django-simple-history have a page per historical version.
HISTORY_KEPT = ("identity.organisation", "identity.team", "identity.user", "workflows.teamroute")


def staff(administrator: str, signed_out: str = LOGIN) -> dict[str, object]:
    """A model's admin page: sign in first; signed-in people who are not staff go to the admin's login."""
    return _roles(ADMIN_LOGIN, signed_out=signed_out, administrator=administrator)


def site(administrator: str) -> dict[str, object]:
    """A page of the admin site itself: Django's admin marks these public and sends everyone but staff to its
    login, which is a redirect to the portal's sign-in (see the "admin/login/" row)."""
    return staff(administrator, signed_out=ADMIN_LOGIN)


def _admin_object_params(model_name: str):
    return lambda world, _: {"object_id": world.admin_objects[model_name].pk}


def _admin_rows() -> dict[str, Row]:
    rows = {
        "admin:index": Row("get", "admin", site(OK)),
        # Signing out of the admin ends the session and goes to the signed-out page; others go to the admin home.
        "admin:logout": Row("post", "admin", _roles(GO, signed_out=ADMIN_LOGIN)),
        "admin:password_change": Row("get", "admin", site(OK)),
        "admin:password_change_done": Row("get", "admin", site(OK)),
        # The autocomplete answers only with the field it is asked about.
        "admin:autocomplete": Row("get", "admin", site(DENY)),
        "admin:jsi18n": Row("get", "admin", site(OK)),
        # A user has no page on the site to go to.
        "admin:view_on_site": Row(
            "get",
            "admin",
            site(HIDE),
            params=lambda world, _: {
                "content_type_id": world.admin_objects["user_content_type"].pk,
                "object_id": world.admin_objects["user"].pk,
            },
        ),
        "admin:app_list": Row("get", "admin", site(OK), params=lambda world, _: {"app_label": "identity"}),
        "admin:<unnamed admin/(?P<url>.*)$>": Row(
            "get", "admin", site(HIDE), params=lambda world, _: {"url": "nothing-here/"}
        ),
        "admin:otp_totp_totpdevice_config": Row(
            "get", "admin", staff(DENY), params=lambda world, _: {"pk": world.admin_objects["totpdevice"].pk}
        ),
        "admin:otp_totp_totpdevice_qrcode": Row(
            "get", "admin", staff(DENY), params=lambda world, _: {"pk": world.admin_objects["totpdevice"].pk}
        ),
        # Loading next years' bank holidays from GOV.UK's file: whoever may add bank holidays.
        "admin:workflows_bankholiday_load": Row("get", "admin", staff(OK)),
        # Whoever sets another person's password can take the account over: a superuser's page only.
        "admin:auth_user_password_change": Row(
            "get", "admin", staff(DENY), params=lambda world, _: {"id": world.admin_objects["user"].pk}
        ),
    }
    for model, may in ADMINISTRATOR_MAY.items():

        def code(right: str, may=may) -> str:
            return OK if right in may else DENY

        app_label, model_name = model.split(".")
        name = f"admin:{app_label}_{model_name}"
        one = _admin_object_params(model_name)
        rows[f"{name}_changelist"] = Row("get", "admin", staff(code("v")))
        rows[f"{name}_add"] = Row("get", "admin", staff(code("a")))
        rows[f"{name}_history"] = Row("get", "admin", staff(code("v")), params=one)
        rows[f"{name}_delete"] = Row("get", "admin", staff(code("d")), params=one)
        rows[f"{name}_change"] = Row("get", "admin", staff(code("v")), params=one)
        # The bare object address redirects to its change page (which then checks the right).
        rows[f"admin:<unnamed admin/{app_label}/{model_name}/<path:object_id>/>"] = Row(
            "get", "admin", staff(GO), params=one
        )
        if model in HISTORY_KEPT:
            rows[f"{name}_simple_history"] = Row(
                "get",
                "admin",
                staff(code("c")),
                params=lambda world, _, model_name=model_name: {
                    "args": [
                        world.admin_objects[model_name].pk,
                        world.admin_objects[model_name].history.first().history_id,
                    ]
                },
            )
    return rows


ACCESS |= _admin_rows()


# ---------------------------------------------------------------- the URLs of the project, from the resolver


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name", or "namespace:<unnamed full route>" for a pattern without a name
    route: str
    params: tuple[str, ...]


def project_routes() -> list[Route]:
    routes = []

    def walk(patterns, namespace: str, prefix: str):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner, route)
            elif isinstance(pattern, URLPattern):
                names = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route) + re.findall(r"\(\?P<(\w+)>", route))
                routes.append(Route(f"{namespace}{pattern.name or f'<unnamed {route}>'}", route, names))

    walk(get_resolver().url_patterns, "", "")
    return routes


def url_of(route: Route, params: dict) -> str:
    if "args" in params:
        return reverse(route.key, args=params["args"])
    if "<unnamed" not in route.key:
        return reverse(route.key, kwargs=params)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(params[match.group(1)]), route.route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda match: str(params[match.group(1)]), path)
    return "/" + path.replace("^", "").replace("$", "")


# ---------------------------------------------------------------- filling the parameters


def case_params(world: World, case: Assessment) -> dict:
    return {
        "pk": case.pk,
        "key": spec_for(case.kind).child_section,
        "attachment_id": world.attachments[case.pk].pk,
        "collaborator_id": world.viewer_rows[case.pk].pk,
        "advice_kind": "health",
        # No advice is asked for in the world, so no document of it exists: any number is one nobody may read.
        "document_id": 1,
    }


@dataclass(frozen=True)
class Target:
    label: str
    thing: object  # the case, the tray, or None
    kind: str  # the case type, which decides who the council roles are
    state: str = ""


def targets_of(world: World, row: Row, turn: int) -> list[Target]:
    """Each thing the URL is requested about: a case in every state, every tray, or nothing.

    The case types take turns from one case URL to the next, so each URL sees every state and every type,
    and across the URLs every type is seen in every state (all fifteen per URL would take minutes).
    """
    if row.targets == "cases":
        kinds = [KINDS[(turn + index) % len(KINDS)] for index in range(len(STATES))]
        return [
            Target(f"{kind} {state}", world.case(kind, state), kind, state)
            for kind, state in zip(kinds, STATES, strict=True)
        ]
    if row.targets == "ehcp_cases":
        return [Target(f"ehcp {state}", world.case("ehcp", state), "ehcp", state) for state in STATES]
    if row.targets == "trays":
        return [Target(tray, tray, "ehat") for tray in ("queue", "mine", "team")]
    return [Target("", None, "ehat")]


def expected(row: Row, role: str, target: Target) -> str:
    value = row.expect[role]
    if isinstance(value, tuple):
        return value[STATES.index(target.state)]
    if isinstance(value, dict):
        return value[target.label]
    return value


def params_for(world: World, row: Row, route: Route, target: Target) -> dict:
    if row.targets in ("cases", "ehcp_cases"):
        return {name: value for name, value in case_params(world, target.thing).items() if name in route.params}
    if row.targets == "trays":
        return {"tray": target.thing}
    return row.params(world, target.thing)


# ---------------------------------------------------------------- the test


ROUTES = project_routes()


def test_every_url_of_the_project_has_a_row_in_the_access_table():
    """Deny by default needs a decision per URL: a new view without a row fails here (and in the matrix)."""
    keys = {route.key for route in ROUTES}
    assert sorted(keys - set(ACCESS)) == [], "URLs with no row in ACCESS: declare who may use them"
    assert sorted(set(ACCESS) - keys) == [], "Rows in ACCESS for URLs the project no longer has"


@pytest.mark.parametrize("route", [pytest.param(route, id=route.key) for route in ROUTES])
def test_every_url_answers_every_role_as_the_access_table_says(world, route):
    """The URL, as each of the thirteen roles (on every case type and state), gives the code ACCESS declares."""
    row = ACCESS.get(route.key)
    assert row is not None, f"{route.key} ({route.route}) has no row in ACCESS: declare who may use it"
    wrong = []
    for target in targets_of(world, row, turn=ROUTES.index(route)):
        clients = {role: world.client_for(role, target.kind) for role in ROLES}
        url = url_of(route, params_for(world, row, route, target))
        data = row.data(world, target.thing) if row.data else None
        for role in ROLES:
            want = expected(row, role, target)
            client = clients[role]
            before = state_of_everything() if row.method == "post" else None
            response, after = request_and_undo(
                client, row.method, url, data, inspect=state_of_everything if before else None
            )
            got = outcome(response)
            where = f"{row.method.upper()} {url} [{target.label or route.key}] as {role}"
            if got != want:
                detail = f" ({response.exc_info[1]!r})" if getattr(response, "exc_info", None) else ""
                wrong.append(f"{where}: expected {want}, got {got}{detail}")
            elif want in DENIED and before is not None and after != before:
                wrong.append(f"{where}: refused with {got} but changed something")
        if row.method == "post":
            # A POST-only view must not act on a GET (a link or an image could make it).
            role = "administrator" if row.targets == "admin" else "author"
            response, _ = request_and_undo(world.client_for(role, target.kind), "get", url)
            if outcome(response) != NOT_POST:
                wrong.append(
                    f"GET {url} [{target.label or route.key}] as {role}: expected 405, got {outcome(response)}"
                )
    assert not wrong, f"{len(wrong)} wrong answers:\n" + "\n".join(wrong)
