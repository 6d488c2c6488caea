from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "salesops.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self):
        # each app's menu.py registers its menu entries (salesops.core.navigation)
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("menu")
