"""The working calendar (工作时段, 节假日/调休) and the SLA policies the service tickets' clock runs on."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


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
