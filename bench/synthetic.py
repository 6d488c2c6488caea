"""Synthetic months of business for the benchmarks, generated inside PostgreSQL (INSERT … SELECT over generate_series),
never one ORM save per row. Shared by the dashboard benchmark (kpi) and the monthly report benchmark (runs).

    month = synthetic_month(cast, lines=200_000, year=2026, month=11)

writes `lines` order lines (LINES_PER_ORDER per order) received in that month over CUSTOMERS customers of alice, bob
and carol, and for the orders: one shipment each (partial for every 5th order, none for the cancelled every 10th),
an issued invoice for every 2nd, a confirmed payment for every 3rd, a credit note for every 20th (the 3rd, 23rd, 43rd…:
shipped ones; until 2026-12-05 it was the 20th, 40th…, all cancelled, so no credit note was ever made), and verification
with a change after it for every 7th. Each table is filled by one statement that clones a template row made through the ORM
(so every NOT NULL column gets the model's value) with the columns that vary computed from the series number.
Returns a SimpleNamespace with the period and the counts.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal as D
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.db import connection

from orders.models import (
    CreditNote,
    InvoiceRequest,
    Payment,
    PaymentAllocation,
    SalesOrder,
    SalesOrderLine,
    Shipment,
)
from tests.factories import CustomerFactory, ProductFactory

LINES_PER_ORDER = 4
CUSTOMERS = 200
LINE_AMOUNT = D("1130.00")
SH = ZoneInfo("Asia/Shanghai")


def _clone(model, template_pk: int, overrides: dict[str, str], source: str, where: str = "") -> int:
    """INSERT INTO <model> (<every column but id>) SELECT <template column or override expression> FROM <template t>,
    <source> [WHERE …]; returns the number of rows written."""
    table = model._meta.db_table
    columns = [f.column for f in model._meta.concrete_fields if not f.primary_key]
    values = [overrides.get(c, f't."{c}"') for c in columns]
    names = ", ".join(f'"{c}"' for c in columns)
    sql = (
        f'INSERT INTO "{table}" ({names}) SELECT {", ".join(values)} FROM "{table}" t CROSS JOIN {source} WHERE t.id = %s {where}'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [template_pk])
        return cursor.rowcount


def synthetic_month(cast, *, lines: int, year: int = 2026, month: int = 11, prefix: str = "SYN") -> SimpleNamespace:
    assert connection.vendor == "postgresql", "the synthetic data is generated with PostgreSQL's generate_series"
    reps = [cast.alice, cast.bob, cast.carol]
    # stores and distributors: the store/distributor report (kpis.store_rows) leaves end customers out
    customers = [
        CustomerFactory(
            owner=reps[i % 3], province=["江苏", "广东", "浙江"][i % 3], type=["distributor", "franchise_store"][i % 2]
        )
        for i in range(CUSTOMERS)
    ]
    product = ProductFactory(code=f"{prefix}-P")
    first = date(year, month, 1)
    noon = datetime.combine(first, time(12), tzinfo=SH)
    order = SalesOrder.objects.create(
        number=f"{prefix}-T", customer=customers[0], owner=reps[0], received_on=first, amount_incl=D(0), created_by=cast.clerk
    )
    line = SalesOrderLine.objects.create(
        order=order, product=product, name="合成产品", quantity=D(1), unit_price=LINE_AMOUNT, amount_incl=LINE_AMOUNT
    )
    shipment = Shipment.objects.create(number=f"{prefix}-FT", order=order, status="shipped", created_by=cast.clerk)
    invoice = InvoiceRequest.objects.create(
        number=f"{prefix}-KT", order=order, title="t", tax_id="x", amount=D(1), requested_by=cast.clerk
    )
    payment = Payment.objects.create(
        number=f"{prefix}-HT",
        customer=customers[0],
        bank_reference=f"{prefix}-PT",
        amount=D(1),
        received_on=first,
        recorded_by=cast.clerk,
    )
    allocation = PaymentAllocation.objects.create(payment=payment, order=order, amount=D(1))
    note = CreditNote.objects.create(number=f"{prefix}-CT", order=order, amount=D(1), reason="合成", created_by=cast.clerk)

    n_orders = lines // LINES_PER_ORDER
    order_amount = LINE_AMOUNT * LINES_PER_ORDER
    customer_ids = ",".join(str(c.pk) for c in customers)
    owner_ids = ",".join(str(c.owner_id) for c in customers)
    pick = f"(1 + g %% {CUSTOMERS})"
    day = "(g %% 28)"
    stamp = f"(TIMESTAMPTZ '{noon.isoformat()}' + {day} * INTERVAL '1 day')"
    status = "CASE WHEN g %% 10 = 0 THEN 'cancelled' WHEN g %% 5 = 0 THEN 'partial' ELSE 'shipped' END"
    mine = f"o.number LIKE '{prefix}-O%%'"
    made = SimpleNamespace(orders=0, lines=0)
    made.orders = _clone(
        SalesOrder,
        order.pk,
        {
            "number": f"'{prefix}-O' || g",
            "customer_id": f"(ARRAY[{customer_ids}])[{pick}]",
            "owner_id": f"(ARRAY[{owner_ids}])[{pick}]",
            "received_on": f"DATE '{first}' + {day}",
            "promised_ship_date": f"DATE '{first}' + {day} + 3",
            "amount_incl": str(order_amount),
            "status": status,
            "verified_at": stamp,
            "change_count": "(g %% 7 = 0)::int",
            "shipped_at": f"CASE WHEN g %% 5 = 0 OR g %% 10 = 0 THEN NULL ELSE {stamp} + (g %% 5) * INTERVAL '1 day' END",
        },
        f"generate_series(1, {n_orders}) g",
    )
    made.lines = _clone(
        SalesOrderLine,
        line.pk,
        {"order_id": "o.id", "line_no": "k", "shipped_quantity": "CASE WHEN o.status = 'shipped' THEN 1 ELSE 0 END"},
        "orders_salesorder o CROSS JOIN generate_series(1, 4) k",
        f"AND {mine}",
    )
    shipped_at = "o.received_on::timestamp AT TIME ZONE 'Asia/Shanghai' + INTERVAL '36 hours'"
    live = f"AND {mine} AND o.status <> 'cancelled'"
    ship_amount = "CASE WHEN o.status = 'partial' THEN o.amount_incl / 2 ELSE o.amount_incl END"
    _clone(
        Shipment,
        shipment.pk,
        {"number": "'FH-' || o.number", "order_id": "o.id", "shipped_at": shipped_at, "amount_incl": ship_amount},
        "orders_salesorder o",
        live,
    )
    number_of = "substring(o.number from '[0-9]+$')::int"
    _clone(
        InvoiceRequest,
        invoice.pk,
        {
            "number": "'KP-' || o.id",
            "order_id": "o.id",
            "amount": ship_amount,
            "status": "'issued'",
            "issued_on": "o.received_on + 2",
        },
        "orders_salesorder o",
        f"{live} AND {number_of} %% 2 = 0",
    )
    _clone(
        Payment,
        payment.pk,
        {
            "number": "'HK-' || o.id",
            "customer_id": "o.customer_id",
            "bank_reference": "'P-' || o.number",
            "amount": "o.amount_incl / 4",
            "status": "'confirmed'",
            "received_on": "o.received_on + 1",
        },
        "orders_salesorder o",
        f"{live} AND {number_of} %% 3 = 0",
    )
    _clone(
        PaymentAllocation,
        allocation.pk,
        {"payment_id": "p.id", "order_id": "o.id", "amount": "p.amount"},
        "orders_payment p JOIN orders_salesorder o ON p.bank_reference = 'P-' || o.number",
        f"AND {mine}",
    )
    _clone(
        CreditNote,
        note.pk,
        {"number": "'CN-' || o.number", "order_id": "o.id", "amount": "10.00", "created_at": f"{shipped_at} + INTERVAL '1 day'"},
        "orders_salesorder o",
        f"{live} AND {number_of} %% 20 = 3",  # shipped orders (every 10th is cancelled, every 5th partial)
    )
    for template in (note, allocation, payment, invoice, shipment, line, order):
        template.delete()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    made.year, made.month, made.period_key = year, month, f"{year}-{month:02d}"
    made.end_of_month = first + timedelta(days=27)
    return made
