"""Products, price lists and discount limits (SPEC.md "Catalog and prices")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from salesops.core.money import DEFAULT_TAX_RATE, PRICE_BOUNDS, CurrencyField, MoneyField, QuantityField, RateField
from salesops.core.roles import Role

from . import rules


class Product(models.Model):
    class Kind(models.TextChoices):
        STANDARD = "standard", _("标准产品")
        CUSTOM = "custom", _("定制产品")

    class SaleStatus(models.TextChoices):
        ACTIVE = "active", _("在售")
        INACTIVE = "inactive", _("停售")

    code = models.CharField(_("产品编码"), max_length=40, unique=True)
    name = models.CharField(_("产品名称"), max_length=200)
    model = models.CharField(_("型号"), max_length=100, blank=True)
    spec = models.CharField(_("规格"), max_length=200, blank=True)
    unit = models.CharField(_("单位"), max_length=10, default="台")
    tax_rate = RateField(
        _("税率"), default=DEFAULT_TAX_RATE, validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("0.17"))]
    )
    kind = models.CharField(_("产品类别"), max_length=10, choices=Kind.choices, default=Kind.STANDARD)
    list_price = MoneyField(_("标准含税单价"), bounds=PRICE_BOUNDS)
    standard_cost = MoneyField(
        _("标准成本(含税)"), bounds=PRICE_BOUNDS, help_text=_("用于计算毛利；合同评审时低于正常毛利率为特殊合同")
    )
    monthly_capacity = QuantityField(_("月产能"), null=True, blank=True, help_text=_("留空表示不受限"))
    ever_produced = models.BooleanField(_("曾经生产过"), default=True, help_text=_("未生产过的新品/定制品，合同为特殊合同"))
    is_active = models.BooleanField(_("在售"), default=True)
    description = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("产品")
        verbose_name_plural = _("产品")
        ordering = ["code"]
        # the tax rates in use (selectors.product_tax_rates: the list filter's options), one lookup per rate
        indexes = [models.Index(fields=["tax_rate"], name="product_tax_rate_idx")]

    def __str__(self):
        return f"{self.code} {self.name} {self.model}".strip()

    @property
    def sale_status(self) -> SaleStatus:
        """在售 / 停售 as a status ({% status_badge product "sale_status" %})."""
        return self.SaleStatus.ACTIVE if self.is_active else self.SaleStatus.INACTIVE

    def get_absolute_url(self):
        return reverse("catalog:product_detail", args=[self.pk])


class PriceList(models.Model):
    """A price list for a customer type and/or grade, valid between two dates. Blank type/grade = applies to all."""

    class Validity(models.TextChoices):
        VALID = "valid", _("有效")
        OUT_OF_PERIOD = "out_of_period", _("不在有效期")
        INACTIVE = "inactive", _("停用")

    VALIDITY_TONES = {Validity.VALID: "success", Validity.OUT_OF_PERIOD: "light", Validity.INACTIVE: "secondary"}

    name = models.CharField(_("价格表名称"), max_length=100)
    customer_type = models.CharField(_("适用客户类型"), max_length=20, blank=True)
    customer_grade = models.CharField(_("适用客户等级"), max_length=1, blank=True)
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    currency = CurrencyField(_("币种"))
    is_active = models.BooleanField(_("启用"), default=True)
    notes = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("价格表")
        verbose_name_plural = _("价格表")
        ordering = ["-valid_from", "name"]
        indexes = [models.Index(fields=["-valid_from", "name"], name="price_list_list_idx")]  # the list's order (issue 12)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="pricelist_valid_range",
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("catalog:pricelist_detail", args=[self.pk])

    def validity_on(self, day: date) -> Validity:
        """Whether the list prices on `day` (active and within its dates), for {% status_badge price_list "validity" %}."""
        if not self.is_active:
            return self.Validity.INACTIVE
        valid = rules.is_valid_on(valid_from=self.valid_from, valid_to=self.valid_to, on_date=day)
        return self.Validity.VALID if valid else self.Validity.OUT_OF_PERIOD


class PriceListItem(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, verbose_name=_("产品"), on_delete=models.PROTECT, related_name="price_items")
    unit_price = MoneyField(_("含税单价"), bounds=PRICE_BOUNDS)
    min_quantity = QuantityField(_("起订量"), default=Decimal("0"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("价格表明细")
        verbose_name_plural = _("价格表明细")
        ordering = ["product__code"]
        constraints = [models.UniqueConstraint(fields=["price_list", "product"], name="uniq_pricelist_product")]

    def __str__(self):
        return f"{self.product} {self.unit_price}"


class DiscountLimit(models.Model):
    """How far below the list price a role may quote without further approval (e.g. rep 5%, manager 15%; beyond → VP)."""

    role = models.CharField(_("角色"), max_length=40, choices=Role.choices, unique=True)
    max_discount_rate = RateField(
        _("最大折让比例"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("0.05 表示可低于价目表 5%"),
    )

    class Meta:
        verbose_name = _("折扣权限")
        verbose_name_plural = _("折扣权限")
        ordering = ["max_discount_rate"]

    def __str__(self):
        return f"{self.get_role_display()} ≤ {self.max_discount_rate:.2%}"

    def get_absolute_url(self):
        return reverse("catalog:discounts")
