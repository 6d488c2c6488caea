from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "salesops.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self):
        from .api import use_ascii_number_fields

        use_ascii_number_fields()
