"""Admin for configuration and support: products, price lists with their rows, discount limits per role.

The pages of the app (catalog.views) are the normal way to maintain the catalog — they check rights and write the
timeline; the admin is for the system administrator's bulk corrections (django-simple-history keeps every version).
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .forms import PriceListForm
from .models import DiscountLimit, PriceList, PriceListItem, Product


@admin.register(Product)
class ProductAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "model", "spec", "unit", "kind", "tax_rate", "list_price", "is_active", "updated_at"]
    list_filter = ["is_active", "kind", "tax_rate", "ever_produced"]
    search_fields = ["code", "name", "model", "spec"]
    readonly_fields = ["created_at", "updated_at"]
    list_per_page = 50


class PriceListItemInline(admin.TabularInline):
    model = PriceListItem
    extra = 0
    fields = ["product", "unit_price", "min_quantity"]
    autocomplete_fields = ["product"]


class PriceListAdminForm(PriceListForm):
    """Customer type / grade as choices of the customer codes (catalog.rules), not free text."""

    class Meta(PriceListForm.Meta):
        fields = "__all__"


@admin.register(PriceList)
class PriceListAdmin(SimpleHistoryAdmin):
    form = PriceListAdminForm
    list_display = ["name", "customer_type", "customer_grade", "valid_from", "valid_to", "currency", "is_active", "created_by"]
    list_filter = ["is_active", "customer_type", "customer_grade", "currency"]
    search_fields = ["name", "notes"]
    readonly_fields = ["created_by", "created_at"]
    date_hierarchy = "valid_from"
    inlines = [PriceListItemInline]

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(DiscountLimit)
class DiscountLimitAdmin(admin.ModelAdmin):
    list_display = ["role", "max_discount_rate"]
    ordering = ["max_discount_rate"]
