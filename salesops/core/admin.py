"""Admin of the kernel: organisation and thresholds are configuration (editable); sequences, events, attachments,
notifications and approvals are support views (read-only: they change only through the services)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.utils.translation import gettext_lazy as _

from .accounts import password_set_by_admin
from .models import (
    ApprovalRequest,
    ApprovalStep,
    Attachment,
    Department,
    DocumentSequence,
    Event,
    ExportRun,
    Notification,
    OutboxMessage,
    SignIn,
    StaffProfile,
    Team,
    Threshold,
    WebhookEndpoint,
)
from .outbox import outbox_retry

User = get_user_model()

admin.site.site_header = admin.site.site_title = _("salesops 系统设置")
admin.site.index_title = _("系统设置")


class ReadOnlyMixin:
    """For documents that move only through their app's services (numbering, locks, approvals, timeline): admins may
    look, search and read the history, but not add, change or delete."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- organisation -------------------------------------------------------------------------------------------------
@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "head"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["head"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "lead", "member_count"]
    list_filter = ["department"]
    search_fields = ["name"]
    autocomplete_fields = ["lead"]

    @admin.display(description=_("人数"))
    def member_count(self, obj):
        return obj.members.count()


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    fk_name = "user"
    verbose_name = _("员工档案")
    verbose_name_plural = _("员工档案")
    fields = ["department", "team", "phone", "title", "may_quote", "must_change_password", "password_changed_at"]
    readonly_fields = ["password_changed_at"]


class PasswordSetByAdminForm(AdminPasswordChangeForm):
    """The administrator sets a user's password: the user must set their own at the next sign-in."""

    def save(self, commit=True):
        user = super().save(commit)
        if commit and user.has_usable_password():
            password_set_by_admin(user=user)
        return user


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [StaffProfileInline]
    change_password_form = PasswordSetByAdminForm
    list_display = ["username", "get_full_name", "email", "department", "team", "role_list", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "groups", "profile__department", "profile__team"]
    list_select_related = ["profile__department", "profile__team"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def save_related(self, request, form, formsets, change):
        """A user the administrator created signs in with the password given to them once, then sets their own."""
        super().save_related(request, form, formsets, change)
        if not change and form.instance.has_usable_password():
            password_set_by_admin(user=form.instance)

    @admin.display(description=_("部门"), ordering="profile__department__name")
    def department(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.department if profile else None

    @admin.display(description=_("销售组"), ordering="profile__team__name")
    def team(self, obj):
        profile = getattr(obj, "profile", None)
        return profile.team if profile else None

    @admin.display(description=_("角色"))
    def role_list(self, obj):
        return "、".join(g.name for g in obj.groups.all())


# --- configuration ------------------------------------------------------------------------------------------------
@admin.register(SignIn)
class SignInAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["user", "created_at", "ip_address", "user_agent"]
    list_filter = ["created_at"]
    search_fields = ["user__username", "user__first_name", "ip_address"]
    list_select_related = ["user"]
    exclude = ["session_key"]


@admin.register(Threshold)
class ThresholdAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "value", "description", "updated_at"]
    list_display_links = ["code"]
    list_editable = ["value"]
    search_fields = ["code", "name"]
    readonly_fields = ["updated_at"]

    def get_readonly_fields(self, request, obj=None):
        # The code is what the program reads: fixed once created.
        return ["code", "updated_at"] if obj else ["updated_at"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DocumentSequence)
class DocumentSequenceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["prefix", "period", "last_number"]
    list_filter = ["prefix"]
    search_fields = ["prefix", "period"]
    ordering = ["prefix", "-period"]


# --- support views ------------------------------------------------------------------------------------------------
@admin.register(Event)
class EventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "target_type", "target_id", "verb", "actor", "short_message", "from_status", "to_status"]
    list_filter = ["verb", "target_type"]
    search_fields = ["message", "actor__username"]
    date_hierarchy = "created_at"
    list_select_related = ["actor", "target_type"]

    @admin.display(description=_("内容"))
    def short_message(self, obj):
        return (obj.message[:60] + "…") if len(obj.message) > 60 else obj.message


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "name", "kind", "size", "target_type", "target_id", "uploaded_by"]
    list_filter = ["kind", "target_type"]
    search_fields = ["name", "uploaded_by__username"]
    list_select_related = ["uploaded_by", "target_type"]


@admin.register(ExportRun)
class ExportRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "title", "requested_by", "status", "progress", "total", "row_count", "finished_at"]
    list_filter = ["status", "name"]
    search_fields = ["title", "requested_by__username"]
    list_select_related = ["requested_by"]
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "recipient", "shown_title", "read_at"]
    list_filter = [("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "recipient__username"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"

    @admin.display(description=_("标题"), ordering="title")
    def shown_title(self, obj):
        return obj.title_text


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Group robots (企业微信 / 钉钉 / 飞书) that receive messages such as the daily digest through the outbox."""

    list_display = ["name", "kind", "url", "daily_digest", "active"]
    list_filter = ["kind", "daily_digest", "active"]
    list_editable = ["daily_digest", "active"]
    search_fields = ["name", "url"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Outgoing messages (salesops/core/outbox.py): what left, what waits and why; dead rows can be retried now."""

    list_display = ["created_at", "channel", "recipient", "subject", "status", "attempts", "next_attempt_at", "sent_at", "error"]
    list_filter = ["status", "channel"]
    search_fields = ["recipient", "subject", "dedupe_key"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]

    @admin.display(description=_("最近错误"))
    def error(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    @admin.action(description=_("立即重试发送失败的消息"), permissions=["retry"])
    def retry_now(self, request, queryset):
        count = outbox_retry(ids=queryset.values_list("pk", flat=True))
        self.message_user(request, _("已重新排队 %(count)s 条消息（只有发送失败的消息会重试）。") % {"count": count})

    def has_retry_permission(self, request):
        return request.user.has_perm("core.change_outboxmessage")


class ApprovalStepInline(ReadOnlyMixin, admin.TabularInline):
    model = ApprovalStep
    extra = 0
    fields = [
        "stage",
        "code",
        "label",
        "assignee_role",
        "assignee_department",
        "assignee_user",
        "status",
        "activated_at",
        "decided_by",
        "decided_at",
        "comment",
        "reminded_at",
    ]
    readonly_fields = fields
    ordering = ["stage", "id"]


@admin.register(ApprovalRequest)
class ApprovalRequestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "title", "kind", "round", "status", "current_stage", "requested_by", "decided_at"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "requested_by__username"]
    list_select_related = ["requested_by"]
    date_hierarchy = "created_at"
    inlines = [ApprovalStepInline]
