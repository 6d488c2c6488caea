"""应收账款: what the visible orders still owe for goods shipped, aged by shipment date, and what they hold for their
customers beyond what they owe (预收/应退 of orders with goods shipped: paid ahead, a credit note on goods paid) — the
receivables page, its API and export, a customer's panel, the collection rate. Kept apart from orders.selectors (the
other reads of orders) as one family of reads; visibility comes from there (order_list_for)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Exists, ExpressionWrapper, F, OuterRef, QuerySet, Sum, Window
from django.db.models.functions import Round, TruncDate
from django.utils import timezone

from customers.models import Customer
from salesops.core.compiled import sql_of
from salesops.core.money import ZERO, db_money, quantize

from . import rules
from .models import HALF_FEN, CreditNote, Payment, PaymentAllocation, SalesOrder, Shipment, kept_amount, returned_after
from .permissions import handles_money
from .selectors import MONEY_OUTPUT, order_list_for


@dataclass
class Receivable:
    """What one order still owes for goods shipped, split by age (days since each shipment); amounts in CNY."""

    order: SalesOrder
    shipped: Decimal
    paid: Decimal
    buckets: dict[str, Decimal] = field(default_factory=lambda: {code: ZERO for code, *_ in rules.AGING_BUCKETS})
    overdue: Decimal = ZERO
    oldest_days: int = 0
    credited: Decimal = ZERO  # credit notes (refunds) reduce the open amount like payments
    held: Decimal = ZERO  # 预收/应退: settled (confirmed money net of refunds + credit notes) beyond the goods kept

    @property
    def open(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)

    @property
    def balance(self) -> Decimal:
        """What the customer owes on the order (negative: what the order holds for it)."""
        return self.open - self.held


SHIPPED_STATUSES = (Shipment.Status.SHIPPED, Shipment.Status.DELIVERED)


def receivable_orders_for(user) -> QuerySet[SalesOrder]:
    """The visible orders that may owe for goods shipped, or hold money beyond them (not cancelled, something shipped
    or delivered): what the receivables page, its API and its export filter (orders.filters.ReceivableFilter)."""
    if not handles_money(user):  # the warehouse, QC and service: not their menu
        return SalesOrder.objects.none()
    shipped = Shipment.objects.filter(order=OuterRef("pk"), status__in=SHIPPED_STATUSES)
    return order_list_for(user).exclude(status=SalesOrder.Status.CANCELLED).filter(Exists(shipped))


def receivables(user, today: date | None = None) -> list[Receivable]:
    """Every receivable of `user` (ReceivableTable.rows)."""
    return receivables_of(receivable_orders_for(user), today)


def receivables_of(orders: QuerySet, today: date | None = None) -> list[Receivable]:
    """The receivables of `orders` (already scoped to what the reader may see), the oldest debt first — all of them
    (the export); a page reads a slice of ReceivableTable."""
    return ReceivableTable(orders, today).rows()


def receivable_export_rows(orders: QuerySet, today: date | None = None) -> list[Receivable]:
    """The export's rows: every owing order, the oldest debt first, then every order holding money for its customer
    (预收/应退), the most first — one table, the same figures as the page's tables."""
    table = ReceivableTable(orders, today)
    return table.rows() + table.held()


# The receivables' tables beside the paged one (the overdue orders, the customers by their debt, the orders holding
# money) show their first
# RECEIVABLE_HEAD rows and how many there are, on the page and in the API; the export has every order.
RECEIVABLE_HEAD = 50


def _bucket_sql(low: int, high: int | None, first: bool) -> str:
    """The SQL condition of an age bucket on `age` (as rules.aging_bucket: the first bucket also takes a negative age)."""
    parts = ([] if first else [f"age >= {int(low)}"]) + ([] if high is None else [f"age <= {int(high)}"])
    return " AND ".join(parts) or "1 = 1"


class _Owed(NamedTuple):
    """One owing order's row of ReceivableTable as the database gives it (amounts: Decimals on PostgreSQL, floats on
    SQLite; made money by db_money where they are shown or summed)."""

    order_id: int
    customer_id: int
    owner_id: int
    shipped: Decimal | float
    paid: Decimal | float
    credited: Decimal | float
    buckets: tuple  # in rules.AGING_CODES' order
    overdue: Decimal | float
    oldest_days: int
    held: Decimal | float = 0  # 预收/应退


@dataclass
class ReceivableSummary:
    """What a receivables page shows, read by one query (ReceivableTable.summary): the page's rows, how many owing
    orders there are, the totals of all of them, the first overdue orders and how many there are, the customers with
    the largest debt (then the most held) and how many customers owe or are owed, every rep's totals, and the first
    orders holding money for their customer (预收/应退, the most first) and how many there are. A group is {"who",
    "open", "overdue", "buckets", "held", "balance"}; the totals are {"open", "overdue", "buckets", "held", "balance",
    "oldest_days"} (the age of the oldest open shipment); balance = open − held."""

    count: int
    totals: dict
    page: list[Receivable]
    overdue: list[Receivable]
    overdue_count: int
    by_customer: list[dict]
    customer_count: int
    by_owner: list[dict]
    held: list[Receivable] = field(default_factory=list)
    held_count: int = 0


def _sum_per_order(rows: QuerySet) -> tuple[str, tuple]:
    """SQL of (order_id, s): the sum of `rows`' amounts per order, for the orders of the shipments `t` only."""
    sql, params = sql_of(rows.order_by().values("order_id", "amount"))
    return f"SELECT order_id, SUM(amount) AS s FROM ({sql}) x WHERE order_id IN (SELECT o FROM t) GROUP BY order_id", params


def open_shipments_sql(
    shipments: QuerySet[Shipment], paid: QuerySet, credited: QuerySet, *, as_of: date | None = None, **columns
) -> tuple[str, list]:
    """SQL and params of one row per shipment of `shipments` with the `columns` asked for (name -> an expression over
    the shipment), `o` (its order's id), `amt` (its amount less the goods refused and received back), `paid` and `credited` (its order's sums of the `paid`
    payment allocations and the `credited` credit notes) and `open`: what of it is still owed once the order's paid and
    credited amounts are applied to the order's shipments oldest first — its running total over the order's shipments
    (by shipping time) less the settled amount, between 0 and its amount, as rules.fifo_open_items does. What the
    receivables (ReceivableTable) and the receivables KPIs (orders.figures) are computed from: the callers choose the
    shipments (their scope and cut-off date) and which payments and credit notes count (their cut-off dates).

    The shipments are read once (`t`, with their running totals); the payments and credit notes are summed once per
    order, for those orders only, and joined — not a subquery per shipment, nor the scope's filters again. `as_of` (a
    past day, for the figures of a closed period): a note's goods refused and received back after it still count as the
    customer's (models.returned_after, a subquery per note only then)."""
    # a note's amount is what stayed with the customer: less the goods refused and received back (models.kept_amount)
    kept = kept_amount() if as_of is None else kept_amount() + returned_after(as_of, "shipment")
    running = Window(Sum(kept), partition_by=[F("order_id")], order_by=[F("shipped_at").asc(), F("pk").asc()])
    rows = shipments.order_by().annotate(o=F("order_id"), amt=kept, upto=running, **columns)
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
    order's credit days. Amounts in CNY, converted as the KPIs do (orders.figures: each shipment's amount and open part
    at its order's exchange rate, rounded per shipment; the order's paid and credited sums at that rate), so the
    totals of orders in several currencies add up and equal the 应收账龄 KPI; "owing" means at least half a fen in CNY
    (money columns hold whole fen; SQLite sums them as floats). tests/orders/test_receivables_sql.py checks it against the rules.

    A page reads `summary(offset, limit)`: one query gives its rows, the count, the totals and the groups, summed and
    cut in the database (at 18,841 owing orders, every row read into Python took longer than the query). The paginator
    then finds the count and the page's rows already read. `rows()` (the export) reads every
    owing order, the oldest debt first; any other slice reads that slice. Orders, customers and reps are loaded for the
    rows shown only.

    预收/应退 (`held`) comes from the same grouped pass: per order, settled (confirmed money net of refunds, plus credit
    notes) less the goods kept, when positive, in CNY at the order's rate (rounded per order); an order owes or holds,
    never both. `g` holds the owing and the holding orders (`debt`: what is open, `held`); the parts of a page pick
    theirs. Only orders with goods shipped are read: money on an order with nothing shipped (a deposit, 预收) is not
    in this table — reading those orders in the same statement doubled its time on the benchmark (60,000 orders,
    15,000 such deposits: 223 -> 364 ms), so it was left out; their refund is offered on the order page."""

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
            rate=F("order__exchange_rate"),
            day=TruncDate("shipped_at", tzinfo=timezone.get_current_timezone()),
        )
        postgres = connection.vendor == "postgresql"
        age = "(%s - i.day)" if postgres else "CAST(julianday(%s) - julianday(i.day) AS INTEGER)"
        buckets = ", ".join(
            f"SUM(CASE WHEN {_bucket_sql(low, high, n == 0)} THEN open_cny ELSE 0 END) AS b{n}"
            for n, (_code, _label, low, high) in enumerate(rules.AGING_BUCKETS)
        )
        # settled less kept, in CNY (rounded per order as the paid and credited figures)
        net = "ROUND(MAX(paid) * MAX(rate), 2) + ROUND(MAX(credited) * MAX(rate), 2) - SUM(ROUND(amt * rate, 2))"
        # g: one row per owing or holding order, in _Owed's columns (+ debt); in CNY as the KPIs (orders.figures): each
        # shipment's amount and open part at its order's exchange rate, rounded per shipment; the order's paid and
        # credited sums at it, rounded per order
        self._grouped = (
            "SELECT o, c, w, SUM(ROUND(amt * rate, 2)) AS shipped, ROUND(MAX(paid) * MAX(rate), 2) AS paid,"
            f" ROUND(MAX(credited) * MAX(rate), 2) AS credited, {buckets},"
            " SUM(CASE WHEN age > cd THEN open_cny ELSE 0 END) AS overdue,"
            f" MAX(CASE WHEN open >= {HALF_FEN} THEN age ELSE 0 END) AS oldest,"
            f" CASE WHEN {net} >= {HALF_FEN} THEN {net} ELSE 0 END AS held, SUM(open_cny) AS debt"
            f" FROM (SELECT i.*, {age} AS age, ROUND(i.open * i.rate, 2) AS open_cny FROM ({items}) i) s"
            f" GROUP BY o, c, w HAVING SUM(open_cny) >= {HALF_FEN} OR {net} >= {HALF_FEN}"
        )
        self._params = [self.today, *params]
        self._owed: list[_Owed] | None = None
        self._summary: ReceivableSummary | None = None
        self._window: tuple[int, int] | None = None

    def owed(self, offset: int = 0, limit: int | None = None) -> list[_Owed]:
        """The owing orders' rows, the oldest debt first: all of them (read once), or `limit` rows from `offset`."""
        owing = f"SELECT {_ROW} FROM g WHERE {_OWING} {_OLDEST_FIRST}"
        if limit is not None:
            return [_owed(row) for row in self._fetch(f"{owing} LIMIT %s OFFSET %s", [limit, offset])]
        if self._owed is None:
            self._owed = [_owed(row) for row in self._fetch(owing)]
        return self._owed[offset:]

    def held(self) -> list[Receivable]:
        """Every order holding money for its customer (预收/应退), the most first (the export of that table)."""
        return self._receivables([_owed(row) for row in self._fetch(f"SELECT {_ROW} FROM g WHERE {_HOLDING} {_MOST_HELD}")])

    def summary(self, offset: int = 0, limit: int = 0, head: int | None = RECEIVABLE_HEAD) -> ReceivableSummary:
        """The rows [offset, offset + limit) with the counts, totals and groups of all (the first `head` overdue orders
        and customers; None: all of them), in one query; kept, so that the paginator's count and its slice of the
        same rows read nothing more."""
        self._summary = self._read(offset, limit, head)
        self._window = (offset, min(offset + limit, self._summary.count))
        return self._summary

    def count(self) -> int:
        if self._summary is not None:
            return self._summary.count
        return len(self.owed())

    __len__ = count

    def __getitem__(self, index):
        if not isinstance(index, slice):
            index = range(len(self))[index]  # an IndexError beyond the rows, as a list
            return self[index : index + 1][0]
        if self._owed is not None:
            return self._receivables(self._owed[index])
        start, stop, step = index.indices(len(self))
        if self._summary is not None and step == 1 and (start, stop) == self._window:
            return self._summary.page
        if step != 1:
            return self.rows()[index]
        return self._receivables(self.owed(start, max(stop - start, 0)))

    def __iter__(self):
        return iter(self.rows())

    def rows(self) -> list[Receivable]:
        return self._receivables(self.owed())

    def _fetch(self, sql: str, params=()) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(f"WITH g AS ({self._grouped}) {sql}", [*self._params, *params])
            return cursor.fetchall()

    def _read(self, offset: int, limit: int, head: int | None) -> ReceivableSummary:
        n = len(rules.AGING_CODES)
        b = ", ".join(f"b{i}" for i in range(n))
        sums = ", ".join(f"SUM(b{i}) AS b{i}" for i in range(n))
        debt = " + ".join(f"SUM(b{i})" for i in range(n))
        qualified = ", ".join(f"SUM(g.b{i}) AS b{i}" for i in range(n))
        cap = "" if head is None else f" LIMIT {int(head)}"
        # one row per part (1 the page, 2 overdue orders, 3 customers, 4 reps, 5 the totals, 6 the orders holding
        # money), in `seq` order within it; every part in _ROW's columns
        parts = (
            (
                f"SELECT 1 AS part, ROW_NUMBER() OVER ({_OLDEST_FIRST}) AS seq, {_ROW}"
                f" FROM (SELECT * FROM g WHERE {_OWING} {_OLDEST_FIRST} LIMIT {int(limit)} OFFSET {int(offset)}) p"
            ),
            (
                f"SELECT 2, ROW_NUMBER() OVER ({_OLDEST_FIRST}), {_ROW}"
                f" FROM (SELECT * FROM g WHERE overdue >= {HALF_FEN} {_OLDEST_FIRST}{cap}) d"
            ),
            (  # the first customers by two sums, then their buckets (a narrow grouping of every row, a wide one of few)
                f"SELECT 3, ROW_NUMBER() OVER (ORDER BY debt DESC, held DESC, c), NULL, c, NULL, NULL, NULL, NULL, {b},"
                f" overdue, NULL, held FROM (SELECT g.c AS c, MAX(x.td) AS debt, {qualified}, SUM(g.overdue) AS overdue,"
                " MAX(x.th) AS held FROM g JOIN (SELECT c, SUM(debt) AS td, SUM(held) AS th FROM g GROUP BY c"
                f" ORDER BY td DESC, th DESC, c{cap}) x ON x.c = g.c GROUP BY g.c) k"
            ),
            (
                f"SELECT 4, ROW_NUMBER() OVER (ORDER BY debt DESC, held DESC, w), NULL, NULL, w, NULL, NULL, NULL, {b},"
                f" overdue, NULL, held FROM (SELECT w, {debt} AS debt, {sums}, SUM(overdue) AS overdue, SUM(held) AS held"
                " FROM g GROUP BY w) r"
            ),
            (
                f"SELECT 5, 1, SUM(CASE WHEN {_OWING} THEN 1 ELSE 0 END), COUNT(DISTINCT c),"
                f" SUM(CASE WHEN overdue >= {HALF_FEN} THEN 1 ELSE 0 END), SUM(CASE WHEN {_HOLDING} THEN 1 ELSE 0 END),"
                f" NULL, NULL, {sums}, SUM(overdue), MAX(oldest), SUM(held) FROM g"
            ),
            (f"SELECT 6, ROW_NUMBER() OVER ({_MOST_HELD}), {_ROW} FROM (SELECT * FROM g WHERE {_HOLDING} {_MOST_HELD}{cap}) h"),
        )
        rows: dict[int, list[tuple]] = {part: [] for part in range(1, 7)}
        for part, _seq, *values in sorted(self._fetch(" UNION ALL ".join(parts)), key=lambda r: (r[0], r[1])):
            rows[part].append(values)
        count, customer_count, overdue_count, held_count, *_rest = rows[5][0]
        listed = self._receivables([_owed(r) for r in rows[1] + rows[2] + rows[6]])
        shown, overdue = len(rows[1]), len(rows[2])
        total = rows[5][0]
        return ReceivableSummary(
            count=int(count or 0),
            totals={**_sums(total[6 : 6 + n], total[6 + n], total[8 + n]), "oldest_days": int(total[7 + n] or 0)},
            page=listed[:shown],
            overdue=listed[shown : shown + overdue],
            overdue_count=int(overdue_count or 0),
            by_customer=_groups(Customer, [(r[1], r[6 : 6 + n], r[6 + n], r[8 + n]) for r in rows[3]]),
            customer_count=int(customer_count),
            by_owner=_groups(get_user_model(), [(r[2], r[6 : 6 + n], r[6 + n], r[8 + n]) for r in rows[4]]),
            held=listed[shown + overdue :],
            held_count=int(held_count or 0),
        )

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
                held=db_money(row.held),
            )
            for row in rows
        ]


_OLDEST_FIRST = "ORDER BY oldest DESC, o DESC"
_MOST_HELD = "ORDER BY held DESC, o DESC"
_OWING = f"debt >= {HALF_FEN}"
_HOLDING = f"held >= {HALF_FEN}"
# the columns of a row of g, in _Owed's order
_ROW = (
    "o, c, w, shipped, paid, credited, " + ", ".join(f"b{i}" for i in range(len(rules.AGING_CODES))) + ", overdue, oldest, held"
)


def _owed(row) -> _Owed:
    n = len(rules.AGING_CODES)
    return _Owed(*row[:6], tuple(row[6 : 6 + n]), row[6 + n], int(row[7 + n] or 0), row[8 + n] or 0)


def _sums(buckets, overdue, held=0) -> dict:
    """{"open", "overdue", "buckets": {code: amount}, "held", "balance"} of summed columns (None: nothing)."""
    money = {code: db_money(buckets[n] or 0) for n, code in enumerate(rules.AGING_CODES)}
    debt, held = sum(money.values(), ZERO), db_money(held or 0)
    return {"open": debt, "overdue": db_money(overdue or 0), "buckets": money, "held": held, "balance": debt - held}


def _groups(model, rows: list[tuple]) -> list[dict]:
    """[{"who", "open", "overdue", "buckets", "held", "balance"}] of (pk, bucket sums, overdue sum, held sum) rows, in
    their order."""
    who = model.objects.in_bulk([row[0] for row in rows])
    return [{"who": who[pk], **_sums(buckets, overdue, held)} for pk, buckets, overdue, held in rows]


def collection_rate(
    user,
    start: date,
    end: date,
    *,
    narrow: Callable[[QuerySet], QuerySet] | None = None,
    receivable: Decimal | None = None,
) -> Decimal | None:
    """Confirmed money received in [start, end] over that plus what is still receivable now (`receivable`: the open
    total of the receivables counted, when the caller has it already), in CNY as the 回款率 KPI (reports.kpis): each
    allocation at its order's exchange rate, rounded per allocation, and orders cancelled since count nowhere.
    Collection counts receipts only (amount > 0): a refund paid back (退款) is not a negative collection.
    `narrow`: the page's or the API's filters (ReceivableFilter: a rep, a team, a customer, a search) applied to the
    orders of both the money collected and the receivable, so that the rate is of the rows the page lists; None: every
    order of `user`."""
    narrow = narrow or (lambda orders: orders)
    cny = ExpressionWrapper(Round(F("amount") * F("order__exchange_rate"), 2), output_field=MONEY_OUTPUT)
    collected = quantize(
        PaymentAllocation.objects.filter(
            order__in=narrow(order_list_for(user).exclude(status=SalesOrder.Status.CANCELLED)).values("pk"),
            payment__status=Payment.Status.CONFIRMED,
            payment__received_on__range=(start, end),
            amount__gt=0,
        ).aggregate(s=Sum(cny, output_field=MONEY_OUTPUT))["s"]
        or ZERO
    )
    if receivable is None:
        receivable = ReceivableTable(narrow(receivable_orders_for(user)), end).summary(head=0).totals["open"]
    return rules.collection_rate(collected=collected, receivable=receivable)
