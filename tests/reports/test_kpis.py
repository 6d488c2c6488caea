"""The KPI figures against the hand-computed month in books.py (every number below is worked out in its docstring)."""

from datetime import date
from decimal import Decimal as D

import pytest

from reports import kpis
from reports.periods import Period
from reports.scopes import Scope

from .books import make_book

NOV = Period.month(2026, 11)
DEC = Period.month(2026, 12)
OCT = Period.month(2026, 10)
COMPANY = Scope.company()


@pytest.fixture
def book(cast):
    return make_book(cast)


def test_sales_count_cancelled_orders_nowhere_and_credit_notes_in_their_month(book):
    # O1 10,000 + O2 5,000 + O6 1,000 (O4 cancelled, O3 in December, O5 in October)
    assert kpis.order_intake(NOV, COMPANY) == D("16000.00")
    assert kpis.sales_by_order_date(NOV, COMPANY) == D("16000.00")
    # October's order O5 carries the 500.00 credit note issued in November
    assert kpis.sales_by_order_date(OCT, COMPANY) == D("1500.00")
    assert kpis.returns_amount(NOV, COMPANY) == D("500.00")
    # shipped: partial 4,000 + O2 5,000 at 23:59 on the 30th + O6 1,000 − credit note 500
    assert kpis.sales_shipped(NOV, COMPANY) == D("9500.00")
    # invoiced: only O1's issued 4,000 (O2's merely requested); O5's credit note is not deducted again (invoices are
    # capped at delivered − credit notes: tests/reports/test_report_fixes.py)
    assert kpis.sales_invoiced(NOV, COMPANY) == D("4000.00")
    assert kpis.collected(NOV, COMPANY) == D("4000.00")


def test_month_boundary_at_midnight_in_shanghai(book):
    # O2 left at 23:59 on 30 November, O3 at 00:00 on 1 December (Shanghai time)
    assert kpis.sales_shipped(DEC, COMPANY) == D("7000.00")
    assert kpis.order_intake(DEC, COMPANY) == D("7000.00")
    assert kpis.sales_shipped(Period.day(date(2026, 11, 30)), COMPANY) == D("5000.00")
    assert kpis.sales_shipped(Period.day(date(2026, 12, 1)), COMPANY) == D("7000.00")
    # the callback done at 00:00 on 1 December belongs to December
    assert kpis.satisfaction_avg(DEC, COMPANY) == D("1.00")


def test_unshipped_amount_counts_the_rest_of_a_partial_shipment(book):
    # by 11-09: O1 10,000 + O5 2,000 received, only O5 shipped → 10,000
    assert kpis.unshipped_amount(date(2026, 11, 9), COMPANY) == D("10000.00")
    # by 11-30 (O2 shipped at 23:59): O1's remaining 6,000
    assert kpis.unshipped_amount(date(2026, 11, 30), COMPANY) == D("6000.00")
    assert kpis.unshipped_amount(date(2026, 11, 30), Scope.team(book.cast.south.pk)) == D("0.00")


def test_receivables_aging_and_collection_rate(book):
    # O1 4,000 − 3,000 paid = 1,000 (20 days); O2 5,000, payment only recorded (0 days); O6 1,000 (9 days);
    # O5 2,000 − 1,000 paid − 500 credited = 500 (36 days); O3 shipped in December does not count yet
    aging = kpis.receivables_aging(date(2026, 11, 30), COMPANY)
    assert aging == {"0_30": D("7000.00"), "31_60": D("500.00"), "61_90": D("0.00"), "90_plus": D("0.00")}
    # 4,000 collected ÷ (4,000 + 7,500 open) = 0.3478
    assert kpis.collection_rate(NOV, COMPANY) == D("0.3478")
    assert kpis.receivables_aging(date(2026, 11, 30), Scope.rep(book.cast.carol.pk))["31_60"] == D("500.00")


def test_aging_moves_a_shipment_to_the_next_bucket_after_thirty_days(book):
    # O5 shipped 10-25: 30 days old on 11-24, 31 on 11-25
    assert kpis.receivables_aging(date(2026, 11, 24), Scope.rep(book.cast.carol.pk))["0_30"] == D("500.00")
    assert kpis.receivables_aging(date(2026, 11, 25), Scope.rep(book.cast.carol.pk))["31_60"] == D("500.00")


def test_order_accuracy_and_on_time_delivery(book):
    # verified November orders O1, O2 (changed), O6; cancelled O4 excluded → 1 − 1/3
    assert kpis.order_accuracy(NOV, COMPANY) == D("0.6667")
    # fully shipped in November: O2 on its promised day, O6 a day late in Shanghai (on time by the UTC date) → 1/2
    assert kpis.on_time_delivery(NOV, COMPANY) == D("0.5000")
    assert kpis.on_time_delivery(NOV, Scope.rep(book.cast.carol.pk)) is None


def test_after_sales_figures(book):
    # scores 5, 4 (O2) and 3, 3, 3 (O5): 18 / 5
    assert kpis.satisfaction_avg(NOV, COMPANY) == D("3.60")
    assert kpis.satisfaction_avg(NOV, Scope.rep(book.cast.alice.pk)) == D("4.50")
    assert kpis.complaint_count(NOV, COMPANY) == 1
    assert kpis.complaint_count(NOV, Scope.rep(book.cast.alice.pk)) == 0
    # 甲's ticket (no order → alice as 甲's rep) in time, O5's late
    assert kpis.sla_hit_rate(NOV, COMPANY) == D("0.5000")
    assert kpis.sla_hit_rate(NOV, Scope.rep(book.cast.alice.pk)) == D("1.0000")
    assert kpis.sla_hit_rate(NOV, Scope.team(book.cast.south.pk)) == D("0.0000")


def test_scopes_split_the_company(book):
    c = book.cast
    assert kpis.sales_shipped(NOV, Scope.rep(c.alice.pk)) == D("9000.00")
    assert kpis.sales_shipped(NOV, Scope.rep(c.bob.pk)) == D("1000.00")
    assert kpis.sales_shipped(NOV, Scope.team(c.east.pk)) == D("10000.00")
    # carol only has November's credit note on an October order
    assert kpis.sales_shipped(NOV, Scope.team(c.south.pk)) == D("-500.00")


def test_achievement_and_growth(book):
    assert kpis.achievement(NOV, COMPANY) == {"target": D("20000.00"), "actual": D("9500.00"), "rate": D("0.4750")}
    assert kpis.achievement(NOV, Scope.rep(book.cast.alice.pk))["rate"] == D("1.1250")
    assert kpis.achievement(NOV, Scope.rep(book.cast.bob.pk)) == {"target": None, "actual": D("1000.00"), "rate": None}
    # October shipped 2,000: (9,500 − 2,000) / 2,000; nothing a year before
    assert kpis.growth(NOV, COMPANY) == {"mom": D("3.7500"), "yoy": None}


def test_store_rows_add_up_to_the_figures(book):
    rows = list(kpis.store_rows(NOV, COMPANY))
    by_name = {r["customer_name"]: r for r in rows}
    assert set(by_name) == {"甲客户", "乙客户"}
    assert by_name["甲客户"] | {"customer_id": 0} == {
        "customer_id": 0,
        "customer_name": "甲客户",
        "customer_type": "distributor",
        "region": "江苏",
        "orders": D("16000.00"),
        "shipped": D("10000.00"),
        "invoiced": D("4000.00"),
        "collected": D("3000.00"),
        "returns": D("0.00"),
        "last_month": D("0.00"),
        "last_year": D("0.00"),
    }
    assert by_name["乙客户"]["shipped"] == D("-500.00")
    assert by_name["乙客户"]["last_month"] == D("2000.00")
    total = kpis.totals("store", NOV, COMPANY)
    assert total["shipped"] == kpis.sales_shipped(NOV, COMPANY)
    assert total["invoiced"] == kpis.sales_invoiced(NOV, COMPANY)
    assert total["orders"] == kpis.order_intake(NOV, COMPANY)
    assert total["collected"] == kpis.collected(NOV, COMPANY)
    assert total["returns"] == kpis.returns_amount(NOV, COMPANY)


@pytest.mark.parametrize("month", [NOV, Period.month(2026, 12)])
def test_store_rows_add_up_to_the_figures_of_every_scope(book, month):
    """Per scope, the store rows add up to the scope's figures — last month's shipped net of its credit notes too
    (December's last month is November, with 乙's credit note); 乙's cancelled order drops the order, not the customer."""
    c = book.cast
    for scope in (COMPANY, Scope.team(c.east.pk), Scope.team(c.south.pk), Scope.rep(c.alice.pk), Scope.rep(c.carol.pk)):
        total = kpis.totals("store", month, scope)
        assert total.get("shipped", D(0)) == kpis.sales_shipped(month, scope), scope
        assert total.get("invoiced", D(0)) == kpis.sales_invoiced(month, scope), scope
        assert total.get("orders", D(0)) == kpis.order_intake(month, scope), scope
        assert total.get("collected", D(0)) == kpis.collected(month, scope), scope
        assert total.get("returns", D(0)) == kpis.returns_amount(month, scope), scope
        assert total.get("last_month", D(0)) == kpis.sales_shipped(month.previous(), scope), scope
        assert total.get("last_year", D(0)) == kpis.sales_shipped(month.year_ago(), scope), scope
    yi = {r["customer_name"]: r for r in kpis.store_rows(NOV, Scope.rep(c.carol.pk))}["乙客户"]
    assert (yi["orders"], yi["shipped"], yi["returns"], yi["collected"]) == (D(0), D("-500.00"), D("500.00"), D("1000.00"))
    december = {r["customer_name"]: r for r in kpis.store_rows(Period.month(2026, 12), COMPANY)}
    assert december["乙客户"]["last_month"] == D("-500.00")
    assert december["甲客户"]["last_month"] == D("10000.00")


def test_top_stores_are_the_store_rows_with_the_largest_shipped(book):
    everyone = sorted(kpis.store_rows(NOV, COMPANY), key=lambda r: -r["shipped"])
    top = kpis.top_stores(NOV, COMPANY, 5)
    assert [(r["customer_name"], r["shipped"]) for r in top] == [(r["customer_name"], r["shipped"]) for r in everyone]
    assert [r["customer_name"] for r in kpis.top_stores(NOV, COMPANY, 1)] == ["甲客户"]
    assert kpis.top_stores(NOV, Scope.rep(book.cast.carol.pk), 5)[0]["shipped"] == D("-500.00")


def test_one_reading_reads_a_repeated_figure_once(book, django_assert_num_queries):
    with django_assert_num_queries(2), kpis.one_reading():  # shipments, credit notes
        assert kpis.sales_shipped(NOV, COMPANY) == kpis.sales_shipped(NOV, COMPANY) == D("9500.00")
    with django_assert_num_queries(4):  # outside a reading, each call reads
        kpis.sales_shipped(NOV, COMPANY)
        kpis.sales_shipped(NOV, COMPANY)


def test_rep_and_team_rows(book):
    c = book.cast
    rows = list(kpis.rep_rows(NOV, Scope.team(c.east.pk)))
    assert [(r["rep_name"], r["target"], r["actual"], r["rate"]) for r in rows] == [
        ("alice", D("8000.00"), D("9000.00"), D("1.1250")),
        ("bob", None, D("1000.00"), None),
        ("lena", None, D("0.00"), None),
    ]
    assert kpis.totals("rep", NOV, Scope.team(c.east.pk)) == {
        "target": D("8000.00"),
        "actual": D("10000.00"),
        "rate": D("1.1250"),  # alice's 9,000 against her 8,000: bob's sales are no achievement against her target
        "collection_target": None,  # no collection target set (tests/reports/test_collection_target.py has them)
        "collected": D("3000.00"),
        "collection_achievement": None,
    }
    teams = {r["team_name"]: r for r in kpis.team_rows(NOV, COMPANY)}
    assert teams["华东组"]["actual"] == D("10000.00") and teams["华东组"]["rate"] == D("0.8333")
    assert teams["华南组"]["actual"] == D("-500.00")


def test_a_target_of_zero_is_no_target_in_the_total_rate(book):
    from reports.models import SalesTarget

    c = book.cast
    SalesTarget.objects.create(
        year=2026, kind="month", number=11, level="rep", team=c.east, rep=c.bob, amount=D("0.00"), updated_by=c.manager
    )
    bob = next(r for r in kpis.rep_rows(NOV, Scope.team(c.east.pk)) if r["rep_name"] == "bob")
    assert (bob["target"], bob["actual"], bob["rate"]) == (D("0.00"), D("1000.00"), None)
    # bob's 1,000 against a target of 0 is not achievement against alice's 8,000 (was 10,000 / 8,000 = 125 %)
    assert kpis.totals("rep", NOV, Scope.team(c.east.pk))["rate"] == D("1.1250")


def test_product_and_region_rows(book):
    regions = list(kpis.region_rows(NOV, COMPANY))
    assert regions == [{"region": "江苏", "orders": 3, "amount": D("16000.00")}]
    # the fixture's orders have no lines: every product row comes from order lines of the month
    assert list(kpis.product_rows(NOV, COMPANY)) == []
