from django.contrib import admin

from salesops.core.admin import ReadOnlyMixin

from .models import ExpenseClaim, ExpenseLine


class ExpenseLineInline(admin.TabularInline):
    model = ExpenseLine
    extra = 0
    fields = ["spent_on", "category", "amount", "description"]
    readonly_fields = fields
    can_delete = False


@admin.register(ExpenseClaim)
class ExpenseClaimAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: claims move only through the pages and the API (expenses.services)."""

    list_display = ["number", "claimant", "title", "total", "status", "submitted_at", "paid_on"]
    list_filter = ["status"]
    search_fields = ["number", "title", "claimant__username", "claimant__first_name"]
    list_select_related = ["claimant"]
    inlines = [ExpenseLineInline]
