"""Quotations (报价单) and contracts (合同) with their review (合同评审) — SPEC.md "Quotation", "Contract and its review".

- A quotation version is one row; revising an approved or sent quotation creates the next version (same number, v2, v3…)
  and marks the old one superseded, so every version stays readable.
- A contract is one live row (orders point at it and see every approved change); each approved change request first
  stores the outgoing version as a `ContractVersion` snapshot, then applies the change and bumps `version`.
- Statuses are django-fsm-2 fields; the services (contracts/services/) move them through salesops.core.transitions.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from customers.models import Customer
from salesops.core.money import (
    DEFAULT_TAX_RATE,
    PRICE_BOUNDS,
    CreditDaysField,
    CurrencyField,
    ExchangeRateField,
    MoneyField,
    QuantityField,
    RateField,
)
from salesops.core.once import once_fingerprint_field, once_key_field

# What must be paid before goods leave: one list for the customer's file and the documents that copy its terms
PaymentTerms = Customer.PaymentTerms


class DocumentLine(models.Model):
    """The fields a quotation line, a contract line (and an order line) share. Amounts are derived by services with core.money.line_amounts."""

    line_no = models.PositiveSmallIntegerField(_("行号"), default=1)
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("产品"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("品名"), max_length=200)
    model = models.CharField(_("型号"), max_length=100, blank=True)
    spec = models.CharField(_("规格"), max_length=200, blank=True)
    unit = models.CharField(_("单位"), max_length=10, default="台")
    quantity = QuantityField(_("数量"))
    list_price = MoneyField(_("标准含税单价"), bounds=PRICE_BOUNDS, help_text=_("报价时的目录价，用于计算折扣"))
    unit_price = MoneyField(_("含税单价"), bounds=PRICE_BOUNDS)
    discount_rate = RateField(_("折扣率"), default=Decimal(0), help_text=_("0.05 = 在含税单价基础上再优惠 5%"))
    tax_rate = RateField(_("税率"), default=DEFAULT_TAX_RATE)
    unit_cost = MoneyField(_("单位成本(含税)"), bounds=PRICE_BOUNDS, help_text=_("用于毛利计算；目录产品取标准成本"))
    amount_excl = MoneyField(_("不含税金额"))
    tax = MoneyField(_("税额"))
    amount_incl = MoneyField(_("价税合计"))
    lead_time_days = models.PositiveSmallIntegerField(_("交货期(天)"), null=True, blank=True)
    notes = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        abstract = True
        ordering = ["line_no", "id"]

    def __str__(self):
        return f"{self.line_no}. {self.name}"

    @property
    def net_unit_price(self) -> Decimal:
        """The tax-inclusive unit price after the line discount (what the customer pays per unit)."""
        return self.unit_price * (Decimal(1) - self.discount_rate)


# --- quotations -----------------------------------------------------------------------------------------------------
ROUTE_JOINER = " → "  # between the steps of Quotation.approval_route


class Quotation(FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        IN_REVIEW = "in_review", _("审核中")
        APPROVED = "approved", _("已审核")
        SENT = "sent", _("已发送客户")
        ACCEPTED = "accepted", _("客户已接受")
        REJECTED = "rejected", _("客户已拒绝")
        EXPIRED = "expired", _("已过期")
        SUPERSEDED = "superseded", _("已修订(旧版本)")
        CANCELLED = "cancelled", _("已作废")

    # still being worked on: it follows its customer to another rep (services.documents_follow_the_customer)
    OPEN_STATUSES = (Status.DRAFT, Status.IN_REVIEW, Status.APPROVED, Status.SENT, Status.ACCEPTED)

    number = models.CharField(_("报价单号"), max_length=20, editable=False, db_index=True)
    version = models.PositiveSmallIntegerField(_("版本"), default=1, editable=False)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("上一版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
        editable=False,
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="quotations"
    )
    contact = models.ForeignKey(
        "customers.Contact", verbose_name=_("联系人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("业务员"), on_delete=models.PROTECT, related_name="owned_quotations"
    )
    project_name = models.CharField(_("项目名称"), max_length=200, blank=True)
    opportunity = models.ForeignKey(
        "customers.Opportunity",
        verbose_name=_("销售机会"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotations",
        help_text=_("为哪个销售机会报价（同一客户、跟进中）"),
    )
    status = FSMField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, protected=True)
    quote_date = models.DateField(_("报价日期"))
    valid_until = models.DateField(_("有效期至"))
    currency = CurrencyField(_("币种"))
    exchange_rate = ExchangeRateField(_("汇率(折人民币)"))
    payment_terms = models.CharField(_("付款方式"), max_length=10, choices=PaymentTerms.choices, default=PaymentTerms.PREPAID)
    payment_terms_text = models.CharField(_("付款条件说明"), max_length=300, blank=True)
    delivery_terms = models.CharField(_("交货条件"), max_length=300, blank=True)
    other_terms = models.TextField(_("其他条款"), blank=True)
    notes = models.TextField(_("内部备注"), blank=True)
    amount_excl = MoneyField(_("不含税金额"), editable=False)
    tax_amount = MoneyField(_("税额"), editable=False)
    amount_incl = MoneyField(_("价税合计"), editable=False)
    approval_route = models.CharField(_("审批路线"), max_length=200, blank=True, editable=False)  # step msgids
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True, editable=False)
    approved_at = models.DateTimeField(_("审核通过时间"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True, editable=False)
    close_reason = models.CharField(_("结束原因"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    once_key = once_key_field()  # the create form's submission (salesops.core.once): a resent form makes nothing
    once_fingerprint = once_fingerprint_field()  # what that submission sent: the same key with other input is refused
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("报价单")
        verbose_name_plural = _("报价单")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["number", "version"], name="uniq_quotation_number_version")]
        indexes = [
            models.Index(fields=["status", "valid_until"]),
            models.Index(fields=["created_at", "id"]),
            models.Index(fields=["customer", "created_at", "id"]),
        ]  # + the list's order and visibility (issue 12)

    @property
    def approval_route_text(self) -> str:
        """The review route it was sent along, each step in the reader's language (stored as the steps' msgids)."""
        return ROUTE_JOINER.join(gettext(step) for step in self.approval_route.split(ROUTE_JOINER)) if self.approval_route else ""

    def __str__(self):
        return self.display_number

    @property
    def display_number(self) -> str:
        return f"{self.number} v{self.version}" if self.version > 1 else self.number

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    # Transitions. Who may do them is checked by services (rules of ownership and roles), not by fsm permissions.
    @transition(field=status, source=Status.DRAFT, target=Status.IN_REVIEW, custom={"label": _("提交审核")})
    def submit(self):
        pass

    @transition(field=status, source=Status.IN_REVIEW, target=Status.DRAFT, custom={"label": _("撤回")})
    def withdraw(self):
        pass

    @transition(field=status, source=Status.IN_REVIEW, target=Status.APPROVED, custom={"label": _("审核通过"), "internal": True})
    def approve(self):
        pass

    @transition(field=status, source=Status.IN_REVIEW, target=Status.DRAFT, custom={"label": _("退回修改"), "internal": True})
    def return_to_owner(self):
        pass

    @transition(field=status, source=Status.APPROVED, target=Status.SENT, custom={"label": _("发送客户")})
    def send(self):
        pass

    @transition(field=status, source=Status.SENT, target=Status.ACCEPTED, custom={"label": _("客户接受")})
    def accept(self):
        pass

    @transition(field=status, source=Status.SENT, target=Status.REJECTED, custom={"label": _("客户拒绝")})
    def reject(self):
        pass

    @transition(
        field=status, source=[Status.APPROVED, Status.SENT], target=Status.EXPIRED, custom={"label": _("过期"), "internal": True}
    )
    def expire(self):
        pass

    @transition(field=status, source=[Status.APPROVED, Status.SENT], target=Status.SUPERSEDED, custom={"label": _("修订")})
    def revise(self):
        pass

    @transition(field=status, source=Status.DRAFT, target=Status.CANCELLED, custom={"label": _("作废")})
    def cancel(self):
        pass


def service_line_field():
    """服务/费用项 of a quotation or contract line (not of an order line: orders take no part in classification)."""
    return models.BooleanField(
        _("服务/费用项"),
        default=False,
        help_text=_("非目录产品的服务或费用（如安装调试、运费），不涉及生产，不按新产品评审"),
    )


class QuotationLine(DocumentLine):
    quotation = models.ForeignKey(Quotation, on_delete=models.CASCADE, related_name="lines")
    is_service = service_line_field()

    class Meta(DocumentLine.Meta):
        verbose_name = _("报价明细")
        verbose_name_plural = _("报价明细")


# --- contracts ------------------------------------------------------------------------------------------------------
class Contract(FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        IN_REVIEW = "in_review", _("评审中")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("评审通过")
        SIGNED = "signed", _("已签订")
        ACTIVE = "active", _("执行中")
        COMPLETED = "completed", _("已完成")
        TERMINATED = "terminated", _("已终止")
        CANCELLED = "cancelled", _("已作废")

    # not signed yet: it follows its customer to another rep (services.documents_follow_the_customer)
    UNSIGNED_STATUSES = (Status.DRAFT, Status.IN_REVIEW, Status.RETURNED, Status.APPROVED)

    class Classification(models.TextChoices):
        GENERAL = "general", _("一般合同")
        SPECIAL = "special", _("特殊合同")

    number = models.CharField(_("合同编号"), max_length=20, unique=True, editable=False)
    version = models.PositiveSmallIntegerField(_("版本"), default=1, editable=False)
    quotation = models.ForeignKey(
        Quotation, verbose_name=_("来源报价单"), null=True, blank=True, on_delete=models.PROTECT, related_name="contracts"
    )
    customer = models.ForeignKey("customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="contracts")
    contact = models.ForeignKey(
        "customers.Contact", verbose_name=_("联系人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("业务员"), on_delete=models.PROTECT, related_name="owned_contracts"
    )
    customer_contract_no = models.CharField(_("客户合同号"), max_length=50, blank=True)
    project_name = models.CharField(_("项目名称"), max_length=200, blank=True)
    status = FSMField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, protected=True)
    classification = models.CharField(
        _("合同类别"), max_length=10, choices=Classification.choices, default=Classification.GENERAL, editable=False
    )
    classification_reasons = models.JSONField(_("特殊合同原因"), default=list, blank=True, editable=False)
    upgraded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("升级为特殊合同者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    upgrade_reason = models.CharField(_("升级原因"), max_length=300, blank=True, editable=False)
    contract_date = models.DateField(_("合同日期"))
    delivery_date = models.DateField(_("承诺交货日期"), null=True, blank=True)
    currency = CurrencyField(_("币种"))
    exchange_rate = ExchangeRateField(_("汇率(折人民币)"))
    payment_terms = models.CharField(_("付款方式"), max_length=10, choices=PaymentTerms.choices, default=PaymentTerms.PREPAID)
    deposit_rate = RateField(_("定金比例"), default=Decimal(0))
    credit_days = CreditDaysField(_("账期(天)"))
    payment_terms_text = models.CharField(_("付款条件说明"), max_length=300, blank=True)
    delivery_terms = models.CharField(_("交货条件"), max_length=300, blank=True)
    quality_terms = models.CharField(_("质量/验收条款"), max_length=300, blank=True)
    other_terms = models.TextField(_("其他条款"), blank=True)
    customer_supplied_materials = models.BooleanField(_("客户提供材料(来料)"), default=False)
    beyond_technical_capability = models.BooleanField(
        _("超出技术能力/标准"), default=False, help_text=_("技术要求超出公司现有技术能力或标准")
    )
    amount_excl = MoneyField(_("不含税金额"), editable=False)
    tax_amount = MoneyField(_("税额"), editable=False)
    amount_incl = MoneyField(_("价税合计"), editable=False)
    cost_total = MoneyField(_("成本合计(含税)"), editable=False)
    submitted_at = models.DateTimeField(_("提交评审时间"), null=True, blank=True, editable=False)
    approved_at = models.DateTimeField(_("评审通过时间"), null=True, blank=True, editable=False)
    signed_on = models.DateField(_("签订日期"), null=True, blank=True, editable=False)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记签订者"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True, editable=False)
    close_reason = models.CharField(_("终止/作废原因"), max_length=300, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    once_key = once_key_field()  # the create form's submission (salesops.core.once): a resent form makes nothing
    once_fingerprint = once_fingerprint_field()  # what that submission sent: the same key with other input is refused
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("合同")
        verbose_name_plural = _("合同")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at", "id"]),
            models.Index(fields=["customer", "created_at", "id"]),
        ]  # the list's order and visibility (issue 12)

    def __str__(self):
        return f"{self.number} v{self.version}" if self.version > 1 else self.number

    @property
    def is_special(self) -> bool:
        return self.classification == self.Classification.SPECIAL

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    @property
    def margin_rate(self) -> Decimal | None:
        """Gross margin on the tax-inclusive amounts in CNY (the cost is in CNY, the amount at the exchange rate); None
        when no cost is known."""
        amount = self.amount_incl * self.exchange_rate
        if not self.cost_total or not amount:
            return None
        return (amount - self.cost_total) / amount

    @transition(field=status, source=[Status.DRAFT, Status.RETURNED], target=Status.IN_REVIEW, custom={"label": _("提交评审")})
    def submit(self):
        pass

    @transition(field=status, source=Status.IN_REVIEW, target=Status.DRAFT, custom={"label": _("撤回")})
    def withdraw(self):
        pass

    @transition(field=status, source=Status.IN_REVIEW, target=Status.APPROVED, custom={"label": _("评审通过"), "internal": True})
    def approve(self):
        pass

    @transition(field=status, source=Status.IN_REVIEW, target=Status.RETURNED, custom={"label": _("退回修改"), "internal": True})
    def return_to_owner(self):
        pass

    @transition(field=status, source=Status.APPROVED, target=Status.SIGNED, custom={"label": _("登记签订")})
    def sign(self):
        pass

    @transition(field=status, source=Status.SIGNED, target=Status.ACTIVE, custom={"label": _("开始执行")})
    def activate(self):
        pass

    @transition(field=status, source=Status.ACTIVE, target=Status.COMPLETED, custom={"label": _("执行完毕")})
    def complete(self):
        pass

    @transition(field=status, source=[Status.SIGNED, Status.ACTIVE], target=Status.TERMINATED, custom={"label": _("终止")})
    def terminate(self):
        pass

    @transition(
        field=status,
        source=[Status.DRAFT, Status.RETURNED, Status.APPROVED],
        target=Status.CANCELLED,
        custom={"label": _("作废")},
    )
    def cancel(self):
        pass


class ContractLine(DocumentLine):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="lines")
    quotation_line = models.ForeignKey(
        QuotationLine, verbose_name=_("来源报价行"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    delivery_date = models.DateField(_("交货日期"), null=True, blank=True)
    is_service = service_line_field()

    class Meta(DocumentLine.Meta):
        verbose_name = _("合同明细")
        verbose_name_plural = _("合同明细")


class ContractReview(models.Model):
    """合同评审单: what the owner records for the review (one per contract, edited while the contract is editable)."""

    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="review")
    explicit_requirements = models.TextField(
        _("顾客明示的要求"), blank=True, help_text=_("品种、规格、数量、交期、价格、验收标准等")
    )
    implicit_requirements = models.TextField(_("隐含/预期用途的要求"), blank=True)
    legal_requirements = models.TextField(_("法律法规要求"), blank=True)
    additional_commitments = models.TextField(_("公司附加承诺"), blank=True)
    oral_order_confirmed = models.BooleanField(_("口头订单已书面确认"), default=False)
    quotation_differences_resolved = models.BooleanField(_("与报价的差异已解决"), default=False)
    capability_confirmed = models.BooleanField(_("已确认有能力满足要求"), default=False)
    notes = models.TextField(_("评审说明"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("合同评审单")
        verbose_name_plural = _("合同评审单")

    def __str__(self):
        return str(_("%(contract)s 的评审单") % {"contract": self.contract})


class SpecialReviewRule(models.Model):
    """Which departments must review a special contract for each reason (editable data; seeded by migration)."""

    reason = models.CharField(_("特殊原因"), max_length=30, unique=True)
    departments = models.JSONField(_("需评审的部门"), default=list, help_text=_('部门代码列表，如 ["technical", "production"]'))

    class Meta:
        verbose_name = _("特殊合同评审部门规则")
        verbose_name_plural = _("特殊合同评审部门规则")
        ordering = ["reason"]

    def __str__(self):
        from .rules import reason_label

        return reason_label(self.reason)


class ContractChange(FSMModelMixin, models.Model):
    """A change request on a signed contract (合同变更): proposed values, re-reviewed by the affected departments."""

    class Status(models.TextChoices):
        IN_REVIEW = "in_review", _("评审中")
        APPROVED = "approved", _("已生效")
        REJECTED = "rejected", _("已驳回")
        WITHDRAWN = "withdrawn", _("已撤回")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="changes")
    from_version = models.PositiveSmallIntegerField(_("变更前版本"))
    reason = models.TextField(_("变更原因"))
    header_changes = models.JSONField(_("合同条款变更"), default=dict, help_text=_("{字段: [原值, 新值]}"))
    line_changes = models.JSONField(_("明细变更"), default=list, help_text=_("[{line_id, 字段: [原值, 新值]}]"))
    departments = models.JSONField(_("需复审部门"), default=list)
    classification = models.CharField(
        _("变更后合同类别"), max_length=10, choices=Contract.Classification.choices, blank=True, editable=False
    )
    classification_reasons = models.JSONField(_("变更后特殊合同原因"), default=list, blank=True, editable=False)
    status = FSMField(_("状态"), max_length=10, choices=Status.choices, default=Status.IN_REVIEW, protected=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("合同变更")
        verbose_name_plural = _("合同变更")
        ordering = ["-created_at", "-id"]
        indexes = [  # the list's default order, and the same within one contract (the visibility filter goes through it)
            models.Index(fields=["created_at", "id"], name="contract_change_list_idx"),
            models.Index(fields=["contract", "created_at", "id"], name="contract_change_contract_idx"),
        ]

    def __str__(self):
        return str(_("%(contract)s 变更（v%(version)s）") % {"contract": self.contract.number, "version": self.from_version})

    @transition(field=status, source=Status.IN_REVIEW, target=Status.APPROVED, custom={"label": _("生效"), "internal": True})
    def apply(self):
        pass

    @transition(field=status, source=Status.IN_REVIEW, target=Status.REJECTED, custom={"label": _("驳回"), "internal": True})
    def reject(self):
        pass

    @transition(field=status, source=Status.IN_REVIEW, target=Status.WITHDRAWN, custom={"label": _("撤回")})
    def withdraw(self):
        pass


class ContractVersion(models.Model):
    """A frozen copy of a contract version that a change replaced (header, lines, totals), readable forever."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveSmallIntegerField(_("版本"))
    snapshot = models.JSONField(_("内容"))
    change = models.OneToOneField(
        ContractChange, null=True, blank=True, on_delete=models.SET_NULL, related_name="replaced_version"
    )
    created_at = models.DateTimeField(_("存档时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("合同历史版本")
        verbose_name_plural = _("合同历史版本")
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["contract", "version"], name="uniq_contract_version")]

    def __str__(self):
        return f"{self.contract.number} v{self.version}"
