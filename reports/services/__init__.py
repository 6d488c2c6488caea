"""Every write of the reports floor, one module per family: targets, report runs (runs.py), the daily digest (digest.py), the weekly reports (weekly.py), the performance appraisal (appraisals.py)."""
