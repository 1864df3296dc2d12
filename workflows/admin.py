from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from simple_history.admin import SimpleHistoryAdmin

from .holidays import (
    GOV_UK_ADDRESS,
    LARGEST_FILE_BYTES,
    BankHolidayFileError,
    bank_holidays_coverage,
    bank_holidays_from_file,
    bank_holidays_load,
)
from .models import BankHoliday, Notification, TeamRoute


@admin.register(TeamRoute)
class TeamRouteAdmin(SimpleHistoryAdmin):
    """Which team reviews each kind of assessment: changing it affects new submissions only."""

    list_display = ("kind", "team")


class BankHolidayFileForm(forms.Form):
    file = forms.FileField(
        label="GOV.UK bank holidays file",
        help_text=f"The JSON file saved from {GOV_UK_ADDRESS}. Dates already loaded are kept as they are.",
        error_messages={"required": "Choose the bank holidays file", "empty": "The file chosen is empty"},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > LARGEST_FILE_BYTES:
            raise forms.ValidationError("The file must be smaller than 1 MB. The GOV.UK bank holidays file is 20 KB.")
        content = upload.read()
        try:
            bank_holidays_from_file(content)
        except BankHolidayFileError as error:
            raise forms.ValidationError(str(error)) from None
        return content


@admin.register(BankHoliday)
class BankHolidayAdmin(admin.ModelAdmin):
    """Bank holidays for England and Wales, skipped when deadlines count working days."""

    list_display = ("date", "name")
    date_hierarchy = "date"

    def get_urls(self):
        upload = path("load/", self.admin_site.admin_view(self.load_view), name="workflows_bankholiday_load")
        return [upload, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "bank_holidays_coverage": bank_holidays_coverage(),
            "may_load_bank_holidays": self.has_add_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "bank_holidays_coverage": bank_holidays_coverage(),
            "may_load_bank_holidays": self.has_add_permission(request),
        }
        return super().changeform_view(request, object_id, form_url, extra_context)

    def load_view(self, request):
        """Load next years' dates from the GOV.UK file: the admin's form for `manage.py load_bank_holidays`."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = BankHolidayFileForm(request.POST, request.FILES) if request.method == "POST" else BankHolidayFileForm()
        if form.is_bound and form.is_valid():
            try:
                report = bank_holidays_load(content=form.cleaned_data["file"], actor=request.user)
            except BankHolidayFileError as error:
                form.add_error("file", str(error))
            else:
                messages.success(request, report.summary())
                return redirect("admin:workflows_bankholiday_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Load bank holidays from a file",
            "form": form,
            "bank_holidays_coverage": bank_holidays_coverage(),
            "gov_uk_address": GOV_UK_ADDRESS,
        }
        return TemplateResponse(request, "admin/workflows/bankholiday/load.html", context)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The e-mail outbox, to see what was sent and what waits; read only."""

    list_display = ("created_at", "kind", "recipient_email", "status", "attempts", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("recipient_email", "subject")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
