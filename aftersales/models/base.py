"""What every after-sales model shares: the user column and the channel of contact."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


def _user(verbose, **kw):
    kw.setdefault("null", True)
    kw.setdefault("blank", True)
    return models.ForeignKey(USER, verbose_name=verbose, on_delete=models.PROTECT, related_name="+", **kw)


class Channel(models.TextChoices):
    """How the company was in touch with the customer (回访方式 and the communication log)."""

    PHONE = "phone", _("电话")
    VISIT = "visit", _("上门走访")
    WECHAT = "wechat", _("微信")
    EMAIL = "email", _("电子邮件")
