"""Sales targets (销售目标): per year, quarter or month, for the company, a team or a rep (SPEC.md "Targets, reports and KPIs").

A team's targets of one period add up to at most the company's, a rep's to at most the team's (reports.services.targets
checks it under the parent's row lock). The amount is the sales target in yuan; new customers and collection are optional.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from salesops.core.models import Team
from salesops.core.money import MoneyField
from salesops.core.names import display_name

from .periods import Period


class SalesTarget(models.Model):
    class Level(models.TextChoices):
        COMPANY = "company", _("公司")
        TEAM = "team", _("销售组")
        REP = "rep", _("业务员")

    class Kind(models.TextChoices):
        YEAR = "year", _("年度")
        QUARTER = "quarter", _("季度")
        MONTH = "month", _("月度")

    year = models.PositiveSmallIntegerField(_("年份"))
    kind = models.CharField(_("目标周期"), max_length=8, choices=Kind.choices)
    number = models.PositiveSmallIntegerField(_("季度/月份"), default=0, help_text=_("年度目标为 0，季度 1–4，月份 1–12"))
    level = models.CharField(_("层级"), max_length=8, choices=Level.choices)
    team = models.ForeignKey(Team, verbose_name=_("销售组"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("业务员"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = MoneyField(_("销售额目标"))
    new_customers = models.PositiveIntegerField(_("新客户数目标"), null=True, blank=True)
    collection = MoneyField(_("回款目标"), null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("设定人"), on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(_("设定时间"), auto_now=True)

    class Meta:
        verbose_name = _("销售目标")
        verbose_name_plural = _("销售目标")
        ordering = ["year", "kind", "number", "level", "team__name", "rep__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "kind", "number"], condition=Q(level="company"), name="uniq_company_target_per_period"
            ),
            models.UniqueConstraint(
                fields=["year", "kind", "number", "team"], condition=Q(level="team"), name="uniq_team_target_per_period"
            ),
            models.UniqueConstraint(
                fields=["year", "kind", "number", "rep"], condition=Q(level="rep"), name="uniq_rep_target_per_period"
            ),
            models.CheckConstraint(
                condition=Q(level="company", team__isnull=True, rep__isnull=True)
                | Q(level="team", team__isnull=False, rep__isnull=True)
                | Q(level="rep", team__isnull=False, rep__isnull=False),
                name="target_level_matches_owner",
            ),
            models.CheckConstraint(
                condition=Q(kind="year", number=0)
                | Q(kind="quarter", number__gte=1, number__lte=4)
                | Q(kind="month", number__gte=1, number__lte=12),
                name="target_period_number_valid",
            ),
        ]

    def __str__(self):
        return f"{self.period.label} {self.owner_label}"

    @property
    def period(self) -> Period:
        if self.kind == self.Kind.YEAR:
            return Period.year(self.year)
        return Period.quarter(self.year, self.number) if self.kind == self.Kind.QUARTER else Period.month(self.year, self.number)

    @property
    def owner_label(self) -> str:
        if self.level == self.Level.REP:
            return display_name(self.rep)
        return self.team.name if self.level == self.Level.TEAM else str(_("全公司"))
