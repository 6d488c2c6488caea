"""Satisfaction callbacks (回访): the rules of when and by whom, each callback and its attempts."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_fsm import FSMField, FSMModelMixin, transition

from salesops.core import eventtext

from .base import USER, Channel, _user


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
