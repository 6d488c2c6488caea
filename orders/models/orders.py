"""Sales orders through delivery (SPEC.md "Sales order", "Inspection", "Shipment"): the order and its lines, the
verification checklist and changes, production tracking, inspection and emergency release, credit exceptions, outbound
notes and goods refused and received back. Money (invoice requests, payments, credit notes) is in .money."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from contracts.models import DocumentLine, PaymentTerms
from salesops.core.money import CreditDaysField, CurrencyField, ExchangeRateField, MoneyField, QuantityField, money_text
from salesops.core.once import once_fingerprint_field, once_key_field

USER = settings.AUTH_USER_MODEL


def _by(verbose, **kw):
    return models.ForeignKey(USER, verbose_name=verbose, null=True, blank=True, on_delete=models.PROTECT, related_name="+", **kw)


# --- orders ---------------------------------------------------------------------------------------------------------
# The clerk's order queues (selectors.clerk_queue) on the order's own columns. Each is also the condition of a partial
# index of SalesOrder (the same Q gives the same SQL, which is what lets the planner use it), so a queue's COUNT and its
# first rows read that index alone (issue 12). The codes are SalesOrder.Status's (tests/orders/test_queue_counts.py).
OPEN_STATUSES = ("received", "verified", "placed", "partial")
SHIPPING_STATUSES = ("placed", "partial")
TO_VERIFY = Q(status="received") | Q(status__in=OPEN_STATUSES, needs_reverification=True)
TO_PLACE = Q(status="verified", needs_reverification=False)
# Money columns hold whole fen, so "a − b ≤ 0" is "a − b < half a fen".
HALF_FEN = Decimal("0.005")
# Something is due before shipment (rules.due_before_shipment ≥ half a fen): prepaid with an amount, or a deposit with
# both a deposit and an amount (LEAST(deposit, amount)). A draft outbound note of any other order passes the payment
# gate without summing payments (selectors.held_shipments).
DUE_BEFORE_SHIPMENT = Q(payment_terms="prepaid", amount_incl__gte=HALF_FEN) | Q(
    payment_terms="deposit", amount_incl__gte=HALF_FEN, deposit_amount__gte=HALF_FEN
)
# An order line with goods passed or released and not yet shipped (passed + released > shipped): the few lines an order
# can be ready to ship by (selectors: ready_to_ship), and the condition of a partial index of SalesOrderLine.
LINE_READY = Q(passed_quantity__gt=models.F("shipped_quantity") - models.F("released_quantity"))
# An outbound note's line with goods refused at delivery (拒收) not yet received back (拒收退回入库): the warehouse's
# queue 待收回拒收货物 (selectors.refused_to_receive), and the condition of a partial index of ShipmentLine.
REFUSED_PENDING = Q(refused_quantity__gt=models.F("returned_quantity"))


def kept_amount(prefix: str = ""):
    """The value of what an outbound note (at `prefix`, e.g. "shipments__") left with that stayed with the customer: its
    amount less the goods refused at delivery and received back (Shipment.returned_amount). The readers of shipped
    value (receivables, the credit check, the credit-note room, 短交关闭's valuation, the KPIs) sum this, not amount_incl;
    the customer's statement shows the note whole on the day it left and the return on the day it came back. Read as of
    a past day, add back what came back after it (returned_after)."""
    return models.F(f"{prefix}amount_incl") - models.F(f"{prefix}returned_amount")


def returned_after(day, of: str, **among):
    """The value of the goods refused and received back after `day` (RefusalReturn.received_on > day) of the outer row's
    note or order (`of`: "shipment" or "order", matched to OuterRef("pk")), of the notes `among` selects (e.g.
    shipment__shipped_at__lt=…), 0 when none: what kept_amount subtracts that was still with the customer at the end of
    `day` — so a past day's receivables and unshipped value stay as they were that day."""
    summed = (
        RefusalReturn.objects.filter(received_on__gt=day, **{of: models.OuterRef("pk")}, **among)
        .order_by()
        .values(of)
        .annotate(s=models.Sum("amount_incl"))
        .values("s")
    )
    return Coalesce(models.Subquery(summed), models.Value(Decimal("0")), output_field=MoneyField())


class SalesOrder(FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("已接单")
        VERIFIED = "verified", _("已核单")
        PLACED = "placed", _("已下单生产")
        PARTIALLY_SHIPPED = "partial", _("部分发货")
        SHIPPED = "shipped", _("已全部发货")
        CLOSED = "closed", _("已关闭")
        CANCELLED = "cancelled", _("已取消")

    class ProductionStatus(models.TextChoices):
        NOT_PLACED = "not_placed", _("未下单")
        PLACED = "placed", _("已下单")
        SCHEDULED = "scheduled", _("已排产")
        IN_PRODUCTION = "in_production", _("生产中")
        DONE = "done", _("已完工")
        DELAYED = "delayed", _("延误")
        FROM_STOCK = "from_stock", _("库存发货")

    # badge colours ({% status_badge %}); the order statuses take the house's default tones
    PRODUCTION_STATUS_TONES = {
        ProductionStatus.NOT_PLACED: "light",
        ProductionStatus.PLACED: "info",
        ProductionStatus.SCHEDULED: "info",
        ProductionStatus.IN_PRODUCTION: "info",
        ProductionStatus.DONE: "success",
        ProductionStatus.DELAYED: "danger",
        ProductionStatus.FROM_STOCK: "success",
    }

    number = models.CharField(_("订单号"), max_length=20, unique=True, editable=False)
    contract = models.ForeignKey(
        "contracts.Contract", verbose_name=_("合同"), null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    contract_version = models.PositiveSmallIntegerField(_("下单时的合同版本"), null=True, blank=True, editable=False)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="orders")
    owner = models.ForeignKey(USER, verbose_name=_("业绩归属业务员"), on_delete=models.PROTECT, related_name="owned_orders")
    project_name = models.CharField(_("项目名称"), max_length=200, blank=True)
    customer_po = models.CharField(_("客户订单号"), max_length=50, blank=True)
    status = FSMField(_("状态"), max_length=12, choices=Status.choices, default=Status.RECEIVED, protected=True)
    received_on = models.DateField(_("接单日期"))
    contact = models.ForeignKey(
        "customers.Contact", verbose_name=_("联系人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ship_to = models.ForeignKey(
        "customers.ShipToAddress", verbose_name=_("收货地址"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invoice_title = models.ForeignKey(
        "customers.InvoiceTitle", verbose_name=_("发票抬头"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    prices_include_tax = models.BooleanField(_("单价含税"), default=True)
    currency = CurrencyField(_("币种"))
    exchange_rate = ExchangeRateField(_("汇率(折人民币)"))
    payment_terms = models.CharField(_("付款方式"), max_length=10, choices=PaymentTerms.choices, default=PaymentTerms.PREPAID)
    deposit_amount = MoneyField(_("定金金额"))
    credit_days = CreditDaysField(_("账期(天)"))
    promised_ship_date = models.DateField(_("承诺发货日期"), null=True, blank=True)
    requested_date = models.DateField(_("要求生产完成日期"), null=True, blank=True, editable=False)
    expected_date = models.DateField(_("预计完工日期"), null=True, blank=True, editable=False)
    production_status = models.CharField(
        _("生产状态"), max_length=14, choices=ProductionStatus.choices, default=ProductionStatus.NOT_PLACED, editable=False
    )
    notes = models.TextField(_("备注"), blank=True)
    amount_excl = MoneyField(_("不含税金额"), editable=False)
    tax_amount = MoneyField(_("税额"), editable=False)
    amount_incl = MoneyField(_("价税合计"), editable=False)
    needs_reverification = models.BooleanField(_("变更后待重新核单"), default=False, editable=False)
    change_count = models.PositiveSmallIntegerField(_("核单后变更次数"), default=0, editable=False)
    has_emergency_release = models.BooleanField(_("含紧急放行"), default=False, editable=False)
    verified_by = _by(_("核单人"), editable=False)
    verified_at = models.DateTimeField(_("核单时间"), null=True, blank=True, editable=False)
    placed_by = _by(_("下单人"), editable=False)
    placed_at = models.DateTimeField(_("下单时间"), null=True, blank=True, editable=False)
    shipped_at = models.DateTimeField(_("全部发货时间"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True, editable=False)
    cancel_reason = models.CharField(_("取消原因"), max_length=300, blank=True, editable=False)
    created_by = models.ForeignKey(USER, verbose_name=_("录入人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    once_key = once_key_field()  # the create form's submission (salesops.core.once): a resent form makes nothing
    once_fingerprint = once_fingerprint_field()  # what that submission sent: the same key with other input is refused
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("销售订单")
        verbose_name_plural = _("销售订单")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["status", "received_on"]),
            models.Index(fields=["status", "promised_ship_date"]),
            models.Index(fields=["received_on", "id"]),
            models.Index(fields=["customer", "received_on", "id"]),
            models.Index(fields=["shipped_at"], name="order_shipped_at_idx"),  # on-time delivery by month (KPIs)
            # the clerk's queues, in the queues' order (-received_on, -id), each with the columns its test reads
            models.Index(fields=["received_on", "id"], condition=TO_VERIFY, name="order_to_verify_idx"),
            models.Index(fields=["received_on", "id"], condition=Q(status="received"), name="order_received_idx"),
            models.Index(fields=["received_on", "id"], condition=TO_PLACE, name="order_to_place_idx"),
            models.Index(
                fields=["received_on", "id"],
                include=["promised_ship_date", "expected_date", "production_status", "placed_at"],
                condition=Q(status__in=SHIPPING_STATUSES),
                name="order_shipping_idx",
            ),
            # the orders whose draft notes may be held at the payment gate
            models.Index(fields=["id"], condition=DUE_BEFORE_SHIPMENT, name="order_due_before_shipment_idx"),
        ]  # + the list's order and visibility (issue 12)

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.CLOSED, self.Status.CANCELLED)

    @property
    def contract_changed_since(self) -> bool:
        """The contract got a new version (an approved change request) after this order was taken from it."""
        return bool(self.contract_id and self.contract_version and self.contract.version > self.contract_version)

    @transition(field=status, source=Status.RECEIVED, target=Status.VERIFIED, custom={"label": _("核单完成")})
    def verify(self):
        pass

    @transition(field=status, source=Status.VERIFIED, target=Status.PLACED, custom={"label": _("下单生产")})
    def place(self):
        pass

    @transition(
        field=status, source=[Status.PLACED, Status.PARTIALLY_SHIPPED], target=Status.PARTIALLY_SHIPPED, custom={"internal": True}
    )
    def ship_part(self):
        pass

    @transition(field=status, source=[Status.PLACED, Status.PARTIALLY_SHIPPED], target=Status.SHIPPED, custom={"internal": True})
    def ship_all(self):
        pass

    @transition(field=status, source=Status.PARTIALLY_SHIPPED, target=Status.SHIPPED, custom={"label": _("短交关闭")})
    def close_short(self):
        """短交关闭: the backordered remainder is given up (services.order_close_short sets the quantities)."""

    @transition(field=status, source=Status.SHIPPED, target=Status.CLOSED, custom={"label": _("关闭订单")})
    def close(self):
        pass

    @transition(field=status, source=[Status.SHIPPED, Status.CLOSED], target=Status.PARTIALLY_SHIPPED, custom={"internal": True})
    def reopen_for_refused(self):
        """拒收退回入库: goods refused at delivery came back, so they no longer count as shipped and the order owes them
        again (services.shipment_receive_refused): partially shipped, to ship again (补发) or close short (短交关闭)."""

    @transition(
        field=status,
        source=[Status.RECEIVED, Status.VERIFIED, Status.PLACED, Status.PARTIALLY_SHIPPED],  # the last: services.order_cancel
        target=Status.CANCELLED,
        custom={"label": _("取消订单")},
    )
    def cancel(self):
        pass


class SalesOrderLine(DocumentLine):
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    contract_line = models.ForeignKey(
        "contracts.ContractLine",
        verbose_name=_("合同明细"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="order_lines",
    )
    passed_quantity = QuantityField(_("检验合格数量"), default=Decimal(0), editable=False)
    released_quantity = QuantityField(_("紧急放行数量"), default=Decimal(0), editable=False)
    shipped_quantity = QuantityField(_("已发货数量"), default=Decimal(0), editable=False)
    delivered_quantity = QuantityField(_("已签收数量"), default=Decimal(0), editable=False)

    class Meta(DocumentLine.Meta):
        verbose_name = _("订单明细")
        verbose_name_plural = _("订单明细")
        constraints = [
            models.CheckConstraint(
                condition=Q(shipped_quantity__lte=models.F("quantity")), name="order_line_shipped_lte_ordered"
            ),
            models.CheckConstraint(
                condition=Q(delivered_quantity__lte=models.F("shipped_quantity")), name="order_line_delivered_lte_shipped"
            ),
        ]
        indexes = [models.Index(fields=["order"], condition=LINE_READY, name="order_line_ready_idx")]

    @property
    def remaining_quantity(self) -> Decimal:
        return self.quantity - self.shipped_quantity

    @property
    def shippable_quantity(self) -> Decimal:
        """Inspected-and-passed plus emergency-released quantity not yet shipped (never above what is still owed)."""
        return max(
            Decimal(0), min(self.passed_quantity + self.released_quantity - self.shipped_quantity, self.remaining_quantity)
        )


class OrderCheck(models.Model):
    """One item of the verification checklist (核单) and with whom it was confirmed."""

    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="checks")
    item = models.CharField(_("核对项目"), max_length=20)
    with_rep = models.BooleanField(_("已与业务员确认"), default=False)
    with_customer = models.BooleanField(_("已与客户确认"), default=False)
    with_production = models.BooleanField(_("已与生产确认"), default=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    checked_by = _by(_("核对人"))
    checked_at = models.DateTimeField(_("核对时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("核单项目")
        verbose_name_plural = _("核单项目")
        constraints = [models.UniqueConstraint(fields=["order", "item"], name="uniq_order_check_item")]

    def __str__(self):
        return f"{self.order} {self.item}"


class OrderChange(models.Model):
    """A change made to a verified order (old → new values); the order must be verified again."""

    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="changes")
    reason = models.TextField(_("变更原因"))
    changes = models.JSONField(_("变更内容"), default=list)
    changed_by = models.ForeignKey(USER, verbose_name=_("变更人"), on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(_("变更时间"), auto_now_add=True)
    reverified_by = _by(_("重新核单人"))
    reverified_at = models.DateTimeField(_("重新核单时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("订单变更")
        verbose_name_plural = _("订单变更")
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.order} {self.changed_at:%Y-%m-%d}"


class ProductionUpdate(models.Model):
    """Production tracking (跟单): one status report from production with the expected completion date."""

    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="production_updates")
    status = models.CharField(_("生产状态"), max_length=14, choices=SalesOrder.ProductionStatus.choices)
    expected_date = models.DateField(_("预计完工日期"), null=True, blank=True)
    reason = models.CharField(_("延误原因/说明"), max_length=300, blank=True)
    reported_by = models.ForeignKey(USER, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("生产跟单记录")
        verbose_name_plural = _("生产跟单记录")
        ordering = ["-reported_at", "-id"]

    def __str__(self):
        return f"{self.order} {self.get_status_display()}"


class RiskAlert(models.Model):
    """A promised ship date at risk was reported for this order on this day (the daily task warns once per order and day)."""

    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="risk_alerts")
    day = models.DateField(_("日期"))
    reason = models.CharField(_("原因"), max_length=300)

    class Meta:
        verbose_name = _("交期风险提醒")
        verbose_name_plural = _("交期风险提醒")
        constraints = [models.UniqueConstraint(fields=["order", "day"], name="uniq_risk_alert_per_day")]

    def __str__(self):
        return f"{self.order} {self.day}"


# --- inspection -------------------------------------------------------------------------------------------------------
class Inspection(models.Model):
    """Pre-delivery inspection of one lot of one order line, signed by QC and by the warehouse (检验与产品状态标识)."""

    class Result(models.TextChoices):
        PENDING = "pending", _("待检")
        PASS = "pass", _("合格")
        FAIL = "fail", _("不合格")
        PENDING_DISPOSITION = "disposition", _("待处理")
        SCRAPPED = "scrapped", _("报废")

    RESULT_TONES = {
        Result.PENDING: "secondary",
        Result.PASS: "success",
        Result.FAIL: "danger",
        Result.PENDING_DISPOSITION: "secondary",
        Result.SCRAPPED: "danger",
    }

    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="inspections")
    line = models.ForeignKey(SalesOrderLine, verbose_name=_("订单明细"), on_delete=models.CASCADE, related_name="inspections")
    lot_no = models.CharField(_("批号"), max_length=40)
    quantity = QuantityField(_("数量"))
    result = models.CharField(_("检验结果"), max_length=12, choices=Result.choices, default=Result.PENDING)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    emergency_release = models.ForeignKey(
        "EmergencyRelease",
        verbose_name=_("对应的紧急放行"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspections",
    )
    qc_signed_by = _by(_("质检签字"))
    qc_signed_at = models.DateTimeField(_("质检签字时间"), null=True, blank=True)
    warehouse_signed_by = _by(_("仓库签字"))
    warehouse_signed_at = models.DateTimeField(_("仓库签字时间"), null=True, blank=True)
    created_by = models.ForeignKey(USER, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("检验记录")
        verbose_name_plural = _("检验记录")
        ordering = ["-created_at", "-id"]
        indexes = [  # the list's default order, and the same within one order (the visibility filter goes through it)
            models.Index(fields=["created_at", "id"], name="inspection_list_idx"),
            models.Index(fields=["order", "created_at", "id"], name="inspection_order_list_idx"),
        ]

    def __str__(self):
        return f"{self.order} {self.lot_no}"

    @property
    def is_signed(self) -> bool:
        return bool(self.qc_signed_by_id and self.warehouse_signed_by_id)

    @property
    def counts_as_passed(self) -> bool:
        return self.is_signed and self.result == self.Result.PASS


class ApprovedRequest(FSMModelMixin, models.Model):
    """A request on an order that the approvals engine decides (emergency release, credit exception): pending until the
    engine's outcome handler approves or rejects it (services.register_handlers), or until its requester or a manager
    withdraws it (撤回, services._common.withdraw_request)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("审批中")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")
        WITHDRAWN = "withdrawn", _("已撤回")

    STATUS_TONES = {
        Status.PENDING: "warning",
        Status.APPROVED: "success",
        Status.REJECTED: "danger",
        Status.WITHDRAWN: "secondary",
    }

    status = FSMField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING, protected=True)
    requested_by = models.ForeignKey(USER, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-requested_at", "-id"]

    @transition(field=status, source=Status.PENDING, target=Status.APPROVED, custom={"internal": True})
    def approve(self):
        pass

    @transition(field=status, source=Status.PENDING, target=Status.REJECTED, custom={"internal": True})
    def reject(self):
        pass

    @transition(field=status, source=Status.PENDING, target=Status.WITHDRAWN, custom={"internal": True})
    def withdraw(self):
        """撤回 by its requester or a manager while pending (services._common.withdraw_request): counts no more."""


class EmergencyRelease(ApprovedRequest):
    """紧急放行: uninspected goods shipped urgently with a manager's approval; flagged on the shipment and the order."""

    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="emergency_releases")
    line = models.ForeignKey(
        SalesOrderLine, verbose_name=_("订单明细"), on_delete=models.CASCADE, related_name="emergency_releases"
    )
    quantity = QuantityField(_("放行数量"))
    lot_no = models.CharField(_("批号"), max_length=40, blank=True)
    reason = models.TextField(_("紧急放行原因"))

    class Meta(ApprovedRequest.Meta):
        verbose_name = _("紧急放行")
        verbose_name_plural = _("紧急放行")

    def __str__(self):
        return str(_("%(order)s 紧急放行 %(qty)s") % {"order": self.order, "qty": self.quantity})


# --- shipments --------------------------------------------------------------------------------------------------------
class Shipment(FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("待放行")
        RELEASED = "released", _("已放行")
        SHIPPED = "shipped", _("已发货")
        DELIVERED = "delivered", _("已签收")
        CANCELLED = "cancelled", _("已作废")

    STATUS_TONES = {Status.DRAFT: "warning", Status.CANCELLED: "secondary"}

    class FreightPayer(models.TextChoices):
        US = "us", _("我方")
        CUSTOMER = "customer", _("客户")

    number = models.CharField(_("出货单号"), max_length=20, unique=True, editable=False)
    order = models.ForeignKey(SalesOrder, verbose_name=_("订单"), on_delete=models.PROTECT, related_name="shipments")
    status = FSMField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, protected=True)
    carrier = models.CharField(_("承运商/货运部"), max_length=100, blank=True)
    route = models.CharField(_("运输路线/方式"), max_length=100, blank=True)
    freight_payer = models.CharField(_("运费承担"), max_length=10, choices=FreightPayer.choices, default=FreightPayer.US)
    packages = models.PositiveIntegerField(_("件数"), default=1)
    tracking_no = models.CharField(_("运单号"), max_length=60, blank=True)
    planned_on = models.DateField(_("计划发货日期"), null=True, blank=True)
    ship_to_province = models.CharField(_("省份"), max_length=20, blank=True)
    ship_to_city = models.CharField(_("城市"), max_length=30, blank=True)
    ship_to_address = models.CharField(_("收货地址"), max_length=250, blank=True)
    consignee = models.CharField(_("收货人"), max_length=50, blank=True)
    consignee_phone = models.CharField(_("收货电话"), max_length=30, blank=True)
    amount_incl = MoneyField(_("发货金额(含税)"), editable=False)
    # goods refused at delivery and received back (拒收退回入库, RefusalReturn): what of amount_incl no longer left
    returned_amount = MoneyField(_("拒收退回金额(含税)"), editable=False)
    has_emergency_release = models.BooleanField(_("含紧急放行货物"), default=False, editable=False)
    release_basis = models.CharField(_("放行依据"), max_length=200, blank=True, editable=False)
    released_by = _by(_("放行人"), editable=False)
    released_at = models.DateTimeField(_("放行时间"), null=True, blank=True, editable=False)
    shipped_by = _by(_("发货人"), editable=False)
    shipped_at = models.DateTimeField(_("发货时间"), null=True, blank=True, editable=False)
    delivered_on = models.DateField(_("签收日期"), null=True, blank=True, editable=False)
    signed_by_name = models.CharField(_("签收人"), max_length=50, blank=True, editable=False)
    delivery_exceptions = models.TextField(_("签收异常"), blank=True, editable=False)
    customer_notified_at = models.DateTimeField(_("已通知客户时间"), null=True, blank=True, editable=False)
    notes = models.TextField(_("备注"), blank=True)
    created_by = models.ForeignKey(USER, verbose_name=_("制单人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    once_key = once_key_field()  # the new-note form's submission (salesops.core.once): a resent form makes no second note
    once_fingerprint = once_fingerprint_field()  # what that submission sent: the same key with other input is refused
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("出货单")
        verbose_name_plural = _("出货单")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at", "id"]),  # the list's order and visibility (issue 12)
            models.Index(fields=["shipped_at"], name="shipment_shipped_at_idx"),  # shipped sales of a period (KPIs)
            # the drafts at the payment gate (selectors.held_shipments, shipments_to_release), in their order, with the order
            models.Index(fields=["id"], include=["order"], condition=Q(status="draft"), name="shipment_draft_idx"),
        ]

    def __str__(self):
        return self.number

    @property
    def kept_amount_incl(self):
        """amount_incl less the goods refused and received back: kept_amount() of this one note (the list's 净发货金额)."""
        return self.amount_incl - self.returned_amount

    @transition(field=status, source=Status.DRAFT, target=Status.RELEASED, custom={"label": _("放行")})
    def release(self):
        pass

    @transition(field=status, source=Status.RELEASED, target=Status.SHIPPED, custom={"label": _("确认发货")})
    def ship(self):
        pass

    @transition(field=status, source=Status.SHIPPED, target=Status.DELIVERED, custom={"label": _("登记签收")})
    def deliver(self):
        pass

    @transition(field=status, source=[Status.DRAFT, Status.RELEASED], target=Status.CANCELLED, custom={"label": _("作废")})
    def cancel(self):
        pass


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        SalesOrderLine, verbose_name=_("订单明细"), on_delete=models.PROTECT, related_name="shipment_lines"
    )
    quantity = QuantityField(_("发货数量"))
    delivered_quantity = QuantityField(_("签收数量"), default=Decimal(0))
    # 拒收: shipped − signed at delivery acceptance (the reason is the note's 签收异常); received back in parts or at
    # once (RefusalReturn), never more than refused
    refused_quantity = QuantityField(_("拒收数量"), default=Decimal(0), editable=False)
    returned_quantity = QuantityField(_("拒收退回数量"), default=Decimal(0), editable=False)
    returned_amount = MoneyField(_("拒收退回金额(含税)"), editable=False)
    lot_no = models.CharField(_("批号"), max_length=40, blank=True)
    amount_incl = MoneyField(_("金额(含税)"))

    class Meta:
        verbose_name = _("出货明细")
        verbose_name_plural = _("出货明细")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipment_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(delivered_quantity__lte=models.F("quantity") - models.F("refused_quantity")),
                name="shipment_line_signed_plus_refused_lte_shipped",
            ),
            models.CheckConstraint(
                condition=Q(returned_quantity__lte=models.F("refused_quantity")), name="shipment_line_returned_lte_refused"
            ),
            models.CheckConstraint(
                condition=Q(returned_amount__lte=models.F("amount_incl")), name="shipment_line_returned_amount_lte_amount"
            ),
        ]
        # the notes with refused goods still to come back (selectors.refused_to_receive, 待收回拒收货物)
        indexes = [models.Index(fields=["shipment"], condition=REFUSED_PENDING, name="shipment_line_refused_idx")]

    @property
    def refused_pending(self) -> Decimal:
        """Refused at delivery and not yet received back."""
        return self.refused_quantity - self.returned_quantity

    def __str__(self):
        return f"{self.shipment} {self.order_line.name} × {self.quantity}"


class RefusalReturn(models.Model):
    """拒收退回入库: the warehouse receives back goods the customer refused at delivery, per line of the note (never more
    than refused and not yet back). Written only by orders.services.shipment_receive_refused under the order's lock: the
    quantities no longer count as shipped on the order line, so they may be shipped again (补发) or closed short."""

    shipment = models.ForeignKey(Shipment, verbose_name=_("出货单"), on_delete=models.PROTECT, related_name="refusal_returns")
    order = models.ForeignKey(SalesOrder, verbose_name=_("订单"), on_delete=models.PROTECT, related_name="refusal_returns")
    received_on = models.DateField(_("退回入库日期"))
    amount_incl = MoneyField(_("退回金额(含税)"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    received_by = models.ForeignKey(USER, verbose_name=_("入库人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("拒收退回入库")
        verbose_name_plural = _("拒收退回入库")
        ordering = ["received_on", "id"]

    def __str__(self):
        return str(_("%(number)s 拒收退回入库 %(day)s") % {"number": self.shipment, "day": self.received_on})


class RefusalReturnLine(models.Model):
    receipt = models.ForeignKey(RefusalReturn, on_delete=models.CASCADE, related_name="lines")
    shipment_line = models.ForeignKey(
        ShipmentLine, verbose_name=_("出货明细"), on_delete=models.PROTECT, related_name="refusal_return_lines"
    )
    quantity = QuantityField(_("退回入库数量"))
    amount_incl = MoneyField(_("金额(含税)"))

    class Meta:
        verbose_name = _("拒收退回入库明细")
        verbose_name_plural = _("拒收退回入库明细")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="refusal_return_quantity_positive")]


class CreditException(ApprovedRequest):
    """Permission to release shipments of an order before the payment due is confirmed (approved through the engine)."""

    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="credit_exceptions")
    amount = MoneyField(_("允许欠款金额"))
    reason = models.TextField(_("申请理由"))

    class Meta(ApprovedRequest.Meta):
        verbose_name = _("信用放行申请")
        verbose_name_plural = _("信用放行申请")

    def __str__(self):
        return str(_("%(order)s 信用放行（%(amount)s）") % {"order": self.order, "amount": money_text(self.amount)})
