"""Admin for configuration and support: products, price lists and their rows, discount limits per role.

The pages of the app (catalog.views) are the normal way to maintain the catalog — they check rights and write the
timeline; the admin is for the system administrator's bulk corrections (django-simple-history keeps every version).
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
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


@admin.register(PriceListItem)
class PriceListItemAdmin(SimpleHistoryAdmin):
    """The rows of the price lists, a page at a time (a list of thousands of products does not fit in one form, as an
    inline of its price list it did not open at 60,000 rows): filtered by list, searched by product, prices edited in
    the list."""

    list_display = ["product", "price_list", "unit_price", "min_quantity"]
    list_editable = ["unit_price", "min_quantity"]
    list_filter = ["price_list"]
    search_fields = ["product__code", "product__name", "product__model"]
    autocomplete_fields = ["product"]
    list_select_related = ["product", "price_list"]
    ordering = ["product__code", "price_list", "id"]
    list_per_page = 100


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
    readonly_fields = ["created_by", "created_at", "rows"]
    date_hierarchy = "valid_from"

    @admin.display(description=_("产品价格"))
    def rows(self, obj):
        """How many rows the list has, linked to them in the rows' own admin list."""
        if obj.pk is None:
            return "—"
        url = reverse("admin:catalog_pricelistitem_changelist") + f"?price_list__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("%(n)s 项") % {"n": obj.items.count()})

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(DiscountLimit)
class DiscountLimitAdmin(admin.ModelAdmin):
    list_display = ["role", "max_discount_rate"]
    ordering = ["max_discount_rate"]
