from django.urls import path

from .views import assessment, disclosures, evidence, home, sharing, start

app_name = "casework"

urlpatterns = [
    path("", home.your_assessments, name="home"),
    path("new/", start.choose_kind, name="start"),
    path("new/safeguarding/", start.safeguarding, name="start-safeguarding"),
    path("new/child/", start.choose_child, name="start-child"),
    path("new/child/details/", start.new_child, name="start-new-child"),
    path("new/child/already-added/", start.duplicate, name="start-duplicate"),
    path("<int:pk>/", assessment.overview, name="assessment"),
    path("<int:pk>/sections/<slug:key>/", assessment.section_edit, name="section"),
    path("<int:pk>/sections/<slug:key>/autosave/", assessment.section_autosave, name="section-autosave"),
    path("<int:pk>/sections/<slug:key>/discard/", assessment.section_discard_draft, name="section-discard"),
    path("<int:pk>/check-your-answers/", assessment.check_answers, name="check"),
    path("<int:pk>/answers/", assessment.answers, name="answers"),
    path("<int:pk>/history/", assessment.history, name="history"),
    path("<int:pk>/evidence/", evidence.evidence, name="evidence"),
    path("<int:pk>/evidence/<int:attachment_id>/download/", evidence.download, name="evidence-download"),
    path("<int:pk>/evidence/<int:attachment_id>/remove/", evidence.remove, name="evidence-remove"),
    path("<int:pk>/sharing/", sharing.sharing, name="sharing"),
    path("<int:pk>/sharing/<int:collaborator_id>/remove/", sharing.remove, name="sharing-remove"),
]

# The data protection officer's pages, under /data-protection/ (see portal/urls.py).
data_protection_urlpatterns = [
    path("disclosures/", disclosures.disclosure_log, name="disclosures"),
]
