"""How a person is named on pages, documents, e-mails and the API: one rule everywhere."""

from __future__ import annotations


def display_name(user, empty: str = "") -> str:
    """Full name, else username; `empty` when there is nobody (pass _("系统") where the system acted)."""
    if user is None:
        return str(empty)
    return user.get_full_name() or user.username
