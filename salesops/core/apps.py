from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True  # this module also holds LoginGuardConfig
    name = "salesops.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self):
        # each app's menu.py registers its menu entries (salesops.core.navigation), its exports.py the 导出 Excel of
        # its lists (salesops.core.exports), its imports.py what it takes in from Excel (salesops.core.imports)
        from django.contrib.auth.signals import user_logged_in
        from django.utils.module_loading import autodiscover_modules

        from .accounts import mark_signed_in
        from .api import use_ascii_number_fields
        from .transitions import collect_transitions_of_app_models_only

        autodiscover_modules("menu", "exports", "imports")
        use_ascii_number_fields()
        collect_transitions_of_app_models_only()
        user_logged_in.connect(mark_signed_in, dispatch_uid="salesops.mark_signed_in")


class LoginGuardConfig(AxesAppConfig):
    """django-axes (login throttling) under a name the admin shows in the user's language."""

    verbose_name = _("登录保护")
