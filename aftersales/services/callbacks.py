"""Satisfaction callbacks (回访): scheduling after delivery, the morning queue, recording, escalation, follow-up documents.

Seed: 产品交付后，销售部对产品的质量及时进行跟踪回访 … 对于在跟踪回访时顾客提出的质量问题，销售部应做好记录，
并向顾客详细介绍产品办理索赔或退换的事项 (销售及服务过程控制程序 4.x).

Scheduling is set-based: one INSERT … SELECT … ON CONFLICT DO NOTHING per active CallbackRule, so 10,000 deliveries
cost the same number of queries as one, and the unique constraint (shipment, offset_days) makes every rerun, a second
worker or a redelivered task a no-op. The morning queue and the escalation are conditional UPDATEs: only the run whose
UPDATE changed a row notifies about it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from customers.models import Customer
from orders.models import SalesOrder, Shipment, ShipmentLine
from salesops.core.errors import Conflict, DomainError
from salesops.core.eventtext import source_text
from salesops.core.models import Event
from salesops.core.names import display_name
from salesops.core.notifications import notify
from salesops.core.timeline import choice, record_event
from salesops.core.transitions import transition

from .. import rules
from ..config import setting
from ..models import Callback, CallbackAttempt, CallbackRule, Channel, Complaint, ServiceTicket
from ..permissions import callback_allowed_actions, may_make_callback, sees_desk
from .common import User, lock, page, require_action, require_state, service_leads, service_team, user_name, user_param

PENDING = (Callback.Status.SCHEDULED, Callback.Status.OPEN)


# --- scheduling -------------------------------------------------------------------------------------------------------
def _insert_sql(rule: CallbackRule, *, shipment_ids: list[int] | None, delivered_since: date | None) -> tuple[str, list]:
    """INSERT … SELECT of the callbacks of `rule` for the delivered shipments (optionally only `shipment_ids` or those
    delivered since a day); the database skips (shipment, offset) pairs that exist. A delivery refused whole gets none,
    nor one of an order that has this day's callback still to make."""
    q = connection.ops.quote_name
    cb, sh, so, cu = (q(m._meta.db_table) for m in (Callback, Shipment, SalesOrder, Customer))
    if connection.vendor == "postgresql":
        due, due_params = "s.delivered_on + %s", [rule.offset_days]
    else:  # SQLite keeps dates as ISO text
        due, due_params = "date(s.delivered_on, %s)", [f"+{rule.offset_days} days"]
    kind, user_id = rules.callback_assignee(assign_to=rule.assign_to, service_user_id=rule.service_user_id)
    assignee, assignee_params = {"rep": ("o.owner_id", []), "user": ("%s", [user_id]), "team": ("NULL", [])}[kind]
    shl = q(ShipmentLine._meta.db_table)
    # a delivery the customer signed for something of (not one refused whole), of an order without a callback of this
    # rule's day still to make (a second delivery of the order — 补发, a partial shipment — is not called about twice)
    where = [
        "s.status = %s",
        "s.delivered_on IS NOT NULL",
        f"EXISTS (SELECT 1 FROM {shl} l WHERE l.shipment_id = s.id AND l.delivered_quantity > 0)",
        f"NOT EXISTS (SELECT 1 FROM {cb} p WHERE p.order_id = s.order_id AND p.offset_days = %s AND p.status IN (%s, %s))",
    ]
    where_params = [Shipment.Status.DELIVERED, rule.offset_days, *PENDING]
    if shipment_ids is not None:
        where.append(f"s.id IN ({', '.join(['%s'] * len(shipment_ids))})")
        where_params += shipment_ids
    if delivered_since is not None:
        where.append("s.delivered_on >= %s")
        where_params.append(connection.ops.adapt_datefield_value(delivered_since))
    if rule.customer_type:
        where.append("c.type = %s")
        where_params.append(rule.customer_type)
    sql = (
        f"INSERT INTO {cb} (order_id, shipment_id, customer_id, rule_id, offset_days, due_on, queue_on, assignee_id, status,"
        " attempts, channel, quality_problem, notes, cancel_reason, created_at)"
        f" SELECT s.order_id, s.id, o.customer_id, %s, %s, {due}, {due}, {assignee}, %s, 0, '', %s, '', '', %s"
        f" FROM {sh} s JOIN {so} o ON o.id = s.order_id JOIN {cu} c ON c.id = o.customer_id"
        f" WHERE {' AND '.join(where)}"
        " ON CONFLICT (shipment_id, offset_days) DO NOTHING"
    )
    params = [rule.pk, rule.offset_days, *due_params, *due_params, *assignee_params, Callback.Status.SCHEDULED, False]
    params += [connection.ops.adapt_datetimefield_value(timezone.now()), *where_params]
    return sql, params


def callbacks_schedule(*, shipment_ids: Iterable[int] | None = None, delivered_since: date | None = None) -> int:
    """Create the missing callbacks of delivered shipments for every active rule (all of them, only `shipment_ids`, or only
    those delivered since `delivered_since`); returns how many were created. Safe to run any number of times at once."""
    ids = None if shipment_ids is None else sorted({int(i) for i in shipment_ids})
    if ids == []:
        return 0
    created = 0
    with connection.cursor() as cursor:
        for rule in CallbackRule.objects.filter(is_active=True):
            sql, params = _insert_sql(rule, shipment_ids=ids, delivered_since=delivered_since)
            cursor.execute(sql, params)
            created += max(cursor.rowcount, 0)
    return created


def on_order_delivered(*, shipment) -> None:
    """Hook "order_delivered" (salesops.core.hooks): schedule this delivery's callbacks in the delivery's transaction."""
    callbacks_schedule(shipment_ids=[shipment.pk])


def callbacks_backfill(*, today: date | None = None) -> int:
    """Morning catch-up: callbacks for deliveries of the last `callback_backfill_days` days that have none yet for a rule
    (a rule added or switched on later, a delivery recorded while the hook's subscriber was not installed)."""
    today = today or timezone.localdate()
    return callbacks_schedule(delivered_since=today - timedelta(days=int(setting("callback_backfill_days"))))


# --- the morning queue and escalation ----------------------------------------------------------------------------------
def _bulk_events(ids: list[int], *, text: str, from_status: str = "", to_status: str = "") -> None:
    """One timeline row per callback saying `text` (a msgid without parameters), written in one statement."""
    ct = ContentType.objects.get_for_model(Callback)
    Event.objects.bulk_create(
        [
            Event(
                target_type=ct,
                target_id=pk,
                verb=Event.Verb.STATUS if to_status else Event.Verb.NOTE,
                msgid=text,
                params={},
                message=source_text(text, {}),
                from_status=from_status,
                to_status=to_status,
            )
            for pk in ids
        ],
        batch_size=500,
    )


def callbacks_queue_due(*, today: date | None = None, now=None) -> int:
    """Put the callbacks whose day has come into their assignee's queue (or the service team's) and tell them, once:
    the conditional UPDATE moves each row exactly once, however many workers run this at the same time. Never before its
    due day (a retry day recorded early, before that was refused, waits for it: it could not be recorded anyway)."""
    today, now = today or timezone.localdate(), now or timezone.now()
    with transaction.atomic():
        moved = Callback.objects.filter(status=Callback.Status.SCHEDULED, queue_on__lte=today, due_on__lte=today).update(
            status=Callback.Status.OPEN, queued_at=now
        )
        if not moved:
            return 0
        queued = Callback.objects.filter(status=Callback.Status.OPEN, queued_at=now)
        _bulk_events(
            list(queued.values_list("pk", flat=True)),
            text=gettext_noop("进入回访队列"),
            from_status=Callback.Status.SCHEDULED,
            to_status=Callback.Status.OPEN,
        )
        users = {u.pk: u for u in User.objects.filter(pk__in=queued.exclude(assignee=None).values("assignee"))}
        for row in queued.values("assignee").annotate(n=Count("id"), first=Min("id")).order_by("assignee"):
            user = users.get(row["assignee"])
            notify(
                recipients=[user] if user else service_team(),
                title=gettext_lazy("今日待回访：%(n)d 个客户"),
                body=gettext_lazy("请在回访队列中记录回访结果（方式、是否联系上、产品/交付/服务评分、记录）。"),
                params={"n": row["n"]},
                url=_queue_url(user, row["n"], row["first"]),
            )
    return moved


def _queue_url(assignee, n: int, first_id: int) -> str:
    """Where the morning's message sends its reader: the service team (and a named assignee who may open it) to the desk's
    callback queue; any other assignee — a rep — to the callback itself, or to the list of their open callbacks."""
    if assignee is None or sees_desk(assignee):
        return page("desk") + "#callbacks"
    if n == 1:
        return page("callback_detail", first_id)
    return page("callback_list") + "?" + urlencode({"status": Callback.Status.OPEN, "assignee": assignee.pk})


def callbacks_escalate_overdue(*, today: date | None = None, now=None) -> int:
    """Callbacks still not done `callback_escalate_days` after their due day go to the service lead — once each."""
    today, now = today or timezone.localdate(), now or timezone.now()
    cutoff = rules.escalation_cutoff(today, int(setting("callback_escalate_days")))
    with transaction.atomic():
        escalated = Callback.objects.filter(status__in=PENDING, due_on__lte=cutoff, escalated_at__isnull=True).update(
            escalated_at=now
        )
        if not escalated:
            return 0
        rows = Callback.objects.filter(escalated_at=now).select_related("order", "customer", "assignee").order_by("due_on", "pk")
        _bulk_events(list(rows.values_list("pk", flat=True)), text=gettext_noop("回访逾期，已上报客服负责人"))
        lines = [
            f"{cb.order.number} {cb.customer.name} — {_('应回访')} {cb.due_on:%Y-%m-%d}，{user_name(cb.assignee)}"
            for cb in rows[:20]
        ]
        notify(
            recipients=service_leads(),
            title=gettext_lazy("回访逾期未完成：%(n)d 个"),
            params={"n": escalated},
            body="\n".join(lines) + ("\n…" if escalated > len(lines) else ""),
            url=page("callback_list") + "?overdue=1",
        )
    return escalated


def callbacks_morning(*, today: date | None = None) -> dict[str, int]:
    """The beat job of each morning: catch up scheduling, queue what is due, escalate what is overdue."""
    today = today or timezone.localdate()
    return {
        "scheduled": callbacks_backfill(today=today),
        "queued": callbacks_queue_due(today=today),
        "escalated": callbacks_escalate_overdue(today=today),
    }


# --- recording --------------------------------------------------------------------------------------------------------
def _score(value, label: str) -> int:
    try:
        score = int(value)
    except (TypeError, ValueError):
        raise DomainError(_("请为%(label)s打分（1–5）。") % {"label": label}) from None
    if not rules.valid_score(score):
        raise DomainError(_("%(label)s应为 1–5 分。") % {"label": label})
    return score


def callback_record(
    *,
    callback: Callback,
    actor,
    channel: str,
    reached: bool,
    score_product=None,
    score_delivery=None,
    score_service=None,
    quality_problem: bool = False,
    notes: str = "",
    retry_on: date | None = None,
) -> Callback:
    """Record a call or visit. Reached: three scores 1–5 and notes complete the callback; a score ≤ 2 or a quality problem
    tells the rep and the service lead (the page then offers a complaint or a ticket in one click). Not reached: it comes
    back to the queue on `retry_on` (default: in `callback_retry_days` days), never before its due day.
    Nothing is recorded before the callback's due day (rules.callback_record_refusal: a day-30 callback is not made on
    day 0, nor is a not-reached attempt a way to queue it early): 409 saying from which day."""
    if channel not in Channel.values:
        raise DomainError(_("请选择回访方式。"))
    notes = (notes or "").strip()
    today = timezone.localdate()
    if reached:
        scores = {
            "score_product": _score(score_product, _("产品")),
            "score_delivery": _score(score_delivery, _("交付")),
            "score_service": _score(score_service, _("服务")),
        }
    else:
        retry_on = retry_on or today + timedelta(days=int(setting("callback_retry_days")))
        refusal = rules.future_day_refusal(retry_on, today=today, label=_("再次回访日期"), allow_today=False)
        if refusal:
            raise DomainError(refusal)

    def check(cb):
        require_action("record", callback_allowed_actions(cb, actor), _("该回访不是分配给您的，只有回访人和客服可以记录。"))

    with transaction.atomic():
        current = lock(Callback, callback)
        if current.status not in PENDING:
            who = user_name(current.done_by) if current.done_by_id else ""
            raise Conflict(
                _("该回访已是“%(status)s”状态%(who)s，不能重复记录。")
                % {"status": current.get_status_display(), "who": f"（{who}）" if who else ""}
            )
        refusal = rules.callback_record_refusal(due_on=current.due_on, today=today)
        if refusal:  # who may make it hears from which day (409); anybody else that it is not theirs (403)
            check_on_due_day = callback_allowed_actions(current, actor, today=current.due_on)
            require_action("record", check_on_due_day, _("该回访不是分配给您的，只有回访人和客服可以记录。"))
            raise Conflict(refusal)
        if reached:

            def complete(cb):
                for name, value in scores.items():
                    setattr(cb, name, value)
                cb.channel, cb.quality_problem, cb.notes = channel, bool(quality_problem), notes
                cb.done_by, cb.done_at, cb.attempts = actor, timezone.now(), cb.attempts + 1

            done = transition(
                obj=current,
                action="complete",
                actor=actor,
                check=check,
                before_save=complete,
                text=gettext_noop("回访完成（%(channel)s）：产品 %(p)s 分，交付 %(d)s 分，服务 %(s)s 分，反映质量问题")
                if quality_problem
                else gettext_noop("回访完成（%(channel)s）：产品 %(p)s 分，交付 %(d)s 分，服务 %(s)s 分"),
                params={
                    "channel": choice(current, "channel", channel),
                    "p": scores["score_product"],
                    "d": scores["score_delivery"],
                    "s": scores["score_service"],
                },
            )
            CallbackAttempt.objects.create(callback=done, channel=channel, reached=True, notes=notes, by=actor)
            if rules.needs_follow_up(scores=scores.values(), quality_problem=bool(quality_problem)):
                _tell_about_problem(done)
            return done

        retry_on = rules.callback_requeue_day(due_on=current.due_on, retry_on=retry_on)

        def later(cb):
            cb.attempts, cb.queue_on, cb.queued_at = cb.attempts + 1, retry_on, None

        done = transition(
            obj=current,
            action="retry_later",
            actor=actor,
            check=check,
            before_save=later,
            text=gettext_noop("未联系上客户（%(channel)s），%(day)s 再次回访"),
            params={"channel": choice(current, "channel", channel), "day": retry_on},
        )
        CallbackAttempt.objects.create(callback=done, channel=channel, reached=False, notes=notes, by=actor)
        return done


def _tell_about_problem(cb: Callback) -> None:
    order = SalesOrder.objects.select_related("owner", "customer").get(pk=cb.order_id)
    notify(
        recipients=[order.owner, *service_leads()],
        title=gettext_lazy("回访发现问题：%(customer)s（订单 %(order)s），最低 %(score)s 分"),
        params={"customer": order.customer.name, "order": order.number, "score": cb.lowest_score},
        body=cb.notes,
        url=page("callback_detail", cb.pk),
    )


def callback_reassign(*, callback: Callback, actor, assignee) -> Callback:
    """Hand a pending callback to an active service user or to the customer's own rep (None: back to the service team's
    queue) — nobody else: the callback shows the customer's order, delivery and scores (permissions.may_make_callback)."""
    with transaction.atomic():
        cb = lock(Callback, callback, related=("customer", "order"))
        require_state(cb.status in PENDING, cb, _("转派"))
        require_action("reassign", callback_allowed_actions(cb, actor), _("只有客服和经理可以转派回访。"))
        if assignee is not None and not may_make_callback(assignee, cb):
            raise DomainError(
                _("回访只能分配给在职的客服，或该客户的业务员（%(owner)s）。")
                % {"owner": "、".join(sorted({display_name(cb.customer.owner), display_name(cb.order.owner)}))}
            )
        before = user_param(cb.assignee)
        cb.assignee = assignee
        cb.save(update_fields=["assignee"])
        record_event(
            target=cb,
            verb=Event.Verb.ASSIGNED,
            actor=actor,
            text=gettext_noop("回访人：%(old)s → %(new)s"),
            params={"old": before, "new": user_param(assignee)},
        )
        if cb.status == Callback.Status.OPEN:
            notify(
                recipients=[assignee] if assignee else service_team(),
                title=gettext_lazy("转派给您的回访：%(cb)s"),
                params={"cb": cb.label_param},
                url=page("callback_detail", cb.pk),
            )
    return cb


def callback_cancel(*, callback: Callback, actor, reason: str) -> Callback:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写取消原因。"))
    return transition(
        obj=callback,
        action="cancel",
        actor=actor,
        check=lambda cb: require_action("cancel", callback_allowed_actions(cb, actor), _("只有客服和经理可以取消回访。")),
        before_save=lambda cb: setattr(cb, "cancel_reason", reason[:300]),
        text=gettext_noop("取消回访：%(reason)s"),
        params={"reason": reason},
    )


# --- one click to a complaint or a ticket ------------------------------------------------------------------------------
def _follow_up_text(cb: Callback) -> str:
    return _("回访（%(day)s，%(channel)s）：产品 %(p)s 分，交付 %(d)s 分，服务 %(s)s 分。%(notes)s") % {
        "day": timezone.localtime(cb.done_at).strftime("%Y-%m-%d") if cb.done_at else "",
        "channel": cb.get_channel_display(),
        "p": cb.score_product,
        "d": cb.score_delivery,
        "s": cb.score_service,
        "notes": cb.notes,
    }


def _require_follow_up_free(cb: Callback, what: str, *, ticket: bool = False) -> None:
    """409 unless the (locked) callback is done and has no complaint (`ticket`: no ticket) yet: a second click, or a
    callback not made yet, is a state the callback is in, not a right the user lacks."""
    require_state(cb.status == Callback.Status.DONE, cb, what)
    if ticket:
        number = ServiceTicket.objects.filter(source_callback=cb).values_list("number", flat=True).first()
        if number:
            raise Conflict(_("该回访已转为服务工单 %(number)s。") % {"number": number})
    else:
        number = Complaint.objects.filter(source_callback=cb).values_list("number", flat=True).first()
        if number:
            raise Conflict(_("该回访已转为投诉 %(number)s。") % {"number": number})


def callback_open_complaint(*, callback: Callback, actor):
    """Open a complaint from a done callback (linked both ways: complaint.source_callback / callback.complaint)."""
    from .complaints import complaint_create

    with transaction.atomic():
        cb = lock(Callback, callback, related=("order",))
        _require_follow_up_free(cb, _("转为投诉"))
        require_action("open_complaint", callback_allowed_actions(cb, actor), _("您不能登记投诉。"))
        try:
            with transaction.atomic():
                complaint = complaint_create(
                    actor=actor,
                    customer=cb.customer_id,
                    data={
                        "order": cb.order_id,
                        "description": _follow_up_text(cb),
                        "severity": "major" if (cb.lowest_score or 5) <= 1 or cb.quality_problem else "minor",
                        "channel": cb.channel or Channel.PHONE,
                        "source_callback": cb,
                    },
                )
        except IntegrityError:
            raise Conflict(_("该回访已经转为投诉。")) from None
        record_event(
            target=cb,
            verb=Event.Verb.NOTE,
            actor=actor,
            text=gettext_noop("转为投诉 %(number)s"),
            params={"number": complaint.number},
        )
    return complaint


def callback_open_ticket(*, callback: Callback, actor, ticket_type: str = "repair"):
    """Open a service ticket from a done callback (linked both ways: ticket.source_callback / callback.ticket)."""
    from .tickets import ticket_create

    with transaction.atomic():
        cb = lock(Callback, callback, related=("order",))
        _require_follow_up_free(cb, _("转为服务工单"), ticket=True)
        require_action("open_ticket", callback_allowed_actions(cb, actor), _("您不能登记服务工单。"))
        try:
            with transaction.atomic():
                ticket = ticket_create(
                    actor=actor,
                    customer=cb.customer_id,
                    data={
                        "ticket_type": ticket_type,
                        "priority": "high" if cb.quality_problem or (cb.lowest_score or 5) <= rules.LOW_SCORE else "normal",
                        "subject": _("回访反馈：订单 %(order)s") % {"order": cb.order.number},
                        "description": _follow_up_text(cb),
                        "order": cb.order_id,
                        "source_callback": cb,
                    },
                )
        except IntegrityError:
            raise Conflict(_("该回访已经转为服务工单。")) from None
        record_event(
            target=cb,
            verb=Event.Verb.NOTE,
            actor=actor,
            text=gettext_noop("转为服务工单 %(number)s"),
            params={"number": ticket.number},
        )

    return ticket


__all__ = [
    "callback_cancel",
    "callback_open_complaint",
    "callback_open_ticket",
    "callback_reassign",
    "callback_record",
    "callbacks_backfill",
    "callbacks_escalate_overdue",
    "callbacks_morning",
    "callbacks_queue_due",
    "callbacks_schedule",
    "on_order_delivered",
]
