"""Admin of the reports floor: the daily digest's schedule (configuration) and the report runs (support, read-only:
runs move only through reports.services.runs)."""

from django.contrib import admin

from salesops.core.admin import ReadOnlyMixin

from .models import DailyDigest, DigestSchedule, ReportRun


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
