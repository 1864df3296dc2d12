"""What the case pages say: times in GOV.UK style, the truth about closed cases and drafts, the right pause reasons."""

import datetime as dt

import pytest
import time_machine
from django.template import Context, Template

from casework.templatetags.casework import govuk_time
from tests.casework.conftest import client_for, share, verified_professional
from tests.workflows.conftest import claimed, client_of, closed, draft
from workflows import services
from workflows.models import ClockPause, PauseReason


@pytest.mark.parametrize(
    ("moment", "written"),
    [
        pytest.param(dt.time(18, 55), "6:55pm", id="evening"),
        pytest.param(dt.time(9, 5), "9:05am", id="morning"),
        pytest.param(dt.time(10, 0), "10am", id="on-the-hour"),
        pytest.param(dt.time(12, 0), "midday", id="midday"),
        pytest.param(dt.time(0, 0), "midnight", id="midnight"),
        pytest.param(dt.time(12, 30), "12:30pm", id="after-midday"),
        pytest.param(dt.time(0, 15), "12:15am", id="after-midnight"),
    ],
)
def test_times_are_written_in_govuk_style(moment, written):
    assert govuk_time(moment) == written


def test_times_with_seconds_keep_them_and_aware_times_are_in_the_councils_zone():
    assert govuk_time(dt.time(18, 55, 7), "seconds") == "6:55:07pm"
    assert govuk_time(dt.time(12, 0, 0), "seconds") == "midday"
    # 17:55 UTC in British Summer Time is 6:55pm in Plymouth.
    assert govuk_time(dt.datetime(2026, 7, 1, 17, 55, tzinfo=dt.UTC)) == "6:55pm"


def test_message_times_on_the_case_page_are_in_govuk_style(people):
    with time_machine.travel(dt.datetime(2026, 3, 3, 18, 55, tzinfo=dt.UTC), tick=False):
        assessment = claimed("ehat")
        services.message_post(actor=people.priya, assessment=assessment, body="I have picked this up.")
        page = client_of(people.priya).get(f"/cases/{assessment.pk}/").content.decode()
    assert "3 March 2026 at 6:55pm" in page
    assert "p.m." not in page


def test_closed_assessment_says_it_is_closed_not_submitted(people):
    assessment = closed("ehat")
    page = client_of(people.sam).get(f"/assessments/{assessment.pk}/").content.decode()
    assert "This assessment is closed (decision: Signposted to another service)" in page
    assert "has been submitted" not in page


def test_viewer_of_a_draft_is_told_who_can_change_it(demo_data):
    assessment = draft("ehat")
    viewer = verified_professional(organisation=assessment.author.organisation, full_name="Vic Viewer")
    share(assessment, with_user=viewer, role="viewer")
    client = client_for(viewer)
    overview = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "Only its author and co-authors can change it" in overview
    response = client.get(f"/assessments/{assessment.pk}/sections/child/", follow=True)
    page = response.content.decode()
    assert "You can read this assessment, but only its author and co-authors can change it." in page
    assert "cannot be changed now" not in page


@pytest.mark.parametrize("kind", ["ehat", "young_carers"])
def test_pause_page_of_a_local_target_offers_its_own_reasons_not_the_send_code(people, kind):
    """Early Help and Young Carers have no statutory clock: no Code of Practice 9.42 reason is offered or taken."""
    assessment = claimed(kind)
    client = client_of(assessment.assigned_to)
    page = client.get(f"/cases/{assessment.pk}/pause/").content.decode()
    assert 'value="waiting_for_family"' in page and 'value="awaiting_agency"' in page
    assert "CoP 9.42" not in page and 'value="school_closed"' not in page
    assert "no statutory deadline" in page
    assert client.post(f"/cases/{assessment.pk}/pause/", {"reason": "school_closed"}).status_code == 200
    assert not ClockPause.objects.filter(assessment=assessment).exists()
    client.post(f"/cases/{assessment.pk}/pause/", {"reason": "awaiting_agency"})
    assert ClockPause.objects.get(assessment=assessment).reason == PauseReason.AWAITING_AGENCY


def test_ehcp_pause_reasons_are_the_code_of_practice_exceptions_only():
    assert all("CoP 9.42" in reason.label for reason in services.pause_reasons_for("ehcp"))
    assert not any("CoP 9.42" in reason.label for reason in services.pause_reasons_for("ehat"))


def test_template_filter_is_registered():
    rendered = Template("{% load casework %}{{ moment|govuk_time }}").render(Context({"moment": dt.time(18, 55)}))
    assert rendered == "6:55pm"
