"""Completeness, check your answers, and submitting: allowed, wrong state, wrong user, history written."""

import pytest
from django.core.exceptions import PermissionDenied

from casework.models import Assessment, CaseEvent, CaseEventKind, SectionDraft
from casework.sections import Gap, spec_for
from casework.selectors import assessment_gaps
from identity.permissions import (
    can_edit_assessment,
    can_submit_assessment,
    can_view_assessment,
)
from tests.casework.conftest import (
    attach,
    client_for,
    complete_all,
    return_to_author,
    section_of,
    share,
    start,
    submit,
    valid_answers,
    verified_professional,
)
from workflows.models import Notification, NotificationKind, TeamRoute
from workflows.services import SubmissionRefused, assessment_submit


def check_url(assessment):
    return f"/assessments/{assessment.pk}/check-your-answers/"


def submit_url(assessment):
    return f"/assessments/{assessment.pk}/submit/"


def fresh(assessment):
    return Assessment.objects.get(pk=assessment.pk)


# ---------------------------------------------------------------- completeness


def test_gaps_name_every_section_not_completed(author):
    """Sections not started and those only in progress are both listed, in the order of the form."""
    assessment = start(author, "ehat")
    answers = valid_answers("ehat")
    complete_all(assessment, answers={"reason": answers["reason"], "voice": answers["voice"]})
    expected = [
        spec.key
        for spec in spec_for("ehat").sections
        if spec.key not in ("safeguarding", "reason", "voice")  # safeguarding is answered before starting
    ]
    assert [gap.section for gap in assessment_gaps(assessment)] == expected
    assert assessment_gaps(assessment)[0].message == "Complete the section ‘You and the lead professional’"


def test_check_your_answers_lists_the_gaps_and_offers_no_submit_button(author_client, author, ehat):
    """Until complete, the page says what to put right, linking to each section, with no way to submit."""
    html = author_client.get(check_url(ehat)).content.decode()
    assert "You cannot submit yet" in html
    assert (
        f'href="/assessments/{ehat.pk}/sections/consent/">Complete the section ‘Consent to share information’' in html
    )
    assert "Submit to the council" not in html


def test_complete_assessment_can_be_checked_and_shows_the_declaration(author_client, ehat):
    """With every section completed there are no gaps, and the declaration and button appear."""
    complete_all(ehat)
    assert assessment_gaps(ehat) == []
    html = author_client.get(check_url(ehat)).content.decode()
    assert "You cannot submit yet" not in html
    assert 'name="declaration"' in html
    assert "Submit to the council" in html


class _ReadRecorder(dict):
    """Answers by section that note which sections a check looked at."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.read: set[str] = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)

    def __contains__(self, key):
        self.read.add(key)
        return super().__contains__(key)


@pytest.mark.parametrize("kind", ["ehat", "ehcp", "young_carers"])
def test_the_checks_across_sections_read_only_the_sections_they_declare(kind):
    """Submitting re-checks only the sections named in `checks_read`: a check reading another would pass
    unnoticed, so every check is run on every section's answers and the sections it looked at recorded."""
    spec = spec_for(kind)
    answers = _ReadRecorder({section.key: {} for section in spec.sections})
    answers["safeguarding"] = {"significant_harm": "yes"}
    answers["requester"] = {"evidence": ["sen_support_plan"]}
    answers["professionals"] = {"professionals": [{"report_attached": "yes"}]}
    answers["needs"] = {"eligible_needs": "no"}
    spec.extra_checks(answers, set())
    for section in spec.sections:
        if section.not_needed_when is not None:  # whether a section is needed is read from the same answers
            section.not_needed_when(answers)
    assert answers.read <= set(spec.checks_read)


def test_ehat_without_consent_cannot_be_submitted(council, author):
    """Early help is voluntary: a completed EHAT recording no consent is refused."""
    assessment = start(author, "ehat")
    complete_all(assessment, answers={**valid_answers("ehat"), "consent": {"consent_given": "no"}})
    assert assessment_gaps(assessment) == [
        Gap("Early help needs the family's consent: record it before you submit", "consent")
    ]
    with pytest.raises(SubmissionRefused, match="not complete"):
        assessment_submit(actor=author, assessment=assessment, declaration=True)
    assert fresh(assessment).status == "draft"


def test_ehcp_evidence_ticked_needs_attachments_of_that_kind(author, media):
    """Each kind of evidence ticked as included needs a document of the matching category attached."""
    assessment = start(author, "ehcp")
    answers = valid_answers("ehcp")
    answers["requester"] = {**answers["requester"], "evidence": ["sen_support_plan", "provision_map", "parent_views"]}
    complete_all(assessment, answers=answers)
    assert assessment_gaps(assessment) == [
        Gap("Attach the SEN support plan: you said it is included", "evidence"),
        Gap("Attach the costed provision map: you said it is included", "evidence"),
    ]
    attach(assessment, "plan.pdf", category="plan")
    assert [gap.message for gap in assessment_gaps(assessment)] == [
        "Attach the costed provision map: you said it is included"
    ]
    attach(assessment, "map.pdf", category="provision_map")
    assert assessment_gaps(assessment) == []


def test_ehcp_reports_said_to_be_attached_must_be_attached(author, media):
    """A professional's report marked as attached needs a professional report among the documents."""
    assessment = start(author, "ehcp")
    answers = valid_answers("ehcp")
    answers["professionals"] = {**answers["professionals"], "professionals-0-report_attached": "yes"}
    complete_all(assessment, answers=answers)
    assert [gap.message for gap in assessment_gaps(assessment)] == [
        "Attach the professionals' reports you said are attached"
    ]
    attach(assessment, "ep.pdf", category="professional_report")
    assert assessment_gaps(assessment) == []


# ---------------------------------------------------------------- the submit page


def test_submit_refused_without_the_declaration(council, author_client, ehat):
    """The declaration must be ticked; nothing is sent without it. The page comes back with the GOV.UK error:
    a summary at the top linking to the tick box, and the tick box's group marked with its message."""
    complete_all(ehat)
    response = author_client.post(submit_url(ehat), {})
    assert response.status_code == 200
    html = response.content.decode()
    summary = html.split('class="govuk-error-summary"', 1)[1].split("</div>", 1)[0]
    assert '<a href="#declaration">Confirm the declaration to submit the assessment</a>' in summary
    assert html.index("govuk-error-summary") < html.index("<h1")
    group = html.split("govuk-form-group govuk-form-group--error", 1)[1]
    assert "Confirm the declaration to submit the assessment" in group.split('id="declaration"', 1)[0]
    assert 'id="declaration"' in group and 'name="declaration"' in group
    assert fresh(ehat).status == "draft"


def test_declaration_names_the_request_for_an_ehc_needs_assessment_with_its_capitals(council, author):
    assessment = start(author, "ehcp")
    complete_all(assessment)
    html = client_for(author).get(check_url(assessment)).content.decode()
    assert "the information in this request for an EHC needs assessment is correct" in html


def test_submit_refused_when_incomplete(council, author_client, ehat):
    """An assessment with gaps is not sent, and the professional is told to check their answers."""
    response = author_client.post(submit_url(ehat), {"declaration": "yes"}, follow=True)
    assert response.redirect_chain[0][0] == check_url(ehat)
    assert "The assessment is not complete: check your answers" in response.content.decode()
    assert fresh(ehat).status == "draft"
    assert not CaseEvent.objects.filter(kind=CaseEventKind.SUBMITTED).exists()


@pytest.mark.parametrize("kind", ["ehat", "ehcp", "young_carers"])
def test_submit_allowed_when_complete(council, author, kind):
    """The author submits: it is sent, dated, confirmed with its reference, and no longer editable by them."""
    assessment = complete_all(start(author, kind))
    client = client_for(author)
    response = client.post(submit_url(assessment), {"declaration": "yes"})
    assert response["Location"] == f"/assessments/{assessment.pk}/submitted/"
    confirmation = client.get(response["Location"]).content.decode()
    assert "govuk-panel--confirmation" in confirmation
    assert assessment.reference in confirmation

    submitted = fresh(assessment)
    assert submitted.status == "submitted"
    assert submitted.submitted_at is not None
    assert can_view_assessment(author, submitted)
    assert not can_edit_assessment(author, submitted)
    assert not can_submit_assessment(author, submitted)
    event = CaseEvent.objects.get(assessment=assessment, kind=CaseEventKind.SUBMITTED)
    assert event.actor == author


def test_co_author_can_submit_and_loses_editing_with_the_author(council, author, colleague):
    """A co-author may submit; afterwards neither drafter can change it, and a viewer still reads it."""
    assessment = complete_all(start(author, "ehcp"))
    share(assessment, with_user=colleague)
    reader = verified_professional(organisation=author.organisation)
    share(assessment, with_user=reader, role="viewer")
    response = client_for(colleague).post(submit_url(assessment), {"declaration": "yes"})
    assert response["Location"] == f"/assessments/{assessment.pk}/submitted/"
    submitted = fresh(assessment)
    assert CaseEvent.objects.get(assessment=assessment, kind=CaseEventKind.SUBMITTED).actor == colleague
    # The confirmation goes to the author, whoever pressed the button.
    assert Notification.objects.get(assessment=assessment, kind=NotificationKind.SUBMITTED).recipient == author
    for drafter in (author, colleague):
        assert can_view_assessment(drafter, submitted)
        assert not can_edit_assessment(drafter, submitted)
    assert can_view_assessment(reader, submitted)


def test_submit_refused_when_already_submitted(council, author, ehat):
    """Submitting twice sends it once: the second attempt is refused and changes nothing."""
    submit(complete_all(ehat))
    first_submitted_at = ehat.submitted_at
    response = client_for(author).post(submit_url(ehat), {"declaration": "yes"}, follow=True)
    assert "This assessment has already been submitted" in response.content.decode()
    assert fresh(ehat).submitted_at == first_submitted_at
    assert CaseEvent.objects.filter(assessment=ehat, kind=CaseEventKind.SUBMITTED).count() == 1


@pytest.mark.parametrize(
    ("who", "status_code"),
    [pytest.param("viewer", 403, id="viewer-403"), pytest.param("other-professional", 404, id="other-org-404")],
)
def test_submit_refused_for_the_wrong_user(council, author, colleague, who, status_code):
    """A viewer may not submit; a professional with no access cannot even find it."""
    assessment = complete_all(start(author, "young_carers"))
    if who == "viewer":
        share(assessment, with_user=colleague, role="viewer")
        user = colleague
    else:
        user = verified_professional()
    response = client_for(user).post(submit_url(assessment), {"declaration": "yes"})
    assert response.status_code == status_code
    assert fresh(assessment).status == "draft"
    assert not CaseEvent.objects.filter(kind=CaseEventKind.SUBMITTED).exists()


def test_submit_writes_history(council, author, ehat):
    """The submission is a history row by the submitter, with the reason 'Submitted'."""
    complete_all(ehat)
    client_for(author).post(submit_url(ehat), {"declaration": "yes"})
    row = fresh(ehat).history.order_by("-history_id").first()
    assert (row.status, row.history_change_reason, row.history_user) == ("submitted", "Submitted", author)


# ---------------------------------------------------------------- after submitting


def test_submitted_assessment_is_read_only_to_its_author(council, author, ehat, media):
    """The section pages send the author to the answers; a posted change is not saved, nor a document."""
    submit(complete_all(ehat))
    reason = section_of(ehat, "reason")
    client = client_for(author)
    url = f"/assessments/{ehat.pk}/sections/reason/"
    assert client.get(url)["Location"] == f"/assessments/{ehat.pk}/answers/"
    response = client.post(url, {"reason": "Changed after", "version": str(reason.version), "action": "continue"})
    assert response["Location"] == f"/assessments/{ehat.pk}/answers/"
    reason.refresh_from_db()
    assert reason.data == valid_answers("ehat")["reason"]
    assert client.get(check_url(ehat))["Location"] == f"/assessments/{ehat.pk}/answers/"
    with pytest.raises(PermissionDenied, match="cannot be changed"):
        attach(ehat)
    assert not SectionDraft.objects.exists()


def test_returned_assessment_can_be_changed_and_resubmitted(council, author, ehat):
    """After the council returns it, the author changes the section asked about and submits again."""
    submit(complete_all(ehat))
    first_submitted_at = ehat.first_submitted_at
    return_to_author(ehat, {"reason": "Say what happened at Easter"})
    assert ehat.status == "returned"
    assert can_edit_assessment(author, ehat)

    client = client_for(author)
    overview = client.get(f"/assessments/{ehat.pk}/").content.decode()
    assert "Needs changes" in overview
    assert "Say what happened at Easter" in overview
    reason = section_of(ehat, "reason")
    answers = {**valid_answers("ehat")["reason"], "reason": "After Easter she stopped coming."}
    response = client.post(
        f"/assessments/{ehat.pk}/sections/reason/", {**answers, "version": str(reason.version), "action": "continue"}
    )
    assert response.status_code == 302
    reason.refresh_from_db()
    assert (reason.status, reason.return_comment) == ("completed", "")

    response = client.post(submit_url(ehat), {"declaration": "yes"})
    assert response["Location"] == f"/assessments/{ehat.pk}/submitted/"
    resubmitted = fresh(ehat)
    assert resubmitted.status == "submitted"
    assert resubmitted.first_submitted_at == first_submitted_at
    assert resubmitted.submitted_at > first_submitted_at
    assert resubmitted.history.order_by("-history_id").first().history_change_reason == "Resubmitted"
    assert not can_edit_assessment(author, resubmitted)
    assert CaseEvent.objects.filter(assessment=ehat, kind=CaseEventKind.SUBMITTED).count() == 2


def test_submitting_a_kind_no_team_receives_says_so_and_keeps_the_draft(council, author, author_client, caplog):
    """With no team route for the kind (an administrator is changing them), the check page says the council
    cannot receive it just now – never a server error – and the draft is exactly as it was."""
    assessment = complete_all(start(author, "young_carers"))
    TeamRoute.objects.filter(kind="young_carers").delete()
    before = (fresh(assessment).status, fresh(assessment).updated_at, CaseEvent.objects.count())
    response = author_client.post(submit_url(assessment), {"declaration": "yes"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == check_url(assessment)
    html = response.content.decode()
    assert "The council cannot receive this assessment just now. It has not been sent" in html
    assert 'class="govuk-notification-banner"' in html
    after = fresh(assessment)
    assert (after.status, after.updated_at, CaseEvent.objects.count()) == before
    assert after.team_id is None
    assert can_edit_assessment(author, after)
    assert f"submission_refused no_team_route kind=young_carers assessment={assessment.pk}" in caplog.text
