"""The clerk's queues (selectors.clerk_queue) on hand-made orders and outbound notes, each placed on one side of a
queue's condition: every queue's count and rows (in the queue's order) are pinned, so a changed condition fails here.
The conditions are written on the order's own columns with a partial index each (orders 0010, issue 12); the last tests
check that the planner can use those indexes, i.e. that a queue's condition and its index's still say the same."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orders import models as order_models
from orders import selectors
from orders.models import (
    CreditException,
    InvoiceRequest,
    Payment,
    PaymentAllocation,
    ProductionUpdate,
    SalesOrder,
    SalesOrderLine,
    Shipment,
)
from salesops.core.money import ZERO
from salesops.core.thresholds import threshold

pytestmark = pytest.mark.django_db
S = SalesOrder.Status
LATE, SILENT = "晚于", "没有生产进度"


@pytest.fixture
def day():
    return timezone.localdate()


@pytest.fixture
def warn():
    return int(threshold("production_warn_days"))


@pytest.fixture
def make(cast, customer, day):
    """make(number, status, age=days since received, **fields) → the order (prepaid, nothing due unless amount_incl)."""

    def order(number: str, status: str, age: int = 10, **fields) -> SalesOrder:
        data = {"customer": customer, "owner": cast.alice, "created_by": cast.clerk, "received_on": day - timedelta(age)}
        return SalesOrder.objects.create(number=number, status=status, **{**data, **fields})

    return order


def _local(day, minutes: int):
    """`minutes` after local midnight starting `day` (negative: the evening before)."""
    midnight = timezone.make_aware(datetime.combine(day, time(0, 0)), timezone.get_current_timezone())
    return midnight + timedelta(minutes=minutes)


def _report(order, cast, when):
    update = ProductionUpdate.objects.create(order=order, status=order.production_status, reported_by=cast.clerk)
    ProductionUpdate.objects.filter(pk=update.pk).update(reported_at=when)


def _line(order, *, passed="0", shipped="0", delivered="0", price="100.00"):
    return SalesOrderLine.objects.create(
        order=order,
        line_no=order.lines.count() + 1,
        name="泵",
        quantity=D("10"),
        passed_quantity=D(passed),
        shipped_quantity=D(shipped),
        delivered_quantity=D(delivered),
        unit_price=D(price),
        discount_rate=ZERO,
        list_price=D(price),
        unit_cost=D("1"),
        amount_excl=ZERO,
        tax=ZERO,
        amount_incl=ZERO,
    )


def _paid(order, cast, amount: str, status=Payment.Status.CONFIRMED):
    payment = Payment.objects.create(
        customer=order.customer,
        bank_reference=f"B-{order.number}",
        amount=D(amount),
        received_on=timezone.localdate(),
        recorded_by=cast.clerk,
        status=status,
    )
    PaymentAllocation.objects.create(payment=payment, order=order, amount=D(amount))


def numbers(rows) -> list[str]:
    return [(row[0] if isinstance(row, tuple) else row).number for row in rows]


@pytest.fixture
def queue(cast, make, day, warn):
    """The clerk's queue over orders on both sides of every condition; returns a fresh clerk_queue() per call."""
    # verification: received today / earlier, changed after verification (open or not), verified unchanged
    make("R-TODAY", S.RECEIVED, age=0)
    make("R-OLD", S.RECEIVED, age=2)
    make("V-CHANGED", S.VERIFIED, age=5, needs_reverification=True)
    make("V-OK", S.VERIFIED, age=6)
    make("SH-CHANGED", S.SHIPPED, age=7, needs_reverification=True)  # not open: not to verify again
    make("X-CHANGED", S.CANCELLED, age=8, needs_reverification=True)

    # production risk (placed / partially shipped): promised dates around the window of `warn` days
    soon = day + timedelta(1)  # its window started warn - 1 days ago
    start = soon - timedelta(warn)
    make("A-LATE", S.PLACED, age=20, promised_ship_date=day + timedelta(20), expected_date=day + timedelta(21))
    make("A-ON-TIME", S.PLACED, age=21, promised_ship_date=day + timedelta(20), expected_date=day + timedelta(20))
    make("A-SILENT", S.PARTIALLY_SHIPPED, age=22, promised_ship_date=day + timedelta(warn))  # window opens today
    make("A-FAR", S.PLACED, age=23, promised_ship_date=day + timedelta(warn + 1))  # window opens tomorrow
    old_report = make("A-OLD-REPORT", S.PLACED, age=24, promised_ship_date=soon, placed_at=_local(start, 60))
    _report(old_report, cast, _local(start, -1))  # the evening before the window: the last progress is before it
    reported = make("A-REPORTED", S.PLACED, age=25, promised_ship_date=soon, placed_at=_local(start, -600))
    _report(reported, cast, _local(start, -600))
    _report(reported, cast, _local(start, 1))  # just after midnight on the window's first day
    make("A-PLACED-IN", S.PLACED, age=26, promised_ship_date=soon, placed_at=_local(start, 1))
    make("A-PLACED-BEFORE", S.PLACED, age=27, promised_ship_date=soon, placed_at=_local(start, -1))
    make("A-DONE", S.PLACED, age=28, promised_ship_date=soon, production_status=SalesOrder.ProductionStatus.DONE)
    make("A-NO-DATE", S.PLACED, age=29, expected_date=day + timedelta(30))
    make("A-VERIFIED", S.VERIFIED, age=30, promised_ship_date=day, expected_date=day + timedelta(1))

    # ready to ship: inspected and not yet shipped, without a draft note
    far = {"promised_ship_date": day + timedelta(60)}
    _line(make("RS-READY", S.PLACED, age=40, **far), passed="5", shipped="2")
    _line(make("RS-SHIPPED", S.PARTIALLY_SHIPPED, age=41, **far), passed="2", shipped="2")
    _line(make("RS-RECEIVED", S.RECEIVED, age=42), passed="5")
    drafted = make("RS-DRAFTED", S.PLACED, age=43, **far)
    _line(drafted, passed="5")

    # the payment gate of draft outbound notes
    def draft(order, status=Shipment.Status.DRAFT):
        Shipment.objects.create(number=f"FH-{order.number}", order=order, created_by=cast.clerk, status=status)

    draft(drafted)  # prepaid, nothing to pay (amount 0): open
    gate = {"status": S.PLACED, "age": 50, **far}
    draft(make("G-CREDIT", payment_terms="credit", amount_incl=D("100.00"), **gate))
    draft(make("G-PREPAID", amount_incl=D("100.00"), **gate))  # nothing paid: held
    paid = make("G-PAID", amount_incl=D("100.00"), **gate)
    _paid(paid, cast, "100.00")
    draft(paid)
    recorded = make("G-RECORDED", amount_incl=D("100.00"), **gate)  # recorded, not confirmed: held
    _paid(recorded, cast, "100.00", Payment.Status.RECORDED)
    draft(recorded)
    draft(make("G-NO-DEPOSIT", payment_terms="deposit", amount_incl=D("100.00"), **gate))  # deposit 0: open
    excepted = make("G-EXCEPTION", payment_terms="deposit", amount_incl=D("100.00"), deposit_amount=D("30.00"), **gate)
    CreditException.objects.create(
        order=excepted, amount=D("30.00"), reason="老客户", requested_by=cast.clerk, status=CreditException.Status.APPROVED
    )
    draft(excepted)
    short = make("G-FEN-SHORT", payment_terms="deposit", amount_incl=D("100.00"), deposit_amount=D("30.00"), **gate)
    _paid(short, cast, "29.99")
    draft(short)  # a fen short: held
    draft(make("G-RELEASED", amount_incl=D("100.00"), **gate), Shipment.Status.RELEASED)  # not a draft

    # to invoice: delivered more than invoiced (cancelled invoices do not count)
    delivered = make("I-DELIVERED", S.SHIPPED, age=60)
    _line(delivered, shipped="2", delivered="2")
    invoiced = make("I-INVOICED", S.SHIPPED, age=61)
    _line(invoiced, shipped="2", delivered="2")
    cancelled = make("I-CANCELLED", S.SHIPPED, age=62)
    _line(cancelled, shipped="2", delivered="2")
    for order, status in ((invoiced, InvoiceRequest.Status.REQUESTED), (cancelled, InvoiceRequest.Status.CANCELLED)):
        InvoiceRequest.objects.create(
            order=order, title="抬头", tax_id="91310000000000000X", amount=D("200.00"), requested_by=cast.clerk, status=status
        )
    return lambda: selectors.clerk_queue(cast.clerk, day)


EXPECTED = {  # each queue's rows in its order: orders newest received first, outbound notes by id
    "received_today": ["R-TODAY"],
    "to_verify": ["R-TODAY", "R-OLD", "V-CHANGED", "RS-RECEIVED"],
    "verify_overdue": ["R-OLD", "RS-RECEIVED"],
    "to_place": ["V-OK", "A-VERIFIED"],
    "at_risk": ["A-LATE", "A-SILENT", "A-OLD-REPORT", "A-PLACED-BEFORE"],
    "ready_to_ship": ["RS-READY"],
    "to_release": ["FH-RS-DRAFTED", "FH-G-CREDIT", "FH-G-PAID", "FH-G-NO-DEPOSIT", "FH-G-EXCEPTION"],
    "waiting_payment": ["FH-G-PREPAID", "FH-G-RECORDED", "FH-G-FEN-SHORT"],
    "to_invoice": ["I-DELIVERED", "I-CANCELLED"],
}


@pytest.mark.parametrize("key", list(EXPECTED))
def test_each_queue_counts_and_lists_exactly_its_rows(queue, key):
    assert numbers(queue()[key]) == EXPECTED[key]
    assert queue()[key].count() == len(EXPECTED[key])
    assert numbers(queue()[key][:2]) == EXPECTED[key][:2]  # a slice is the head of the same order


def test_the_risk_reasons_of_the_shown_orders(queue):
    reasons = {o.number: reason for o, reason in queue()["at_risk"]}
    assert LATE in reasons["A-LATE"]
    assert all(SILENT in reasons[n] for n in ("A-SILENT", "A-OLD-REPORT", "A-PLACED-BEFORE"))


def test_held_notes_carry_the_gate_and_the_queues_split_the_drafts(queue, cast):
    q = queue()
    assert all(not s.gate.open for s in q["waiting_payment"]) and all(s.gate.open for s in q["to_release"])
    drafts = Shipment.objects.filter(status=Shipment.Status.DRAFT).count()
    assert q["to_release"].count() + q["waiting_payment"].count() == drafts == 8
    assert selectors.held_shipments(cast.clerk).count() == 3 and selectors.shipments_to_release(cast.clerk).count() == 5


def test_the_queue_conditions_use_the_status_codes():
    assert set(order_models.OPEN_STATUSES) == set(selectors.OPEN_ORDER)
    assert set(order_models.SHIPPING_STATUSES) == {S.PLACED, S.PARTIALLY_SHIPPED}


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
    return plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plans of PostgreSQL")
@pytest.mark.parametrize(
    ("key", "index"),
    [
        ("to_verify", "order_to_verify_idx"),
        ("to_place", "order_to_place_idx"),
        ("at_risk", "order_shipping_idx"),
        ("waiting_payment", "order_due_before_shipment_idx"),
    ],
)
def test_a_queues_count_can_read_its_partial_index(queue, key, index):
    rows = queue()[key]
    with CaptureQueriesContext(connection) as ctx:
        rows.count()
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1, ctx.captured_queries
    assert index in _plan(counts[0])


def test_building_the_queue_counts_nothing(cast, day):
    """The pages count a queue only when its first rows fill the table (work_views.clerk_queue)."""
    with CaptureQueriesContext(connection) as ctx:
        selectors.clerk_queue(cast.clerk, day)
    assert not [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_page_and_the_api_show_every_queue_with_as_many_queries_whatever_its_rows(queue, cast, make, client_as, api_as):
    page, api = client_as(cast.clerk), api_as(cast.clerk)
    body = page.get("/orders/work/clerk/").content.decode()
    assert all(f'data-number="{n}"' in body for rows in EXPECTED.values() for n in rows)
    assert SILENT in body and "苏州精工机械有限公司" in body  # the risk reason and the customer of the shown rows
    queues = {q["code"]: q for q in api.get("/api/v1/work/clerk/").json()["queues"]}
    assert {code: q["count"] for code, q in queues.items()} == {code: len(rows) for code, rows in EXPECTED.items()}
    assert [i["number"] for i in queues["at_risk"]["items"]] == EXPECTED["at_risk"]
    assert (
        queues["at_risk"]["items"][0]["customer_name"] == "苏州精工机械有限公司" and LATE in queues["at_risk"]["items"][0]["note"]
    )
    before = _queries(page, "/orders/work/clerk/"), _queries(api, "/api/v1/work/clerk/")
    # more rows in the order queues, no query per row: past the API's 10 items, to verify, overdue and at risk are
    # counted by a COUNT each (the page's 50 rows are not reached)
    for k in range(12):
        make(f"R-MORE-{k}", S.RECEIVED, age=3, promised_ship_date=timezone.localdate())
        make(f"A-MORE-{k}", S.PLACED, age=3, promised_ship_date=timezone.localdate())
    assert (_queries(page, "/orders/work/clerk/"), _queries(api, "/api/v1/work/clerk/")) == (before[0], before[1] + 3)
    queues = {q["code"]: q for q in api.get("/api/v1/work/clerk/").json()["queues"]}
    assert queues["to_verify"]["count"] == len(EXPECTED["to_verify"]) + 12 and len(queues["to_verify"]["items"]) == 10
    assert queues["at_risk"]["count"] == len(EXPECTED["at_risk"]) + 12


@pytest.mark.parametrize("key", ["received_today", "to_verify", "verify_overdue", "to_place", "at_risk", "ready_to_ship"])
def test_an_order_queues_rows_read_the_shown_columns_and_the_customer_alone(queue, key):
    with CaptureQueriesContext(connection) as ctx:
        rows = list(queue()[key][:50])
    (sql,) = [q["sql"] for q in ctx.captured_queries if 'FROM "orders_salesorder"' in q["sql"] and "LIMIT 50" in q["sql"]]
    assert rows and "customers_customer" in sql and "auth_user" not in sql and "contracts_contract" not in sql
    assert '"orders_salesorder"."notes"' not in sql  # a column no queue shows
