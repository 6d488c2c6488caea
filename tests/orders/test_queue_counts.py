"""The clerk's queues (selectors.clerk_queue) on hand-made orders and outbound notes, each placed on one side of a
queue's condition: every queue's count and rows (in the queue's order) are pinned, so a changed condition fails here.
The conditions are written on the order's own columns with a partial index each (orders 0010, issue 12); the last tests
check that the planner can use those indexes, i.e. that a queue's condition and its index's still say the same."""

from __future__ import annotations

import re
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
    ProductionUpdate,
    SalesOrder,
    SalesOrderLine,
    Shipment,
)
from salesops.core.money import ZERO
from salesops.core.numbering import next_number
from salesops.core.pages import QUEUE_ROWS
from salesops.core.thresholds import threshold
from tests.orders.conftest import allocated_payment

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
    """An order line of 10; what was signed for of it is on an outbound note of its own (what may be invoiced is read
    from the notes: rules.signed_value)."""
    line = SalesOrderLine.objects.create(
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
    if line.delivered_quantity:
        note = Shipment.objects.create(
            order=order,
            number=f"FH-{order.number}-{line.line_no}",
            created_by=order.created_by,
            status=Shipment.Status.DELIVERED,
        )
        note.lines.create(
            order_line=line,
            quantity=line.delivered_quantity,
            delivered_quantity=line.delivered_quantity,
            amount_incl=line.delivered_quantity * line.unit_price,
        )
    return line


def numbers(rows) -> list[str]:
    return [(row[0] if isinstance(row, tuple) else row).number for row in rows]


@pytest.fixture
def queue(cast, make, day, warn):
    """The clerk's queue over orders on both sides of every condition; returns a fresh clerk_queue() per call."""
    # verification: received today / earlier, changed after verification (open or not), verified unchanged
    make("R-TODAY", S.RECEIVED, age=0)
    make("R-OLD", S.RECEIVED, age=2)
    make("X-TODAY", S.CANCELLED, age=0)  # taken and cancelled today: not the day's intake
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
    _line(make("RS-CHANGED", S.PLACED, age=44, needs_reverification=True, **far), passed="5")  # 待核单 only
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
    allocated_payment(paid, cast, "100.00")
    draft(paid)
    recorded = make("G-RECORDED", amount_incl=D("100.00"), **gate)  # recorded, not confirmed: held
    allocated_payment(recorded, cast, "100.00", Payment.Status.RECORDED)
    draft(recorded)
    draft(make("G-NO-DEPOSIT", payment_terms="deposit", amount_incl=D("100.00"), **gate))  # deposit 0: open
    excepted = make("G-EXCEPTION", payment_terms="deposit", amount_incl=D("100.00"), deposit_amount=D("30.00"), **gate)
    CreditException.objects.create(
        order=excepted, amount=D("30.00"), reason="老客户", requested_by=cast.clerk, status=CreditException.Status.APPROVED
    )
    draft(excepted)
    short = make("G-FEN-SHORT", payment_terms="deposit", amount_incl=D("100.00"), deposit_amount=D("30.00"), **gate)
    allocated_payment(short, cast, "29.99")
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
            number=next_number("KP"),
            order=order,
            title="抬头",
            tax_id="91310000000000000X",
            amount=D("200.00"),
            requested_by=cast.clerk,
            status=status,
        )
    return lambda: selectors.clerk_queue(cast.clerk, day)


EXPECTED = {  # each queue's rows in its order: orders newest received first, outbound notes by id
    "received_today": ["R-TODAY"],
    "to_verify": ["R-TODAY", "R-OLD", "V-CHANGED", "RS-RECEIVED", "RS-CHANGED"],
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
        ("ready_to_ship", "order_line_ready_idx"),
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
    expected = {code: len(rows) for code, rows in EXPECTED.items()} | {"contracts_to_order": 0}  # no contract here
    assert {code: q["count"] for code, q in queues.items()} == expected
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


# --- a queue as a filter of its list (?queue=, selectors.ORDER_QUEUES / SHIPMENT_QUEUES) ------------------------------
def _page_numbers(client, url: str, testid: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return re.findall(rf'data-testid="{testid}"[^>]*data-number="([^"]+)"', response.content.decode())


def _list_urls(key: str) -> tuple[str, str, str]:
    if key in selectors.SHIPMENT_QUEUES:
        return f"/orders/shipments/?queue={key}", f"/api/v1/shipments/?queue={key}", "shipment-row"
    return f"/orders/?queue={key}", f"/api/v1/orders/?queue={key}", "order-row"


@pytest.mark.parametrize("key", list(EXPECTED))
def test_each_queue_is_a_filter_of_its_list_on_the_page_and_the_api(queue, cast, client_as, api_as, key):
    """The order list (or the shipment list) filtered by a queue lists exactly the queue's rows, on the page and
    through the API: what the work page's "all of them" link opens. Orders come in the work page table's order (the
    list's, newest received first); outbound notes in the shipment list's (newest first; the table: oldest first)."""
    queue()  # the orders and notes
    page_url, api_url, testid = _list_urls(key)
    expected = EXPECTED[key][::-1] if key in selectors.SHIPMENT_QUEUES else EXPECTED[key]
    body = api_as(cast.clerk).get(api_url).json()
    assert (body["count"], [row["number"] for row in body["results"]]) == (len(expected), expected)
    assert _page_numbers(client_as(cast.clerk), page_url, testid) == expected


def test_a_queue_filter_keeps_to_what_the_reader_sees_and_combines_with_the_others(queue, cast, make, client_as, api_as):
    """A rep filtering by a queue gets the orders of it she sees (carol: the one credited to her, none of alice's
    customer); the queue narrows the other filters' result; an unknown queue is a 400 naming the parameter."""
    queue()
    make("R-CAROL", S.RECEIVED, age=1, owner=cast.carol)
    api = api_as(cast.carol)
    assert [r["number"] for r in api.get("/api/v1/orders/?queue=to_verify").json()["results"]] == ["R-CAROL"]
    assert api.get("/api/v1/shipments/?queue=to_release").json()["count"] == 0
    alice = api_as(cast.alice).get("/api/v1/orders/?queue=to_verify&q=R-OLD").json()
    assert [r["number"] for r in alice["results"]] == ["R-OLD"]
    response = api.get("/api/v1/orders/?queue=later")
    assert response.status_code == 400 and "queue" in response.json()["errors"]
    assert client_as(cast.clerk).get("/orders/?queue=later").status_code == 400


def test_the_work_page_links_each_table_to_its_whole_list(queue, cast, make, client_as):
    queue()
    for k in range(QUEUE_ROWS):
        make(f"R-MANY-{k}", S.RECEIVED, age=3)
    body = client_as(cast.clerk).get("/orders/work/clerk/").content.decode()
    to_verify = re.search(r'data-testid="queue-to_verify".*?</table>', body, re.DOTALL).group(0)
    assert to_verify.count('data-testid="queue-row"') == QUEUE_ROWS
    total = len(EXPECTED["to_verify"]) + QUEUE_ROWS
    assert f"查看全部 {total} 条" in to_verify and 'href="/orders/?queue=to_verify"' in to_verify
    assert 'href="/orders/shipments/?queue=waiting_payment"' in body


def test_the_finance_and_warehouse_tables_link_to_their_lists(queue, cast, client_as):
    """Each table of the finance and warehouse work pages links to its list, filtered to the same rows."""
    queue()
    finance = client_as(cast.finance).get("/orders/work/finance/").content.decode()
    assert 'href="/orders/payments/?status=recorded"' in finance  # G-RECORDED's payment
    assert 'href="/orders/shipments/?queue=waiting_payment"' in finance
    warehouse = client_as(cast.warehouse).get("/orders/work/warehouse/").content.decode()
    assert 'href="/orders/shipments/?status=released"' in warehouse  # FH-G-RELEASED
    assert 'data-testid="queue-all-in_transit"' not in warehouse  # nothing in transit: no link


def test_the_finance_page_shows_the_first_rows_of_a_long_queue_and_counts_them_all(cast, make, client_as):
    """A table of the finance work page shows its first QUEUE_ROWS rows and says how many there are in all."""
    order = make("R-PAY", S.PLACED)
    for k in range(QUEUE_ROWS + 1):
        allocated_payment(order, cast, "10.00", status="recorded", ref=f"B-MANY-{k}")
    body = client_as(cast.finance).get("/orders/work/finance/").content.decode()
    payments = re.search(r'data-testid="queue-payments_to_confirm".*?</table>', body, re.DOTALL).group(0)
    assert payments.count('data-testid="queue-row"') == QUEUE_ROWS
    assert f"显示前 {QUEUE_ROWS} 条，在列表中查看全部 {QUEUE_ROWS + 1} 条" in payments
    assert f'data-testid="count-payments_to_confirm">{QUEUE_ROWS + 1}<' in body
