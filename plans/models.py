"""销售计划: a sales plan (the department's, a team's or a rep's own) for a month, a quarter or a year, and its lines.

Seed 002: 部门经理根据公司年度销售目标，制定销售计划，报公司领导审批；销售代表根据部门销售计划，制定个人销售计划，报部门经理
审批；销售主管要对销售员的销售计划进行监督和指导. A plan states the market analysis, the strategy and measures, and its
lines — each a key customer or an item (product, region) with the amount planned and what will be done. Its target is
the sales target (reports.SalesTarget) of the same period and owner, copied when it is handed in. Approved through the
approvals engine (plans.rules.route); once approved the plan page follows the shipped sales
against it. Rules: plans.rules; who may do what: plans.permissions.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from reports.periods import Period
from salesops.core.models import Team
from salesops.core.money import MoneyField
from salesops.core.names import display_name

from .rules import Level

USER = settings.AUTH_USER_MODEL


class SalesPlan(FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("审批中")
        APPROVED = "approved", _("已批准")
        RETURNED = "returned", _("已退回")
        CANCELLED = "cancelled", _("已作废")

    STATUS_TONES = {
        Status.DRAFT: "secondary",
        Status.SUBMITTED: "warning",
        Status.APPROVED: "success",
        Status.RETURNED: "danger",
        Status.CANCELLED: "light",
    }
    EDITABLE = (Status.DRAFT, Status.RETURNED)

    number = models.CharField(_("计划编号"), max_length=32, unique=True)
    level = models.CharField(_("计划层级"), max_length=8, choices=Level.choices)
    period_key = models.CharField(_("计划期间"), max_length=10, help_text=_("月度 2027-01，季度 2027-Q1，年度 2027"))
    author = models.ForeignKey(USER, verbose_name=_("制定人"), on_delete=models.PROTECT, related_name="sales_plans")
    team = models.ForeignKey(Team, verbose_name=_("销售组"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    analysis = models.TextField(_("市场分析"), blank=True)
    strategy = models.TextField(_("销售策略与措施"), blank=True)
    gap_reason = models.CharField(_("差距说明"), max_length=300, blank=True, help_text=_("计划合计低于目标时必填"))
    target = MoneyField(_("目标额"), null=True, blank=True, default=None, help_text=_("提交时取同期销售目标"))
    planned = MoneyField(_("计划合计"), default=0)
    status = FSMField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, protected=True)
    return_reason = models.CharField(_("退回原因"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("销售计划")
        verbose_name_plural = _("销售计划")
        ordering = ["-id"]
        constraints = [
            # one live plan of a level for a period: the department's, each team's, each rep's
            models.UniqueConstraint(
                fields=["period_key"],
                condition=Q(level="company") & ~Q(status="cancelled"),
                name="uniq_live_company_plan",
            ),
            models.UniqueConstraint(
                fields=["period_key", "team"], condition=Q(level="team") & ~Q(status="cancelled"), name="uniq_live_team_plan"
            ),
            models.UniqueConstraint(
                fields=["period_key", "author"], condition=Q(level="rep") & ~Q(status="cancelled"), name="uniq_live_rep_plan"
            ),
        ]
        indexes = [
            models.Index(fields=["author", "-id"], name="plan_author_idx"),
            models.Index(fields=["status", "-id"], name="plan_status_idx"),
            models.Index(fields=["team", "-id"], name="plan_team_idx"),
            models.Index(fields=["period_key", "level"], name="plan_period_idx"),  # a period's plans (工作台, reminders)
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("plans:plan_detail", args=[self.pk])

    @property
    def period(self) -> Period:
        return Period.parse(self.period_key)

    @property
    def owner_label(self) -> str:
        """Whose plan: the department, the team or the rep."""
        if self.level == Level.TEAM:
            return self.team.name if self.team_id else "—"
        return display_name(self.author) if self.level == Level.REP else str(_("销售部"))

    @transition(field=status, source=EDITABLE, target=Status.SUBMITTED, custom={"label": _("提交审批")})
    def submit(self):
        """The author hands it in: the approvers decide (plans.rules.route)."""

    @transition(field=status, source=Status.SUBMITTED, target=Status.APPROVED, custom={"label": _("批准")})
    def approve(self):
        """Every approver agreed: the plan is in force."""

    @transition(field=status, source=Status.SUBMITTED, target=Status.RETURNED, custom={"label": _("退回")})
    def send_back(self):
        """An approver refused it: back to the author with the comment."""

    @transition(field=status, source=EDITABLE, target=Status.CANCELLED, custom={"label": _("作废")})
    def cancel(self):
        """The author withdraws a draft or a plan sent back."""


class PlanReminder(models.Model):
    """That the writer of a plan for a period was reminded to hand it in (once: the morning job runs every day from the
    due day on)."""

    user = models.ForeignKey(USER, verbose_name=_("提醒对象"), on_delete=models.CASCADE, related_name="+")
    plan_of = models.CharField(_("计划对象"), max_length=20, help_text="company, team:<id> or rep")
    period_key = models.CharField(_("计划期间"), max_length=10)
    created_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("销售计划提醒")
        verbose_name_plural = _("销售计划提醒")
        constraints = [models.UniqueConstraint(fields=["user", "plan_of", "period_key"], name="uniq_plan_reminder")]


class PlanLine(models.Model):
    plan = models.ForeignKey(SalesPlan, verbose_name=_("销售计划"), on_delete=models.CASCADE, related_name="lines")
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("重点客户"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    item = models.CharField(_("计划项目"), max_length=120, blank=True, help_text=_("产品、区域或其他；选了客户可不填"))
    amount = MoneyField(_("计划金额"))
    measures = models.CharField(_("措施"), max_length=300)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    FIELDS = ("customer_id", "item", "amount", "measures")  # what a line is written with (form, API, services)

    class Meta:
        verbose_name = _("计划明细")
        verbose_name_plural = _("计划明细")
        ordering = ["plan", "position", "id"]

    def __str__(self):
        return f"{self.label} {self.amount}"

    @property
    def label(self) -> str:
        return self.customer.name if self.customer_id else self.item

    def values(self) -> dict:
        return {name: getattr(self, name) for name in self.FIELDS}
