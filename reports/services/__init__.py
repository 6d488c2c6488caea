"""Every write of the reports floor, one module per family (targets; the report runs add theirs)."""
