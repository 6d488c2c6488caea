"""Complaints (投诉, TS-) with root cause and corrective/preventive actions (CAPA)."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from salesops.core.once import once_fingerprint_field, once_key_field

from .base import USER, Channel, _user
from .callbacks import Callback


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
    # who wrote the current root cause, and when (set whenever it changes): part of what the leadership approves, so its
    # author may not approve the answer either (permissions.complaint_answer_route_for)
    cause_by = _user(_("原因分析人"))
    cause_at = models.DateTimeField(_("原因分析时间"), null=True, blank=True)
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
    once_fingerprint = once_fingerprint_field()  # what that submission sent: the same key with other input is refused

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
    once_fingerprint = once_fingerprint_field()  # what that submission sent: the same key with other input is refused

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
