"""Outbound notes (出货单, SPEC.md "Shipment"): prepared from what passed inspection or was released, released through
the payment gate, shipped by the warehouse (shipped quantities go up under the order's lock), delivered and signed for.

Quantities per order line (passed, released, shipped, delivered) change only under the order's row lock, so
"shipped ≤ ordered" and "ship only passed or released goods" hold under any interleaving; the database constraints on
SalesOrderLine are the last guard."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from catalog.rules import whole_quantity_error
from customers.models import Customer
from salesops.core.editing import required_text, save_as
from salesops.core.errors import Conflict, DomainError, NotFound
from salesops.core.hooks import emit
from salesops.core.models import Event
from salesops.core.money import QUANTITY_BOUNDS, ZERO, money_text, parse_decimal, plain
from salesops.core.notifications import notify
from salesops.core.numbering import next_number
from salesops.core.once import create_once, once_fingerprint
from salesops.core.outbox import outbox_email
from salesops.core.timeline import record_event
from salesops.core.transitions import transition

from .. import rules
from ..models import RefusalReturn, RefusalReturnLine, SalesOrder, SalesOrderLine, Shipment, ShipmentLine
from ..permissions import is_warehouse, may_prepare_shipment, may_record_delivery, require, require_clerk
from ..selectors import noted_amount, order_gate, reserved_quantity
from . import handoffs
from ._common import lock_order, order_url, stamp

SHIPMENT_FIELDS = ("carrier", "route", "freight_payer", "packages", "tracking_no", "planned_on", "notes")


def shipment_create(*, order: SalesOrder, actor, lines: Mapping[int, Any], data: Mapping[str, Any] | None = None) -> Shipment:
    """Prepare an outbound note (出货单) for one order: quantities per line within what passed inspection or was released
    and is not yet shipped or on another open note; the ship-to address is copied so later edits do not change it. The
    planned ship date (计划发货日期) is today or later (_check_planned_on).

    `data["once_key"]` (the form's hidden key, the API's Idempotency-Key): the same submission again makes nothing and
    raises core.once.Replayed with the note it made (salesops.core.once) — checked under the order's lock, before what is
    left to ship, so a twin sent at once waits there and then finds the first; the key again with other input (other
    lines, another order) is refused (409) and makes nothing."""
    data = data or {}
    key = data.get("once_key")
    with transaction.atomic():
        locked = lock_order(order)
        require(may_prepare_shipment(actor), _("只有销售内勤、仓库和经理可以制作出货单。"))
        return create_once(
            Shipment,
            key=key,
            actor=actor,
            by="created_by",
            fingerprint=once_fingerprint(order=locked, lines=lines, data=data),
            create=lambda: _new_shipment(locked, actor, lines, data, key),
            replayed=_replayed,
        )


def _replayed(shipment: Shipment) -> str:
    return _("这张出货单已经提交过，已创建为出货单 %(number)s，没有重复制单。") % {"number": shipment.number}


def _check_planned_on(shipment: Shipment, *, unchanged: date | None = None) -> None:
    """A planned ship date (计划发货日期) the user types or sends is today (the local date) or later, never in the past —
    as an order's promised ship date (orders._check_promised_date). `unchanged`: the date the note already had, kept
    without refusal, should a note's date ever become editable (today it is set only when the note is made)."""
    planned = shipment.planned_on
    if isinstance(planned, date) and planned != unchanged and planned < timezone.localdate():
        raise DomainError(_("计划发货日期不能早于今天。"), field="planned_on")


def _new_shipment(locked: SalesOrder, actor, lines: Mapping[int, Any], data: Mapping[str, Any], key) -> Shipment:
    with transaction.atomic():
        if locked.status not in (SalesOrder.Status.PLACED, SalesOrder.Status.PARTIALLY_SHIPPED):
            raise Conflict(_("订单当前状态为“%(status)s”，不能发货。") % {"status": locked.get_status_display()})
        if locked.needs_reverification:
            raise Conflict(_("订单变更后尚未重新核单，不能发货。"))
        shipment = Shipment(order=locked, created_by=actor, once_key=key)
        for name in SHIPMENT_FIELDS:
            if name in data and data[name] not in (None, ""):
                setattr(shipment, name, data[name])
        _check_planned_on(shipment)
        address = locked.ship_to
        if address is None:
            raise DomainError(_("订单没有收货地址，请先补充。"))
        shipment.ship_to_province, shipment.ship_to_city = address.province, address.city
        shipment.ship_to_address = " ".join(p for p in (address.district, address.address, address.floor) if p)
        shipment.consignee, shipment.consignee_phone = address.consignee, address.phone
        shipment.carrier = shipment.carrier or address.preferred_carrier
        built = _shipment_lines(locked, shipment, lines)
        shipment.amount_incl = sum((sl.amount_incl for sl in built), ZERO)
        shipment.number = next_number("FH")
        save_as(shipment, actor)
        for sl in built:
            sl.shipment = shipment
        ShipmentLine.objects.bulk_create(built)
        # the note's own history starts with who made it and what it holds (its lines never change afterwards: a
        # different note is a new note, the old one is cancelled)
        record_event(
            target=shipment,
            verb=Event.Verb.CREATED,
            actor=actor,
            text=gettext_noop("制作出货单（订单 %(order)s），金额 %(amount)s 元：%(lines)s"),
            params={"order": locked.number, "amount": money_text(shipment.amount_incl), "lines": _lines_text(built)},
        )
        record_event(
            target=locked,
            verb=Event.Verb.UPDATED,
            actor=actor,
            text=gettext_noop("制作出货单 %(number)s，金额 %(amount)s"),
            params={"number": shipment.number, "amount": shipment.amount_incl},
        )
        return shipment


def _lines_text(lines: list[ShipmentLine]) -> list[str]:
    """Each line of a note as its history shows it: name, model, quantity and unit, and the lot when given."""
    out = []
    for sl in lines:
        line = sl.order_line
        text = " ".join(p for p in (line.name, line.model, "×", plain(sl.quantity), line.unit) if p)
        out.append(f"{text} ({sl.lot_no})" if sl.lot_no else text)
    return out


def _refuse_fraction(quantity, line) -> None:
    """1.5 台 is a typing error (catalog.rules.whole_quantity_error): refused naming the line."""
    error = whole_quantity_error(quantity, line.unit)
    if error:
        raise DomainError(f"{line.name}：{error}")


def _shipment_lines(order: SalesOrder, shipment: Shipment, wanted: Mapping[int, Any]) -> list[ShipmentLine]:
    """The note's lines for {order line id: quantity or {quantity, lot_no}}, each within what may still be shipped;
    marks the note when it holds more than passed inspection (emergency-released goods)."""
    by_id = {ln.pk: ln for ln in order.lines.all()}
    other_notes = shipment if shipment.pk else None
    built, emergency = [], False
    for line_id, value in wanted.items():
        qty, lot = (value.get("quantity"), value.get("lot_no", "")) if isinstance(value, Mapping) else (value, "")
        if qty in (None, "", 0, "0"):
            continue
        line = by_id.get(int(line_id))
        if line is None:
            raise DomainError(_("订单明细不存在（编号 %(id)s）。") % {"id": line_id})
        qty = parse_decimal(qty, _("发货数量"), bounds=QUANTITY_BOUNDS.any_sign())
        if qty <= 0:
            raise DomainError(_("%(name)s：发货数量必须大于 0。") % {"name": line.name})
        _refuse_fraction(qty, line)
        reserved = reserved_quantity(line, exclude_shipment=other_notes)
        available = line.shippable_quantity - reserved
        if qty > available:
            raise DomainError(
                _(
                    "%(name)s：本次最多可发 %(available)s（订购 %(ordered)s，已发 %(shipped)s，检验合格 %(passed)s，"
                    "紧急放行 %(released)s，其他出货单占用 %(reserved)s）。"
                )
                % {
                    "name": line.name,
                    "available": plain(max(available, ZERO)),
                    "ordered": plain(line.quantity),
                    "shipped": plain(line.shipped_quantity),
                    "passed": plain(line.passed_quantity),
                    "released": plain(line.released_quantity),
                    "reserved": plain(reserved),
                }
            )
        if line.shipped_quantity + reserved + qty > line.passed_quantity:
            emergency = True
        amount = rules.net_amount(line, qty)
        if line.shipped_quantity + reserved + qty >= line.quantity:
            # the note that ships the last of the line takes what is left of the line's amount (each note's amount is
            # rounded on its own), so the notes of a fully shipped line add up to the line's amount exactly
            amount = line.amount_incl - noted_amount(line, exclude_shipment=other_notes)
        built.append(ShipmentLine(order_line=line, quantity=qty, lot_no=str(lot or "").strip()[:40], amount_incl=amount))
    if not built:
        raise DomainError(_("请至少填写一行发货数量。"))
    shipment.has_emergency_release = emergency
    return built


def shipment_release(*, shipment: Shipment, actor) -> Shipment:
    """Release an outbound note for the warehouse: only with the payment due confirmed by finance or an approved credit
    exception, and with quantities still available (rechecked under the order lock)."""
    with transaction.atomic():
        order = lock_order(shipment.order_id)
        require_clerk(actor)
        if order.customer.credit_limit:
            # the credit check reads what the customer owes over all its orders: one release of its notes at a time
            # (the customer after the order, the lock order of every writer here)
            Customer.objects.select_for_update().filter(pk=order.customer_id).first()
        gate = order_gate(order)

        def check(s):
            if not gate.open:
                raise Conflict(
                    _("不能放行：%(reason)s 可解除者：%(who)s") % {"reason": gate.reason, "who": rules.GATE_UNBLOCKERS}
                )
            if order.needs_reverification:
                raise Conflict(_("订单变更后尚未重新核单，不能放行。"))
            _shipment_lines(order, s, {sl.order_line_id: sl.quantity for sl in s.lines.all()})

        def before(s):
            s.released_by, s.released_at = actor, timezone.now()
            over_credit = gate.credit is not None and gate.credit.over > 0
            if gate.exception and (gate.paid < gate.due or over_credit):
                s.release_basis = _("信用放行")
            elif not gate.due:
                s.release_basis = _("信用账期客户，发货前无需付款")
            else:
                s.release_basis = _("财务已确认到账 %(paid)s 元") % {"paid": money_text(gate.paid)}

        released = transition(obj=shipment, action="release", actor=actor, check=check, before_save=before)
        handoffs.shipment_released(released, order)
        return released


def shipment_ship(
    *, shipment: Shipment, actor, tracking_no: str = "", carrier: str = "", packages: int | None = None
) -> Shipment:
    """The warehouse sends released goods: shipped quantities go up (never above ordered, passed + released), the order
    becomes partially or fully shipped, the rep is told in-app and the customer's contact by e-mail after commit.

    The goods leave with a tracking number (运单号), by which the customer traces them: the one given now, else the one
    entered on the note; without one (blank or spaces) nothing changes and a DomainError asks for it — page and API alike.
    """
    tracking_no = (tracking_no or "").strip()
    with transaction.atomic():
        order = lock_order(shipment.order_id)
        require(is_warehouse(actor), _("只有仓库可以确认发货。"))

        def check(s):
            if not (tracking_no or s.tracking_no.strip()):
                raise DomainError(_("请填写运单号（自提或自送的写“自提”或车牌号），客户凭它查询货物。"))

        def before(s):
            for sl in s.lines.select_related("order_line"):
                line = SalesOrderLine.objects.select_for_update().get(pk=sl.order_line_id)
                if line.shipped_quantity + sl.quantity > min(line.quantity, line.passed_quantity + line.released_quantity):
                    raise Conflict(_("%(name)s：发货数量超过可发数量，请重新制单。") % {"name": line.name})
                line.shipped_quantity += sl.quantity
                line.save(update_fields=["shipped_quantity"])
            s.shipped_by, s.shipped_at = actor, timezone.now()
            if tracking_no:
                s.tracking_no = tracking_no[:60]
            if carrier:
                s.carrier = carrier.strip()[:100]
            if packages:
                s.packages = packages

        locked = transition(obj=shipment, action="ship", actor=actor, check=check, before_save=before)
        everything = not order.lines.filter(shipped_quantity__lt=F("quantity")).exists()
        transition(
            obj=order,
            action="ship_all" if everything else "ship_part",
            actor=actor,
            before_save=stamp("shipped_at") if everything else None,
        )
        notify(
            recipients=[order.owner],
            title=gettext_lazy("已发货：%(number)s（%(order)s，%(customer)s）"),
            params={"number": locked.number, "order": order.number, "customer": order.customer.name},
            url=order_url(order),
            email=False,
        )
        shipment_notify_customer(shipment_id=locked.pk)
    return locked


def shipment_notify_customer(*, shipment_id: int) -> bool:
    """Queue the e-mail telling the order's contact that the goods left, with the after-sales contact and the claims rules:
    an outbox row in the caller's transaction (the shipping one), sent after commit, once per shipment (dedupe key and
    Shipment.customer_notified_at, the time it was queued). Written in the company's language, whoever ships."""
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        shipment = (
            Shipment.objects.select_for_update(of=("self",))
            .select_related("order__contact", "order__customer")
            .get(pk=shipment_id)
        )
        contact = shipment.order.contact
        if shipment.customer_notified_at or contact is None or not contact.email:
            return False
        lines = "\n".join(
            f"- {sl.order_line.name} {sl.order_line.spec} × {plain(sl.quantity)} {sl.order_line.unit}"
            for sl in shipment.lines.select_related("order_line")
        )
        order = shipment.order
        shipped_on = timezone.localtime(shipment.shipped_at).strftime("%Y-%m-%d") if shipment.shipped_at else ""
        body = _(
            "%(contact)s 您好：\n\n贵司订单 %(order)s 的货物已于 %(date)s 发出（出货单 %(number)s，承运：%(carrier)s，"
            "运单号：%(tracking)s，共 %(packages)s 件）：\n%(lines)s\n\n%(claims)s\n%(aftersales)s\n\n%(company)s"
        ) % {
            "contact": contact.name,
            "order": order.customer_po or order.number,
            "number": shipment.number,
            "date": shipped_on,
            "carrier": shipment.carrier or "-",
            "tracking": shipment.tracking_no or "-",
            "packages": shipment.packages,
            "lines": lines,
            "claims": settings.CLAIMS_RULES,
            "aftersales": settings.AFTERSALES_CONTACT,
            "company": settings.COMPANY_NAME,
        }
        outbox_email(
            to=contact.email,
            subject=_("发货通知：%(number)s") % {"number": shipment.number},
            body=body,
            payload={"shipment": shipment.pk},
            dedupe_key=f"shipment-notice:{shipment.pk}",
        )
        shipment.customer_notified_at = timezone.now()
        shipment.save(update_fields=["customer_notified_at"])
    return True


def shipment_deliver(
    *,
    shipment: Shipment,
    actor,
    delivered_on: date | None,
    signer: str,
    exceptions: str = "",
    quantities: Mapping[int, Any] | None = None,
) -> Shipment:
    """Record delivery acceptance (验收): date (today when not given; never after today nor before the goods left), who
    signed, exceptions; delivered quantities per line (default: all)."""
    signer = required_text(signer, _("请填写签收人。"))
    delivered_on = delivered_on or timezone.localdate()
    if delivered_on > timezone.localdate():
        raise DomainError(_("签收日期不能晚于今天。"))
    with transaction.atomic():
        order = lock_order(shipment.order_id)
        require(may_record_delivery(order, actor), _("您没有登记签收的权限。"))

        refused: list[ShipmentLine] = []

        def before(s):
            if s.shipped_at and delivered_on < timezone.localtime(s.shipped_at).date():
                raise DomainError(_("签收日期不能早于发货日期。"))
            refused.clear()  # (the transition may run again after a lock conflict)
            lines = list(s.lines.select_related("order_line"))
            # a quantity for a line that is not this note's (an order line's id, say) would be dropped silently and the
            # whole note taken as signed for
            unknown = sorted({str(key) for key in quantities or {}} - {str(sl.pk) for sl in lines})
            if unknown:
                raise DomainError(_("出货明细不存在（编号 %(id)s）。") % {"id": "、".join(unknown)})
            for sl in lines:
                got = (
                    sl.quantity
                    if quantities is None
                    else parse_decimal(
                        quantities.get(sl.pk, quantities.get(str(sl.pk), sl.quantity)),
                        _("签收数量"),
                        bounds=QUANTITY_BOUNDS.any_sign(),
                    )
                )
                if got < 0 or got > sl.quantity:
                    raise DomainError(_("签收数量应在 0 到发货数量之间。"))
                _refuse_fraction(got, sl.order_line)
                if got < sl.quantity and not exceptions.strip():
                    raise DomainError(_("签收数量少于发货数量，请填写签收异常。"))
                # what was shipped and not signed for was refused (拒收): it waits to come back to the warehouse
                sl.delivered_quantity, sl.refused_quantity = got, sl.quantity - got
                sl.save(update_fields=["delivered_quantity", "refused_quantity"])
                if sl.refused_quantity:
                    refused.append(sl)
                line = SalesOrderLine.objects.select_for_update().get(pk=sl.order_line_id)
                line.delivered_quantity += got
                line.save(update_fields=["delivered_quantity"])
            s.delivered_on, s.signed_by_name, s.delivery_exceptions = delivered_on, signer[:50], exceptions.strip()

        locked = transition(
            obj=shipment,
            action="deliver",
            actor=actor,
            before_save=before,
            text=gettext_noop("客户签收（%(signer)s）%(exc)s"),
            params={"signer": signer, "exc": exceptions},
        )
        if refused:
            _record_refusal(locked, order, actor, refused, exceptions.strip())
        emit("order_delivered", shipment=locked)
        handoffs.shipment_delivered(locked, order)
        return locked


def _refused_text(lines, quantity=lambda sl: sl.refused_quantity) -> list[str]:
    """Each refused (or returned) line as the history shows it: name, model, quantity and unit."""
    out = []
    for sl in lines:
        line = sl.order_line
        out.append(" ".join(p for p in (line.name, line.model, "×", plain(quantity(sl)), line.unit) if p))
    return out


def _record_refusal(shipment: Shipment, order: SalesOrder, actor, refused: list[ShipmentLine], reason: str) -> None:
    """拒收 at delivery acceptance: on the note's and the order's history (what and why), and the warehouse is told the
    goods are coming back (仓库工作台 · 待收回拒收货物)."""
    params = {"number": shipment.number, "lines": _refused_text(refused), "reason": reason}
    for target in (shipment, order):
        record_event(
            target=target,
            verb=Event.Verb.NOTE,
            actor=actor,
            text=gettext_noop("客户拒收 %(number)s：%(lines)s；原因：%(reason)s"),
            params=params,
        )
    handoffs.shipment_refused(shipment, order, params["lines"])


def shipment_receive_refused(
    *,
    shipment: Shipment,
    actor,
    quantities: Mapping[Any, Any],
    received_on: date | None = None,
    note: str = "",
) -> RefusalReturn:
    """拒收退回入库: the warehouse receives back goods the customer refused at delivery — per line of the note the
    quantity received ({出货明细 id: 数量}; blank or 0: none of that line now), never more than refused and not yet back,
    on a date (today when not given; never after today nor before the delivery). The goods no longer count as shipped:
    the order line's shipped quantity goes down by them (passed and released quantities stay, so what passed inspection
    may be shipped again: 补发), the note's and its lines' returned amounts go up by their value (what every reader of
    shipped value subtracts: models.kept_amount), and a fully shipped or closed order is partially shipped again, for
    the clerk (told, with the rep) to ship again or close short (短交关闭). Bad input changes nothing.

    Under the order's lock (every writer of order lines takes it first), then the note, then its lines in pk order and
    the order lines in pk order: two receipts at once have one effect, the second finds nothing left to receive."""
    note = (note or "").strip()
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate():
        raise DomainError(_("退回入库日期不能晚于今天。"))
    with transaction.atomic():
        order = lock_order(shipment.order_id)
        require(is_warehouse(actor), _("只有仓库可以登记拒收退回入库。"))
        locked = Shipment.objects.select_for_update().filter(pk=shipment.pk).first()
        if locked is None:
            raise NotFound(_("出货单不存在。"))
        if locked.status != Shipment.Status.DELIVERED:
            raise Conflict(
                _("出货单 %(number)s 当前状态为“%(status)s”，登记签收后才能收回拒收货物。")
                % {"number": locked.number, "status": locked.get_status_display()}
            )
        lines = list(locked.lines.select_for_update().select_related("order_line").order_by("pk"))
        if not any(sl.refused_pending > 0 for sl in lines):
            raise Conflict(_("出货单 %(number)s 没有待收回的拒收货物。") % {"number": locked.number})
        if locked.delivered_on and received_on < locked.delivered_on:
            raise DomainError(_("退回入库日期不能早于签收日期。"))
        wanted = _refusal_quantities(lines, quantities)
        received = {sl.pk: qty for sl, qty in wanted}
        receipt = RefusalReturn(shipment=locked, order=order, received_on=received_on, note=note[:300], received_by=actor)
        receipt.save()
        order_lines = {
            ln.pk: ln
            for ln in SalesOrderLine.objects.select_for_update()
            .filter(pk__in=[sl.order_line_id for sl, _qty in wanted])
            .order_by("pk")
        }
        built = []
        for sl, qty in wanted:
            returned = sl.returned_quantity + qty
            # the value of what is back so far: once all that was refused is back, the line's amount less what was
            # signed for (so what stays on the note is what may be invoiced, to the fen: rules.refused_back_value)
            value = rules.refused_back_value(sl, sl.order_line, returned)
            amount = value - sl.returned_amount
            sl.returned_quantity, sl.returned_amount = returned, value
            sl.save(update_fields=["returned_quantity", "returned_amount"])
            line = order_lines[sl.order_line_id]
            line.shipped_quantity -= qty
            line.save(update_fields=["shipped_quantity"])
            built.append(RefusalReturnLine(receipt=receipt, shipment_line=sl, quantity=qty, amount_incl=amount))
        RefusalReturnLine.objects.bulk_create(built)
        receipt.amount_incl = sum((r.amount_incl for r in built), ZERO)
        receipt.save(update_fields=["amount_incl"])
        locked.returned_amount += receipt.amount_incl
        locked.save(update_fields=["returned_amount"])
        params = {
            "number": locked.number,
            "day": received_on.isoformat(),
            "lines": _refused_text([sl for sl, _qty in wanted], lambda sl: received[sl.pk]),
            "amount": money_text(receipt.amount_incl),
            "note": note,
        }
        text = gettext_noop("拒收退回入库 %(number)s（%(day)s）：%(lines)s，金额 %(amount)s 元。%(note)s")
        record_event(target=locked, verb=Event.Verb.UPDATED, actor=actor, text=text, params=params)
        if order.status in (SalesOrder.Status.SHIPPED, SalesOrder.Status.CLOSED):
            # the goods are owed again: the order is partially shipped (补发 or 短交关闭 decide what becomes of them)
            transition(
                obj=order,
                action="reopen_for_refused",
                actor=actor,
                text=text,
                params=params,
                before_save=lambda o: setattr(o, "closed_at", None),
            )
        else:
            record_event(target=order, verb=Event.Verb.UPDATED, actor=actor, text=text, params=params)
        handoffs.refused_goods_returned(receipt, order, params["lines"])
    return receipt


def _refusal_quantities(lines: list[ShipmentLine], quantities: Mapping[Any, Any]) -> list[tuple[ShipmentLine, Any]]:
    """(note line, quantity received back) for {出货明细 id: 数量} — each within what was refused and is not back yet; a
    line of another note, a negative or malformed number, or nothing at all is a DomainError."""
    by_id = {sl.pk: sl for sl in lines}
    out = []
    for key, value in (quantities or {}).items():
        try:
            sl = by_id.get(int(key))
        except (TypeError, ValueError):
            sl = None
        if sl is None:
            raise DomainError(_("出货明细不存在（编号 %(id)s）。") % {"id": key})
        if value in (None, ""):
            continue
        qty = parse_decimal(value, _("退回入库数量"), bounds=QUANTITY_BOUNDS.any_sign())
        if qty < 0:
            raise DomainError(_("%(name)s：退回入库数量不能为负数。") % {"name": sl.order_line.name})
        if qty == 0:
            continue
        _refuse_fraction(qty, sl.order_line)
        if qty > sl.refused_pending:
            raise DomainError(
                _("%(name)s：退回入库数量 %(qty)s 超过待收回的拒收数量 %(left)s（拒收 %(refused)s，已收回 %(returned)s）。")
                % {
                    "name": sl.order_line.name,
                    "qty": plain(qty),
                    "left": plain(sl.refused_pending),
                    "refused": plain(sl.refused_quantity),
                    "returned": plain(sl.returned_quantity),
                }
            )
        out.append((sl, qty))
    if not out:
        raise DomainError(_("请至少填写一行退回入库数量。"))
    return sorted(out, key=lambda pair: pair[0].pk)


def shipment_cancel(*, shipment: Shipment, actor, reason: str) -> Shipment:
    """Cancel an open (draft or released) note (clerks); what it held is free for another note."""
    reason = required_text(reason, _("请填写作废原因。"))
    return transition(
        obj=shipment,
        action="cancel",
        actor=actor,
        check=lambda s: require_clerk(actor),
        text=gettext_noop("作废出货单：%(reason)s"),
        params={"reason": reason},
    )
