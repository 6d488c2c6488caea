"""Admin of the reports floor: the daily digest's schedule and the appraisal form's lines (configuration); the report
runs and the appraisals (support, read-only: they move only through reports.services)."""

from django.contrib import admin

from salesops.core.admin import ReadOnlyMixin

from .models import Appraisal, AppraisalCriterion, AppraisalRound, DailyDigest, DigestSchedule, PayRule, ReportRun


@admin.register(DigestSchedule)
class DigestScheduleAdmin(admin.ModelAdmin):
    """When the daily digest (日报) goes out; one row (without it: 18:00, with e-mail)."""

    list_display = ["__str__", "send_at", "email", "active"]

    def has_add_permission(self, request):
        return not DigestSchedule.objects.exists()


@admin.register(DailyDigest)
class DailyDigestAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["day", "recipients", "sent_at"]
    date_hierarchy = "day"


@admin.register(ReportRun)
class ReportRunAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "kind", "period", "scope_key", "status", "progress", "requested_by", "finished_at"]
    list_filter = ["status", "kind"]
    search_fields = ["period", "scope_key", "requested_by__username"]
    date_hierarchy = "created_at"


@admin.register(AppraisalCriterion)
class AppraisalCriterionAdmin(admin.ModelAdmin):
    """考核项: the lines of each post's appraisal form (a round opened afterwards uses them; earlier appraisals keep the
    lines they were opened with). A post's active lines should add up to 100 points."""

    list_display = ["post", "part", "name", "max_points", "measure", "position", "active"]
    list_editable = ["max_points", "position", "active"]
    list_filter = ["post", "part", "active"]
    search_fields = ["name", "standard"]


@admin.register(PayRule)
class PayRuleAdmin(admin.ModelAdmin):
    """薪酬激励标准 (销售人员薪酬激励制度): each grade's factor of the performance pay and change of sales level, for a
    quarter and for a year. A round takes the values in force when it goes to the GM; earlier rounds keep theirs."""

    list_display = ["kind", "grade", "pay_factor", "level_change", "note"]
    list_editable = ["pay_factor", "level_change", "note"]
    list_filter = ["kind"]


@admin.register(AppraisalRound)
class AppraisalRoundAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "kind", "status", "opened_by", "submitted_at", "approved_at"]
    list_filter = ["status", "kind"]


@admin.register(Appraisal)
class AppraisalAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["employee", "round", "post", "team", "total", "grade", "pay_factor", "level_change", "status"]
    list_filter = ["status", "post", "grade"]
    search_fields = ["employee__username", "employee__first_name"]
    list_select_related = ["employee", "round", "team"]
