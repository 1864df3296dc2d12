from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import AuthEvent, Organisation, OrganisationDomain, Team, TeamMembership, User
from .services import account_deactivate, team_group_for_name, team_group_sync_members


class OrganisationDomainInline(admin.TabularInline):
    model = OrganisationDomain
    extra = 1


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "domains__domain")
    inlines = [OrganisationDomainInline]


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ("name", "slug", "email")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = [TeamMembershipInline]
    readonly_fields = ("group",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.group = team_group_for_name(name=obj.name)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        team_group_sync_members(team=form.instance)


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    ordering = ("full_name",)
    list_display = ("full_name", "email", "organisation", "is_active", "email_verified_at", "approved_at")
    list_filter = ("is_active", "is_staff", "approval_required", "groups", "organisation__kind")
    search_fields = ("full_name", "email", "organisation__name")
    autocomplete_fields = ["organisation"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Details", {"fields": ("full_name", "job_title", "organisation", "phone")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Registration", {"fields": ("email_verified_at", "approval_required", "approved_at", "security_question")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)
    readonly_fields = ("last_login", "date_joined", "email_verified_at", "approved_at", "security_question")
    filter_horizontal = ("groups",)

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser may make a superuser or give admin access: a superuser holds every object right,
        # so an Administrator ticking it could read every child's assessment.
        readonly = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return readonly
        return (*readonly, "is_staff", "is_superuser")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Deactivation ends the account's session at once and is logged.
            account_deactivate(request=request, actor=request.user, user=obj)


@admin.register(AuthEvent)
class AuthEventAdmin(admin.ModelAdmin):
    """The sign-in audit log: administrators read it; nobody edits it."""

    list_display = ("created_at", "kind", "email", "user", "ip_address")
    list_filter = ("kind",)
    search_fields = ("email", "user__full_name", "ip_address")
    date_hierarchy = "created_at"
    list_select_related = ("user",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
