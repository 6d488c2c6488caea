"""市场信息: an entry of market intelligence — industry news, a competitor's move, a customer's need, prices, policy —
reported by whoever met it, published at once to the sales side (market.rules), read and marked read by each reader.

Its author may correct it (each change kept in its history); the author or a sales manager may withdraw it (撤回, with the
reason), after which only they read it. Rules: market.rules; writes: market.services; who reads what: market.selectors.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from salesops.core.models import Team

from .rules import Kind, Source

USER = settings.AUTH_USER_MODEL


class MarketInfo(FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已撤回")

    STATUS_TONES = {Status.PUBLISHED: "success", Status.WITHDRAWN: "secondary"}

    number = models.CharField(_("信息编号"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("信息类别"), max_length=12, choices=Kind.choices)
    source = models.CharField(_("信息来源"), max_length=12, choices=Source.choices)
    title = models.CharField(_("标题"), max_length=100)
    content = models.TextField(_("信息内容"))
    competitor = models.CharField(_("竞争对手"), max_length=100, blank=True, help_text=_("竞争对手信息必填"))
    region = models.CharField(_("地区"), max_length=50, blank=True, help_text=_("省份或城市"))
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("相关客户"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("相关产品"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    important = models.BooleanField(_("重要"), default=False, help_text=_("重要信息发布时通知所有可阅读的人"))
    status = FSMField(_("状态"), max_length=12, choices=Status.choices, default=Status.PUBLISHED, protected=True)
    withdraw_reason = models.CharField(_("撤回原因"), max_length=300, blank=True)
    reported_by = models.ForeignKey(USER, verbose_name=_("报告人"), on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, verbose_name=_("销售组"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("报告时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("市场信息")
        verbose_name_plural = _("市场信息")
        ordering = ["-created_at", "-id"]
        indexes = [  # the list's order; a kind's; one customer's (its page); one author's
            models.Index(fields=["created_at", "id"], name="market_list_idx"),
            models.Index(fields=["kind", "created_at", "id"], name="market_kind_idx"),
            models.Index(fields=["customer", "created_at", "id"], name="market_customer_idx"),
            models.Index(fields=["reported_by", "created_at", "id"], name="market_author_idx"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("market:info_detail", args=[self.pk])

    @transition(field=status, source=Status.PUBLISHED, target=Status.WITHDRAWN, custom={"label": _("撤回")})
    def withdraw(self):
        """The author or a sales manager takes it back (wrong, or not to be spread)."""


class MarketInfoRead(models.Model):
    """That a reader has opened an entry (已阅): the reader's 未读 marks and the author's count of readers."""

    info = models.ForeignKey(MarketInfo, verbose_name=_("市场信息"), on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(USER, verbose_name=_("阅读人"), on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(_("阅读时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("市场信息阅读记录")
        verbose_name_plural = _("市场信息阅读记录")
        constraints = [models.UniqueConstraint(fields=["user", "info"], name="uniq_market_read")]
