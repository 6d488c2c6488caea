"""Service tickets (服务工单): consulting, training, commissioning (开通/安装调试), repair, on-site support, spare parts.

Seed: 客户服务部是本过程的主管部门，负责向用户提供技术培训、技术咨询，产品开通、维修及现场保障服务 … 建立“服务电话记录”、
“服务传真记录”和“服务收件记录”、“服务发件记录”，并负责将用户需求、处理意见和处理结果记录在案 (服务过程控制程序 3.1, 4.1.2).

SLA: respond-by and resolve-by come from the SlaPolicy of the ticket's type and priority, counted in working hours on the
working calendar (rules.add_working_time). Waiting for the customer pauses the clock: on resuming (or resolving) both open
deadlines move by the working time spent waiting. The first response is the first start of work, outgoing
communication or wait for the customer. The beat task warns the engineer before a deadline and escalates after it, once.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from catalog.models import Product
from salesops.core.editing import required_text
from salesops.core.errors import Conflict, DomainError
from salesops.core.models import Attachment, Event
from salesops.core.money import parse_decimal, plain
from salesops.core.notifications import notify
from salesops.core.numbering import next_number
from salesops.core.once import create_once, once_fingerprint
from salesops.core.roles import Role, has_role
from salesops.core.timeline import T, attachment_add, choice, record_event
from salesops.core.transitions import transition

from .. import rules
from ..config import setting
from ..models import Callback, Priority, ServiceTicket, TicketCommunication, TicketPart, TicketType
from ..permissions import may_create_ticket, ticket_allowed_actions
from ..selectors import sla_hours, sla_warn, working_calendar
from .common import (
    lock,
    order_and_product,
    page,
    require,
    require_action,
    require_state,
    service_leads,
    service_team,
    user_param,
    visible_customer,
)

S = ServiceTicket.Status
ENGINEER_REFUSAL = gettext_lazy("只能分派给在职的客服/服务工程师。")
# the sentence of the waits recorded before their reason was required: their timelines still read it in each language
WAITED_WITHOUT_REASON = gettext_noop("等待客户，SLA 暂停计时")


def _allowed(t: ServiceTicket, actor, action: str, message: str) -> None:
    require_action(action, ticket_allowed_actions(t, actor), message)


def _notify_new(t: ServiceTicket) -> None:
    notify(
        recipients=[t.engineer] if t.engineer_id else service_team(),
        title=gettext_lazy("服务工单 %(number)s（%(type)s，%(priority)s）：%(customer)s — %(subject)s"),
        body=gettext_lazy("响应期限 %(respond)s，解决期限 %(resolve)s"),
        params={
            "number": t.number,
            "type": choice(t, "ticket_type"),
            "priority": choice(t, "priority"),
            "customer": t.customer.name,
            "subject": t.subject,
            "respond": timezone.localtime(t.respond_by).strftime("%Y-%m-%d %H:%M"),
            "resolve": timezone.localtime(t.resolve_by).strftime("%Y-%m-%d %H:%M"),
        },
        url=page("ticket_detail", t.pk),
    )


def ticket_create(*, actor, customer, data: Mapping[str, Any]) -> ServiceTicket:
    """Register a service request for a visible customer (optionally its order, product and lot); the SLA deadlines are
    set from the policy of its type and priority on the working calendar. Service, sales and managers may register.
    `data["once_key"]` (the form's hidden key, the API's Idempotency-Key): the same submission again registers nothing
    and raises core.once.Replayed with the ticket it registered; the key again with other input is refused (409) and
    registers nothing (salesops.core.once)."""
    require(may_create_ticket(actor), _("您不能登记服务工单。"))
    customer = visible_customer(actor, customer)
    ticket_type, priority = data.get("ticket_type"), data.get("priority") or Priority.NORMAL
    if ticket_type not in TicketType.values:
        raise DomainError(_("请选择工单类型。"))
    if priority not in Priority.values:
        raise DomainError(_("优先级不正确。"))
    subject = required_text(data.get("subject"), _("请填写工单主题。"))
    phone = (data.get("contact_phone") or "").strip()
    if phone and not rules.valid_phone(phone):
        raise DomainError(rules.PHONE_REFUSAL % {"phone": phone})
    engineer = data.get("engineer")
    if engineer is not None and not _engineer_ok(engineer):
        raise DomainError(ENGINEER_REFUSAL)
    order, product = order_and_product(customer, data)
    key = data.get("once_key")
    return create_once(
        ServiceTicket,
        key=key,
        actor=actor,
        by="created_by",
        fingerprint=once_fingerprint(customer=customer, data=data),
        create=lambda: _create(actor, customer, data, ticket_type, priority, subject, phone, order, product, key),
        replayed=lambda t: _("这份工单已经提交过，已登记为服务工单 %(number)s，没有重复登记。") % {"number": t.number},
    )


def _create(actor, customer, data, ticket_type, priority, subject, phone, order, product, key) -> ServiceTicket:
    now = timezone.now()
    response_hours, resolution_hours = sla_hours(ticket_type, priority)
    deadlines = rules.sla_deadlines(
        opened_at=now, response_hours=response_hours, resolution_hours=resolution_hours, cal=working_calendar()
    )
    with transaction.atomic():
        ticket = ServiceTicket.objects.create(
            number=next_number("FW"),
            ticket_type=ticket_type,
            priority=priority,
            customer=customer,
            order=order or None,
            product=product or None,
            lot_no=(data.get("lot_no") or "").strip()[:40],
            subject=subject[:200],
            description=(data.get("description") or "").strip(),
            contact_name=(data.get("contact_name") or "").strip()[:50],
            contact_phone=phone[:30],
            source_callback=data.get("source_callback"),
            respond_by=deadlines.respond_by,
            resolve_by=deadlines.resolve_by,
            created_by=actor,
            created_at=now,
            once_key=key,
        )
        record_event(
            target=ticket,
            verb=Event.Verb.CREATED,
            actor=actor,
            text=gettext_noop("登记服务工单：%(subject)s（来自回访）")
            if isinstance(data.get("source_callback"), Callback)
            else gettext_noop("登记服务工单：%(subject)s"),
            params={"subject": subject},
        )
        engineer = data.get("engineer")
        if engineer is not None and "assign" in ticket_allowed_actions(ticket, actor):
            ticket = ticket_assign(ticket=ticket, actor=actor, engineer=engineer)
        else:
            _notify_new(ticket)
    return ticket


def _engineer_ok(engineer) -> bool:
    """Service engineers are the active service staff (客服/售后) — not QC, the managers or the administrator."""
    return bool(engineer and engineer.is_active and has_role(engineer, Role.SERVICE))


def ticket_assign(*, ticket: ServiceTicket, actor, engineer) -> ServiceTicket:
    """The desk assigns (or reassigns) the engineer of an active ticket; one not started yet becomes "assigned"."""
    if not _engineer_ok(engineer):
        raise DomainError(ENGINEER_REFUSAL)
    with transaction.atomic():
        t = lock(ServiceTicket, ticket)
        require_state(t.is_active, t, _("分派"))
        _allowed(t, actor, "assign", _("只有客服和经理可以分派工单。"))
        before = user_param(t.engineer) if t.engineer_id else "—"
        said = {"text": gettext_noop("服务工程师：%(old)s → %(new)s"), "params": {"old": before, "new": user_param(engineer)}}
        if t.status in (S.OPEN, S.ASSIGNED):
            t = transition(obj=t, action="assign", actor=actor, before_save=lambda x: setattr(x, "engineer", engineer), **said)
        else:
            t.engineer = engineer
            t.save(update_fields=["engineer"])
            record_event(target=t, verb=Event.Verb.ASSIGNED, actor=actor, **said)
        _notify_new(t)
    return t


def _first_response(t: ServiceTicket, now: datetime) -> None:
    if t.first_response_at is None:
        t.first_response_at = now


def _end_pause(t: ServiceTicket, now: datetime) -> None:
    """Waiting time does not count: move the open deadlines by the working time spent waiting."""
    if t.paused_since is None:
        return
    t.respond_by, t.resolve_by, held = rules.extend_after_pause(
        respond_by=t.respond_by,
        resolve_by=t.resolve_by,
        responded=t.first_response_at is not None,
        paused_since=t.paused_since,
        now=now,
        cal=working_calendar(),
    )
    t.paused_seconds += int(held.total_seconds())
    t.paused_since = None


def _move(
    ticket, actor, action: str, text=None, params=None, before=None, after=None, refusal: str = "", state=None
) -> ServiceTicket:
    """Run one status transition of a ticket (locked, allowed for `actor`, timeline event); `state(t, now)` refuses (409)
    what the ticket's state beyond its status no longer allows, `before(t, now)` sets the fields of the change,
    `after(t)` notifies in the same transaction."""
    now = timezone.now()

    def check(x):
        if state:
            state(x, now)
        _allowed(x, actor, action, refusal or _("您不能处理这个工单。"))

    with transaction.atomic():
        t = transition(
            obj=ticket,
            action=action,
            actor=actor,
            check=check,
            before_save=(lambda x: before(x, now)) if before else None,
            text=text,
            params=params,
        )
        if after:
            after(t)
    return t


def ticket_start(*, ticket: ServiceTicket, actor) -> ServiceTicket:
    return _move(ticket, actor, "start", before=lambda t, now: _first_response(t, now))


def ticket_wait(*, ticket: ServiceTicket, actor, note: str = "") -> ServiceTicket:
    """Waiting for the customer (parts, a reply, access to the site): the SLA clock stops — so the reason is required
    (what is awaited, on the timeline); without it nothing changes."""
    note = required_text(note, _("请填写等待客户的原因（等待期间 SLA 暂停计时）。"))

    def before(t, now):
        _first_response(t, now)
        t.paused_since = now

    return _move(ticket, actor, "wait", gettext_noop("等待客户，SLA 暂停计时：%(note)s"), {"note": note}, before=before)


def ticket_resume(*, ticket: ServiceTicket, actor) -> ServiceTicket:
    return _move(ticket, actor, "resume", gettext_noop("客户已回复，SLA 恢复计时"), before=lambda t, now: _end_pause(t, now))


def ticket_resolve(*, ticket: ServiceTicket, actor, resolution: str) -> ServiceTicket:
    resolution = required_text(resolution, _("请填写处理结果。"))

    def before(t, now):
        _end_pause(t, now)
        _first_response(t, now)
        t.resolution, t.resolved_at = resolution, now

    def tell(t):
        notify(
            recipients=[t.created_by],
            title=gettext_lazy("服务工单已解决：%(number)s"),
            params={"number": t.number},
            url=page("ticket_detail", t.pk),
        )

    return _move(ticket, actor, "resolve", gettext_noop("已解决：%(text)s"), {"text": resolution}, before=before, after=tell)


def ticket_close(*, ticket: ServiceTicket, actor) -> ServiceTicket:
    return _move(ticket, actor, "close", before=lambda t, now: setattr(t, "closed_at", now))


def ticket_reopen(*, ticket: ServiceTicket, actor, reason: str) -> ServiceTicket:
    """Reopen a resolved or closed ticket within `ticket_reopen_days` of its resolution (the customer's problem is back)."""
    reason = required_text(reason, _("请填写重新打开的原因。"))
    days = int(setting("ticket_reopen_days"))

    def in_time(t, now):
        if t.resolved_at and now - t.resolved_at > timedelta(days=days):
            raise Conflict(
                _("工单 %(number)s 解决已超过 %(days)s 天，不能重新打开；请新建工单。") % {"number": t.number, "days": days}
            )

    def before(t, now):
        t.reopen_count += 1
        t.resolved_at = t.closed_at = None

    def tell(t):
        if t.engineer_id:
            notify(
                recipients=[t.engineer],
                title=gettext_lazy("服务工单被重新打开：%(number)s"),
                params={"number": t.number},
                body=reason,
                url=page("ticket_detail", t.pk),
            )

    return _move(
        ticket,
        actor,
        "reopen",
        gettext_noop("重新打开：%(reason)s"),
        {"reason": reason},
        before=before,
        after=tell,
        refusal=_("只有处理该工单的工程师、客服和登记人可以重新打开工单。"),
        state=in_time,
    )


def ticket_cancel(*, ticket: ServiceTicket, actor, reason: str) -> ServiceTicket:
    reason = required_text(reason, _("请填写取消原因。"))
    return _move(
        ticket,
        actor,
        "cancel",
        gettext_noop("取消：%(reason)s"),
        {"reason": reason},
        before=lambda t, now: setattr(t, "cancel_reason", reason[:300]),
    )


def ticket_log(
    *,
    ticket: ServiceTicket,
    actor,
    kind: str,
    summary: str,
    counterpart: str = "",
    happened_at=None,
    upload=None,
    once_key: uuid.UUID | None = None,
) -> TicketCommunication:
    """One entry of the communication log (电话/传真/收件/发件/上门) with an optional file; an outgoing contact is the
    ticket's first response if there was none. `once_key` (the form's hidden key, the API's Idempotency-Key): the same
    submission again records nothing and raises core.once.Replayed with the entry it recorded (salesops.core.once) —
    checked under the ticket's lock, so a twin sent at once waits there and then finds the first; the key again with
    other input is refused (409) and records nothing."""
    sent = once_fingerprint(
        ticket=ticket, kind=kind, summary=summary, counterpart=counterpart, happened_at=happened_at, upload=upload
    )
    if kind not in TicketCommunication.Kind.values:
        raise DomainError(_("请选择沟通方式。"))
    summary = required_text(summary, _("请填写沟通内容。"))
    now = timezone.now()
    happened_at = happened_at or now
    if happened_at > now:
        raise DomainError(_("沟通时间不能晚于现在。"))
    with transaction.atomic():
        t = lock(ServiceTicket, ticket)
        return create_once(
            TicketCommunication,
            key=once_key,
            actor=actor,
            by="by",
            fingerprint=sent,
            create=lambda: _log(t, actor, kind, summary, counterpart, happened_at, upload, once_key),
            replayed=lambda e: (
                _("这条沟通记录已经提交过（%(kind)s，%(when)s），没有重复记录。")
                % {"kind": e.get_kind_display(), "when": timezone.localtime(e.happened_at).strftime("%Y-%m-%d %H:%M")}
            ),
        )


def _log(t: ServiceTicket, actor, kind, summary, counterpart, happened_at, upload, key) -> TicketCommunication:
    require_state(t.status != S.CANCELLED, t, _("记录沟通"))
    _allowed(t, actor, "log", _("您不能在这个工单上记录沟通。"))
    registered = timezone.localtime(t.created_at).date()
    if timezone.localtime(happened_at).date() < registered:
        raise DomainError(
            _("沟通时间不能早于工单登记日期（%(day)s），填写的是 %(when)s。")
            % {"day": registered, "when": timezone.localtime(happened_at).strftime("%Y-%m-%d %H:%M")}
        )
    attachment = attachment_add(target=t, actor=actor, upload=upload, kind=Attachment.Kind.GENERAL) if upload else None
    entry = TicketCommunication.objects.create(
        ticket=t,
        kind=kind,
        happened_at=happened_at,
        counterpart=(counterpart or "").strip()[:100],
        summary=summary,
        attachment=attachment,
        by=actor,
        once_key=key,
    )
    if kind in TicketCommunication.OUTGOING and t.first_response_at is None and t.is_active:
        t.first_response_at = happened_at
        t.save(update_fields=["first_response_at"])
    record_event(
        target=t,
        verb=Event.Verb.NOTE,
        actor=actor,
        text=gettext_noop("%(kind)s（%(counterpart)s）：%(summary)s")
        if entry.counterpart
        else gettext_noop("%(kind)s：%(summary)s"),
        params={"kind": choice(entry, "kind"), "counterpart": entry.counterpart, "summary": summary},
    )
    return entry


def ticket_add_part(
    *,
    ticket: ServiceTicket,
    actor,
    quantity,
    product=None,
    name: str = "",
    lot_no: str = "",
    note: str = "",
    once_key: uuid.UUID | None = None,
) -> TicketPart:
    """A spare part used on the ticket (备件): a catalog product or a named part, with quantity and lot. `once_key`: the
    same submission again registers nothing and raises core.once.Replayed with the part it registered (checked under
    the ticket's lock, as ticket_log; the key again with other input is refused, 409)."""
    sent = once_fingerprint(ticket=ticket, quantity=quantity, product=product, name=name, lot_no=lot_no, note=note)
    qty = parse_decimal(quantity, _("数量"))
    if qty <= 0:
        raise DomainError(_("数量必须大于 0。"))
    if product:
        product = Product.objects.filter(pk=getattr(product, "pk", product)).first()
        if product is None:
            raise DomainError(_("产品不存在。"))
    name = (name or "").strip() or (product.name if product else "")
    if not name:
        raise DomainError(_("请选择备件产品或填写备件名称。"))
    with transaction.atomic():
        t = lock(ServiceTicket, ticket)
        return create_once(
            TicketPart,
            key=once_key,
            actor=actor,
            by="by",
            fingerprint=sent,
            create=lambda: _add_part(t, actor, qty, product, name, lot_no, note, once_key),
            replayed=lambda p: (
                _("这项备件已经登记过（%(name)s × %(qty)s），没有重复登记。") % {"name": p.name, "qty": plain(p.quantity)}
            ),
        )


def _add_part(t: ServiceTicket, actor, qty, product, name, lot_no, note, key) -> TicketPart:
    require_state(t.is_active, t, _("登记备件"))
    _allowed(t, actor, "add_part", _("只有处理该工单的工程师和客服可以登记备件。"))
    part = TicketPart.objects.create(
        ticket=t,
        product=product or None,
        name=name[:200],
        quantity=qty,
        lot_no=(lot_no or "").strip()[:40],
        note=(note or "").strip()[:200],
        by=actor,
        once_key=key,
    )
    record_event(
        target=t,
        verb=Event.Verb.NOTE,
        actor=actor,
        text=gettext_noop("使用备件：%(name)s × %(qty)s"),
        params={"name": name, "qty": qty},
    )
    return part


# --- the SLA sweep (beat) ---------------------------------------------------------------------------------------------
RUNNING = (S.OPEN, S.ASSIGNED, S.IN_PROGRESS)


def _sweep(qs, stamp: str, now) -> list[ServiceTicket]:
    """Stamp `stamp` = now on the matching tickets not stamped yet (a conditional UPDATE: one run wins each ticket);
    return the tickets this run stamped."""
    if not qs.filter(**{f"{stamp}__isnull": True}).update(**{stamp: now}):
        return []
    return list(ServiceTicket.objects.filter(**{stamp: now}).select_related("engineer", "customer"))


def tickets_check_sla(*, now=None) -> dict[str, int]:
    """Every few minutes (beat): warn the engineer (or the team) `sla_warn_hours` before a respond-by or resolve-by, and
    escalate to the service lead once a deadline passed — each once per ticket. Paused tickets are skipped."""
    now = now or timezone.now()
    soon = now + sla_warn()
    running = ServiceTicket.objects.filter(status__in=RUNNING, paused_since__isnull=True)
    unanswered = running.filter(first_response_at__isnull=True)
    unresolved = running.filter(resolved_at__isnull=True)
    counts = {}
    with transaction.atomic():
        for key, qs, stamp, deadline in (
            ("response_warned", unanswered.filter(respond_by__lte=soon, respond_by__gt=now), "response_warned_at", "respond_by"),
            (
                "resolution_warned",
                unresolved.filter(resolve_by__lte=soon, resolve_by__gt=now),
                "resolution_warned_at",
                "resolve_by",
            ),
            ("response_breached", unanswered.filter(respond_by__lte=now), "response_breached_at", "respond_by"),
            ("resolution_breached", unresolved.filter(resolve_by__lte=now), "resolution_breached_at", "resolve_by"),
        ):
            tickets = _sweep(qs, stamp, now)
            counts[key] = len(tickets)
            for t in tickets:
                _sla_notice(t, key, getattr(t, deadline))
    return counts


def _sla_notice(t: ServiceTicket, key: str, deadline) -> None:
    when = timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")
    what = T(gettext_noop("响应") if key.startswith("response") else gettext_noop("解决"))
    params = {"number": t.number, "what": what, "when": when}
    if key.endswith("warned"):
        text = gettext_noop("SLA 即将超时：%(number)s %(what)s期限 %(when)s")
        recipients = [t.engineer] if t.engineer_id else list(service_team())
    else:
        text, params["customer"] = gettext_noop("SLA 已超时：%(number)s %(what)s期限 %(when)s（%(customer)s）"), t.customer.name
        recipients = [*service_leads(), *([t.engineer] if t.engineer_id else [])]
    notify(recipients=recipients, title=text, params=params, url=page("ticket_detail", t.pk))
    record_event(target=t, verb=Event.Verb.NOTE, text=text, params=params)


__all__ = [
    "ticket_add_part",
    "ticket_assign",
    "ticket_cancel",
    "ticket_close",
    "ticket_create",
    "ticket_log",
    "ticket_reopen",
    "ticket_resolve",
    "ticket_resume",
    "ticket_start",
    "ticket_wait",
    "tickets_check_sla",
]
