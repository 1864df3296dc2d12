from django.urls import path

from . import annual_review_views, ehc_views, report_views, subject_access_views, views

app_name = "workflows"

urlpatterns = [
    path("assessments/<int:pk>/submit/", views.submit, name="submit"),
    path("assessments/<int:pk>/submitted/", views.submitted, name="submitted"),
    path("assessments/<int:pk>/progress/", views.progress, name="progress"),
    path("assessments/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("assessments/<int:pk>/consent-withdrawn/", views.consent_withdrawal, name="consent-withdrawal"),
    path("work/", views.work, name="work"),
    path("work/<str:tray>/", views.work, name="work-tray"),
    path("cases/<int:pk>/", views.case, name="case"),
    path("cases/<int:pk>/claim/", views.claim, name="claim"),
    path("cases/<int:pk>/release/", views.release, name="release"),
    path("cases/<int:pk>/assign/", views.assign, name="assign"),
    path("cases/<int:pk>/return/", views.return_to_author, name="return"),
    path("cases/<int:pk>/decide/", views.close, name="close"),
    path("cases/<int:pk>/pause/", views.pause, name="pause"),
    path("cases/<int:pk>/resume/", views.resume, name="resume"),
    path("cases/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("cases/<int:pk>/messages/", views.message, name="message"),
    path("cases/<int:pk>/plan-issued/", views.plan_issued, name="plan-issued"),
    path("cases/<int:pk>/needs-assessment/", ehc_views.needs_assessment, name="ehc"),
    path("cases/<int:pk>/needs-assessment/advice/", ehc_views.advice_request, name="ehc-advice-request"),
    path("cases/<int:pk>/needs-assessment/advice/<slug:advice_kind>/", ehc_views.advice_give, name="ehc-advice"),
    path("cases/<int:pk>/needs-assessment/annual-review/", annual_review_views.review, name="ehc-annual-review"),
    path(
        "cases/<int:pk>/needs-assessment/annual-review/meeting/",
        annual_review_views.meeting,
        name="ehc-annual-review-meeting",
    ),
    path(
        "cases/<int:pk>/needs-assessment/annual-review/decision/",
        annual_review_views.decision,
        name="ehc-annual-review-decision",
    ),
    path(
        "cases/<int:pk>/needs-assessment/annual-review/hand-over/",
        annual_review_views.hand_over,
        name="ehc-annual-review-assign",
    ),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/settings/", views.notification_settings, name="notification-settings"),
    path("reports/", report_views.dashboard, name="reports"),
    path("reports/dashboard.xlsx", report_views.dashboard_xlsx, name="reports-xlsx"),
    path("reports/<slug:slug>.csv", report_views.report_csv, name="report-csv"),
    path("subject-access/", subject_access_views.requests, name="subject-access"),
    path("subject-access/find-child/", subject_access_views.find_child, name="subject-access-find"),
    path(
        "subject-access/find-child/<int:child_id>/",
        subject_access_views.record_request,
        name="subject-access-record",
    ),
    path("subject-access/<int:pk>/", subject_access_views.request_detail, name="subject-access-request"),
    path("subject-access/<int:pk>/export/", subject_access_views.export, name="subject-access-export"),
    path("subject-access/<int:pk>/answered/", subject_access_views.mark_answered, name="subject-access-answered"),
]
