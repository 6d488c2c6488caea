"""Admin for support: customer files with their contacts, addresses and invoice titles; the export log is read-only.

Statuses are protected FSM fields and move only through the app's services, so they are read-only here; customers are
created in the app (their number comes from the KH sequence and the creation goes on the timeline).
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from salesops.core.admin import ReadOnlyMixin

from .models import (
    Contact,
    Customer,
    CustomerExport,
    FollowUp,
    FollowUpReminder,
    InvoiceTitle,
    Opportunity,
    ShipToAddress,
    Visit,
    VisitPlan,
)


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "title", "mobile", "phone", "email", "wechat", "qq", "is_primary"]


class ShipToAddressInline(admin.TabularInline):
    model = ShipToAddress
    extra = 0
    fields = ["province", "city", "district", "address", "floor", "consignee", "phone", "preferred_carrier", "is_default"]


class InvoiceTitleInline(admin.TabularInline):
    model = InvoiceTitle
    extra = 0
    fields = ["title", "tax_id", "invoice_type", "bank", "account", "address_phone", "is_default"]


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "name",
        "type",
        "grade",
        "status",
        "province",
        "city",
        "owner",
        "team",
        "next_contact_date",
        "created_at",
    ]
    list_filter = ["status", "type", "grade", "team", "source", "province"]
    search_fields = ["code", "name", "short_name", "uscc", "contacts__name", "contacts__mobile"]
    readonly_fields = ["code", "status", "created_by", "created_at", "updated_at"]
    autocomplete_fields = ["owner"]
    list_select_related = ["owner", "team"]
    inlines = [ContactInline, ShipToAddressInline, InvoiceTitleInline]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ["name", "customer", "title", "mobile", "email", "is_primary"]
    search_fields = ["name", "mobile", "email", "customer__name", "customer__code"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]


@admin.register(ShipToAddress)
class ShipToAddressAdmin(SimpleHistoryAdmin):
    list_display = ["customer", "province", "city", "address", "consignee", "phone", "is_default"]
    search_fields = ["address", "consignee", "customer__name", "customer__code"]
    list_filter = ["province"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]


@admin.register(InvoiceTitle)
class InvoiceTitleAdmin(SimpleHistoryAdmin):
    list_display = ["title", "tax_id", "invoice_type", "customer", "is_default"]
    search_fields = ["title", "tax_id", "customer__name", "customer__code"]
    list_filter = ["invoice_type"]
    list_select_related = ["customer"]
    raw_id_fields = ["customer"]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["customer", "channel", "happened_on", "next_contact_date", "created_by"]
    list_filter = ["channel", "happened_on"]
    search_fields = ["customer__name", "customer__code", "summary"]
    list_select_related = ["customer", "created_by"]
    raw_id_fields = ["customer", "contact"]
    readonly_fields = ["created_by", "created_at"]


@admin.register(VisitPlan)
class VisitPlanAdmin(admin.ModelAdmin):
    list_display = ["planned_date", "period", "rep", "customer", "purpose", "status", "reviewed_by"]
    list_filter = ["status", "period", "planned_date"]
    search_fields = ["customer__name", "purpose", "rep__username"]
    list_select_related = ["customer", "rep", "reviewed_by"]
    raw_id_fields = ["customer", "contact"]
    readonly_fields = ["status", "reviewed_by", "reviewed_at", "created_at"]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["visited_on", "rep", "customer", "purpose", "next_contact_date"]
    list_filter = ["visited_on"]
    search_fields = ["customer__name", "purpose", "outcome"]
    list_select_related = ["customer", "rep"]
    raw_id_fields = ["customer", "contact", "plan"]


@admin.register(Opportunity)
class OpportunityAdmin(ReadOnlyMixin, admin.ModelAdmin):  # support view: opportunities change through their pages and API
    list_display = ["number", "title", "customer", "owner", "status", "amount", "expected_close"]
    list_filter = ["status", "expected_close"]
    search_fields = ["number", "title", "customer__name", "customer__code"]
    list_select_related = ["customer", "owner"]


@admin.register(CustomerExport)
class CustomerExportAdmin(ReadOnlyMixin, admin.ModelAdmin):  # audit rows
    list_display = ["exported_at", "user", "row_count", "ip_address", "filters"]
    list_filter = ["exported_at"]
    search_fields = ["user__username"]
    list_select_related = ["user"]


@admin.register(FollowUpReminder)
class FollowUpReminderAdmin(ReadOnlyMixin, admin.ModelAdmin):  # audit rows
    list_display = ["day", "user", "customer_count", "created_at"]
    list_filter = ["day"]
    list_select_related = ["user"]
