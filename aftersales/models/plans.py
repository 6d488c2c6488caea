"""The annual after-sales service plan approved by the leadership."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from salesops.core.once import once_fingerprint_field, once_key_field

from .base import USER, _user


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
    once_fingerprint = once_fingerprint_field()  # what that submission sent: the same key with other input is refused

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
