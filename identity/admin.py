"""The Django admin for people, organisations and teams.

Least privilege: an administrator manages organisations, domains, teams' names, reference lists and accounts, and
approves accounts; roles that reach case data, team memberships and groups' permissions are changed by a
superuser; nobody changes their own. Every change of access goes through identity.services, which audits it.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils.html import format_html_join
from simple_history.admin import SimpleHistoryAdmin

from .forms import GroupAdminForm, TeamMembershipFormSet, UserAdminChangeForm
from .models import AuthEvent, Organisation, OrganisationDomain, Team, TeamMembership, User
from .permissions import (
    can_approve_accounts,
    can_change_group_permissions,
    can_change_sign_in_details,
    can_manage_team_memberships,
)
from .roles import ROLE_NAMES
from .services import (
    account_approve,
    account_deactivate,
    group_permissions_set,
    team_group_for_name,
    team_membership_add,
    team_membership_remove,
    team_membership_role_change,
    user_roles_set,
)


class LabelledTabularInline(admin.TabularInline):
    """A table of inline rows in which every field is named by its column's heading."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)

        def add_fields(formset_self, form, index):
            formset.add_fields(formset_self, form, index)
            # A table heading does not label the field under it (WCAG 1.3.1, 4.1.2): a screen reader would
            # announce "edit text" alone, and axe's label rule fails. Each row's fields carry their heading.
            for field in form.fields.values():
                # A related field's widget is drawn by the one inside the admin's wrapper (with its own attrs).
                widget = getattr(field.widget, "widget", field.widget)
                if not widget.is_hidden:
                    widget.attrs["aria-label"] = str(field.label)

        return type(formset.__name__, (formset,), {"add_fields": add_fields})


class OrganisationDomainInline(LabelledTabularInline):
    model = OrganisationDomain
    extra = 1


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "domains__domain")
    inlines = [OrganisationDomainInline]


class TeamMembershipInline(LabelledTabularInline):
    """A team's members. Read only unless a superuser; each change is made by the team membership services."""

    model = TeamMembership
    formset = TeamMembershipFormSet
    extra = 1
    autocomplete_fields = ["user"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"actor": request.user})

    def has_add_permission(self, request, obj=None):
        return can_manage_team_memberships(request.user)

    def has_change_permission(self, request, obj=None):
        return can_manage_team_memberships(request.user)

    def has_delete_permission(self, request, obj=None):
        return can_manage_team_memberships(request.user)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("identity.view_team")


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

    def save_formset(self, request, form, formset, change):
        if formset.model is not TeamMembership:
            super().save_formset(request, form, formset, change)
            return
        # Not formset.save(): each membership changes through its service, which keeps the team's group in step
        # and audits the change.
        team = form.instance
        # What the admin's change message reads, as formset.save() would have left it.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for membership_form in formset.deleted_forms:
            if membership_form.instance.pk:
                formset.deleted_objects.append(membership_form.instance)
                team_membership_remove(request=request, actor=request.user, membership=membership_form.instance)
        for membership_form in formset.forms:
            if membership_form in formset.deleted_forms or not membership_form.has_changed():
                continue
            user, role = membership_form.cleaned_data["user"], membership_form.cleaned_data["role"]
            if membership_form.instance.pk is None:
                membership = team_membership_add(request=request, actor=request.user, team=team, user=user, role=role)
                formset.new_objects.append(membership)
                continue
            before = TeamMembership.objects.get(pk=membership_form.instance.pk)
            if before.user_id != user.pk:
                team_membership_remove(request=request, actor=request.user, membership=before)
                membership = team_membership_add(request=request, actor=request.user, team=team, user=user, role=role)
                formset.deleted_objects.append(before)
                formset.new_objects.append(membership)
            else:
                team_membership_role_change(request=request, actor=request.user, membership=before, role=role)
                formset.changed_objects.append((membership_form.instance, membership_form.changed_data))


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    form = UserAdminChangeForm
    ordering = ("full_name",)
    list_display = ("full_name", "email", "organisation", "is_active", "email_verified_at", "approved_at")
    list_filter = ("is_active", "is_staff", "approval_required", "groups", "organisation__kind")
    search_fields = ("full_name", "email", "organisation__name")
    autocomplete_fields = ["organisation"]
    actions = ["approve_selected"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Details", {"fields": ("full_name", "job_title", "organisation", "phone")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "roles", "roles_and_teams")}),
        ("Registration", {"fields": ("email_verified_at", "approval_required", "approved_at", "security_question")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)
    readonly_fields = (
        "last_login",
        "date_joined",
        "email_verified_at",
        "approval_required",
        "approved_at",
        "security_question",
        "roles_and_teams",
    )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if issubclass(form, UserAdminChangeForm):
            # The form offers only the roles this person may change, so it needs to know who is signed in.
            return type(form.__name__, (form,), {"actor": request.user})
        return form

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        fieldsets = [(name, {**options, "fields": tuple(options["fields"])}) for name, options in fieldsets]
        if not can_change_sign_in_details(request.user, obj):
            # The password link leads to a page only a superuser may use.
            fieldsets[0] = (None, {"fields": ("email",)})
        if obj.is_awaiting_approval and can_approve_accounts(request.user):
            name, options = fieldsets[3]
            fieldsets[3] = (name, {**options, "fields": (*options["fields"], "approve")})
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser may make a superuser or give admin access: a superuser holds every object right,
        # so an Administrator ticking it could read every child's assessment. Whoever sets an account's e-mail
        # address can take it over (reset links and sign-in codes go there).
        readonly = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return readonly
        return (*readonly, "is_staff", "is_superuser", *(("email",) if obj is not None else ()))

    @admin.display(description="Roles and teams held")
    def roles_and_teams(self, obj):
        roles = [(group.name,) for group in obj.groups.all() if group.name in ROLE_NAMES]
        teams = [(str(membership.team), membership.get_role_display()) for membership in obj.team_memberships.all()]
        if not roles and not teams:
            return "None"
        return format_html_join("", "<span>{}</span><br>", roles) + format_html_join(
            "", "<span>Team: {} ({})</span><br>", teams
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Deactivation ends the account's session at once and is logged.
            account_deactivate(request=request, actor=request.user, user=obj)
        if change and form.cleaned_data.get("approve"):
            # The same service as Accounts to approve: the e-mail, the time approved, the audit entry.
            account_approve(request=request, actor=request.user, user=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and "roles" in form.cleaned_data:
            user_roles_set(request=request, actor=request.user, user=form.instance, roles=form.cleaned_data["roles"])

    def user_change_password(self, request, id, form_url=""):
        user = self.get_object(request, id)
        if user is None or not can_change_sign_in_details(request.user, user):
            raise PermissionDenied("Only a superuser can set another person's password")
        return super().user_change_password(request, id, form_url)

    def has_approve_permission(self, request):
        return can_approve_accounts(request.user)

    @admin.action(description="Approve the selected accounts (each person is e-mailed)", permissions=["approve"])
    def approve_selected(self, request, queryset):
        approved = 0
        for user in queryset:
            if user.is_awaiting_approval:
                account_approve(request=request, actor=request.user, user=user)
                approved += 1
        self.message_user(request, f"{approved} account(s) approved; each person has been e-mailed", messages.SUCCESS)


# Django's own Group admin edits permissions directly; the portal's checks and audits each change.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    """Roles and team groups. Members are not edited here: roles on the person's account, teams on the team."""

    form = GroupAdminForm
    list_display = ("name",)
    search_fields = ("name",)
    readonly_fields = ("members",)

    def get_readonly_fields(self, request, obj=None):
        # The roles' and teams' names are what the code and the teams look them up by.
        if obj is not None and (obj.name in ROLE_NAMES or hasattr(obj, "team")):
            return (*self.readonly_fields, "name")
        return self.readonly_fields

    @admin.display(description="Members")
    def members(self, obj):
        people = [(user.full_name, user.email) for user in obj.user_set.order_by("full_name")]
        return format_html_join("", "<span>{} &lt;{}&gt;</span><br>", people) if people else "None"

    def has_add_permission(self, request):
        return can_change_group_permissions(request.user)

    def has_change_permission(self, request, obj=None):
        return can_change_group_permissions(request.user)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.name in ROLE_NAMES or hasattr(obj, "team")):
            return False
        return can_change_group_permissions(request.user)

    def save_related(self, request, form, formsets, change):
        # Not form.save_m2m(): the service checks and audits the permissions.
        group_permissions_set(
            request=request, actor=request.user, group=form.instance, permissions=form.cleaned_data["permissions"]
        )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(AuthEvent)
class AuthEventAdmin(admin.ModelAdmin):
    """The sign-in and access audit log: administrators read it; nobody edits it."""

    list_display = ("created_at", "kind", "email", "user", "actor", "detail", "ip_address")
    list_filter = ("kind",)
    search_fields = ("email", "user__full_name", "actor__full_name", "ip_address")
    date_hierarchy = "created_at"
    list_select_related = ("user", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
