"""Money of the orders (SPEC.md "Invoices and payments"): invoice requests (开票申请) handled by finance, payments (回款,
退款) with their allocations to orders, confirmed by finance, and credit notes (红字冲减)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from salesops.core.money import MoneyField, money_text

from .orders import USER, SalesOrder, _by


# --- invoices and payments --------------------------------------------------------------------------------------------
class InvoiceRequest(FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("待开票")
        ISSUED = "issued", _("已开票")
        CANCELLED = "cancelled", _("已作废")

    STATUS_TONES = {Status.ISSUED: "success", Status.CANCELLED: "secondary"}

    class InvoiceType(models.TextChoices):
        GENERAL = "general", _("增值税普通发票")
        SPECIAL = "special", _("增值税专用发票")

    number = models.CharField(_("开票申请单号"), max_length=20, unique=True, editable=False)  # KP-YYYYMM-NNNN
    order = models.ForeignKey(SalesOrder, verbose_name=_("订单"), on_delete=models.PROTECT, related_name="invoices")
    title = models.CharField(_("发票抬头"), max_length=200)
    tax_id = models.CharField(_("税号"), max_length=18)
    bank_account = models.CharField(_("开户行及账号"), max_length=200, blank=True)
    address_phone = models.CharField(_("地址、电话"), max_length=200, blank=True)
    invoice_type = models.CharField(_("发票类型"), max_length=10, choices=InvoiceType.choices, default=InvoiceType.SPECIAL)
    amount = MoneyField(_("开票金额(含税)"))
    status = FSMField(_("状态"), max_length=10, choices=Status.choices, default=Status.REQUESTED, protected=True)
    invoice_numbers = models.CharField(_("发票号码"), max_length=300, blank=True)
    issued_on = models.DateField(_("开票日期"), null=True, blank=True)
    issued_by = _by(_("开票人"))
    requested_by = models.ForeignKey(USER, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    cancel_reason = models.CharField(_("作废原因"), max_length=300, blank=True)
    history = HistoricalRecords()

    NUMBER_PREFIX = "KP"  # 开票申请单号 KP-YYYYMM-NNNN

    class Meta:
        verbose_name = _("开票申请")
        verbose_name_plural = _("开票申请")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["requested_at", "id"]),  # the list's order and visibility (issue 12)
            models.Index(fields=["issued_on"], name="invoice_issued_on_idx"),  # invoiced sales of a period (KPIs)
        ]
        constraints = [  # one 发票号码 on one invoice not cancelled (services.invoice_issue checks it first, in words)
            models.UniqueConstraint(
                fields=["invoice_numbers"],
                condition=~Q(status="cancelled") & ~Q(invoice_numbers=""),
                name="invoice_number_unique_live",
            ),
        ]

    def __str__(self):
        return str(
            _("%(number)s %(order)s 开票（%(amount)s）")
            % {"number": self.number, "order": self.order, "amount": money_text(self.amount)}
        ).lstrip()

    @transition(field=status, source=Status.REQUESTED, target=Status.ISSUED, custom={"label": _("开票")})
    def issue(self):
        pass

    @transition(field=status, source=[Status.REQUESTED, Status.ISSUED], target=Status.CANCELLED, custom={"label": _("作废")})
    def cancel(self):
        pass


class Payment(FSMModelMixin, models.Model):
    class Kind(models.TextChoices):
        DEPOSIT = "deposit", _("定金")
        PROGRESS = "progress", _("进度款")
        FINAL = "final", _("尾款")
        REFUND = "refund", _("退款")  # money paid back to the customer: a negative amount (services.refund_record)

    class Method(models.TextChoices):
        BANK = "bank", _("银行转账")
        ACCEPTANCE = "acceptance", _("承兑汇票")
        CASH = "cash", _("现金")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        RECORDED = "recorded", _("待财务确认")
        CONFIRMED = "confirmed", _("财务已确认")
        VOIDED = "voided", _("已作废")

    STATUS_TONES = {Status.RECORDED: "warning", Status.VOIDED: "secondary"}

    RECEIPT_PREFIX, REFUND_PREFIX = "HK", "TK"  # 回款单号 HK-YYYYMM-NNNN; a refund (kind REFUND) is numbered TK-YYYYMM-NNNN

    number = models.CharField(_("回款单号"), max_length=20, unique=True, editable=False)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(_("款项类型"), max_length=10, choices=Kind.choices, default=Kind.PROGRESS)
    method = models.CharField(_("收款方式"), max_length=12, choices=Method.choices, default=Method.BANK)
    bank_reference = models.CharField(_("银行流水号/票据号"), max_length=60)
    amount = MoneyField(_("金额"))
    received_on = models.DateField(_("到账日期"))
    status = FSMField(_("状态"), max_length=10, choices=Status.choices, default=Status.RECORDED, protected=True)
    notes = models.CharField(_("备注"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(USER, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    confirmed_by = _by(_("确认人"))
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    void_reason = models.CharField(_("作废原因"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("回款")
        verbose_name_plural = _("回款")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["received_on", "id"]),
            models.Index(fields=["customer", "received_on", "id"]),
        ]  # the list's order and visibility (issue 12)
        constraints = [
            # The same bank reference is never entered twice (voided entries do not count).
            models.UniqueConstraint(
                fields=["bank_reference"], condition=~Q(status="voided"), name="uniq_live_payment_bank_reference"
            ),
            # money received is positive, a refund (paid back) negative, so every sum of payments nets refunds
            models.CheckConstraint(
                condition=Q(kind="refund", amount__lt=0) | (~Q(kind="refund") & Q(amount__gt=0)), name="payment_amount_sign"
            ),
        ]

    def __str__(self):
        # read inside sentences: "HK-202601-0001 ICBC001（-1,000.00）当前状态为…"
        return f"{self.number} {self.bank_reference}（{money_text(self.amount)}）".lstrip()

    @transition(field=status, source=Status.RECORDED, target=Status.CONFIRMED, custom={"label": _("确认到账")})
    def confirm(self):
        pass

    @transition(field=status, source=[Status.RECORDED, Status.CONFIRMED], target=Status.VOIDED, custom={"label": _("作废")})
    def void(self):
        pass


class PaymentAllocation(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    order = models.ForeignKey(SalesOrder, verbose_name=_("订单"), on_delete=models.PROTECT, related_name="allocations")
    amount = MoneyField(_("分配金额"))

    class Meta:
        verbose_name = _("回款分配")
        verbose_name_plural = _("回款分配")
        constraints = [
            models.UniqueConstraint(fields=["payment", "order"], name="uniq_allocation_per_order"),
            # the payment's sign (a refund's allocation is negative): services.payment_record / refund_record keep it
            models.CheckConstraint(condition=~Q(amount=0), name="allocation_amount_nonzero"),
        ]

    def __str__(self):
        return f"{self.payment} → {self.order}: {self.amount}"


# --- credit notes -----------------------------------------------------------------------------------------------------
class CreditNote(models.Model):
    """红字冲减单: reduces what an order's customer owes (a refund for returned goods); never more than was shipped.
    Written only by orders.services.credit_note_create under the order's row lock."""

    number = models.CharField(_("冲减单号"), max_length=20, unique=True, editable=False)
    order = models.ForeignKey(SalesOrder, verbose_name=_("订单"), on_delete=models.PROTECT, related_name="credit_notes")
    amount = MoneyField(_("冲减金额(含税)"))
    reason = models.CharField(_("原因"), max_length=300)
    reference = models.CharField(_("来源单据"), max_length=40, blank=True)
    created_by = models.ForeignKey(USER, verbose_name=_("开具人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("开具时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("红字冲减单")
        verbose_name_plural = _("红字冲减单")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_at"], name="credit_note_created_at_idx")]  # a period's credit notes (KPIs)
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="credit_note_amount_positive")]

    def __str__(self):
        return self.number
