"""Service tickets (服务工单, FW-) with their communication log and the spare parts used."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from salesops.core.money import QuantityField
from salesops.core.once import once_fingerprint_field, once_key_field

from .base import USER, _user
from .calendar import Priority, TicketType
from .callbacks import Callback


class ServiceTicket(FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("待分派")
        ASSIGNED = "assigned", _("已分派")
        IN_PROGRESS = "in_progress", _("处理中")
        WAITING = "waiting", _("等待客户")
        RESOLVED = "resolved", _("已解决")
        CLOSED = "closed", _("已关闭")
        CANCELLED = "cancelled", _("已取消")

    number = models.CharField(_("工单号"), max_length=20, unique=True, editable=False)
    ticket_type = models.CharField(_("工单类型"), max_length=20, choices=TicketType.choices)
    priority = models.CharField(_("优先级"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="+")
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    order = models.ForeignKey(
        "orders.SalesOrder", verbose_name=_("订单"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("产品"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lot_no = models.CharField(_("批号"), max_length=40, blank=True)
    subject = models.CharField(_("主题"), max_length=200)
    description = models.TextField(_("问题描述"), blank=True)
    status = FSMField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN, protected=True)
    engineer = _user(_("服务工程师"))
    source_callback = models.OneToOneField(
        Callback, verbose_name=_("来源回访"), null=True, blank=True, on_delete=models.SET_NULL, related_name="ticket"
    )
    respond_by = models.DateTimeField(_("响应期限"))
    resolve_by = models.DateTimeField(_("解决期限"))
    first_response_at = models.DateTimeField(_("首次响应时间"), null=True, blank=True)
    paused_since = models.DateTimeField(_("暂停计时起"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("累计暂停(工作秒)"), default=0)
    response_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    response_breached_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_breached_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution = models.TextField(_("处理结果"), blank=True)
    resolved_at = models.DateTimeField(_("解决时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重开次数"), default=0)
    cancel_reason = models.CharField(_("取消原因"), max_length=300, blank=True)
    created_by = models.ForeignKey(USER, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"))
    once_key = once_key_field()  # the create form's submission (salesops.core.once): a resent form registers nothing
    once_fingerprint = once_fingerprint_field()  # what that submission sent: the same key with other input is refused

    class Meta:
        verbose_name = _("服务工单")
        verbose_name_plural = _("服务工单")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "resolve_by"]),
            models.Index(fields=["engineer", "status"]),
            models.Index(fields=["created_at", "id"]),
            models.Index(fields=["customer", "created_at", "id"]),
            # the service desk's unassigned and breaching tickets, each in the desk's order (selectors.TICKET_QUEUES)
            models.Index(fields=["respond_by", "id"], condition=Q(status="open"), name="ticket_unassigned_idx"),
            models.Index(
                fields=["resolve_by", "id"],
                condition=Q(status__in=["open", "assigned", "in_progress", "waiting"], paused_since__isnull=True),
                name="ticket_running_idx",
            ),
        ]  # + the list's order and visibility (issue 12)

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("aftersales:ticket_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.ASSIGNED, self.Status.IN_PROGRESS, self.Status.WAITING)

    @transition(field=status, source=[Status.OPEN, Status.ASSIGNED], target=Status.ASSIGNED, custom={"label": _("分派")})
    def assign(self):
        pass

    @transition(field=status, source=Status.ASSIGNED, target=Status.IN_PROGRESS, custom={"label": _("开始处理")})
    def start(self):
        pass

    @transition(field=status, source=Status.IN_PROGRESS, target=Status.WAITING, custom={"label": _("等待客户")})
    def wait(self):
        pass

    @transition(field=status, source=Status.WAITING, target=Status.IN_PROGRESS, custom={"label": _("客户已回复")})
    def resume(self):
        pass

    @transition(field=status, source=[Status.IN_PROGRESS, Status.WAITING], target=Status.RESOLVED, custom={"label": _("已解决")})
    def resolve(self):
        pass

    @transition(field=status, source=Status.RESOLVED, target=Status.CLOSED, custom={"label": _("关闭")})
    def close(self):
        pass

    @transition(field=status, source=[Status.RESOLVED, Status.CLOSED], target=Status.IN_PROGRESS, custom={"label": _("重新打开")})
    def reopen(self):
        pass

    @transition(field=status, source=[Status.OPEN, Status.ASSIGNED], target=Status.CANCELLED, custom={"label": _("取消")})
    def cancel(self):
        pass


class TicketCommunication(models.Model):
    """服务电话/传真/收件/发件记录 and visits: who, when, what."""

    class Kind(models.TextChoices):
        PHONE_IN = "phone_in", _("来电")
        PHONE_OUT = "phone_out", _("去电")
        FAX_IN = "fax_in", _("收传真")
        FAX_OUT = "fax_out", _("发传真")
        MAIL_IN = "mail_in", _("收件")
        MAIL_OUT = "mail_out", _("发件")
        VISIT = "visit", _("上门")

    OUTGOING = frozenset({"phone_out", "fax_out", "mail_out", "visit"})

    ticket = models.ForeignKey(ServiceTicket, on_delete=models.CASCADE, related_name="communications")
    kind = models.CharField(_("方式"), max_length=10, choices=Kind.choices)
    happened_at = models.DateTimeField(_("时间"))
    counterpart = models.CharField(_("对方"), max_length=100, blank=True)
    summary = models.TextField(_("内容摘要"))
    attachment = models.ForeignKey(
        "core.Attachment", verbose_name=_("附件"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by = models.ForeignKey(USER, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+")
    once_key = once_key_field()  # the log form's submission (salesops.core.once): a resent form records nothing
    once_fingerprint = once_fingerprint_field()  # what that submission sent: the same key with other input is refused

    class Meta:
        verbose_name = _("服务沟通记录")
        verbose_name_plural = _("服务沟通记录")
        ordering = ["-happened_at", "-id"]


class TicketPart(models.Model):
    """A spare part used on a ticket."""

    ticket = models.ForeignKey(ServiceTicket, on_delete=models.CASCADE, related_name="parts")
    product = models.ForeignKey("catalog.Product", verbose_name=_("产品"), null=True, blank=True, on_delete=models.PROTECT)
    name = models.CharField(_("备件名称"), max_length=200)
    quantity = QuantityField(_("数量"))
    lot_no = models.CharField(_("批号"), max_length=40, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    by = models.ForeignKey(USER, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    once_key = once_key_field()  # the part form's submission (salesops.core.once): a resent form registers nothing
    once_fingerprint = once_fingerprint_field()  # what that submission sent: the same key with other input is refused

    class Meta:
        verbose_name = _("使用备件")
        verbose_name_plural = _("使用备件")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="ticket_part_quantity_positive")]
