"""Benchmark: the clerk's pages with many orders. Run: `make bench` (not part of `make test`).

Targets: 2,000 orders in every status (lines, payments, draft shipments), the order list (page and API) and the clerk's
work queue each < 500 ms, and a query count that does not grow with the number of orders (no N+1).
Prints the figures; fails only on the query-count bound.
Baseline 2026-11-23, 2 cores, SQLite: list page 36 ms / 11 queries, API 15 ms / 5, clerk queue 355 ms / 17, finance queue
100 ms / 14. (Before the queues used annotations and showed 50 rows a table: clerk queue 2.5 s / 589 queries.)
2026-12-01, the list page on orders.filters (the API's filter set, with the customer and rep choices of the filter bar):
12 queries (13 filtered: the placed orders add the risk check), API 5 either way. Timings on a shared machine
under load were 5–10× the baseline for every page alike, the unchanged clerk queue included.
"""

import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from orders.models import Payment, PaymentAllocation, SalesOrder, SalesOrderLine, Shipment, ShipmentLine
from tests.factories import CustomerFactory, ProductFactory

N = 2000
STATUSES = [
    SalesOrder.Status.RECEIVED,
    SalesOrder.Status.VERIFIED,
    SalesOrder.Status.PLACED,
    SalesOrder.Status.PARTIALLY_SHIPPED,
    SalesOrder.Status.SHIPPED,
]


@pytest.fixture
def many_orders(cast):
    customers = [CustomerFactory(owner=[cast.alice, cast.bob, cast.carol][i % 3]) for i in range(30)]
    product = ProductFactory(code="BENCH-1")
    today = timezone.localdate()
    orders = SalesOrder.objects.bulk_create(
        [
            SalesOrder(
                number=f"SO-BENCH-{i:05d}",
                customer=customers[i % 30],
                owner=customers[i % 30].owner,
                status=STATUSES[i % 5],
                received_on=today - timedelta(days=i % 10),
                promised_ship_date=today + timedelta(days=i % 20 - 5),
                amount_incl=Decimal("11300.00"),
                created_by=cast.clerk,
                payment_terms="prepaid",
            )
            for i in range(N)
        ],
        batch_size=500,
    )
    lines = SalesOrderLine.objects.bulk_create(
        [
            SalesOrderLine(
                order=o,
                product=product,
                name="基准品",
                quantity=Decimal(10),
                unit_price=Decimal("1130.00"),
                amount_incl=Decimal("11300.00"),
                passed_quantity=Decimal(i % 3 * 5),
                delivered_quantity=Decimal(0),
            )
            for i, o in enumerate(orders)
        ],
        batch_size=500,
    )
    shipments = Shipment.objects.bulk_create(
        [
            Shipment(number=f"FH-BENCH-{i:05d}", order=o, created_by=cast.clerk, amount_incl=Decimal("5650.00"))
            for i, o in enumerate(orders)
            if i % 7 == 0
        ],
        batch_size=500,
    )
    ShipmentLine.objects.bulk_create(
        [
            ShipmentLine(shipment=s, order_line=s.order.lines.first(), quantity=Decimal(5), amount_incl=Decimal("5650.00"))
            for s in shipments[:50]
        ]
    )
    payments = Payment.objects.bulk_create(
        [
            Payment(
                number=f"HK-BENCH-{i}",
                customer=o.customer,
                bank_reference=f"BENCH-{i}",
                amount=Decimal("1000.00"),
                received_on=o.received_on,
                recorded_by=cast.clerk,
                status="confirmed" if i % 2 else "recorded",
            )
            for i, o in enumerate(orders[:500])
        ]
    )
    PaymentAllocation.objects.bulk_create(
        [PaymentAllocation(payment=p, order=o, amount=Decimal("1000.00")) for p, o in zip(payments, orders[:500], strict=True)]
    )
    return lines


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


FILTERED = "?status=placed&received_on_from=2020-01-01&ordering=-promised_ship_date"


@pytest.mark.parametrize(
    "name, query",
    [
        ("orders:order_list", ""),
        ("orders:order_list", FILTERED),
        ("orders:clerk_queue", ""),
        ("orders:finance_queue", ""),
        ("order-list", ""),
        ("order-list", FILTERED),
    ],
)
def test_order_pages_speed(many_orders, cast, client_as, name, query):
    url = _url(name)
    if url is None:
        pytest.skip(f"{name} is not built")
    url += query
    client = client_as(cast.clerk if "finance" not in name else cast.finance)
    assert client.get(url).status_code == 200  # warm up
    timings = []
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(3):
            start = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
    per_request = len(ctx.captured_queries) / 3
    print(f"\n{url}: {N} orders, median {sorted(timings)[1]:.0f} ms, {per_request:.0f} queries per request")
    assert per_request < 60
