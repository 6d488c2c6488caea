"""应收账款: what the visible orders still owe for goods shipped, aged by shipment date (the receivables page, its API and
export, a customer's panel, the collection rate). Kept apart from orders.selectors (the other reads of orders) as one
family of reads; visibility comes from there (order_list_for)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, F, OuterRef, QuerySet, Sum, Window
from django.db.models.functions import TruncDate
from django.utils import timezone

from customers.models import Customer
from salesops.core.compiled import sql_of
from salesops.core.money import ZERO, db_money, quantize

from . import rules
from .models import HALF_FEN, CreditNote, Payment, PaymentAllocation, SalesOrder, Shipment
from .selectors import order_list_for


@dataclass
class Receivable:
    """What one order still owes for goods shipped, split by age (days since each shipment)."""

    order: SalesOrder
    shipped: Decimal
    paid: Decimal
    buckets: dict[str, Decimal] = field(default_factory=lambda: {code: ZERO for code, *_ in rules.AGING_BUCKETS})
    overdue: Decimal = ZERO
    oldest_days: int = 0
    credited: Decimal = ZERO  # credit notes (refunds) reduce the open amount like payments

    @property
    def open(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)


SHIPPED_STATUSES = (Shipment.Status.SHIPPED, Shipment.Status.DELIVERED)


def receivable_orders_for(user) -> QuerySet[SalesOrder]:
    """The visible orders that may owe for goods shipped (not cancelled, something shipped or delivered): what the
    receivables page, its API and its export filter (orders.filters.ReceivableFilter)."""
    shipped = Shipment.objects.filter(order=OuterRef("pk"), status__in=SHIPPED_STATUSES)
    return order_list_for(user).exclude(status=SalesOrder.Status.CANCELLED).filter(Exists(shipped))


def receivables(user, today: date | None = None, *, customer=None, orders: QuerySet | None = None) -> list[Receivable]:
    """Every receivable of `user` (ReceivableTable.rows): with `customer`, that customer's orders only; with `orders`
    (the receivable orders of `user` as a filter set narrowed them), those only."""
    orders = receivable_orders_for(user) if orders is None else orders
    if customer is not None:
        orders = orders.filter(customer=customer)
    return receivables_of(orders, today)


def receivables_of(orders: QuerySet, today: date | None = None) -> list[Receivable]:
    """The receivables of `orders` (already scoped to what the reader may see), the oldest debt first — all of them
    (the export, a customer's panel); a page reads a slice of ReceivableTable."""
    return ReceivableTable(orders, today).rows()


# The receivables' tables beside the paged one (the overdue orders, the customers by their debt) show their first
# RECEIVABLE_HEAD rows and how many there are, on the page and in the API; the export has every order.
RECEIVABLE_HEAD = 50


def _bucket_sql(low: int, high: int | None, first: bool) -> str:
    """The SQL condition of an age bucket on `age` (as rules.aging_bucket: the first bucket also takes a negative age)."""
    parts = ([] if first else [f"age >= {int(low)}"]) + ([] if high is None else [f"age <= {int(high)}"])
    return " AND ".join(parts) or "1 = 1"


class _Owed(NamedTuple):
    """One owing order's row of ReceivableTable as the database gives it (amounts: Decimals on PostgreSQL, floats on
    SQLite; made money by _money where they are shown or summed)."""

    order_id: int
    customer_id: int
    owner_id: int
    shipped: Decimal | float
    paid: Decimal | float
    credited: Decimal | float
    buckets: tuple  # in rules.AGING_CODES' order
    overdue: Decimal | float
    oldest_days: int


def _sum_per_order(rows: QuerySet) -> tuple[str, tuple]:
    """SQL of (order_id, s): the sum of `rows`' amounts per order, for the orders of the shipments `t` only."""
    sql, params = sql_of(rows.order_by().values("order_id", "amount"))
    return f"SELECT order_id, SUM(amount) AS s FROM ({sql}) x WHERE order_id IN (SELECT o FROM t) GROUP BY order_id", params


def open_shipments_sql(shipments: QuerySet[Shipment], paid: QuerySet, credited: QuerySet, **columns) -> tuple[str, list]:
    """SQL and params of one row per shipment of `shipments` with the `columns` asked for (name -> an expression over
    the shipment), `o` (its order's id), `amt` (its amount), `paid` and `credited` (its order's sums of the `paid`
    payment allocations and the `credited` credit notes) and `open`: what of it is still owed once the order's paid and
    credited amounts are applied to the order's shipments oldest first — its running total over the order's shipments
    (by shipping time) less the settled amount, between 0 and its amount, as rules.fifo_open_items does. What the
    receivables (ReceivableTable) and the receivables KPIs (orders.figures) are computed from: the callers choose the
    shipments (their scope and cut-off date) and which payments and credit notes count (their cut-off dates).

    The shipments are read once (`t`, with their running totals); the payments and credit notes are summed once per
    order, for those orders only, and joined — not a subquery per shipment, nor the scope's filters again."""
    running = Window(Sum("amount_incl"), partition_by=[F("order_id")], order_by=[F("shipped_at").asc(), F("pk").asc()])
    rows = shipments.order_by().annotate(o=F("order_id"), amt=F("amount_incl"), upto=running, **columns)
    inner, params = sql_of(rows.values("o", "amt", "upto", *columns))
    paid_sql, paid_params = _sum_per_order(paid)
    credited_sql, credited_params = _sum_per_order(credited)
    # OFFSET 0: each level computed once (PostgreSQL would otherwise copy `open` into every expression that reads it)
    kept = " OFFSET 0" if connection.vendor == "postgresql" else ""
    names = "".join(f"{name}, " for name in columns)
    sql = (
        f"WITH t AS ({inner})"
        f" SELECT {names}o, amt, paid, credited, CASE WHEN rest >= amt THEN amt WHEN rest > 0 THEN rest ELSE 0 END AS open"
        " FROM (SELECT t.*, COALESCE(p.s, 0) AS paid, COALESCE(k.s, 0) AS credited,"
        " t.upto - COALESCE(p.s, 0) - COALESCE(k.s, 0) AS rest"
        f" FROM t LEFT JOIN ({paid_sql}) p ON p.order_id = t.o LEFT JOIN ({credited_sql}) k ON k.order_id = t.o"
        f"{kept}) u{kept}"
    )
    return sql, [*params, *paid_params, *credited_params]


class ReceivableTable(Sequence):
    """应收账款 of a queryset of orders (scoped to the reader, filtered), decided in the database by one grouped query:
    per order still owing, what it shipped (shipped or delivered notes), its confirmed payments and credit notes, and
    what is open of each shipment — the settled amount applied to the oldest shipments first, as rules.fifo_open_items
    does: over the order's shipments by shipping time, the open part of one is its running total less the settled
    amount, between 0 and its amount — aged by the shipment's local date into rules.AGING_BUCKETS, overdue beyond the
    order's credit days. Amounts in the order's currency; "owing" means at least half a fen (money columns hold whole
    fen; SQLite sums them as floats). tests/orders/test_receivables_sql.py checks it against the rules.

    The query runs once (its rows: the owing orders' ids and figures, the oldest debt first); `count()` / `len()`, a
    slice (the Receivables of a page, their orders read for those rows only), `rows()` (all), `overdue(n)`, `totals()`
    and `groups(key)` (per customer or rep) are read from them: no order, shipment or payment is loaded whole, and a
    page's tables are cut to their first rows (core.pages.paginate, the views)."""

    def __init__(self, orders: QuerySet, today: date | None = None):
        self.today = today or timezone.localdate()
        if orders.query.is_empty():  # orders.none() (an invalid filter): the same query, over no order
            orders = SalesOrder.objects.filter(pk__lt=0)
        ids = orders.values("pk")
        items, params = open_shipments_sql(
            Shipment.objects.filter(order__in=ids, status__in=SHIPPED_STATUSES),
            PaymentAllocation.objects.filter(payment__status=Payment.Status.CONFIRMED),
            CreditNote.objects.all(),
            c=F("order__customer_id"),
            w=F("order__owner_id"),
            cd=F("order__credit_days"),
            day=TruncDate("shipped_at", tzinfo=timezone.get_current_timezone()),
        )
        postgres = connection.vendor == "postgresql"
        age = "(%s - i.day)" if postgres else "CAST(julianday(%s) - julianday(i.day) AS INTEGER)"
        buckets = ", ".join(
            f"SUM(CASE WHEN {_bucket_sql(low, high, n == 0)} THEN open ELSE 0 END)"
            for n, (_code, _label, low, high) in enumerate(rules.AGING_BUCKETS)
        )
        self._sql = (
            f"SELECT o, c, w, SUM(amt), MAX(paid), MAX(credited), {buckets}, SUM(CASE WHEN age > cd THEN open ELSE 0 END),"
            f" MAX(CASE WHEN open >= {HALF_FEN} THEN age ELSE 0 END) AS oldest"
            f" FROM (SELECT i.*, {age} AS age FROM ({items}) i) s"
            f" GROUP BY o, c, w HAVING SUM(open) >= {HALF_FEN} ORDER BY oldest DESC, o DESC"
        )
        self._params = [self.today, *params]
        self._owed: list[_Owed] | None = None

    def owed(self) -> list[_Owed]:
        """Every owing order's row, the oldest debt first (the query, run once)."""
        if self._owed is None:
            n = len(rules.AGING_CODES)
            with connection.cursor() as cursor:
                cursor.execute(self._sql, self._params)
                self._owed = [_Owed(*row[:6], tuple(row[6 : 6 + n]), row[6 + n], int(row[7 + n] or 0)) for row in cursor]
        return self._owed

    def count(self) -> int:
        return len(self.owed())

    __len__ = count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._receivables(self.owed()[index])
        return self._receivables([self.owed()[index]])[0]

    def __iter__(self):
        return iter(self.rows())

    def rows(self) -> list[Receivable]:
        return self[:]

    def overdue(self, limit: int) -> tuple[list[Receivable], int]:
        """The first `limit` orders with something overdue (the oldest debt first) and how many there are."""
        overdue = [row for row in self.owed() if row.overdue >= HALF_FEN]
        return self._receivables(overdue[:limit]), len(overdue)

    def totals(self) -> dict:
        """{"open", "overdue", "buckets": {code: amount}} over every owing order."""
        rows = self.owed()
        buckets = {code: db_money(sum(row.buckets[n] for row in rows)) for n, code in enumerate(rules.AGING_CODES)}
        return {"open": sum(buckets.values(), ZERO), "overdue": db_money(sum(row.overdue for row in rows)), "buckets": buckets}

    def groups(self, key: str, limit: int | None = None) -> list[dict]:
        """Totals per customer ("customer") or per rep ("owner"), the largest open amount first — {"who", "open",
        "overdue", "buckets"} —, the first `limit` of them if given (their customers or reps read for those only)."""
        attr = {"customer": "customer_id", "owner": "owner_id"}[key]
        sums: dict[int, list] = {}
        for row in self.owed():
            acc = sums.setdefault(getattr(row, attr), [0] * (len(rules.AGING_CODES) + 1))
            for n, amount in enumerate(row.buckets):
                acc[n] += amount
            acc[-1] += row.overdue
        n = len(rules.AGING_CODES)
        ranked = sorted(sums.items(), key=lambda item: (-sum(item[1][:n]), item[0]))[:limit]
        who = (Customer if key == "customer" else get_user_model()).objects.in_bulk([pk for pk, _acc in ranked])
        groups = []
        for pk, acc in ranked:
            buckets = {code: db_money(acc[i]) for i, code in enumerate(rules.AGING_CODES)}
            groups.append({"who": who[pk], "open": sum(buckets.values(), ZERO), "overdue": db_money(acc[-1]), "buckets": buckets})
        return groups

    def groups_count(self, key: str) -> int:
        """How many customers ("customer") or reps ("owner") the owing orders are of."""
        attr = {"customer": "customer_id", "owner": "owner_id"}[key]
        return len({getattr(row, attr) for row in self.owed()})

    @staticmethod
    def _receivables(rows: list[_Owed]) -> list[Receivable]:
        orders = SalesOrder.objects.select_related("customer", "owner").in_bulk([row.order_id for row in rows])
        return [
            Receivable(
                order=orders[row.order_id],
                shipped=db_money(row.shipped),
                paid=db_money(row.paid),
                credited=db_money(row.credited),
                buckets={code: db_money(row.buckets[n]) for n, code in enumerate(rules.AGING_CODES)},
                overdue=db_money(row.overdue),
                oldest_days=row.oldest_days,
            )
            for row in rows
        ]


def collection_rate(user, start: date, end: date, *, receivable: Decimal | None = None) -> Decimal | None:
    """Confirmed money received in [start, end] over that plus what is still receivable now (`receivable`: the open
    total of every receivable of `user`, when the caller has it already)."""
    collected = quantize(
        PaymentAllocation.objects.filter(
            order__in=order_list_for(user), payment__status=Payment.Status.CONFIRMED, payment__received_on__range=(start, end)
        ).aggregate(s=Sum("amount"))["s"]
        or ZERO
    )
    if receivable is None:
        receivable = ReceivableTable(receivable_orders_for(user), end).totals()["open"]
    return rules.collection_rate(collected=collected, receivable=receivable)
