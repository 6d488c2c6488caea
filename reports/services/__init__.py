"""Every write of the reports floor: report runs (runs.py) and the daily digest (digest.py)."""
