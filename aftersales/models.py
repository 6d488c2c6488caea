"""After-sales: satisfaction callbacks, service tickets with SLA, complaints with CAPA, returns/exchanges/repairs (RMA) and the
annual service plan (SPEC.md "After-sales", "Satisfaction follow-up").

- CallbackRule rows are the data of "when after delivery and by whom" (default day 7 by service, day 30 by the order's rep);
  Callback rows are created set-based by services.callbacks.callbacks_schedule, unique per delivery (shipment) and offset.
- ServiceTicket (FW-) with an SLA clock on the working calendar (WorkingPeriod + CalendarDay) from SlaPolicy, a
  communication log (服务电话/传真/收件/发件记录) and the spare parts used.
- Complaint (TS-) with root cause by QC and CorrectiveAction rows (corrective and preventive), each verified.
- ReturnRequest (TH-) with lines never above what was delivered, photos, VP (and GM) approval, receiving and an outcome.
- ServicePlan: the annual after-sales service plan approved by leadership.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_fsm import FSMField, FSMModelMixin, transition

from salesops.core import eventtext
from salesops.core.money import MoneyField, QuantityField
from salesops.core.once import once_key_field

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


# --- satisfaction callbacks (回访) -------------------------------------------------------------------------------------
class CallbackRule(models.Model):
    """When after delivery a callback is due and who makes it: the service desk (a named person or the whole team)
    or the rep the order is credited to. Optionally only for one type of customer."""

    class AssignTo(models.TextChoices):
        SERVICE = "service", _("客服")
        REP = "rep", _("订单业务员")

    name = models.CharField(_("名称"), max_length=60)
    offset_days = models.PositiveSmallIntegerField(_("签收后天数"), unique=True)
    assign_to = models.CharField(_("回访人"), max_length=10, choices=AssignTo.choices, default=AssignTo.SERVICE)
    service_user = _user(_("指定客服"), help_text=_("留空则进入客服团队队列"))
    customer_type = models.CharField(_("仅限客户类型"), max_length=20, blank=True, help_text=_("留空表示所有客户"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("回访规则")
        verbose_name_plural = _("回访规则")
        ordering = ["offset_days"]

    def __str__(self):
        return f"{self.name}（{self.offset_days}）"


CALLBACK_LABEL = gettext_noop("%(order)s 签收后第 %(days)s 天回访")  # a callback's name (str, label_param)


class Callback(FSMModelMixin, models.Model):
    """One satisfaction callback after one delivery. Scheduled until its day comes (queue_on), then in the assignee's
    queue (open) until done; "not reached" schedules it again for a later day."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("待到期")
        OPEN = "open", _("待回访")
        DONE = "done", _("已回访")
        CANCELLED = "cancelled", _("已取消")

    STATUS_TONES = {"scheduled": "secondary", "open": "warning", "done": "success", "cancelled": "danger"}

    order = models.ForeignKey("orders.SalesOrder", verbose_name=_("订单"), on_delete=models.CASCADE, related_name="+")
    shipment = models.ForeignKey("orders.Shipment", verbose_name=_("出货单"), on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("客户"), on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(CallbackRule, verbose_name=_("规则"), null=True, blank=True, on_delete=models.SET_NULL)
    offset_days = models.PositiveSmallIntegerField(_("签收后天数"))
    due_on = models.DateField(_("应回访日期"))
    queue_on = models.DateField(_("进入队列日期"))
    assignee = _user(_("回访人"))
    status = FSMField(_("状态"), max_length=10, choices=Status.choices, default=Status.SCHEDULED, protected=True)
    attempts = models.PositiveSmallIntegerField(_("联系次数"), default=0)
    queued_at = models.DateTimeField(_("进入队列时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("逾期上报时间"), null=True, blank=True)
    channel = models.CharField(_("回访方式"), max_length=10, choices=Channel.choices, blank=True)
    score_product = models.PositiveSmallIntegerField(_("产品评分"), null=True, blank=True)
    score_delivery = models.PositiveSmallIntegerField(_("交付评分"), null=True, blank=True)
    score_service = models.PositiveSmallIntegerField(_("服务评分"), null=True, blank=True)
    quality_problem = models.BooleanField(_("反映质量问题"), default=False)
    notes = models.TextField(_("回访记录"), blank=True)
    done_by = _user(_("回访人(实际)"))
    done_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("满意度回访")
        verbose_name_plural = _("满意度回访")
        ordering = ["due_on", "id"]
        constraints = [
            # one callback per delivery and offset, however often or concurrently the scheduler runs
            models.UniqueConstraint(fields=["shipment", "offset_days"], name="uniq_callback_per_delivery_offset"),
            models.CheckConstraint(
                condition=Q(score_product__isnull=True) | Q(score_product__gte=1, score_product__lte=5),
                name="callback_score_product_1_5",
            ),
            models.CheckConstraint(
                condition=Q(score_delivery__isnull=True) | Q(score_delivery__gte=1, score_delivery__lte=5),
                name="callback_score_delivery_1_5",
            ),
            models.CheckConstraint(
                condition=Q(score_service__isnull=True) | Q(score_service__gte=1, score_service__lte=5),
                name="callback_score_service_1_5",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "queue_on"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["due_on", "id"]),
            models.Index(fields=["customer", "due_on", "id"]),
            models.Index(fields=["assignee", "due_on", "id"]),
            # the service desk's escalated callbacks, in its order (selectors.CALLBACK_QUEUES)
            models.Index(fields=["due_on", "id"], condition=Q(escalated_at__isnull=False), name="callback_escalated_idx"),
        ]  # + the list's order and visibility (issue 12)

    def __str__(self):
        return str(_(CALLBACK_LABEL) % {"order": self.order, "days": self.offset_days})

    @property
    def label_param(self) -> dict:
        """str(self) as a parameter of a stored sentence: read in each reader's language."""
        return eventtext.sentence(CALLBACK_LABEL, {"order": str(self.order), "days": self.offset_days})

    def get_absolute_url(self):
        return reverse("aftersales:callback_detail", args=[self.pk])

    @property
    def lowest_score(self) -> int | None:
        scores = [s for s in (self.score_product, self.score_delivery, self.score_service) if s is not None]
        return min(scores) if scores else None

    @transition(field=status, source=[Status.SCHEDULED, Status.OPEN], target=Status.DONE, custom={"label": _("记录回访")})
    def complete(self):
        pass

    @transition(field=status, source=[Status.SCHEDULED, Status.OPEN], target=Status.SCHEDULED, custom={"internal": True})
    def retry_later(self):
        pass

    @transition(field=status, source=[Status.SCHEDULED, Status.OPEN], target=Status.CANCELLED, custom={"label": _("取消回访")})
    def cancel(self):
        pass


class CallbackAttempt(models.Model):
    """Every call or visit made for a callback, reached or not."""

    callback = models.ForeignKey(Callback, on_delete=models.CASCADE, related_name="attempt_log")
    channel = models.CharField(_("回访方式"), max_length=10, choices=Channel.choices)
    reached = models.BooleanField(_("联系上客户"))
    notes = models.TextField(_("记录"), blank=True)
    by = models.ForeignKey(USER, verbose_name=_("回访人"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("回访联系记录")
        verbose_name_plural = _("回访联系记录")
        ordering = ["-at", "-id"]


# --- working calendar and SLA policies --------------------------------------------------------------------------------
class WorkingPeriod(models.Model):
    """A block of working time on a weekday (e.g. Monday 08:30–12:00 and 13:00–17:30)."""

    weekday = models.PositiveSmallIntegerField(
        _("星期"), choices=[(i, str(i + 1)) for i in range(7)], help_text=_("0=周一 … 6=周日")
    )
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))

    class Meta:
        verbose_name = _("工作时段")
        verbose_name_plural = _("工作时段")
        ordering = ["weekday", "start"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="working_period_end_after_start")]

    def __str__(self):
        return f"{self.weekday + 1}: {self.start:%H:%M}–{self.end:%H:%M}"


class CalendarDay(models.Model):
    """An exception to the weekly hours: a public holiday, or a weekend made a working day (调休上班, Monday's hours)."""

    day = models.DateField(_("日期"), unique=True)
    is_working = models.BooleanField(
        _("上班"), default=False, help_text=_("勾选：调休上班日（按周一的工作时段）；不勾选：节假日")
    )
    name = models.CharField(_("名称"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("节假日/调休")
        verbose_name_plural = _("节假日/调休")
        ordering = ["day"]

    def __str__(self):
        return f"{self.day} {self.name}"


class TicketType(models.TextChoices):
    CONSULTING = "consulting", _("技术咨询")
    TRAINING = "training", _("技术培训")
    COMMISSIONING = "commissioning", _("开通/安装调试")
    REPAIR = "repair", _("维修")
    ONSITE = "onsite", _("现场保障")
    SPARE_PARTS = "spare_parts", _("备件/配件供应")


class Priority(models.TextChoices):
    LOW = "low", _("低")
    NORMAL = "normal", _("中")
    HIGH = "high", _("高")
    URGENT = "urgent", _("紧急")


class SlaPolicy(models.Model):
    """Respond-by and resolve-by in working hours for a ticket type and priority (blank type: every type)."""

    ticket_type = models.CharField(_("工单类型"), max_length=20, choices=TicketType.choices, blank=True)
    priority = models.CharField(_("优先级"), max_length=10, choices=Priority.choices)
    response_hours = models.DecimalField(_("响应时限(工作小时)"), max_digits=6, decimal_places=2)
    resolution_hours = models.DecimalField(_("解决时限(工作小时)"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("服务级别协议(SLA)")
        verbose_name_plural = _("服务级别协议(SLA)")
        ordering = ["ticket_type", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["ticket_type", "priority"], name="uniq_sla_type_priority"),
            models.CheckConstraint(condition=Q(response_hours__gt=0, resolution_hours__gt=0), name="sla_hours_positive"),
        ]

    def __str__(self):
        return f"{self.get_ticket_type_display() or '*'} / {self.get_priority_display()}"


# --- service tickets (服务工单) ---------------------------------------------------------------------------------------
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

    class Meta:
        verbose_name = _("使用备件")
        verbose_name_plural = _("使用备件")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="ticket_part_quantity_positive")]


# --- complaints (投诉) with CAPA --------------------------------------------------------------------------------------
class Complaint(FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        REGISTERED = "registered", _("已登记")
        INVESTIGATING = "investigating", _("调查中")
        ACTIONS = "actions", _("整改中")
        CLOSED = "closed", _("已关闭")
        CANCELLED = "cancelled", _("已撤销")

    class Severity(models.TextChoices):
        MINOR = "minor", _("一般")
        MAJOR = "major", _("严重")
        CRITICAL = "critical", _("重大")

    class AnswerStatus(models.TextChoices):
        """The answer's approval by the leadership (主管领导, the sales VP): saving an answer makes it NONE again."""

        NONE = "none", _("未提交审批")
        PENDING = "pending", _("审批中")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    STATUS_TONES = {"registered": "secondary", "investigating": "warning", "actions": "info"}
    ANSWER_STATUS_TONES = {"none": "secondary", "pending": "warning", "approved": "success", "rejected": "danger"}

    number = models.CharField(_("投诉单号"), max_length=20, unique=True, editable=False)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(
        "orders.SalesOrder", verbose_name=_("订单"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey(
        "catalog.Product", verbose_name=_("产品"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    lot_no = models.CharField(_("批号"), max_length=40, blank=True)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, default=Severity.MINOR)
    channel = models.CharField(_("反映方式"), max_length=10, choices=Channel.choices, default=Channel.PHONE)
    reported_on = models.DateField(_("投诉日期"))
    description = models.TextField(_("客户反映的问题"))
    status = FSMField(_("状态"), max_length=14, choices=Status.choices, default=Status.REGISTERED, protected=True)
    source_callback = models.OneToOneField(
        Callback, verbose_name=_("来源回访"), null=True, blank=True, on_delete=models.SET_NULL, related_name="complaint"
    )
    investigator = _user(_("质检调查人"))
    root_cause = models.TextField(_("原因分析"), blank=True)
    answer = models.TextField(_("答复客户"), blank=True)
    answered_by = _user(_("答复人"))
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answer_status = models.CharField(
        _("答复审批"), max_length=10, choices=AnswerStatus.choices, default=AnswerStatus.NONE, editable=False
    )
    closed_by = _user(_("关闭人"))
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    created_by = models.ForeignKey(USER, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    once_key = once_key_field()  # the create form's submission (salesops.core.once): a resent form registers nothing

    class Meta:
        verbose_name = _("客户投诉")
        verbose_name_plural = _("客户投诉")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at", "id"]),
            models.Index(fields=["customer", "created_at", "id"]),
        ]  # the list's order and visibility (issue 12)

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("aftersales:complaint_detail", args=[self.pk])

    @property
    def answer_approved(self) -> bool:
        """The current answer was approved by the leadership (a revised answer needs a new round)."""
        return bool((self.answer or "").strip()) and self.answer_status == self.AnswerStatus.APPROVED

    @transition(field=status, source=Status.REGISTERED, target=Status.INVESTIGATING, custom={"label": _("开始调查")})
    def investigate(self):
        pass

    @transition(field=status, source=[Status.INVESTIGATING, Status.ACTIONS], target=Status.ACTIONS, custom={"internal": True})
    def record_cause(self):
        pass

    @transition(field=status, source=Status.ACTIONS, target=Status.CLOSED, custom={"label": _("关闭投诉")})
    def close(self):
        pass

    @transition(field=status, source=Status.REGISTERED, target=Status.CANCELLED, custom={"label": _("撤销")})
    def cancel(self):
        pass


class CorrectiveAction(FSMModelMixin, models.Model):
    class Kind(models.TextChoices):
        CORRECTIVE = "corrective", _("纠正措施")
        PREVENTIVE = "preventive", _("预防措施")

    class Status(models.TextChoices):
        OPEN = "open", _("待完成")
        DONE = "done", _("已完成待验证")
        VERIFIED = "verified", _("已验证有效")

    STATUS_TONES = {"open": "warning", "done": "info", "verified": "success"}

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    description = models.TextField(_("措施"))
    owner = models.ForeignKey(USER, verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("完成期限"))
    status = FSMField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, protected=True)
    result = models.TextField(_("完成情况"), blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    verification = models.TextField(_("效果验证"), blank=True)
    verified_by = _user(_("验证人"))
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)
    reminded_on = models.DateField(_("最近催办日期"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(USER, verbose_name=_("制定人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("制定时间"), auto_now_add=True)
    once_key = once_key_field()  # the action form's submission (salesops.core.once): a resent form adds nothing

    class Meta:
        verbose_name = _("纠正预防措施")
        verbose_name_plural = _("纠正预防措施")
        ordering = ["due_on", "id"]
        indexes = [  # the list's default order, and the same within one complaint (the visibility filter goes through it)
            models.Index(fields=["due_on", "id"], name="capa_list_idx"),
            models.Index(fields=["complaint", "due_on", "id"], name="capa_complaint_list_idx"),
        ]

    def __str__(self):
        return f"{self.complaint} {self.get_kind_display()}"

    @transition(field=status, source=Status.OPEN, target=Status.DONE, custom={"label": _("完成")})
    def finish(self):
        pass

    @transition(field=status, source=Status.DONE, target=Status.VERIFIED, custom={"label": _("验证有效")})
    def verify(self):
        pass

    @transition(field=status, source=Status.DONE, target=Status.OPEN, custom={"label": _("验证无效，退回")})
    def send_back(self):
        pass


# --- returns, exchanges and repairs (退/换/修, RMA) -------------------------------------------------------------------
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


# --- annual after-sales service plan --------------------------------------------------------------------------------
class ServicePlan(FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("审批中")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")
        CANCELLED = "cancelled", _("已作废")

    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("标题"), max_length=200)
    goals = models.TextField(_("目标"), help_text=_("如：回访率、满意度、响应及时率"))
    content = models.TextField(_("计划内容"), help_text=_("培训、走访、现场保障、备件储备等安排"))
    status = FSMField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT, protected=True)
    created_by = models.ForeignKey(USER, verbose_name=_("编制人"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("编制时间"), auto_now_add=True)
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("作废原因"), max_length=300, blank=True)
    once_key = once_key_field()  # the create form's submission (salesops.core.once): a resent form writes nothing

    class Meta:
        verbose_name = _("年度售后服务计划")
        verbose_name_plural = _("年度售后服务计划")
        ordering = ["-year", "-id"]
        indexes = [models.Index(fields=["year", "id"], name="service_plan_list_idx")]  # the list's order (issue 12)
        constraints = [
            models.UniqueConstraint(fields=["year"], condition=Q(status="approved"), name="uniq_approved_service_plan_per_year")
        ]

    def __str__(self):
        # the title names the year as a rule ("2027 年度售后服务计划"): then it is the name; else the year goes first
        return self.title if str(self.year) in self.title else f"{self.year} {self.title}"

    def get_absolute_url(self):
        return reverse("aftersales:plan_detail", args=[self.pk])

    @transition(field=status, source=[Status.DRAFT, Status.REJECTED], target=Status.SUBMITTED, custom={"label": _("提交审批")})
    def submit(self):
        pass

    @transition(field=status, source=Status.SUBMITTED, target=Status.APPROVED, custom={"internal": True})
    def approve(self):
        pass

    @transition(field=status, source=Status.SUBMITTED, target=Status.REJECTED, custom={"internal": True})
    def reject(self):
        pass

    @transition(field=status, source=[Status.DRAFT, Status.REJECTED], target=Status.CANCELLED, custom={"label": _("作废")})
    def cancel(self):
        pass


class ServicePlanItem(models.Model):
    plan = models.ForeignKey(ServicePlan, on_delete=models.CASCADE, related_name="items")
    month = models.PositiveSmallIntegerField(_("月份"), choices=[(m, str(m)) for m in range(1, 13)])
    activity = models.CharField(_("活动"), max_length=200)
    owner = _user(_("负责人"))
    target = models.CharField(_("目标/指标"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("服务计划事项")
        verbose_name_plural = _("服务计划事项")
        ordering = ["month", "id"]
