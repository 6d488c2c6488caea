"""Returns, exchanges and repairs (退/换/修, RMA, TH-): lines, photos, approval, receiving, outcome."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from salesops.core.money import MoneyField, QuantityField
from salesops.core.once import once_fingerprint_field, once_key_field

from .base import USER, _user
from .complaints import Complaint


class ReturnRequest(FSMModelMixin, models.Model):
    class Kind(models.TextChoices):
        RETURN = "return", _("退货")
        EXCHANGE = "exchange", _("换货")
        REPAIR = "repair", _("维修")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")
        RECEIVED = "received", _("已收货")
        CLOSED = "closed", _("已办结")
        CANCELLED = "cancelled", _("已撤销")

    class Outcome(models.TextChoices):
        REPAIRED = "repaired", _("修复寄回")
        EXCHANGED = "exchanged", _("换货")
        REFUNDED = "refunded", _("退款")

    STATUS_TONES = {"submitted": "warning", "received": "primary", "closed": "success"}

    number = models.CharField(_("退换修单号"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey("orders.SalesOrder", verbose_name=_("订单"), on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("原因"))
    status = FSMField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, protected=True)
    amount = MoneyField(_("涉及金额(含税)"), editable=False)
    complaint = models.ForeignKey(
        Complaint, verbose_name=_("关联投诉"), null=True, blank=True, on_delete=models.SET_NULL, related_name="returns"
    )
    requested_by = models.ForeignKey(USER, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    reject_reason = models.TextField(_("驳回理由"), blank=True)
    received_by = _user(_("收货人"))
    received_at = models.DateTimeField(_("收货时间"), null=True, blank=True)
    receiving_note = models.TextField(_("收货说明"), blank=True)
    outcome = models.CharField(_("处理结果"), max_length=10, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("处理说明"), blank=True)
    return_carrier = models.CharField(_("回寄承运商"), max_length=100, blank=True)
    return_tracking_no = models.CharField(_("回寄运单号"), max_length=60, blank=True)
    returned_at = models.DateTimeField(_("回寄时间"), null=True, blank=True)
    replacement_order = models.ForeignKey(
        "orders.SalesOrder", verbose_name=_("换货订单"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    credit_note = models.OneToOneField(
        "orders.CreditNote", verbose_name=_("红字冲减单"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_by = _user(_("办结人"))
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    once_key = once_key_field()  # the request form's submission (salesops.core.once): a resent form requests nothing
    once_fingerprint = once_fingerprint_field()  # what that submission sent: the same key with other input is refused

    class Meta:
        verbose_name = _("退换修申请")
        verbose_name_plural = _("退换修申请")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["requested_at", "id"]),
            models.Index(fields=["customer", "requested_at", "id"]),
        ]  # the list's order and visibility (issue 12)

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("aftersales:rma_detail", args=[self.pk])

    # The request's own person is who asked for it: the approvals engine (document_owner) never lets them decide a step
    # of it, whoever submitted it, and keeps it out of their 待我审批.
    @property
    def owner_id(self):
        return self.requested_by_id

    @property
    def owner(self):
        return self.requested_by

    @transition(field=status, source=Status.DRAFT, target=Status.SUBMITTED, custom={"label": _("提交审批")})
    def submit(self):
        pass

    @transition(field=status, source=Status.SUBMITTED, target=Status.APPROVED, custom={"internal": True})
    def approve(self):
        pass

    @transition(field=status, source=Status.SUBMITTED, target=Status.REJECTED, custom={"internal": True})
    def reject(self):
        pass

    @transition(field=status, source=Status.APPROVED, target=Status.RECEIVED, custom={"label": _("收货清点")})
    def receive(self):
        pass

    @transition(field=status, source=Status.RECEIVED, target=Status.CLOSED, custom={"internal": True})
    def close(self):
        pass

    # an approved request too, as long as the goods have not arrived (the customer never sent them)
    @transition(
        field=status,
        source=[Status.DRAFT, Status.SUBMITTED, Status.APPROVED],
        target=Status.CANCELLED,
        custom={"label": _("撤销")},
    )
    def cancel(self):
        pass


class ReturnLine(models.Model):
    class Disposition(models.TextChoices):
        STOCK = "stock", _("入库")
        REPAIR = "repair", _("转维修车间")
        SCRAP = "scrap", _("报废")

    rma = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        "orders.SalesOrderLine", verbose_name=_("订单明细"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = QuantityField(_("申请数量"))
    lot_no = models.CharField(_("批号"), max_length=40, blank=True)
    amount = MoneyField(_("金额(含税)"))
    received_quantity = QuantityField(_("实收数量"), null=True, blank=True)
    disposition = models.CharField(_("去向"), max_length=10, choices=Disposition.choices, blank=True)
    tag = models.CharField(_("货物标识"), max_length=40, blank=True)
    difference_note = models.CharField(_("差异说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("退换修明细")
        verbose_name_plural = _("退换修明细")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="return_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(received_quantity__isnull=True) | Q(received_quantity__gte=0),
                name="return_line_received_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.rma} {self.order_line.name} × {self.quantity}"

    @property
    def difference(self) -> Decimal | None:
        return None if self.received_quantity is None else self.received_quantity - self.quantity


def photo_thumbnail_path(instance, filename):
    return f"aftersales/thumbnails/{instance.rma_id}/{filename}"


class ReturnPhoto(models.Model):
    """A photo of the goods (the file is a core Attachment on the request; this row keeps its thumbnail)."""

    rma = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="photos")
    attachment = models.OneToOneField("core.Attachment", on_delete=models.CASCADE, related_name="+")
    thumbnail = models.FileField(_("缩略图"), upload_to=photo_thumbnail_path)
    width = models.PositiveIntegerField(_("宽"))
    height = models.PositiveIntegerField(_("高"))

    class Meta:
        verbose_name = _("退换修照片")
        verbose_name_plural = _("退换修照片")
        ordering = ["id"]
