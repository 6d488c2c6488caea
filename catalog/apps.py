from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("产品与价格")

    def ready(self):
        """Tell the kernel who may see catalog documents: everybody logged in (timeline comments and attachments), and
        that a product's standard cost stays out of its history for those who may not see it."""
        from salesops.core.access import register_visibility
        from salesops.core.timeline import register_hidden_fields

        from . import selectors
        from .models import DiscountLimit, PriceList, Product

        register_visibility(Product, selectors.product_list_for)
        register_hidden_fields(Product, selectors.product_history_hidden)
        register_visibility(PriceList, selectors.price_list_list_for)
        register_visibility(DiscountLimit, selectors.discount_limit_list_for)
