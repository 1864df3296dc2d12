from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import BankHoliday, Notification, TeamRoute


@admin.register(TeamRoute)
class TeamRouteAdmin(SimpleHistoryAdmin):
    """Which team reviews each kind of assessment: changing it affects new submissions only."""

    list_display = ("kind", "team")


@admin.register(BankHoliday)
class BankHolidayAdmin(admin.ModelAdmin):
    """Bank holidays for England and Wales, skipped when deadlines count working days."""

    list_display = ("date", "name")
    date_hierarchy = "date"


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
