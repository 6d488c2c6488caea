from django.contrib import admin

from salesops.core.admin import ReadOnlyMixin

from .models import MarketInfo


@admin.register(MarketInfo)
class MarketInfoAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: entries are reported, corrected and withdrawn through the pages and the API (market.services)."""

    list_display = ["number", "kind", "title", "competitor", "customer", "reported_by", "important", "status", "created_at"]
    list_filter = ["status", "kind", "source", "important"]
    search_fields = ["number", "title", "competitor"]
    list_select_related = ["customer", "reported_by"]
