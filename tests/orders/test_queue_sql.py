"""The work queues decide in SQL what orders.rules decides in Python: the payment gate (rules.due_before_shipment +
rules.shipment_gate), the production risk (rules.production_risk) and what is left to invoice (rules.net_amount).
Each test builds varied orders (terms, amounts, payments, exceptions, production reports, deliveries at awkward prices
and discounts, invoices), then compares the queue the database returns with the rule applied to every order in Python."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from orders import rules, selectors
from orders.models import (
    CreditException,
    InvoiceRequest,
    Payment,
    PaymentAllocation,
    ProductionUpdate,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    ShipmentLine,
)
from salesops.core.money import ZERO, quantize
from salesops.core.numbering import next_number
from salesops.core.thresholds import threshold

pytestmark = pytest.mark.django_db
STATUSES = [SalesOrder.Status.PLACED, SalesOrder.Status.PARTIALLY_SHIPPED]


def _order(cast, customer, k: int, **fields) -> SalesOrder:
    data = {
        "number": f"QS-{k:04d}",
        "customer": customer,
        "owner": cast.alice,
        "created_by": cast.clerk,
        "received_on": timezone.localdate() - timedelta(days=30),
        "status": STATUSES[k % 2],
        **fields,
    }
    return SalesOrder.objects.create(**data)


def _money(rng: random.Random) -> D:
    return D(rng.randrange(0, 500_000)) / 100


def test_payment_gate_in_sql_is_the_rule(cast, customer):
    rng = random.Random(12)
    for k in range(60):
        amount = _money(rng)
        order = _order(
            cast,
            customer,
            k,
            payment_terms=rng.choice(["prepaid", "deposit", "credit"]),
            amount_incl=amount,
            deposit_amount=rng.choice([ZERO, amount / 3, amount, amount + 1]).quantize(D("0.01")),
        )
        Shipment.objects.create(number=f"QS-FH-{k:04d}", order=order, created_by=cast.clerk)
        for j in range(rng.randrange(0, 3)):
            # an exact cover, a fen short, or a random part; confirmed, recorded or voided
            paid = rng.choice([amount, amount - D("0.01"), amount / 2, order.deposit_amount]).quantize(D("0.01"))
            payment = Payment.objects.create(
                number=next_number("HK"),
                customer=customer,
                bank_reference=f"QS-{k}-{j}",
                amount=max(paid, D("0.01")),
                received_on=timezone.localdate(),
                recorded_by=cast.clerk,
                status=rng.choice([Payment.Status.CONFIRMED, Payment.Status.CONFIRMED, Payment.Status.RECORDED]),
            )
            PaymentAllocation.objects.create(payment=payment, order=order, amount=payment.amount)
        if rng.random() < 0.3:
            CreditException.objects.create(
                order=order,
                amount=rng.choice([D("0.01"), amount / 4]).quantize(D("0.01")),
                requested_by=cast.clerk,
                status=rng.choice([CreditException.Status.APPROVED, CreditException.Status.PENDING]),
            )
    expected = {}
    for shipment in Shipment.objects.select_related("order"):
        gate = selectors.order_gate(shipment.order)  # the rule over the order's rows, queried one by one
        expected[shipment.pk] = gate
    held = list(selectors.held_shipments(cast.clerk))
    released = list(selectors.shipments_to_release(cast.clerk))
    assert {s.pk for s in held} == {pk for pk, gate in expected.items() if not gate.open}
    assert {s.pk for s in released} == {pk for pk, gate in expected.items() if gate.open}
    assert held and released  # the fixtures reach both sides
    assert all(s.gate == expected[s.pk] for s in held + released)  # the shown reason is the rule's


def test_production_risk_in_sql_is_the_rule(cast, customer):
    rng = random.Random(7)
    today = timezone.localdate()
    warn = int(threshold("production_warn_days"))
    tz = timezone.get_current_timezone()
    for k in range(80):
        promised = rng.choice([None, today + timedelta(days=rng.randrange(-10, 3 * warn + 5))])
        order = _order(
            cast,
            customer,
            k,
            promised_ship_date=promised,
            expected_date=rng.choice([None, promised and promised + timedelta(days=rng.choice([-2, 0, 1]))]),
            production_status=rng.choice(SalesOrder.ProductionStatus.values),
            placed_at=rng.choice([None, timezone.now() - timedelta(days=rng.randrange(0, 40))]),
        )
        for _j in range(rng.randrange(0, 3)):
            base = (promised or today) - timedelta(days=warn + rng.choice([-1, 0, 1, 5]))
            # reports just before and after local midnight of the window's first day
            moment = timezone.make_aware(datetime.combine(base, time(0, 0)), tz) + timedelta(minutes=rng.choice([-1, 1, 600]))
            update = ProductionUpdate.objects.create(order=order, status=order.production_status, reported_by=cast.clerk)
            ProductionUpdate.objects.filter(pk=update.pk).update(reported_at=moment)
    expected = {}
    for order in SalesOrder.objects.prefetch_related("production_updates"):
        last = max((u.reported_at for u in order.production_updates.all()), default=order.placed_at)
        reason = rules.production_risk(
            promised=order.promised_ship_date,
            expected=order.expected_date,
            today=today,
            warn_days=warn,
            last_progress=timezone.localtime(last).date() if last else None,
            done=order.production_status in selectors.DONE_PRODUCTION,
        )
        if reason:
            expected[order.pk] = reason
    queue = selectors.clerk_queue(cast.clerk, today)["at_risk"]
    assert {o.pk: reason for o, reason in queue} == expected
    assert queue.count() == len(expected) > 0
    reasons = set(expected.values())
    assert any("晚于" in r for r in reasons) and any("没有生产进度" in r for r in reasons)  # both kinds of risk reached


def test_to_invoice_in_sql_is_the_rule(cast, customer):
    rng = random.Random(3)
    for k in range(60):
        order = _order(cast, customer, k)
        note = Shipment.objects.create(order=order, number=f"QS-FH-{k:04d}", created_by=cast.clerk)
        for n in range(rng.randrange(1, 4)):
            quantity = D(rng.randrange(1, 20))
            shipped = rng.choice([ZERO, quantity, quantity - 1])
            line = SalesOrderLine(
                order=order,
                line_no=n + 1,
                name="泵",
                quantity=quantity,
                shipped_quantity=shipped,
                # prices and discounts whose product ends on half a fen, and plain ones
                unit_price=rng.choice([D("0.25"), D("1130.00"), D("333.33"), D("10.05"), D("99.99"), D("0.70")]),
                discount_rate=rng.choice([ZERO, D("0.05"), D("0.1"), D("0.02")]),
                list_price=D("1130.00"),
                unit_cost=D("1"),
                amount_excl=ZERO,
                tax=ZERO,
                amount_incl=ZERO,
            )
            line.amount_incl = rules.net_amount(line, quantity)
            line.save()
            # the shipped goods on one or two notes line by line, each signed for whole, in part or not at all
            parts = [shipped] if shipped <= 1 or rng.random() < 0.5 else [shipped - 1, D(1)]
            for part in (p for p in parts if p > 0):
                last = sum(parts) == quantity and part == parts[-1]
                noted = sum((sl.amount_incl for sl in line.shipment_lines.all()), ZERO)
                amount = line.amount_incl - noted if last else rules.net_amount(line, part)
                signed = rng.choice([ZERO, part, (part / 2).quantize(D("0.001"))])
                note.lines.create(order_line=line, quantity=part, delivered_quantity=signed, amount_incl=amount)
                line.delivered_quantity += signed
            line.save()
    for order in SalesOrder.objects.all():
        delivered = selectors.order_delivered_amount(order)
        for j in range(rng.randrange(0, 3)):
            InvoiceRequest.objects.create(
                number=next_number("KP"),
                order=order,
                title="抬头",
                tax_id="91310000000000000X",
                amount=max(rng.choice([delivered, delivered - D("0.01"), quantize(delivered / 2)]), D("0.01")),
                requested_by=cast.clerk,
                status=rng.choice(
                    [InvoiceRequest.Status.REQUESTED, InvoiceRequest.Status.ISSUED, InvoiceRequest.Status.CANCELLED]
                ),
            )
            if j == 0 and rng.random() < 0.5:
                break
    expected = set()
    for order in SalesOrder.objects.prefetch_related("invoices"):
        signed = ShipmentLine.objects.filter(order_line__order=order).select_related("order_line")
        delivered = sum((rules.signed_value(sl, sl.order_line) for sl in signed if sl.delivered_quantity), ZERO)
        invoiced = sum((i.amount for i in order.invoices.all() if i.status != InvoiceRequest.Status.CANCELLED), ZERO)
        if delivered > invoiced:
            expected.add(order.pk)
    queue = selectors.clerk_queue(cast.clerk, timezone.localdate())["to_invoice"]
    assert {o.pk for o in queue} == expected
    assert 0 < len(expected) < SalesOrder.objects.count()


def test_what_may_be_invoiced_is_what_is_owed_for_the_notes_to_the_fen(cast, customer):
    # given 3 units at 0.70 less 5 % (0.665 each: 3 units 2.00) on three notes of one unit: 0.67, 0.67 and 0.66 (the
    # last note takes the line's remainder)
    order = _order(cast, customer, 1, prices_include_tax=True)
    line = order.lines.create(
        line_no=1,
        name="泵",
        quantity=D(3),
        shipped_quantity=D(3),
        unit_price=D("0.70"),
        discount_rate=D("0.05"),
        list_price=D("0.70"),
        unit_cost=ZERO,
        amount_excl=ZERO,
        tax=ZERO,
        amount_incl=D("2.00"),
    )
    notes = []
    for k, amount in enumerate([D("0.67"), D("0.67"), D("0.66")]):
        note = Shipment.objects.create(order=order, number=f"QS-FH-{k}", created_by=cast.clerk, amount_incl=amount)
        notes.append(note.lines.create(order_line=line, quantity=D(1), amount_incl=amount))
    # when the first two are signed for
    for note_line in notes[:2]:
        note_line.delivered_quantity = D(1)
        note_line.save()
    line.delivered_quantity = D(2)
    line.save()
    # then 1.34 may be invoiced — the two notes' 0.67 + 0.67 — not the 1.33 of 2 units priced at once
    assert selectors.order_delivered_amount(order) == D("1.34")
    assert rules.net_amount(line, D(2)) == D("1.33")
    InvoiceRequest.objects.create(
        number=next_number("KP"),
        order=order,
        title="抬头",
        tax_id="91310000000000000X",
        amount=D("1.33"),
        requested_by=cast.clerk,
    )
    assert order.pk in {o.pk for o in selectors.orders_to_invoice(SalesOrder.objects.all())}
    # and the last note signed for: 2.00, the line's amount
    notes[2].delivered_quantity = D(1)
    notes[2].save()
    assert selectors.order_delivered_amount(order) == D("2.00")
