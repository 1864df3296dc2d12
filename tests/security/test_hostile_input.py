"""Every form of the portal, driven with generated hostile input: never a server error, never unescaped output."""

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.forms import CharField, MultiWidget
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from casework.forms import DisclosureSearchForm, InviteForm, KindForm, NewChildForm, SearchForm
from casework.models import AssessmentSection, SectionDraft
from casework.sections import spec_for
from casework.selectors import section_context
from identity.forms import (
    SECURITY_QUESTIONS,
    PasswordChangeForm,
    ProfileForm,
    RegistrationForm,
    SecurityQuestionChangeForm,
)
from identity.models import User
from tests.casework.conftest import valid_answers, verified_professional
from tests.security.conftest import KINDS, World, request_and_undo, state_of_everything
from tests.workflows.annual_review_steps import current_review, meeting_recorded, plan_issued
from tests.workflows.ehc_steps import advice_asked, all_advice_in, decided_to_issue, draft_sent, finalising
from workflows import services
from workflows.annual_review_forms import ReviewDecisionForm, ReviewMeetingForm
from workflows.ehc_forms import (
    AdviceRequestForm,
    CoordinatorForm,
    DraftCommentForm,
    DraftPlanForm,
    FinalPlanForm,
    GoOnWithoutForm,
    IssueDecisionForm,
    NeedsAssessmentPauseForm,
    SettingCommentForm,
)
from workflows.forms import (
    ChildSearchForm,
    CloseForm,
    ConsentWithdrawalForm,
    MessageForm,
    PauseForm,
    PlanIssuedForm,
    QueueFilter,
    ReasonForm,
    ReturnForm,
    SubjectAccessRequestForm,
)
from workflows.models import AdviceRequest, NeedsAssessment

# Things people (and attackers) really type or paste: right-to-left overrides, emoji sequences, combining marks,
# control characters and NUL, template and SQL syntax, numbers out of range, and markup that must stay text.
SCRIPT_PROBE = '<script>alert("probe")</script>'
ATTRIBUTE_PROBE = '"><svg onload=alert("probe")>'
SPECIMENS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202egnp.exe\u202c",
    "مرحبا بالعالم",
    "שלום עולם",
    "👩\u200d👩\u200d👧\u200d👦",
    "🧒🏽",
    "e\u0301\u0302\u0303\u0304\u0305",
    "Z\u0334\u0321\u031b\u0317a\u0337l\u0336g\u0335o",
    "\ufeff",
    "\u200b\u200c\u200d",
    "\r\n\r\n",
    "\t\x0b\x0c",
    "\x1b[31mred",
    "\x7f\x80\x9f",
    SCRIPT_PROBE,
    ATTRIBUTE_PROBE,
    "{{ 7|add:7 }}{% debug %}",
    "' OR '1'='1' --",
    "../../../../etc/passwd",
    "%00%2e%2e%2f",
    "%s%s%s%n",
    "9" * 40,
    "-1",
    "0",
    "1e309",
    "NaN",
    "null",
    "[]",
    "{}",
    "x" * 5_000,
    "ß" * 301,
    "12\u200b34",
    "١٢٣",  # Arabic-Indic digits
    "２０２６",  # full-width digits
]
TEXT = st.one_of(
    st.sampled_from(SPECIMENS),
    st.text(max_size=40),
    st.text(st.characters(codec="utf-8"), min_size=150, max_size=400),
    st.integers().map(str),
)
# A field sent once, or several times (a list), as a hand-made request can.
VALUE = st.one_of(TEXT, st.lists(TEXT, min_size=2, max_size=3))
EXTRA_FIELDS = st.dictionaries(st.text(min_size=1, max_size=20), VALUE, max_size=2)


def form_data(names: list[str]):
    """Any subset of the form's own fields with hostile values, plus fields the form has never heard of."""
    own = st.fixed_dictionaries({}, optional=dict.fromkeys(names, VALUE))
    return st.tuples(own, EXTRA_FIELDS).map(lambda parts: {**parts[1], **parts[0]})


# Bounded so the folder runs in minutes. No shrinking: a failure is reported as first found, with its data,
# rather than spending minutes on requests to find a smaller one.
BOUNDED = settings(
    max_examples=25,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


def posted_names(form) -> list[str]:
    """The names a browser posts for a Django form: date fields as their day, month and year parts."""
    names = []
    for bound in form:
        widget = bound.field.widget
        if isinstance(widget, MultiWidget):
            names += [bound.html_name + suffix for suffix in widget.widgets_names]
        else:
            names.append(bound.html_name)
    return names


def section_names(kind: str, key: str) -> list[str]:
    """A section's fields and the fields of its repeating rows, management forms included."""
    form = spec_for(kind).section(key).form_class(data=None, context=section_context())
    names = [*posted_names(form), "action"]
    for formset in getattr(form, "formsets", {}).values():
        names += posted_names(formset.management_form)
        for row in formset.forms[:1]:
            names += posted_names(row)
    return names


# ---------------------------------------------------------------- the forms


@dataclass(frozen=True)
class Form:
    """One form: who fills it in, where it is, what it posts."""

    role: str
    path: Callable[[World], str]
    names: Callable[[World], list[str]]
    method: str = "post"
    kind: str = "ehat"
    session: Callable[[World], dict] | None = None  # what the earlier steps left in the session
    fixed: Callable[[World], dict] | None = None  # sent as they are with every example


def case_path(kind: str, state: str, suffix: str = "") -> Callable[[World], str]:
    def path(world: World) -> str:
        case = world.case(kind, state)
        return f"/assessments/{case.pk}/{suffix}" if not suffix.startswith("/cases") else suffix.format(pk=case.pk)

    return path


def council_path(kind: str, state: str, suffix: str) -> Callable[[World], str]:
    return lambda world: f"/cases/{world.case(kind, state).pk}/{suffix}"


def annual_review_path(suffix: str, *, meeting_held: bool = False) -> Callable[[World], str]:
    """A page of the annual review of the world's agreed EHCP request, its plan issued (and the meeting held)."""

    def path(world: World) -> str:
        case = world.case("ehcp", "closed")
        needs_assessment = NeedsAssessment.objects.get(assessment=case)
        if needs_assessment.final_issued_on is None:
            needs_assessment = plan_issued(needs_assessment=needs_assessment)
        if meeting_held:
            meeting_recorded(current_review(needs_assessment))
        return f"/cases/{case.pk}/needs-assessment/annual-review/{suffix}"

    return path


def names(*items: str) -> Callable[[World], list[str]]:
    return lambda world: list(items)


def names_of(form_factory: Callable[[World], object]) -> Callable[[World], list[str]]:
    return lambda world: posted_names(form_factory(world))


SIGN_IN_FIELDS = names(
    "sign_in_view-current_step", "auth-username", "auth-password", "token-code", "resend_code", "next"
)
START = {"kind": "ehat", "safeguarding": "no"}

FORMS: dict[str, Form] = {
    # public
    "sign-in": Form("anonymous", lambda world: "/account/sign-in/", SIGN_IN_FIELDS),
    "register": Form("anonymous", lambda world: "/account/register/", names_of(lambda world: RegistrationForm())),
    "verify-resend": Form("anonymous", lambda world: "/account/verify/resend/", names("email")),
    "password-reset": Form("anonymous", lambda world: "/account/password-reset/", names("email")),
    "session-timed-out": Form("author", lambda world: "/account/session/timed-out/", names("next")),
    # the account
    "account-details": Form("author", lambda world: "/account/details/", names_of(lambda world: ProfileForm())),
    "account-password": Form(
        "author",
        lambda world: "/account/password/",
        names_of(lambda world: PasswordChangeForm(user=world.user_for("author"))),
    ),
    "account-security-question": Form(
        "author",
        lambda world: "/account/security-question/",
        names_of(lambda world: SecurityQuestionChangeForm(user=world.user_for("author"))),
    ),
    "notification-settings": Form("author", lambda world: "/notifications/settings/", names("submitted", "message")),
    # starting an assessment
    "start-kind": Form("author", lambda world: "/assessments/new/", names_of(lambda world: KindForm())),
    "start-safeguarding": Form(
        "author",
        lambda world: "/assessments/new/safeguarding/",
        names("significant_harm"),
        session=lambda world: {"kind": "ehat"},
    ),
    "start-child": Form("author", lambda world: "/assessments/new/child/", names("child"), session=lambda world: START),
    "start-new-child": Form(
        "author",
        lambda world: "/assessments/new/child/details/",
        names_of(lambda world: NewChildForm()),
        session=lambda world: START,
    ),
    "start-duplicate": Form(
        "author",
        lambda world: "/assessments/new/child/already-added/",
        names("use_existing"),
        session=lambda world: {
            **START,
            "duplicate_of": world.case("ehat", "draft").child_id,
            "new_child": {"first_name": "Mia", "last_name": "Hart", "date_of_birth": "2016-04-03"},
        },
    ),
    "your-assessments-search": Form(
        "author", lambda world: "/assessments/", lambda world: [*posted_names(SearchForm()), "page"], method="get"
    ),
    # a draft, by its author
    "evidence": Form("author", case_path("ehat", "draft", "evidence/"), names("document", "category", "description")),
    "sharing": Form("author", case_path("ehat", "draft", "sharing/"), names_of(lambda world: InviteForm())),
    "submit": Form("author", case_path("ehat", "draft", "submit/"), names("declaration")),
    "history-page": Form("author", case_path("ehat", "closed", "history/"), names("page"), method="get"),
    # with the council, by its author
    "progress-message": Form(
        "author", case_path("ehat", "submitted", "progress/"), names_of(lambda world: MessageForm())
    ),
    "withdraw": Form("author", case_path("ehat", "submitted", "withdraw/"), names_of(lambda world: ReasonForm())),
    "consent-withdrawal": Form(
        "author", case_path("ehat", "submitted", "consent-withdrawn/"), names_of(lambda world: ConsentWithdrawalForm())
    ),
    # the council
    "work-tray-filter": Form(
        "officer", lambda world: "/work/queue/", names_of(lambda world: QueueFilter().form), method="get"
    ),
    "case-message": Form("officer", council_path("ehat", "under_review", "messages/"), names("body")),
    "assign": Form("team_manager", council_path("ehat", "submitted", "assign/"), names("officer")),
    "return": Form(
        "officer",
        council_path("ehat", "under_review", "return/"),
        names_of(lambda world: ReturnForm(assessment=world.case("ehat", "under_review"))),
    ),
    "decide": Form(
        "officer",
        council_path("ehat", "under_review", "decide/"),
        names_of(
            lambda world: CloseForm(
                assessment=world.case("ehat", "under_review"), outcomes=services.OUTCOMES_BY_KIND["ehat"]
            )
        ),
    ),
    "decide-ehcp": Form(
        "officer",
        council_path("ehcp", "under_review", "decide/"),
        names_of(
            lambda world: CloseForm(
                assessment=world.case("ehcp", "under_review"), outcomes=services.OUTCOMES_BY_KIND["ehcp"]
            )
        ),
        kind="ehcp",
    ),
    "pause": Form(
        "officer",
        council_path("ehat", "under_review", "pause/"),
        names_of(lambda world: PauseForm(reasons=services.pause_reasons_for("ehat"))),
    ),
    "reopen": Form("team_manager", council_path("ehat", "closed", "reopen/"), names("reason")),
    "plan-issued": Form(
        "officer",
        council_path("ehcp", "closed", "plan-issued/"),
        names_of(lambda world: PlanIssuedForm()),
        kind="ehcp",
    ),
    "ehc-advice-request": Form(
        "officer",
        council_path("ehcp", "closed", "needs-assessment/advice/"),
        names_of(lambda world: AdviceRequestForm()),
        kind="ehcp",
    ),
    "ehc-annual-review-meeting": Form(
        "officer",
        annual_review_path("meeting/"),
        names_of(lambda world: ReviewMeetingForm()),
        kind="ehcp",
    ),
    "ehc-annual-review-decision": Form(
        "officer",
        annual_review_path("decision/", meeting_held=True),
        names_of(lambda world: ReviewDecisionForm()),
        kind="ehcp",
    ),
    "ehc-annual-review-assign": Form(
        "team_manager",
        annual_review_path("hand-over/"),
        names("holder"),
        kind="ehcp",
    ),
    # the data protection officer
    "subject-access-find-child": Form(
        "data_protection_officer",
        lambda world: "/subject-access/find-child/",
        names_of(lambda world: ChildSearchForm()),
        method="get",
    ),
    "subject-access-record": Form(
        "data_protection_officer",
        lambda world: f"/subject-access/find-child/{world.subject_access_request.child_id}/",
        names_of(lambda world: SubjectAccessRequestForm()),
    ),
    "reports": Form(
        "team_manager",
        lambda world: "/reports/",
        names(
            *(f"date_{end}_{part}" for end in ("from", "to") for part in ("day", "month", "year")),
            "kind",
            "team",
            "organisation_kind",
        ),
        method="get",
    ),
    "report-csv": Form(
        "service_manager",
        lambda world: "/reports/workload.csv",
        names(*(f"date_{end}_{part}" for end in ("from", "to") for part in ("day", "month", "year")), "team"),
        method="get",
    ),
    # the data protection officer
    "disclosure-log": Form(
        "data_protection_officer",
        lambda world: "/data-protection/disclosures/",
        lambda world: [*posted_names(DisclosureSearchForm()), "page"],
        method="get",
    ),
}


def current_version(kind: str, state: str, key: str) -> Callable[[World], dict]:
    """The section's version as the edit page gives it (a wrong one is test_section_version_... below)."""

    def fixed(world: World) -> dict:
        section = world.case(kind, state).sections.filter(key=key).first()
        return {"version": str(section.version if section else 0)}

    return fixed


# The drafting forms: every section of every kind, and the autosave beside each kind's child section.
for _kind in KINDS:
    for _section in spec_for(_kind).sections:
        FORMS[f"section-{_kind}-{_section.key}"] = Form(
            "author",
            case_path(_kind, "draft", f"sections/{_section.key}/"),
            lambda world, kind=_kind, key=_section.key: section_names(kind, key),
            kind=_kind,
            fixed=current_version(_kind, "draft", _section.key),
        )
    _child = spec_for(_kind).child_section
    FORMS[f"autosave-{_kind}"] = Form(
        "author",
        case_path(_kind, "returned", f"sections/{_child}/autosave/"),
        lambda world, kind=_kind, key=_child: section_names(kind, key),
        kind=_kind,
        fixed=current_version(_kind, "returned", _child),
    )


def send(client, form: Form, url: str, data: dict, encoding: str, inspect=None):
    """The request as a browser (urlencoded), a script (JSON) or a hand-made multipart body would send it."""
    if form.method == "get":
        return request_and_undo(client, "get", f"{url}?{urlencode(data, doseq=True)}", inspect=inspect)
    if encoding == "json":
        return request_and_undo(client, "post", url, json.dumps(data), content_type="application/json", inspect=inspect)
    if encoding == "multipart":
        return request_and_undo(client, "post", url, data, inspect=inspect)
    body = urlencode(data, doseq=True)
    return request_and_undo(
        client, "post", url, body, content_type="application/x-www-form-urlencoded", inspect=inspect
    )


def start_state(world: World, form: Form, client) -> None:
    """Put in the session what the earlier steps of a journey would have left there."""
    if form.session:
        session = client.session
        session["casework_start"] = form.session(world)
        session.save()


@pytest.mark.parametrize("form_id", FORMS)
def test_no_form_answers_hostile_input_with_a_server_error(world, form_id):
    """Whatever is posted – odd characters, NUL, huge or missing values, repeated or unknown fields – no 500."""
    form = FORMS[form_id]
    client = world.client_for(form.role, form.kind)
    start_state(world, form, client)
    url = form.path(world)
    field_names = form.names(world)
    fixed = form.fixed(world) if form.fixed else {}
    assert field_names, form_id

    # A JSON body reaches the view as an empty form; the section forms' version cannot ride along in one.
    encodings = ["urlencoded", "multipart"] + ([] if fixed else ["json"])

    @BOUNDED
    @given(data=form_data(field_names), encoding=st.sampled_from(encodings))
    def check(data, encoding):
        response, _ = send(client, form, url, {**data, **fixed}, encoding)
        assert response.status_code < 500, (data, getattr(response, "exc_info", None))
        if response.get("Content-Type", "").startswith("text/html"):
            page = response.content.decode()
            assert SCRIPT_PROBE not in page
            assert ATTRIBUTE_PROBE not in page

    check()


# ---------------------------------------------------------------- the section forms' hidden fields


def _nul_anywhere(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_nul_anywhere(key) or _nul_anywhere(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_nul_anywhere(item) for item in value)
    return False


@pytest.mark.parametrize("endpoint", ["sections/reason/", "sections/reason/autosave/"], ids=["save", "autosave"])
@pytest.mark.parametrize(
    "version",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("abc", id="not-a-number"),
        pytest.param("-1", id="negative"),
        pytest.param("1.5", id="decimal"),
        pytest.param("9" * 30, id="too-big-for-the-database"),
    ],
)
def test_a_section_version_that_is_missing_or_not_a_version_is_refused_without_a_server_error(world, endpoint, version):
    """The hidden version field comes from the browser: a hand-made or stale value gets an answer, not a 500."""
    case = world.case("ehat", "draft")
    data = {"reason": "Attendance has fallen", "level_of_need": "multiple", "action": "later"}
    if version is not None:
        data["version"] = version
    response, _ = request_and_undo(world.client_for("author"), "post", f"/assessments/{case.pk}/{endpoint}", data)
    assert response.status_code < 500, getattr(response, "exc_info", None)


@pytest.mark.parametrize(
    ("endpoint", "action"),
    [
        pytest.param("sections/reason/", "later", id="save-and-come-back"),
        pytest.param("sections/reason/", "continue", id="save-and-continue"),
        pytest.param("sections/reason/autosave/", "", id="autosave"),
    ],
)
def test_nul_characters_in_section_answers_are_never_stored(world, endpoint, action):
    """PostgreSQL's jsonb cannot hold U+0000: a NUL typed or pasted into an answer must not reach the database.

    (On PostgreSQL storing it is a 500; on SQLite it is stored, and the next PostgreSQL read or copy fails.)
    """
    case = world.case("ehat", "returned")
    section = case.sections.get(key="reason")
    data = {"reason": "Attendance\x00 has fallen", "level_of_need": "multiple", "version": str(section.version)}
    if action:
        data["action"] = action
    response, stored = request_and_undo(
        world.client_for("author"),
        "post",
        f"/assessments/{case.pk}/{endpoint}",
        data,
        inspect=lambda: [
            *AssessmentSection.objects.filter(assessment=case).values_list("data", flat=True),
            *SectionDraft.objects.filter(assessment=case).values_list("data", flat=True),
        ],
    )
    assert response.status_code < 500, getattr(response, "exc_info", None)
    assert not any(_nul_anywhere(data) for data in stored), "a NUL character was stored in the answers"


# ---------------------------------------------------------------- invalid input is always told, never accepted


def required_text(max_length: int | None):
    """Values a required text field must refuse: nothing, only spaces, a NUL, or too long."""
    values = [st.just(""), st.text(alphabet=" \t\r\n\u00a0\u2003\u3000", min_size=1, max_size=6)]
    return st.one_of(*values, optional_text(max_length))


def optional_text(max_length: int | None):
    """Values any text field must refuse: a NUL anywhere, or longer than its limit."""
    values = [st.tuples(st.text(max_size=10), st.text(max_size=10)).map(lambda parts: f"{parts[0]}\x00{parts[1]}")]
    if max_length:
        values.append(st.integers(max_length + 1, max_length + 400).map(lambda length: "ü" * length))
    return st.one_of(*values)


NOT_AN_EMAIL = st.one_of(st.sampled_from(["name", "name@", "@example.com", "a b@example.com", "<a>@example.com"]))
NOT_A_DAY = st.sampled_from(["32", "0", "-1", "x", "1e3", "\x00", "3.5"])


@dataclass(frozen=True)
class Checked:
    """A form with input it must accept, and for each field the values it must refuse with a message."""

    form: str
    valid: Callable[[World], dict]
    invalid: dict[str, st.SearchStrategy]


def _new_colleague(world: World) -> dict:
    colleague = verified_professional(organisation=world.user_for("author").organisation)
    return {"email": colleague.email, "role": "viewer"}


def _registration(world: World) -> dict:
    organisation = world.user_for("author").organisation
    return {
        "full_name": "Ava Stone",
        "email": "ava.stone@stmarys.plymouth.sch.uk",
        "organisation": organisation.pk,
        "job_title": "Teaching assistant",
        "phone": "",
        "password": "lantern orchard cobalt ferry",
        "security_question": SECURITY_QUESTIONS[0],
        "security_answer": "Hillside",
        "confirm_own_use": "on",
    }


CHECKED = [
    Checked(
        "account-details",
        lambda world: {"full_name": "Sam Taylor", "job_title": "SENCO", "phone": ""},
        {"full_name": required_text(150), "job_title": required_text(150)},
    ),
    Checked(
        "start-new-child",
        lambda world: {
            "first_name": "Ava",
            "last_name": "Stone",
            "date_of_birth_day": "1",
            "date_of_birth_month": "5",
            "date_of_birth_year": "2015",
        },
        {
            "first_name": required_text(100),
            "last_name": required_text(100),
            "date_of_birth_day": NOT_A_DAY,
            "date_of_birth_year": st.sampled_from(["1989", "2999", "15", "20155", "year"]),
        },
    ),
    Checked("sharing", _new_colleague, {"email": st.one_of(NOT_AN_EMAIL, required_text(254))}),
    Checked("progress-message", lambda world: {"body": "Is there any news?"}, {"body": required_text(5000)}),
    Checked("withdraw", lambda world: {"reason": "The family moved away"}, {"reason": required_text(2000)}),
    Checked("reopen", lambda world: {"reason": "New information from school"}, {"reason": required_text(2000)}),
    Checked(
        "return",
        lambda world: {"section_reason": "Say what the family has tried", "message": ""},
        {"section_reason": required_text(2000), "message": optional_text(2000)},
    ),
    Checked(
        "decide",
        lambda world: {"outcome": "signposted", "note": "Signposted to the family hub"},
        {
            "note": required_text(5000),
            "outcome": st.sampled_from(["", "accepted-ish", "withdrawn", "agreed_to_assess"]),
            "lead_professional": optional_text(150),
        },
    ),
    Checked(
        "register",
        _registration,
        {
            "full_name": required_text(150),
            "job_title": required_text(150),
            "security_answer": required_text(100),
            "email": st.one_of(NOT_AN_EMAIL, required_text(254)),
        },
    ),
]


def _field_and_value(invalid: dict[str, st.SearchStrategy]):
    return st.sampled_from(sorted(invalid)).flatmap(lambda name: invalid[name].map(lambda value: (name, value)))


@pytest.mark.parametrize("checked", [pytest.param(checked, id=checked.form) for checked in CHECKED])
def test_invalid_input_is_refused_with_the_error_summary_and_changes_nothing(world, checked):
    """One field made invalid (blank, only spaces, NUL, too long, not what it should be): the form says so."""
    form = FORMS[checked.form]
    client = world.client_for(form.role, form.kind)
    start_state(world, form, client)
    url = form.path(world)
    valid = checked.valid(world)
    accepted, _ = send(client, form, url, valid, "urlencoded")
    assert accepted.status_code == 302, "the valid input must be accepted, or the property below proves nothing"
    start_state(world, form, client)

    @BOUNDED
    @given(change=_field_and_value(checked.invalid))
    def check(change):
        name, value = change
        before = state_of_everything()
        response, after = send(client, form, url, {**valid, name: value}, "urlencoded", inspect=state_of_everything)
        assert response.status_code == 200, (name, value, response.status_code)
        assert "govuk-error-summary" in response.content.decode(), (name, value)
        assert after == before, f"{name}={value!r} was refused but something changed"

    check()


SECTIONS_WITH_TEXT = [("ehat", "reason"), ("ehat", "child"), ("ehcp", "needs"), ("young_carers", "wishes")]


@pytest.mark.parametrize(("kind", "key"), SECTIONS_WITH_TEXT, ids=[f"{kind}-{key}" for kind, key in SECTIONS_WITH_TEXT])
def test_a_section_with_an_invalid_answer_is_not_completed_and_says_why(world, kind, key):
    """Save and continue with one answer invalid: the section stays in progress and the error summary shows."""
    case = world.case(kind, "draft")
    client = world.client_for("author", kind)
    url = f"/assessments/{case.pk}/sections/{key}/"
    form = spec_for(kind).section(key).form_class(data=None, context=section_context())
    texts = {
        name: (required_text if field.required else optional_text)(getattr(field, "max_length", None))
        for name, field in form.fields.items()
        if isinstance(field, CharField) and not isinstance(field.widget, MultiWidget)
    }
    assert texts, f"{kind} {key} has no text answers to test"

    def post(answers):
        version = str(case.sections.get(key=key).version)
        data = {**answers, "action": "continue", "version": version}
        return send(client, FORMS[f"section-{kind}-{key}"], url, data, "urlencoded", inspect=section_status)

    def section_status():
        return case.sections.get(key=key).status

    accepted, status = post(valid_answers(kind)[key])
    assert (accepted.status_code, status) == (302, "completed"), "the valid answers must complete the section"

    @BOUNDED
    @given(change=_field_and_value(texts))
    def check(change):
        name, value = change
        response, status = post({**valid_answers(kind)[key], name: value})
        assert response.status_code == 200, (name, value, response.status_code)
        assert "govuk-error-summary" in response.content.decode(), (name, value)
        assert status != "completed", (name, value)

    check()


# ---------------------------------------------------------------- the needs assessment's steps, each at its stage


def _needs_assessment_of_the_world(world: World):
    return NeedsAssessment.objects.select_related("assessment", "coordinator").get(
        assessment=world.case("ehcp", "closed")
    )


def _advice_overdue(needs_assessment):
    advice_asked(needs_assessment, kinds=("health",))
    # The request for advice is made today; its due date is put behind us rather than the clock moved on,
    # which would end the world's signed-in sessions.
    AdviceRequest.objects.filter(needs_assessment=needs_assessment).update(
        due_on=timezone.localdate() - dt.timedelta(1)
    )


NEEDS_ASSESSMENT_FORMS = {
    # (who, where, the form's fields, how to bring the world's needs assessment to the step's stage)
    "ehc-decide": ("officer", "needs-assessment/decide/", IssueDecisionForm, all_advice_in),
    "ehc-draft": ("officer", "needs-assessment/draft-plan/", DraftPlanForm, decided_to_issue),
    "ehc-comments": ("officer", "needs-assessment/comments/", DraftCommentForm, draft_sent),
    "ehc-final": ("officer", "needs-assessment/final-plan/", FinalPlanForm, finalising),
    "ehc-pause": ("team_manager", "needs-assessment/pause/", NeedsAssessmentPauseForm, all_advice_in),
    "ehc-advice-go-on-without": (
        "officer",
        "needs-assessment/advice/health/go-on-without/",
        GoOnWithoutForm,
        _advice_overdue,
    ),
    "ehc-coordinator": (
        "team_manager",
        "needs-assessment/coordinator/",
        lambda: CoordinatorForm(officers=User.objects.none()),
        advice_asked,
    ),
    "ehc-setting-draft": ("author", "draft-plan/", SettingCommentForm, draft_sent),
}


@pytest.mark.parametrize("form_id", NEEDS_ASSESSMENT_FORMS)
def test_the_needs_assessment_forms_answer_hostile_input_without_a_server_error(world, form_id):
    """Each step of the needs assessment, at the stage where its form is open: no 500, no raw markup back."""
    role, suffix, form_class, bring_to_stage = NEEDS_ASSESSMENT_FORMS[form_id]
    needs_assessment = _needs_assessment_of_the_world(world)
    bring_to_stage(needs_assessment)
    client = world.client_for(role, "ehcp")
    prefix = "/assessments" if role == "author" else "/cases"
    url = f"{prefix}/{needs_assessment.assessment_id}/{suffix}"
    assert client.get(url).status_code == 200, "the form is open at this stage"
    field_names = posted_names(form_class())

    @BOUNDED
    @given(data=form_data(field_names), encoding=st.sampled_from(["urlencoded", "multipart", "json"]))
    def check(data, encoding):
        response, _ = send(client, Form(role, lambda world: url, lambda world: field_names), url, data, encoding)
        assert response.status_code < 500, (data, getattr(response, "exc_info", None))
        if response.get("Content-Type", "").startswith("text/html"):
            page = response.content.decode()
            assert SCRIPT_PROBE not in page
            assert ATTRIBUTE_PROBE not in page

    check()


@pytest.mark.parametrize(
    "form_id", ["ehc-annual-review-meeting", "ehc-annual-review-decision", "ehc-annual-review-assign"]
)
def test_the_annual_review_forms_driven_above_are_open_to_the_people_who_use_them(world, form_id):
    """Else the hostile input above would only ever meet a 404."""
    form = FORMS[form_id]
    response, _ = request_and_undo(world.client_for(form.role, form.kind), "get", form.path(world))
    assert response.status_code == 200
