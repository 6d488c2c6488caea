"""应收账款 decided in the database (orders.receivables.ReceivableTable) against the rules they restate
(rules.fifo_open_items, rules.aging_bucket, overdue beyond the order's credit days), on orders with several shipments
on different days, partial and unconfirmed payments, credit notes, a fully settled order, one owing less than a fen and
a cancelled note: every figure of every order to the fen, the order of the rows, the counts, the pages, the totals and
the groups — and on the page and the API, the page of rows with the totals of all of them."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders import receivables, rules
from orders.models import CreditNote, Payment, PaymentAllocation, SalesOrder, Shipment
from salesops.core.money import ZERO, money_text
from salesops.core.numbering import next_number
from tests.factories import CustomerFactory
from tests.orders.conftest import allocated_payment

pytestmark = pytest.mark.django_db
S = Shipment.Status


def _at(days_ago: int, minutes: int = 600):
    """A moment `days_ago` local days ago, `minutes` after local midnight (0–1439: the same local date)."""
    day = timezone.localdate() - timedelta(days=days_ago)
    midnight = timezone.make_aware(datetime.combine(day, time(0, 0)), timezone.get_current_timezone())
    return midnight + timedelta(minutes=minutes)


@pytest.fixture
def book(cast):
    """Orders of two customers (alice's, carol's) with their shipments, payments and credit notes."""
    east = CustomerFactory(owner=cast.alice, team=cast.east, name="杭州信用机电有限公司", payment_terms="credit")
    south = CustomerFactory(owner=cast.carol, team=cast.south, name="广州南方贸易有限公司", payment_terms="credit")
    counter = iter(range(1, 1000))

    def order(number, customer, credit_days=30, *, owner=None, shipments=(), paid=(), credits=()):
        o = SalesOrder.objects.create(
            number=number,
            customer=customer,
            owner=owner or customer.owner,
            created_by=cast.clerk,
            status=SalesOrder.Status.PARTIALLY_SHIPPED,
            credit_days=credit_days,
            received_on=timezone.localdate() - timedelta(days=200),
        )
        for days_ago, amount, *rest in shipments:  # (days ago, amount[, minutes after midnight[, status]])
            minutes = rest[0] if rest else 600
            status = rest[1] if len(rest) > 1 else S.SHIPPED
            n = next(counter)
            note = Shipment.objects.create(number=f"FH-{n}", order=o, created_by=cast.clerk, status=status, amount_incl=D(amount))
            Shipment.objects.filter(pk=note.pk).update(shipped_at=_at(days_ago, minutes))
        for amount, status in paid:
            allocated_payment(o, cast, amount, status, ref=f"B-{next(counter)}")
        for amount in credits:
            CreditNote.objects.create(
                number=f"CN-{next(counter)}", order=o, amount=D(amount), reason="退货", created_by=cast.clerk
            )
        return o

    C, R = Payment.Status.CONFIRMED, Payment.Status.RECORDED
    order("A-THREE", east, shipments=[(100, "1000.00"), (45, "500.00"), (5, "250.00")], paid=[("1200.00", C)])
    order("A-CREDIT", east, 60, shipments=[(70, "300.00"), (20, "300.00")], credits=["299.99"])
    order("A-SETTLED", east, shipments=[(40, "800.00")], paid=[("500.00", C)], credits=["300.00"])
    order("A-RECORDED", east, shipments=[(31, "100.00")], paid=[("100.00", R)])  # not confirmed: still owed
    order("A-SAME-DAY", east, 0, shipments=[(3, "10.00", 5), (3, "20.00", 1400), (0, "5.00")], paid=[("15.00", C)])
    order("A-NOT-SHIPPED", east, shipments=[(10, "999.00", 600, S.RELEASED), (12, "77.00")])
    order("C-MONTHS", south, 90, shipments=[(95, "1234.56"), (61, "0.01"), (60, "100.00"), (30, "50.00")], paid=[("0.01", C)])
    order("C-BOBS", south, owner=cast.bob, shipments=[(91, "42.00")])  # credited to bob, carol's customer
    return east, south


def expected_rows(orders) -> dict[str, dict]:
    """The rules applied order by order in Python (what the page computed before): {number: figures}."""
    today = timezone.localdate()
    out = {}
    for o in orders:
        notes = Shipment.objects.filter(order=o, status__in=receivables.SHIPPED_STATUSES)
        charges = [(timezone.localtime(s.shipped_at).date(), s.amount_incl) for s in notes]
        paid = sum((a.amount for a in PaymentAllocation.objects.filter(order=o, payment__status=Payment.Status.CONFIRMED)), ZERO)
        credited = sum((c.amount for c in CreditNote.objects.filter(order=o)), ZERO)
        buckets, overdue, oldest = defaultdict(lambda: ZERO), ZERO, 0
        for day, amount in rules.fifo_open_items(charges, paid + credited):
            age = (today - day).days
            buckets[rules.aging_bucket(age)] += amount
            oldest = max(oldest, age)
            overdue += amount if age > o.credit_days else ZERO
        if sum(buckets.values(), ZERO) > 0:
            out[o.number] = {
                "shipped": sum((a for _d, a in charges), ZERO),
                "paid": paid,
                "credited": credited,
                "buckets": {code: buckets[code] for code in rules.AGING_CODES},
                "overdue": overdue,
                "oldest_days": oldest,
            }
    return out


def figures(r: receivables.Receivable) -> dict:
    return {
        "shipped": r.shipped,
        "paid": r.paid,
        "credited": r.credited,
        "buckets": r.buckets,
        "overdue": r.overdue,
        "oldest_days": r.oldest_days,
    }


def test_every_figure_of_every_order_is_the_rules_to_the_fen(book, cast):
    orders = receivables.receivable_orders_for(cast.finance)
    table = receivables.ReceivableTable(orders)
    expected = expected_rows(orders)
    assert {r.order.number: figures(r) for r in table.rows()} == expected
    assert "A-SETTLED" not in expected and "A-RECORDED" in expected and len(table) == len(expected) == 7
    # a credit note one fen short of the first shipment leaves one fen of it, 70 days old (overdue beyond 60 days),
    # and the second shipment open
    credit = next(r for r in table.rows() if r.order.number == "A-CREDIT")
    assert (credit.open, credit.overdue, credit.oldest_days) == (D("300.01"), D("0.01"), 70)
    assert credit.buckets["61_90"] == D("0.01") and credit.buckets["0_30"] == D("300.00")


def test_the_rows_come_oldest_debt_first_and_a_slice_is_a_page_of_them(book, cast):
    table = receivables.ReceivableTable(receivables.receivable_orders_for(cast.finance))
    rows = table.rows()
    assert [r.oldest_days for r in rows] == sorted((r.oldest_days for r in rows), reverse=True)
    assert [r.order.number for r in rows[:2]] == ["C-MONTHS", "C-BOBS"]  # 95 and 91 days
    assert [r.order.pk for r in table[2:5]] == [r.order.pk for r in rows[2:5]]
    assert [r.order.pk for r in table[5:]] == [r.order.pk for r in rows[5:]] and table[0].order == rows[0].order


def test_totals_groups_and_the_overdue_list_add_up(book, cast):
    east, south = book
    table = receivables.ReceivableTable(receivables.receivable_orders_for(cast.finance))
    rows = table.rows()
    summary = table.summary(head=None)
    totals = summary.totals
    assert summary.count == len(rows) == 7
    assert totals["open"] == sum((r.open for r in rows), ZERO)
    assert totals["overdue"] == sum((r.overdue for r in rows), ZERO)
    assert totals["buckets"] == {code: sum((r.buckets[code] for r in rows), ZERO) for code in rules.AGING_CODES}
    assert totals["oldest_days"] == max(r.oldest_days for r in rows) > 0
    by_customer = summary.by_customer
    assert [g["who"] for g in by_customer] == sorted(
        [east, south], key=lambda c: -sum(r.open for r in rows if r.order.customer == c)
    )
    assert sum((g["open"] for g in by_customer), ZERO) == totals["open"]
    assert [g["overdue"] for g in by_customer] == [
        sum((r.overdue for r in rows if r.order.customer == g["who"]), ZERO) for g in by_customer
    ]
    by_owner = {g["who"]: g["open"] for g in summary.by_owner}
    assert by_owner[cast.bob] == D("42.00") and set(by_owner) == {cast.alice, cast.carol, cast.bob}
    overdue = [r.order for r in rows if r.overdue > 0]
    assert summary.overdue_count == len(overdue) and [r.order for r in summary.overdue] == overdue
    head = table.summary(2, 3, head=1)  # rows 2–4, the first overdue order and the first customer
    assert [r.order for r in head.page] == [r.order for r in rows[2:5]]
    assert [r.order for r in head.overdue] == overdue[:1] and head.overdue_count == len(overdue)
    assert [g["who"] for g in head.by_customer] == [by_customer[0]["who"]] and head.customer_count == 2
    assert head.totals == totals and len(head.by_owner) == 3


def test_a_page_reads_its_rows_with_the_totals_in_one_query(book, cast, client_as):
    """The page asks for its rows with the totals; the paginator's count and slice read nothing more."""
    table = receivables.ReceivableTable(receivables.receivable_orders_for(cast.finance))
    rows = table.rows()
    with CaptureQueriesContext(connection) as queries:
        page = client_as(cast.finance).get("/orders/receivables/", {"page_size": 3, "page": 2})
    assert [r.order for r in page.context["items"]] == [r.order for r in rows[3:6]]
    assert sum("GROUP BY o, c, w" in q["sql"] for q in queries.captured_queries) == 1
    # a page past the end shows the last page: read again for it
    last = client_as(cast.finance).get("/orders/receivables/", {"page_size": 3, "page": 9})
    assert [r.order for r in last.context["items"]] == [r.order for r in rows[6:]]


def test_a_reader_sees_the_receivables_of_what_they_see_and_nothing_for_no_order(book, cast):
    carol = receivables.ReceivableTable(receivables.receivable_orders_for(cast.carol))
    assert {r.order.number for r in carol.rows()} == {"C-MONTHS", "C-BOBS"}  # bob's order is of her customer
    empty = receivables.ReceivableTable(SalesOrder.objects.none())
    summary = empty.summary(0, 25)
    assert (len(empty), empty.rows(), empty[0:0], summary.totals["open"], summary.by_owner) == (0, [], [], ZERO, [])
    assert (summary.count, summary.page, summary.overdue_count, summary.customer_count) == (0, [], 0, 0)


def test_the_page_and_the_api_show_a_page_of_rows_with_the_totals_of_all(book, cast, client_as, api_as):
    table = receivables.ReceivableTable(receivables.receivable_orders_for(cast.finance))
    rows, summary = table.rows(), table.summary(head=None)
    totals = summary.totals
    page = client_as(cast.finance).get("/orders/receivables/", {"page_size": 3, "page": 2})
    assert page.status_code == 200
    assert [r.order for r in page.context["items"]] == [r.order for r in rows[3:6]]
    assert page.context["totals"]["open"] == totals["open"] and page.context["page"].paginator.count == 7
    assert 'data-testid="pagination"' in page.content.decode()
    body = api_as(cast.finance).get("/api/v1/receivables/", {"page_size": 3, "page": 3}).json()
    assert [i["order_number"] for i in body["items"]] == [r.order.number for r in rows[6:]]
    assert (body["count"], body["total_open"], body["next"]) == (7, str(totals["open"]), None)
    assert body["customer_count"] == 2 and [g["id"] for g in body["by_customer"]] == [g["who"].pk for g in summary.by_customer]
    assert "page=2" in body["previous"]
    bad = api_as(cast.finance).get("/api/v1/receivables/", {"page_size": 500})
    assert bad.status_code == 400 and "page_size" in bad.json()["errors"]
    assert api_as(cast.finance).get("/api/v1/receivables/", {"cursor": ""}).status_code == 400


def test_the_customer_page_sums_what_the_customer_owes_in_the_database(book, cast, client_as, monkeypatch):
    """The orders card of the customer page shows the customer's open and overdue amounts and its oldest debt, summed
    by the grouped query: a customer with thousands of owing orders is not read order by order (at 15,000 orders the
    page took 0.9 s, nearly all of it loading every owing order)."""
    east, _south = book
    rows = [r for r in receivables.receivables(cast.manager) if r.order.customer == east]
    monkeypatch.setattr(receivables.ReceivableTable, "rows", lambda self: pytest.fail("the panel read every owing order"))
    html = client_as(cast.manager).get(reverse("customers:detail", args=[east.pk])).content.decode()
    panel = html.split('data-testid="orders-panel"')[1]
    shown = re.findall(r'data-testid="panel-(?:open|overdue)-amount">[^<]*<strong class="num">([^<]*)</strong>', panel)
    assert shown == [money_text(sum((r.open for r in rows), ZERO)), money_text(sum((r.overdue for r in rows), ZERO))]
    assert f"最长 {max(r.oldest_days for r in rows)} 天" in panel


def test_the_held_amounts_are_settled_less_kept_per_order_and_an_order_owes_or_holds_never_both(book, cast):
    """预收/应退: per order with goods shipped, confirmed money (net of refunds) plus credit notes less the goods kept,
    when positive — from the same grouped pass."""
    east, south = book
    C = Payment.Status.CONFIRMED

    def order(number, customer, *, shipments=(), paid=(), credits=(), refunded=None):
        o = SalesOrder.objects.create(
            number=number,
            customer=customer,
            owner=customer.owner,
            created_by=cast.clerk,
            status=SalesOrder.Status.PARTIALLY_SHIPPED,
            received_on=timezone.localdate() - timedelta(days=100),
        )
        for n, (days_ago, amount, returned) in enumerate(shipments):
            note = Shipment.objects.create(
                number=f"FH-{number}-{n}", order=o, created_by=cast.clerk, status=S.SHIPPED, amount_incl=D(amount)
            )
            Shipment.objects.filter(pk=note.pk).update(shipped_at=_at(days_ago), returned_amount=D(returned))
        for n, amount in enumerate(paid):
            allocated_payment(o, cast, amount, C, ref=f"B-{number}-{n}")
        for n, amount in enumerate(credits):
            CreditNote.objects.create(number=f"CN-{number}-{n}", order=o, amount=D(amount), reason="退货", created_by=cast.clerk)
        if refunded:  # a refund written as the service writes it: confirmed, negative, allocated to the order
            refund = Payment.objects.create(
                number=next_number("TK"),
                customer=customer,
                kind=Payment.Kind.REFUND,
                bank_reference=f"TK-{number}",
                amount=-D(refunded),
                received_on=timezone.localdate(),
                recorded_by=cast.finance,
                status=C,
            )
            PaymentAllocation.objects.create(payment=refund, order=o, amount=-D(refunded))
        return o

    order("H-DEPOSIT", east, shipments=[(5, "100.00", "0")], paid=["600.00"])  # paid ahead of the goods: 500 held
    order("H-DEPOSIT-BACK", east, shipments=[(5, "100.00", "0")], paid=["600.00"], refunded="500.00")  # settled, no row
    order("H-CREDITED", east, shipments=[(20, "1000.00", "0")], paid=["1000.00"], credits=["300.00"])  # 300 held
    order("H-REFUSED", south, shipments=[(20, "1000.00", "400.00")], paid=["800.00"])  # kept 600, paid 800: 200 held
    order("H-PART-BACK", south, shipments=[(20, "100.00", "0")], paid=["300.00"], refunded="150.00")  # 50 held
    orders = receivables.receivable_orders_for(cast.finance)
    table = receivables.ReceivableTable(orders)
    summary = table.summary(head=None)
    # then each order's held amount is the rule applied in Python, the most first
    expected = {}
    for o in orders:
        kept = sum((s.amount_incl - s.returned_amount for s in o.shipments.filter(status__in=receivables.SHIPPED_STATUSES)), ZERO)
        paid = sum((a.amount for a in PaymentAllocation.objects.filter(order=o, payment__status=C)), ZERO)
        credited = sum((c.amount for c in CreditNote.objects.filter(order=o)), ZERO)
        if paid + credited - kept > 0:
            expected[o.number] = paid + credited - kept
    assert (
        {r.order.number: r.held for r in summary.held}
        == expected
        == {
            "H-DEPOSIT": D("500.00"),
            "H-CREDITED": D("300.00"),
            "H-REFUSED": D("200.00"),
            "H-PART-BACK": D("50.00"),
        }
    )
    assert [r.held for r in summary.held] == sorted(expected.values(), reverse=True) and summary.held_count == 4
    assert {r.order.number for r in table.held()} == set(expected)
    # an order owes or holds: the owing rows are the book's as before, none of them holding anything
    book_rows = expected_rows(orders.exclude(number__startswith="H-"))
    assert {r.order.number for r in table.rows()} == set(book_rows) and all(r.held == 0 for r in table.rows())
    # the totals and the customers: balance = open − held
    assert summary.totals["held"] == D("1050.00") and summary.totals["balance"] == summary.totals["open"] - D("1050.00")
    by_customer = {g["who"]: g for g in summary.by_customer}
    assert (by_customer[east]["held"], by_customer[south]["held"]) == (D("800.00"), D("250.00"))
    assert all(g["balance"] == g["open"] - g["held"] for g in summary.by_customer)
    # a customer holding money and owing nothing is listed with the customers (after those owing)
    holder = CustomerFactory(owner=cast.alice, team=cast.east, name="只有预收的客户")
    order("H-ONLY", holder, shipments=[(5, "5.00", "0")], paid=["15.00"])
    again = receivables.ReceivableTable(receivables.receivable_orders_for(cast.finance)).summary(head=None)
    assert again.by_customer[-1]["who"] == holder and again.by_customer[-1]["balance"] == D("-10.00")
    assert again.customer_count == 3 and again.count == summary.count
