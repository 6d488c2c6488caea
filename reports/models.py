"""The reports floor: sales targets, monthly report runs (the stored Excel files) and the daily digest (日报).

- SalesTarget (销售目标): per year, quarter or month, for the company, a team or a rep (SPEC.md "Targets, reports and KPIs").
  A team's targets of one period add up to at most the company's, a rep's to at most the team's; for one owner the
  quarters of a year add up to at most its year target, the months to at most their quarter's and year's
  (reports.services.targets checks both under the row locks of the targets compared with). The amount is the sales target in yuan; new customers and collection are optional.
- ReportRun: one generation of one report (kind) for one month (period "2026-11") and one scope ("company", "team:3",
  "rep:7"). At most one run per kind, period and scope is queued or running at a time (partial unique constraint), so two
  requests while one runs produce one file. A finished run keeps its file, the totals of its figures and what changed
  since the previous finished run of the same report.
- DigestSchedule: when the daily digest goes out (one row, editable in admin; 18:00 unless changed).
- DailyDigest: one row per day the digest went out, so a second beat tick, worker or retry sends nothing twice.
- WeeklyReport (销售周报): one per rep and week, written by the rep, commented on by the team lead or a sales manager.
- AppraisalCriterion, AppraisalRound, Appraisal, AppraisalScore (绩效考核): a quarter's or a year's appraisal of the
  sellers and clerks, scored on the lines of the appraisal form, confirmed by each person and approved by the GM;
  PayRule (薪酬激励标准): what a grade means for the pay and the sales level.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from salesops.core.models import BackgroundRun, Team
from salesops.core.money import MoneyField
from salesops.core.names import display_name

from .periods import Period

USER = settings.AUTH_USER_MODEL


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


def report_path(run: ReportRun, filename: str) -> str:
    return f"reports/{run.period}/{filename}"


class ReportRun(BackgroundRun):
    class Kind(models.TextChoices):
        STORE_SALES = "store_sales", _("门店/经销商销售月报")
        ACHIEVEMENT = "achievement", _("业务员与销售组目标达成")
        AGING = "aging", _("应收账款账龄")
        SERVICE = "service", _("售后服务统计")
        OPPORTUNITIES = "opportunities", _("销售机会月报")

    kind = models.CharField(_("报表"), max_length=20, choices=Kind.choices)
    period = models.CharField(_("月份"), max_length=7, help_text=_("例如 2026-11"))
    scope_key = models.CharField(_("范围"), max_length=40, help_text=_("company、team:<id> 或 rep:<id>"))
    file = models.FileField(_("文件"), upload_to=report_path, blank=True)
    totals = models.JSONField(_("合计数"), default=dict, blank=True)  # {key: {"label": …, "value": "123.45"}}
    changes = models.JSONField(_("与上次相比的变化"), default=list, blank=True)  # [{"key", "label", "old", "new"}]
    previous = models.ForeignKey(
        "self", verbose_name=_("上次生成"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by = models.ForeignKey(
        USER, verbose_name=_("申请人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # empty: scheduled by beat
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("报表生成记录")
        verbose_name_plural = _("报表生成记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            # two requests for the same report while one is queued or running produce one run (and one file)
            models.UniqueConstraint(
                fields=["kind", "period", "scope_key"],
                condition=Q(status__in=["queued", "running"]),
                name="report_run_one_active",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="report_run_progress_max_100"),
        ]
        indexes = [
            models.Index(fields=["kind", "period", "scope_key", "status"], name="report_run_key_idx"),
            # the list's order, and the same within one scope (a team lead's and a rep's runs, issue 12)
            models.Index(fields=["created_at", "id"], name="report_run_list_idx"),
            models.Index(fields=["scope_key", "created_at", "id"], name="report_run_scope_list_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period} {self.scope_key}"


class DigestSchedule(models.Model):
    """When the daily digest (日报) goes out and how. One row; without it the digest goes at 18:00 in the app and by e-mail."""

    send_at = models.TimeField(_("发送时间"), default=datetime.time(18, 0), help_text=_("每天在此时间之后发送当天的日报"))
    email = models.BooleanField(_("同时发送邮件"), default=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("日报设置")
        verbose_name_plural = _("日报设置")

    def __str__(self):
        return str(_("日报 %(time)s") % {"time": self.send_at.strftime("%H:%M")})


class DailyDigest(models.Model):
    """The digest of one day, once sent: its figures as they were, and when."""

    day = models.DateField(_("日期"), unique=True)
    figures = models.JSONField(_("数据"), default=dict)
    recipients = models.PositiveIntegerField(_("接收人数"), default=0)
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已发送的日报")
        verbose_name_plural = _("已发送的日报")
        ordering = ["-day"]

    def __str__(self):
        return str(self.day)


class WeeklyReport(FSMModelMixin, models.Model):
    """销售周报: a rep's week (seed 003: 销售员…定期向公司提供市场分析及预测报告和个人工作周报; 营销总监…每周定期对过去一
    周所发生的重点业务…进行探讨). The rep writes what was done, what the market and the competitors did and next week's
    plan; the week's figures (visits, opportunities, order intake, collections) are read from the documents and kept as
    they were when it was submitted; the rep's team lead or a sales manager comments on it (点评) or sends it back."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        RETURNED = "returned", _("已退回")
        REVIEWED = "reviewed", _("已点评")

    STATUS_TONES = {
        Status.DRAFT: "secondary",
        Status.SUBMITTED: "primary",
        Status.RETURNED: "warning",
        Status.REVIEWED: "success",
    }
    EDITABLE = (Status.DRAFT, Status.RETURNED)

    rep = models.ForeignKey(USER, verbose_name=_("业务员"), on_delete=models.PROTECT, related_name="weekly_reports")
    team = models.ForeignKey(Team, verbose_name=_("销售组"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    week = models.DateField(_("周（周一）"))
    summary = models.TextField(_("本周工作总结"), blank=True)
    market = models.TextField(_("市场与竞争信息"), blank=True, help_text=_("市场价格、客户需求、竞争对手的动态"))
    next_plan = models.TextField(_("下周计划"), blank=True, help_text=_("下周的重点客户、拜访与跟进安排"))
    figures = models.JSONField(_("本周数据"), default=dict, blank=True)  # kept as submitted (reports.selectors.week_figures)
    status = FSMField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, protected=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        USER, verbose_name=_("点评人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("点评时间"), null=True, blank=True)
    review_note = models.TextField(_("点评"), blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=300, blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)  # the week's reminder went out (once)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("销售周报")
        verbose_name_plural = _("销售周报")
        ordering = ["-week", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rep", "week"], name="uniq_weekly_report_per_rep_week"),
        ]
        indexes = [  # the list's order; a team lead's (by team) and a rep's (by rep) within it
            models.Index(fields=["week", "id"], name="weekly_list_idx"),
            models.Index(fields=["team", "week", "id"], name="weekly_team_list_idx"),
            models.Index(fields=["rep", "week", "id"], name="weekly_rep_list_idx"),
        ]

    def __str__(self):
        return str(_("%(rep)s %(week)s 周报") % {"rep": display_name(self.rep), "week": self.period.key})

    def get_absolute_url(self):
        return reverse("reports:weekly_detail", args=[self.pk])

    @property
    def period(self) -> Period:
        return Period.week(self.week)

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @transition(field=status, source=EDITABLE, target=Status.SUBMITTED, custom={"label": _("提交")})
    def submit(self):
        """The rep hands the week in; its figures are kept as they are now."""

    @transition(field=status, source=Status.SUBMITTED, target=Status.REVIEWED, custom={"label": _("点评")})
    def review(self):
        """The team lead or a sales manager comments on it."""

    @transition(field=status, source=Status.SUBMITTED, target=Status.RETURNED, custom={"label": _("退回")})
    def send_back(self):
        """Back to the rep to complete, with the reason."""


# --- 绩效考核 (performance appraisal) ------------------------------------------------------------------------------------
class AppraisalCriterion(models.Model):
    """A line of the appraisal form (销售部员工绩效考核表) of a post: its part (工作绩效 45 / 工作态度 20 / 工作能力 35 in
    seed 002's 销售人员绩效考核方案), what is scored and how (评分标准), its points, and — for a measured line — the figure
    that scores it (reports.appraisal_rules.MEASURES); a line without one is scored by the appraiser. Data, edited in
    admin: an appraisal keeps a copy of its lines as they were when it was opened."""

    class Post(models.TextChoices):
        SELLER = "seller", _("销售人员")
        CLERK = "clerk", _("销售内勤")

    class Part(models.TextChoices):
        PERFORMANCE = "performance", _("工作绩效")
        ATTITUDE = "attitude", _("工作态度")
        ABILITY = "ability", _("工作能力")

    class Measure(models.TextChoices):
        MANUAL = "", _("评分人打分")
        ACHIEVEMENT = "achievement", _("销售目标达成率")
        COLLECTION = "collection", _("回款率")
        NEW_CUSTOMERS = "new_customers", _("新客户开发（对新客户数目标）")
        SATISFACTION = "satisfaction", _("客户满意度（平均分/5）")
        ORDER_ACCURACY = "order_accuracy", _("核单准确率（本人核的单）")

    post = models.CharField(_("岗位"), max_length=8, choices=Post.choices)
    part = models.CharField(_("考核内容"), max_length=12, choices=Part.choices)
    name = models.CharField(_("考核项"), max_length=40)
    standard = models.CharField(_("评分标准"), max_length=200, blank=True)
    max_points = models.DecimalField(_("分值"), max_digits=5, decimal_places=2)
    measure = models.CharField(_("计分方式"), max_length=16, choices=Measure.choices, blank=True, default="")
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("考核项")
        verbose_name_plural = _("考核项")
        ordering = ["post", "position", "id"]

    def __str__(self):
        return f"{self.get_post_display()} · {self.get_part_display()} · {self.name}"


class AppraisalRound(FSMModelMixin, models.Model):
    """一期绩效考核: a quarter (季度考核) or a year (年度考核) of the sales department. The sales manager opens it (one
    appraisal per seller and clerk), scores, sends each to the person for confirmation, and submits the whole table to
    the GM (考核结果上报总经理审批后生效); approved, it takes effect and finance is told (薪金发放)."""

    class Kind(models.TextChoices):
        QUARTER = "quarter", _("季度考核")
        YEAR = "year", _("年度考核")

    class Status(models.TextChoices):
        OPEN = "open", _("考核中")
        SUBMITTED = "submitted", _("待总经理审批")
        APPROVED = "approved", _("已生效")

    STATUS_TONES = {Status.OPEN: "primary", Status.SUBMITTED: "warning", Status.APPROVED: "success"}

    year = models.PositiveSmallIntegerField(_("年份"))
    kind = models.CharField(_("考核周期"), max_length=8, choices=Kind.choices)
    number = models.PositiveSmallIntegerField(_("季度"), default=0, help_text=_("年度考核为 0，季度 1–4"))
    status = FSMField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN, protected=True)
    opened_by = models.ForeignKey(USER, verbose_name=_("发起人"), on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提交审批时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("生效时间"), null=True, blank=True)
    overdue_reminded_at = models.DateTimeField(_("逾期提醒时间"), null=True, blank=True)  # past its day to submit: told once
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("绩效考核")
        verbose_name_plural = _("绩效考核")
        ordering = ["-year", "-number", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "kind", "number"], name="uniq_appraisal_round_per_period"),
            models.CheckConstraint(
                condition=Q(kind="year", number=0) | Q(kind="quarter", number__gte=1, number__lte=4),
                name="appraisal_round_period_valid",
            ),
        ]

    def __str__(self):
        return str(_("%(period)s 绩效考核") % {"period": self.period.label})

    def get_absolute_url(self):
        return reverse("reports:appraisal_round", args=[self.pk])

    @property
    def period(self) -> Period:
        return Period.year(self.year) if self.kind == self.Kind.YEAR else Period.quarter(self.year, self.number)

    @transition(field=status, source=Status.OPEN, target=Status.SUBMITTED, custom={"label": _("提交总经理审批")})
    def submit(self):
        """Every appraisal confirmed (or re-confirmed, or left out): the whole table goes to the GM."""

    @transition(field=status, source=Status.SUBMITTED, target=Status.APPROVED, custom={"label": _("生效")})
    def approve(self):
        """The GM approved: the results take effect."""

    @transition(field=status, source=Status.SUBMITTED, target=Status.OPEN, custom={"label": _("退回")})
    def send_back(self):
        """The GM refused: back to the sales manager to revise."""


class Appraisal(FSMModelMixin, models.Model):
    """One person's appraisal in a round (个人考核表): the lines scored, the total and grade, the appraiser's comment
    (评语/奖惩意见); sent to the person, who confirms it or objects (异议), and the sales manager re-confirms (再确认)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("评分中")
        SENT = "sent", _("待本人确认")
        CONFIRMED = "confirmed", _("本人已确认")
        OBJECTED = "objected", _("有异议")
        SETTLED = "settled", _("经理已复核")
        EXCLUDED = "excluded", _("不参与考核")

    STATUS_TONES = {
        Status.DRAFT: "secondary",
        Status.SENT: "primary",
        Status.CONFIRMED: "success",
        Status.OBJECTED: "danger",
        Status.SETTLED: "success",
        Status.EXCLUDED: "light",
    }
    SCORABLE = (Status.DRAFT, Status.OBJECTED)  # the appraiser may change the scores
    DONE = (Status.CONFIRMED, Status.SETTLED, Status.EXCLUDED)  # what the round's submission needs

    class Grade(models.TextChoices):
        A = "A", _("优秀")
        B = "B", _("良好")
        C = "C", _("合格")
        D = "D", _("不合格")

    class LevelChange(models.IntegerChoices):
        UP = 1, _("晋升一级")
        KEEP = 0, _("不变")
        DOWN = -1, _("降一级")

    round = models.ForeignKey(AppraisalRound, verbose_name=_("考核"), on_delete=models.CASCADE, related_name="appraisals")
    employee = models.ForeignKey(USER, verbose_name=_("被考核人"), on_delete=models.PROTECT, related_name="appraisals")
    post = models.CharField(_("岗位"), max_length=8, choices=AppraisalCriterion.Post.choices)
    team = models.ForeignKey(Team, verbose_name=_("销售组"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = FSMField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT, protected=True)
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2, default=0)
    grade = models.CharField(_("等级"), max_length=1, choices=Grade.choices, blank=True)
    comment = models.TextField(_("评语与奖惩意见"), blank=True)
    appraiser = models.ForeignKey(
        USER, verbose_name=_("评分人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    objection = models.TextField(_("本人异议"), blank=True)
    reply = models.TextField(_("经理复核意见"), blank=True)
    exclude_reason = models.CharField(_("不参与考核原因"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("发送确认时间"), null=True, blank=True)
    answered_at = models.DateTimeField(_("本人确认/异议时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)  # the reminder to confirm went out (once a sending)
    settled_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    # 薪酬激励 (reports.PayRule) of the grade, fixed when the table goes to the GM (cleared when it comes back)
    pay_factor = models.DecimalField(_("绩效工资系数"), max_digits=4, decimal_places=2, null=True, blank=True)
    level_change = models.SmallIntegerField(_("销售级别调整"), choices=LevelChange.choices, null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("个人考核")
        verbose_name_plural = _("个人考核")
        ordering = ["-round", "post", "id"]  # the newest round first; no join: transition() locks a row of the default manager
        constraints = [models.UniqueConstraint(fields=["round", "employee"], name="uniq_appraisal_per_round_employee")]
        indexes = [  # the list's order; a person's own (by employee) and a team lead's team's (by team) within it
            models.Index(fields=["-round", "post", "id"], name="appraisal_list_idx"),
            models.Index(fields=["employee", "-round", "post", "id"], name="appraisal_employee_idx"),
            models.Index(fields=["team", "-round", "post", "id"], name="appraisal_team_idx"),
        ]

    def __str__(self):
        return str(_("%(name)s %(period)s 考核") % {"name": display_name(self.employee), "period": self.round.period.label})

    def get_absolute_url(self):
        return reverse("reports:appraisal_detail", args=[self.pk])

    @property
    def shows_grade(self) -> bool:
        """The grade means something once the scoring is done (not while scoring, not for one left out)."""
        return self.status not in (self.Status.DRAFT, self.Status.EXCLUDED)

    @transition(field=status, source=Status.DRAFT, target=Status.SENT, custom={"label": _("发本人确认")})
    def send(self):
        """The scores go to the person to confirm."""

    @transition(field=status, source=Status.SENT, target=Status.CONFIRMED, custom={"label": _("确认")})
    def confirm(self):
        """The person agrees with the scores."""

    @transition(field=status, source=Status.SENT, target=Status.OBJECTED, custom={"label": _("提出异议")})
    def object(self):
        """The person disagrees, with the reason; the sales manager re-confirms."""

    @transition(field=status, source=Status.OBJECTED, target=Status.SETTLED, custom={"label": _("复核确认")})
    def settle(self):
        """The sales manager re-confirms (再确认), scores changed or not, with the answer to the objection: final."""

    @transition(
        field=status, source=(Status.SENT, Status.CONFIRMED, Status.SETTLED), target=Status.DRAFT, custom={"label": _("重新评分")}
    )
    def reopen(self):
        """Back to scoring (the GM sent the table back, or a mistake was found); it is sent to the person again."""

    @transition(field=status, source=Status.DRAFT, target=Status.EXCLUDED, custom={"label": _("不参与考核")})
    def exclude(self):
        """Left out (考核期内累计不到岗时间超过三分之一), with the reason."""

    @transition(field=status, source=Status.EXCLUDED, target=Status.DRAFT, custom={"label": _("恢复考核")})
    def include(self):
        """Appraised after all."""


class AppraisalScore(models.Model):
    """One line of an appraisal: a copy of its criterion as it was when the appraisal was opened, the measured figure
    (a rate 0..1, for a measured line that had one) and the points."""

    appraisal = models.ForeignKey(Appraisal, verbose_name=_("个人考核"), on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(AppraisalCriterion, verbose_name=_("考核项"), on_delete=models.PROTECT, related_name="+")
    part = models.CharField(_("考核内容"), max_length=12, choices=AppraisalCriterion.Part.choices)
    name = models.CharField(_("考核项"), max_length=40)
    standard = models.CharField(_("评分标准"), max_length=200, blank=True)
    max_points = models.DecimalField(_("分值"), max_digits=5, decimal_places=2)
    measure = models.CharField(_("计分方式"), max_length=16, choices=AppraisalCriterion.Measure.choices, blank=True)
    value = models.DecimalField(_("考核期数据"), max_digits=7, decimal_places=4, null=True, blank=True)
    points = models.DecimalField(_("得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("考核得分")
        verbose_name_plural = _("考核得分")
        ordering = ["appraisal", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["appraisal", "criterion"], name="uniq_score_per_criterion")]

    def __str__(self):
        return f"{self.name}: {self.points}"

    @property
    def measured(self) -> bool:
        """Scored from the figure (not editable by hand); a measured line without a figure is scored by hand."""
        return bool(self.measure) and self.value is not None


class PayRule(models.Model):
    """A line of the 销售人员薪酬激励制度 (seed 002: 根据销售人员的季度及年度绩效考核的总得分，公司对不同绩效的销售人员进行
    销售级别与薪资的调整): for a grade of a quarterly or a yearly appraisal, the factor of the performance pay
    (绩效工资系数, what finance pays: 绩效工资基数 × 系数) and the change of sales level. Data, edited in admin (the table
    is the company's own); a round's appraisals keep the values in force when it went to the GM."""

    kind = models.CharField(_("考核周期"), max_length=8, choices=AppraisalRound.Kind.choices)
    grade = models.CharField(_("等级"), max_length=1, choices=Appraisal.Grade.choices)
    pay_factor = models.DecimalField(
        _("绩效工资系数"), max_digits=4, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    level_change = models.SmallIntegerField(_("销售级别调整"), choices=Appraisal.LevelChange.choices, default=0)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("薪酬激励标准")
        verbose_name_plural = _("薪酬激励标准")
        ordering = ["kind", "grade"]
        constraints = [models.UniqueConstraint(fields=["kind", "grade"], name="uniq_pay_rule_per_kind_grade")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.get_grade_display()}"
