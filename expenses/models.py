"""费用报销: a sales expense claim (报销单) and its lines.

A rep (or team lead, sales manager, clerk) writes a claim of the expenses of their sales work — each line a category,
the day, the amount and what for; 业务招待 names the customer entertained — and submits it. The sales clerk checks it
against the company's rules (seed 004: 负责销售费用报销的审核…有权拒绝不符合公司规定的报销申请) and passes it to the
approvals engine (the sales manager; above a threshold also the sales VP) or sends it back. Approved, finance pays it
(报销付款) and the claimant is told. Rules: expenses.rules; who may do what: expenses.permissions.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from salesops.core.models import Team
from salesops.core.money import MoneyField

from .rules import Category

USER = settings.AUTH_USER_MODEL


class ExpenseClaim(FSMModelMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待内勤审核")
        CHECKED = "checked", _("审批中")
        APPROVED = "approved", _("待付款")
        PAID = "paid", _("已付款")
        RETURNED = "returned", _("已退回")
        CANCELLED = "cancelled", _("已作废")

    STATUS_TONES = {
        Status.DRAFT: "secondary",
        Status.SUBMITTED: "primary",
        Status.CHECKED: "warning",
        Status.APPROVED: "info",
        Status.PAID: "success",
        Status.RETURNED: "danger",
        Status.CANCELLED: "light",
    }
    EDITABLE = (Status.DRAFT, Status.RETURNED)

    number = models.CharField(_("报销单号"), max_length=32, unique=True)
    claimant = models.ForeignKey(USER, verbose_name=_("报销人"), on_delete=models.PROTECT, related_name="expense_claims")
    team = models.ForeignKey(Team, verbose_name=_("销售组"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("报销事由"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("相关客户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("业务招待费必填：招待的客户"),
    )
    total = MoneyField(_("报销金额"), default=0)
    status = FSMField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, protected=True)
    return_reason = models.CharField(_("退回原因"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    checked_by = models.ForeignKey(
        USER, verbose_name=_("审核内勤"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    paid_by = models.ForeignKey(USER, verbose_name=_("付款人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    paid_on = models.DateField(_("付款日期"), null=True, blank=True)
    payment_ref = models.CharField(_("付款凭证号"), max_length=60, blank=True)
    reminded_at = models.DateTimeField(_("超时提醒时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("费用报销单")
        verbose_name_plural = _("费用报销单")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["claimant", "-id"], name="expense_claimant_idx"),
            models.Index(fields=["status", "-id"], name="expense_status_idx"),
            models.Index(fields=["team", "-id"], name="expense_team_idx"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("expenses:claim_detail", args=[self.pk])

    @transition(field=status, source=EDITABLE, target=Status.SUBMITTED, custom={"label": _("提交")})
    def submit(self):
        """The claimant hands it in; the sales clerk checks it."""

    @transition(field=status, source=Status.SUBMITTED, target=Status.CHECKED, custom={"label": _("审核通过")})
    def verify(self):
        """The clerk found it within the rules: it goes to the approvers (not `check`: Model.check is Django's)."""

    @transition(field=status, source=(Status.SUBMITTED, Status.CHECKED), target=Status.RETURNED, custom={"label": _("退回")})
    def send_back(self):
        """Back to the claimant, with the reason (the clerk, or an approver who refused it)."""

    @transition(field=status, source=Status.CHECKED, target=Status.APPROVED, custom={"label": _("批准")})
    def approve(self):
        """Every approver agreed: finance pays it."""

    @transition(field=status, source=Status.APPROVED, target=Status.PAID, custom={"label": _("付款")})
    def pay(self):
        """Finance paid the claimant."""

    @transition(field=status, source=EDITABLE, target=Status.CANCELLED, custom={"label": _("作废")})
    def cancel(self):
        """The claimant withdraws a draft or a claim sent back."""


class ExpenseLine(models.Model):
    claim = models.ForeignKey(ExpenseClaim, verbose_name=_("报销单"), on_delete=models.CASCADE, related_name="lines")
    spent_on = models.DateField(_("发生日期"))
    category = models.CharField(_("费用类别"), max_length=16, choices=Category.choices)
    amount = MoneyField(_("金额"))
    description = models.CharField(_("用途说明"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("报销明细")
        verbose_name_plural = _("报销明细")
        ordering = ["claim", "position", "id"]

    FIELDS = ("spent_on", "category", "amount", "description")  # what a line is written with (form, API, services)

    def __str__(self):
        return f"{self.get_category_display()} {self.amount}"

    def values(self) -> dict:
        return {name: getattr(self, name) for name in self.FIELDS}
