"""Celery tasks of the reports floor: thin and idempotent (ARCHITECTURE.md rule 7). Each calls one service whose
conditional updates and unique rows make a second run, a second worker or a redelivered task harmless."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from .services import appraisals, digest, runs, weekly


@shared_task(name="reports.tasks.generate_report")
def generate_report(run_id: int) -> bool:
    """Generate one queued report run (published after the request's commit, or by the sweep); a run that is no longer
    queued is left alone. Failures are kept on the run, never retried here: the user retries from the page."""
    return runs.report_run_generate(run_id)


@shared_task(name="reports.tasks.schedule_monthly_reports", autoretry_for=(OperationalError,), max_retries=3, retry_backoff=60)
def schedule_monthly_reports() -> int:
    """The 1st of the month (beat, 02:00): queue the previous month's reports for the company and each team, once."""
    return runs.reports_schedule_month()


@shared_task(name="reports.tasks.sweep_report_runs")
def sweep_report_runs() -> dict[str, int]:
    """Every 5 minutes (beat): publish again runs whose task was lost, fail runs whose worker died."""
    return runs.report_runs_sweep()


@shared_task(name="reports.tasks.send_daily_digest", autoretry_for=(OperationalError,), max_retries=3, retry_backoff=30)
def send_daily_digest() -> bool:
    """Every 5 minutes (beat): once the configured time has come, send today's digest (日报) — once a day."""
    return digest.digest_send_if_due()


@shared_task(name="reports.tasks.remind_weekly_reports", autoretry_for=(OperationalError,), max_retries=3, retry_backoff=60)
def remind_weekly_reports() -> int:
    """Fridays at 16:00 (beat): remind the field sales who have not handed in the week's report (销售周报), once each."""
    return weekly.weekly_remind_missing()


@shared_task(name="reports.tasks.remind_appraisals", autoretry_for=(OperationalError,), max_retries=3, retry_backoff=60)
def remind_appraisals() -> int:
    """09:00 every day (beat): remind each person who has not confirmed their appraisal (绩效考核) in time, once, and
    report each round past its day to be submitted to the sales managers, once."""
    return appraisals.appraisals_remind_unanswered() + appraisals.rounds_remind_overdue()
