"""Who may do what with 市场信息 (asked by the pages, the API and market.services)."""

from __future__ import annotations

from salesops.core.roles import has_role

from .rules import READER_ROLES, WITHDRAWER_ROLES


def reads_market(user) -> bool:
    """The sales side and after-sales read and write market information (rules.READER_ROLES)."""
    return has_role(user, *READER_ROLES)


def info_allowed_actions(info, user) -> list[str]:
    """What `user` may do now with an entry they read: its author corrects it (修改) while published; the author or a sales
    manager withdraws it (撤回)."""
    if info.status != info.Status.PUBLISHED:
        return []
    mine = info.reported_by_id == user.pk
    actions = ["edit"] if mine else []
    if mine or has_role(user, *WITHDRAWER_ROLES):
        actions.append("withdraw")
    return actions
