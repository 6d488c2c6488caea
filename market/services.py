"""市场信息: report an entry (published at once), correct it, withdraw it, mark it read.

- info_report: whoever reads market information reports what they met (market.rules.check_entry); a customer named is
  one the reporter may see. It is published to every reader at once; an important one is sent to each of them (notify:
  in the app and by e-mail through the outbox).
- info_update: its author corrects a published entry; each changed field is kept in its history.
- info_withdraw (撤回): the author or a sales manager takes it back, with the reason; its readers no longer see it.
- info_mark_read: a reader opened it (once; the 未读 marks and the author's 已阅 count).

One lock: the entry. Who may do what: market.permissions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from catalog.models import Product
from customers.selectors import customer_list_for
from salesops.core.editing import required_text
from salesops.core.errors import Conflict, DomainError, Forbidden, NotFound
from salesops.core.models import Event
from salesops.core.names import display_name
from salesops.core.notifications import notify
from salesops.core.numbering import next_number
from salesops.core.timeline import changes_between, choice, record_event, snapshot
from salesops.core.transitions import transition

from . import rules
from .models import MarketInfo, MarketInfoRead
from .permissions import info_allowed_actions, reads_market
from .selectors import readers_of

NUMBER_PREFIX = "SCXX"
FIELDS = ("kind", "source", "title", "content", "competitor", "region", "customer", "product", "important")
REFUSALS = {
    "edit": gettext_lazy("只有报告人本人可以修改已发布的市场信息。"),
    "withdraw": gettext_lazy("只有报告人和销售部经理、公司领导可以撤回市场信息。"),
}
NOT_A_READER = gettext_lazy("市场信息由业务员、销售组长、销售内勤、客服、销售部经理和公司领导使用。")


def _pk(value) -> int | None:
    """A customer or product given as an object or an id ("" / None: none); a malformed id is refused."""
    value = getattr(value, "pk", value)
    if value in (None, ""):
        return None
    if not str(value).isdigit():
        raise DomainError(_("“%(value)s”不是有效的编号。") % {"value": value}, code="market_reference")
    return int(value)


def _clean(actor, data: Mapping[str, Any]) -> dict:
    """The entry's fields as saved, checked (rules.check_entry); a customer the reporter may see, an active product."""
    row = {
        "kind": str(data.get("kind") or ""),
        "source": str(data.get("source") or ""),
        "title": (data.get("title") or "").strip()[:100],
        "content": (data.get("content") or "").strip(),
        "competitor": (data.get("competitor") or "").strip()[:100],
        "region": (data.get("region") or "").strip()[:50],
        "customer_id": _pk(data.get("customer")),
        "product_id": _pk(data.get("product")),
        "important": bool(data.get("important")),
    }
    rules.check_entry(**{k: row[k] for k in ("kind", "source", "title", "content", "competitor")})
    if row["customer_id"] is not None and not customer_list_for(actor).filter(pk=row["customer_id"]).exists():
        raise DomainError(_("客户不存在，或不是您可以选择的客户。"), code="market_customer")
    if row["product_id"] is not None and not Product.objects.filter(pk=row["product_id"], is_active=True).exists():
        raise DomainError(_("产品不存在或已停用。"), code="market_product")
    return row


def _tell_readers(info: MarketInfo) -> None:
    """An important entry is sent to each of its readers."""
    notify(
        recipients=readers_of(info),
        title=gettext_lazy("重要市场信息：%(title)s（%(kind)s，%(who)s）"),
        params={"title": info.title, "kind": choice(info, "kind"), "who": display_name(info.reported_by)},
        body=info.content,
        url=info.get_absolute_url(),
    )


def info_report(*, actor, data: Mapping[str, Any]) -> MarketInfo:
    """报告市场信息: published at once (its author has read it); an important one is sent to every reader."""
    if not reads_market(actor):
        raise Forbidden(str(NOT_A_READER))
    row = _clean(actor, data)
    profile = getattr(actor, "profile", None)
    with transaction.atomic():
        info = MarketInfo.objects.create(
            number=next_number(NUMBER_PREFIX), reported_by=actor, team_id=getattr(profile, "team_id", None), **row
        )
        MarketInfoRead.objects.create(info=info, user=actor)
        record_event(
            target=info,
            verb=Event.Verb.CREATED,
            actor=actor,
            text=gettext_noop("发布市场信息：%(title)s"),
            params={"title": info.title},
        )
        if info.important:
            _tell_readers(info)
    return info


def _lock(info) -> MarketInfo:
    found = MarketInfo.objects.select_for_update(of=("self",)).filter(pk=info.pk).first()
    if found is None:
        raise NotFound(_("市场信息不存在或已被删除。"))
    return found


def _require(info: MarketInfo, actor, action: str) -> None:
    """The actor may `action` the entry now, else 409 (allowed, but it is withdrawn) or 403."""
    if action in info_allowed_actions(info, actor):
        return
    if info.status != MarketInfo.Status.PUBLISHED and (info.reported_by_id == actor.pk or action == "withdraw"):
        raise Conflict(_("市场信息%(status)s。") % {"status": info.get_status_display()}, code="market_state")
    raise Forbidden(str(REFUSALS[action]))


def info_update(*, info: MarketInfo, actor, data: Mapping[str, Any]) -> MarketInfo:
    """The author corrects a published entry (the fields not given stay); each change is in its history. Marked
    important now, it is sent to its readers."""
    given = {name: data[name] for name in FIELDS if name in data}
    with transaction.atomic():
        locked = _lock(info)
        _require(locked, actor, "edit")
        current = {name: getattr(locked, f"{name}_id" if name in ("customer", "product") else name) for name in FIELDS}
        row = _clean(actor, current | given)
        was_important = locked.important
        before = snapshot(locked, list(FIELDS))
        for name, value in row.items():
            setattr(locked, name, value)
        locked.save()
        changes = changes_between(locked, before)
        if changes:
            record_event(target=locked, verb=Event.Verb.UPDATED, actor=actor, text=gettext_noop("修改市场信息"), changes=changes)
        if locked.important and not was_important:
            _tell_readers(locked)
    return locked


def info_withdraw(*, info: MarketInfo, actor, reason: str) -> MarketInfo:
    """撤回: the author or a sales manager takes a published entry back, with the reason; its author is told when it was
    a manager. Two at once: one withdraws, the other is told it is withdrawn already."""
    reason = required_text(reason, _("请填写撤回原因。"))[:300]
    done = transition(
        obj=info,
        action="withdraw",
        actor=actor,
        check=lambda locked: _require(locked, actor, "withdraw"),
        before_save=lambda locked: setattr(locked, "withdraw_reason", reason),
        text=gettext_noop("撤回：%(reason)s"),
        params={"reason": reason},
    )
    if done.reported_by_id != actor.pk:
        notify(
            recipients=[done.reported_by],
            title=gettext_lazy("您的市场信息 %(number)s 已被 %(actor)s 撤回"),
            params={"number": done.number, "actor": display_name(actor)},
            body=reason,
            url=done.get_absolute_url(),
        )
    return done


def info_mark_read(*, info: MarketInfo, actor) -> bool:
    """A reader opened the entry: recorded once (a second open, or two at once, change nothing). True when new."""
    if MarketInfoRead.objects.filter(info=info, user=actor).exists():
        return False
    try:
        with transaction.atomic():
            MarketInfoRead.objects.create(info=info, user=actor)
    except IntegrityError:  # opened twice at once: the other request recorded it
        return False
    return True
