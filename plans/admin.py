from django.contrib import admin

from salesops.core.admin import ReadOnlyMixin

from .models import PlanLine, SalesPlan


class PlanLineInline(admin.TabularInline):
    model = PlanLine
    extra = 0
    fields = ["customer", "item", "amount", "measures"]
    readonly_fields = fields
    can_delete = False


@admin.register(SalesPlan)
class SalesPlanAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: plans move only through the pages and the API (plans.services)."""

    list_display = ["number", "level", "period_key", "author", "team", "target", "planned", "status"]
    list_filter = ["status", "level"]
    search_fields = ["number", "period_key", "author__username", "author__first_name"]
    list_select_related = ["author", "team"]
    inlines = [PlanLineInline]
