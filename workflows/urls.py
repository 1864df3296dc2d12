from django.urls import path

from . import views

app_name = "workflows"

urlpatterns = [
    path("assessments/<int:pk>/submit/", views.submit, name="submit"),
    path("assessments/<int:pk>/submitted/", views.submitted, name="submitted"),
]
