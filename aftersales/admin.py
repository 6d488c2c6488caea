"""Admin: the after-sales configuration data (callback rules, working calendar, SLA policies) is edited here; the documents
are read-only for support (they move only through the services, which lock rows and write the timeline)."""

from django.contrib import admin

from salesops.core.admin import ReadOnlyMixin

from .models import (
    CalendarDay,
    Callback,
    CallbackRule,
    Complaint,
    CorrectiveAction,
    ReturnLine,
    ReturnRequest,
    ServicePlan,
    ServiceTicket,
    SlaPolicy,
    WorkingPeriod,
)


# --- configuration ----------------------------------------------------------------------------------------------------
@admin.register(CallbackRule)
class CallbackRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "offset_days", "assign_to", "service_user", "customer_type", "is_active"]
    list_editable = ["is_active"]


@admin.register(WorkingPeriod)
class WorkingPeriodAdmin(admin.ModelAdmin):
    list_display = ["weekday", "start", "end"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["day", "name", "is_working"]
    list_filter = ["is_working"]
    date_hierarchy = "day"


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["ticket_type", "priority", "response_hours", "resolution_hours"]
    list_filter = ["ticket_type", "priority"]


# --- documents (read-only, for support) -------------------------------------------------------------------------------
@admin.register(Callback)
class CallbackAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["order", "customer", "offset_days", "due_on", "assignee", "status", "escalated_at"]
    list_filter = ["status", "offset_days"]
    search_fields = ["order__number", "customer__name"]


@admin.register(ServiceTicket)
class ServiceTicketAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "customer", "ticket_type", "priority", "status", "engineer", "respond_by", "resolve_by"]
    list_filter = ["status", "ticket_type", "priority"]
    search_fields = ["number", "customer__name", "subject"]


class CorrectiveActionInline(admin.TabularInline):
    model = CorrectiveAction
    extra = 0
    can_delete = False
    fields = ["kind", "description", "owner", "due_on", "status", "verified_by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Complaint)
class ComplaintAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "customer", "severity", "status", "reported_on", "investigator"]
    list_filter = ["status", "severity"]
    search_fields = ["number", "customer__name"]
    inlines = [CorrectiveActionInline]


class ReturnLineInline(admin.TabularInline):
    model = ReturnLine
    extra = 0
    can_delete = False
    fields = ["order_line", "quantity", "amount", "received_quantity", "disposition", "tag"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReturnRequest)
class ReturnRequestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["number", "kind", "customer", "order", "amount", "status", "outcome"]
    list_filter = ["status", "kind", "outcome"]
    search_fields = ["number", "customer__name", "order__number"]
    inlines = [ReturnLineInline]


@admin.register(ServicePlan)
class ServicePlanAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["year", "title", "status", "approved_at"]
    list_filter = ["status"]
