"""Every figure of the reports checked against a month of business computed by hand (the literals below are worked out
from the documents, never read back from the code under test): the KPIs, the figures page and API, the daily digest
and the monthly Excel workbooks opened with openpyxl — as a sales manager checks the monthly report against the orders
and finance the collection figures against the payments.

"Today" is 2026-04-15 in Asia/Shanghai: March 2026 is closed, April in progress. Teams: 华东组 alice, bob (lead lena);
华南组 carol and dave (dave has left: inactive, still credited with an order). Customers: 甲门店 (distributor, alice's,
江苏), 乙专卖店 (franchise store, carol's, 广东), 丙终端 (end customer, bob's: not in the store report).

Orders (CNY unless said; times in Shanghai):
  A3 alice 甲 rec 2025-03-10   800.00, shipped 2025-03-15; paid 600.00 on 2025-04-01 (200.00 open, >90 days)
  A4 alice 甲 rec 2026-02-10 1,500.00, shipped 02-12; paid 1,000.00 on 02-28 (500.00 open)
  C2 carol 乙 rec 2026-02-20 4,000.00, shipped 02-25; paid 4,000.00 on 03-02; 红字冲减 400.00 at 03-31 23:45;
     refunded (退款) 400.00 on 03-20
  D1 dave  乙 rec 03-03   700.00, promised 03-05, shipped 03-04 (not verified)
  C1 carol 乙 rec 03-05   500.00, verified and changed, CANCELLED (counts nowhere)
  B1 bob   丙 rec 03-10 3,000.00, promised 04-05, verified, changed twice; partial 1,200.00 on 03-12, the rest
     1,800.00 on 04-03; a payment of 1,200.00 recorded on 03-31, never confirmed
  C3 carol 乙 rec 03-18 USD 33.33 at 7.1234 (= CNY 237.42), promised 03-19, shipped 03-19 (not verified)
  B2 bob   丙 rec 03-20   600.00, promised 03-24, verified; shipped 03-25 07:30 (03-24 23:30 UTC: late in Shanghai);
     100.00 refused at delivery and received back on 04-02
  A1 alice 甲 rec 03-31 1,000.00, promised 03-31, verified; shipped 03-31 23:30 (March; 15:30 UTC); invoiced 03-31;
     paid 1,000.00 on 03-31; 红字冲减 50.00 at 04-01 00:05 (April)
  A2 alice 甲 rec 04-01 2,000.00, promised 04-01, verified then changed; shipped 04-01 00:10 (March 31 in UTC);
     invoiced 04-01; paid 500.00 on 04-01
After-sales: callbacks done 03-10 (5,5,5), 03-31 23:50 (4,4,4), 03-20 (3,3,–) and 04-01 00:05 (1,1,1); complaints
reported 03-31, 04-01 and a withdrawn one 03-15.
Targets: March 2026 company 10,000.00 (collection 80,000.00), 华东组 8,000.00, 华南组 2,000.00, alice 6,400.00,
bob 1,600.00, carol 2,000.00; Q1 2026 company 30,000.00.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal as D
from io import BytesIO
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from openpyxl import load_workbook

from aftersales.models import Callback, Complaint
from orders.models import (
    CreditNote,
    InvoiceRequest,
    Payment,
    PaymentAllocation,
    RefusalReturn,
    SalesOrder,
    Shipment,
)
from reports import kpis, selectors
from reports.models import ReportRun, SalesTarget
from reports.periods import Period
from reports.scopes import Scope
from reports.services.runs import report_run_request
from reports.templatetags.reports_tags import kpi_value
from salesops.core.models import StaffProfile
from salesops.core.numbering import next_number
from tests.factories import CustomerFactory
from tests.helpers import company_today

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 4, 15)
FEB, MAR, APR = Period.month(2026, 2), Period.month(2026, 3), Period.month(2026, 4)
Q1 = Period.quarter(2026, 1)
COMPANY = Scope.company()
MONEY = "#,##0.00"
RATE = "0.00%"


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """The company's today is 2026-04-15."""
    return company_today(monkeypatch, TODAY)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def at(y, m, d, hh=10, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.fixture
def month(cast) -> SimpleNamespace:
    b = SimpleNamespace(cast=cast)
    dave = get_user_model().objects.create(username="dave", first_name="dave", is_active=False)
    dave.groups.add(Group.objects.get(name="sales_rep"))
    StaffProfile.objects.create(user=dave, team=cast.south)
    b.dave = dave
    jia = CustomerFactory(owner=cast.alice, team=cast.east, name="甲门店", province="江苏", type="distributor")
    yi = CustomerFactory(owner=cast.carol, team=cast.south, name="乙专卖店", province="广东", type="franchise_store")
    bing = CustomerFactory(owner=cast.bob, team=cast.east, name="丙终端", province="浙江", type="end_customer")
    b.jia, b.yi, b.bing = jia, yi, bing
    S = SalesOrder.Status

    def order(number, owner, customer, received, amount, status, *, promised=None, verified=False, changes=0, rate="1"):
        return SalesOrder.objects.create(
            number=number,
            customer=customer,
            owner=owner,
            received_on=received,
            amount_incl=D(amount),
            currency="CNY" if rate == "1" else "USD",
            exchange_rate=D(rate),
            status=status,
            promised_ship_date=promised,
            verified_at=at(received.year, received.month, received.day, 9) if verified else None,
            change_count=changes,
            created_by=cast.clerk,
        )

    def ship(o, amount, when, *, full=True):
        s = Shipment.objects.create(
            number=f"FH-{o.number}-{Shipment.objects.filter(order=o).count() + 1}",
            order=o,
            status="shipped",
            shipped_at=when,
            amount_incl=D(amount),
            created_by=cast.clerk,
        )
        if full:
            SalesOrder.objects.filter(pk=o.pk).update(shipped_at=when)
        return s

    def pay(o, amount, received, status="confirmed", kind="progress"):
        p = Payment.objects.create(
            number=next_number("TK" if kind == "refund" else "HK"),
            customer=o.customer,
            kind=kind,
            bank_reference=f"B-{o.number}-{amount}",
            amount=D(amount),
            received_on=received,
            status=status,
            recorded_by=cast.finance,
        )
        PaymentAllocation.objects.create(payment=p, order=o, amount=D(amount))

    def credit(o, number, amount, when):
        note = CreditNote.objects.create(number=number, order=o, amount=D(amount), reason="退货", created_by=cast.clerk)
        CreditNote.objects.filter(pk=note.pk).update(created_at=when)

    def invoice(o, amount, issued_on):
        InvoiceRequest.objects.create(
            number=next_number("KP"),
            order=o,
            title="t",
            tax_id="x",
            amount=D(amount),
            status="issued",
            issued_on=issued_on,
            requested_by=cast.clerk,
        )

    a3 = order("SO-A3", cast.alice, jia, date(2025, 3, 10), "800.00", S.SHIPPED)
    ship(a3, "800.00", at(2025, 3, 15))
    pay(a3, "600.00", date(2025, 4, 1))

    a4 = order("SO-A4", cast.alice, jia, date(2026, 2, 10), "1500.00", S.SHIPPED)
    ship(a4, "1500.00", at(2026, 2, 12))
    pay(a4, "1000.00", date(2026, 2, 28))

    c2 = order("SO-C2", cast.carol, yi, date(2026, 2, 20), "4000.00", S.SHIPPED, promised=date(2026, 2, 25), verified=True)
    s_c2 = ship(c2, "4000.00", at(2026, 2, 25))
    pay(c2, "4000.00", date(2026, 3, 2))
    credit(c2, "CN-C2", "400.00", at(2026, 3, 31, 23, 45))
    pay(c2, "-400.00", date(2026, 3, 20), kind="refund")

    d1 = order("SO-D1", dave, yi, date(2026, 3, 3), "700.00", S.SHIPPED, promised=date(2026, 3, 5))
    ship(d1, "700.00", at(2026, 3, 4))

    order("SO-C1", cast.carol, yi, date(2026, 3, 5), "500.00", S.CANCELLED, promised=date(2026, 3, 6), verified=True, changes=1)

    b1 = order(
        "SO-B1", cast.bob, bing, date(2026, 3, 10), "3000.00", S.SHIPPED, promised=date(2026, 4, 5), verified=True, changes=2
    )
    ship(b1, "1200.00", at(2026, 3, 12), full=False)
    ship(b1, "1800.00", at(2026, 4, 3))
    pay(b1, "1200.00", date(2026, 3, 31), status="recorded")

    c3 = order("SO-C3", cast.carol, yi, date(2026, 3, 18), "33.33", S.SHIPPED, promised=date(2026, 3, 19), rate="7.1234")
    ship(c3, "33.33", at(2026, 3, 19))

    b2 = order(
        "SO-B2", cast.bob, bing, date(2026, 3, 20), "600.00", S.PARTIALLY_SHIPPED, promised=date(2026, 3, 24), verified=True
    )
    b.s_b2 = ship(b2, "600.00", at(2026, 3, 25, 7, 30))
    Shipment.objects.filter(pk=b.s_b2.pk).update(status="delivered", delivered_on=date(2026, 3, 27), returned_amount=D("100.00"))
    RefusalReturn.objects.create(
        shipment=b.s_b2, order=b2, received_on=date(2026, 4, 2), amount_incl=D("100.00"), received_by=cast.warehouse
    )

    a1 = order("SO-A1", cast.alice, jia, date(2026, 3, 31), "1000.00", S.SHIPPED, promised=date(2026, 3, 31), verified=True)
    s_a1 = ship(a1, "1000.00", at(2026, 3, 31, 23, 30))
    invoice(a1, "1000.00", date(2026, 3, 31))
    pay(a1, "1000.00", date(2026, 3, 31))
    credit(a1, "CN-A1", "50.00", at(2026, 4, 1, 0, 5))

    a2 = order(
        "SO-A2", cast.alice, jia, date(2026, 4, 1), "2000.00", S.SHIPPED, promised=date(2026, 4, 1), verified=True, changes=1
    )
    s_a2 = ship(a2, "2000.00", at(2026, 4, 1, 0, 10))
    invoice(a2, "2000.00", date(2026, 4, 1))
    pay(a2, "500.00", date(2026, 4, 1))
    b.orders = SimpleNamespace(a1=a1, a2=a2, a3=a3, a4=a4, b1=b1, b2=b2, c2=c2, c3=c3, d1=d1)

    for o, shipment, offset, scores, done_at in (
        (a1, s_a1, 7, (5, 5, 5), at(2026, 3, 10)),
        (a1, s_a1, 30, (4, 4, 4), at(2026, 3, 31, 23, 50)),
        (c2, s_c2, 7, (3, 3, None), at(2026, 3, 20)),
        (a2, s_a2, 7, (1, 1, 1), at(2026, 4, 1, 0, 5)),
    ):
        Callback.objects.create(
            order=o,
            shipment=shipment,
            customer=o.customer,
            offset_days=offset,
            due_on=done_at.date(),
            queue_on=done_at.date(),
            status="done",
            score_product=scores[0],
            score_delivery=scores[1],
            score_service=scores[2],
            done_at=done_at,
            done_by=cast.service,
            created_at=done_at,
        )
    for n, (o, reported, status) in enumerate(
        ((c2, date(2026, 3, 31), "registered"), (a2, date(2026, 4, 1), "registered"), (a1, date(2026, 3, 15), "cancelled"))
    ):
        Complaint.objects.create(
            number=f"TS-H{n}",
            customer=o.customer,
            order=o,
            reported_on=reported,
            description="问题",
            status=status,
            created_by=cast.service,
        )

    def target(level, amount, *, team=None, rep=None, collection=None, kind="month", number=3):
        SalesTarget.objects.create(
            year=2026,
            kind=kind,
            number=number,
            level=level,
            team=team,
            rep=rep,
            amount=D(amount),
            collection=None if collection is None else D(collection),
            updated_by=cast.manager,
        )

    target("company", "10000.00", collection="80000.00")
    target("team", "8000.00", team=cast.east)
    target("team", "2000.00", team=cast.south)
    target("rep", "6400.00", team=cast.east, rep=cast.alice)
    target("rep", "1600.00", team=cast.east, rep=cast.bob)
    target("rep", "2000.00", team=cast.south, rep=cast.carol)
    target("company", "30000.00", kind="quarter", number=1)
    return b


def east(b) -> Scope:
    return Scope.team(b.cast.east.pk)


def south(b) -> Scope:
    return Scope.team(b.cast.south.pk)


# --- the KPIs ------------------------------------------------------------------------------------------------------------
def test_march_sales_by_shanghai_month(month):
    """Shipped in March (Shanghai): D1 700 + B1 1,200 + C3 237.42 + B2 600 + A1 1,000 (03-31 23:30) = 3,737.42, less
    C2's credit note of 03-31 23:45 (400) = 3,337.42; A2 (04-01 00:10, still March 31 in UTC) is April's."""
    assert kpis.sales_shipped(MAR, COMPANY) == D("3337.42")
    assert kpis.returns_amount(MAR, COMPANY) == D("400.00")
    # received in March, not cancelled: D1 700 + B1 3,000 + C3 237.42 + B2 600 + A1 1,000 (C1 cancelled)
    assert kpis.order_intake(MAR, COMPANY) == D("5537.42")
    # the same orders less the credit notes issued on them whenever: A1's 50 (April)
    assert kpis.sales_by_order_date(MAR, COMPANY) == D("5487.42")
    assert kpis.sales_invoiced(MAR, COMPANY) == D("1000.00")
    # April: A2 2,000 + B1 1,800 − B2's 100 received back on 04-02 − A1's credit note 50 of 04-01 00:05
    assert kpis.sales_shipped(APR, COMPANY) == D("3650.00")
    assert kpis.order_intake(APR, COMPANY) == D("2000.00")
    assert kpis.sales_invoiced(APR, COMPANY) == D("2000.00")
    # February: A4 1,500 + C2 4,000 (its credit note is March's)
    assert kpis.sales_shipped(FEB, COMPANY) == D("5500.00")
    # the quarter is its three months: 0 + 5,500 + 3,337.42
    assert kpis.sales_shipped(Q1, COMPANY) == D("8837.42")


def test_march_sales_per_team_and_rep(month):
    """华东组: alice 1,000 + bob 1,800; 华南组: carol 237.42 − 400 and dave (left) 700."""
    assert kpis.sales_shipped(MAR, east(month)) == D("2800.00")
    assert kpis.sales_shipped(MAR, south(month)) == D("537.42")
    assert kpis.sales_shipped(MAR, Scope.rep(month.cast.carol.pk)) == D("-162.58")
    assert kpis.sales_shipped(MAR, Scope.rep(month.dave.pk)) == D("700.00")


def test_collections_are_confirmed_receipts_by_the_day_the_money_arrived(month):
    """March: C2 4,000 (03-02) + A1 1,000 (03-31); B1's 1,200 is only recorded. C2's refund of 400.00 (03-20) is not a
    negative collection (README: 回款额 counts receipts only). April: A2 500."""
    assert kpis.collected(MAR, COMPANY) == D("5000.00")
    assert kpis.collected(MAR, east(month)) == D("1000.00")
    assert kpis.collected(MAR, south(month)) == D("4000.00")
    assert kpis.collected(APR, COMPANY) == D("500.00")
    assert kpis.collected(Q1, COMPANY) == D("6000.00")  # + A4's 1,000 of 02-28


def test_growth_against_last_month_and_last_year(month):
    """March: MoM (3,337.42 − 5,500) ÷ 5,500 = −0.393196…; YoY against March 2025 (A3 800): 2,537.42 ÷ 800 = 3.171775."""
    assert kpis.growth(MAR, COMPANY) == {"mom": D("-0.3932"), "yoy": D("3.1718")}
    # April: 312.58 ÷ 3,337.42 = 0.093659…; April 2025 sold nothing: no YoY
    assert kpis.growth(APR, COMPANY) == {"mom": D("0.0937"), "yoy": None}
    # February after an empty January, and a year with nothing a year before: never a division by zero
    assert kpis.growth(FEB, COMPANY) == {"mom": None, "yoy": None}
    # Q1 against Q4 2025 (nothing) and Q1 2025 (800): 8,037.42 ÷ 800 = 10.046775
    assert kpis.growth(Q1, COMPANY) == {"mom": None, "yoy": D("10.0468")}


def test_achievement_at_each_level(month):
    cast = month.cast
    assert kpis.achievement(MAR, COMPANY) == {"target": D("10000.00"), "actual": D("3337.42"), "rate": D("0.3337")}
    assert kpis.achievement(MAR, east(month))["rate"] == D("0.3500")  # 2,800 of 8,000
    assert kpis.achievement(MAR, south(month))["rate"] == D("0.2687")  # 537.42 of 2,000 = 0.26871
    assert kpis.achievement(MAR, Scope.rep(cast.alice.pk))["rate"] == D("0.1563")  # 1,000 of 6,400 = 0.15625, half up
    assert kpis.achievement(MAR, Scope.rep(cast.bob.pk))["rate"] == D("1.1250")
    assert kpis.achievement(MAR, Scope.rep(cast.carol.pk))["rate"] == D("-0.0813")  # −162.58 of 2,000
    assert kpis.achievement(Q1, COMPANY)["rate"] == D("0.2946")  # 8,837.42 of 30,000 = 0.294580…
    assert kpis.achievement(APR, COMPANY) == {"target": None, "actual": D("3650.00"), "rate": None}
    # 回款达成: 5,000 of 80,000
    assert kpis.collection_achievement(MAR, COMPANY)["rate"] == D("0.0625")


def test_order_accuracy_on_time_delivery_and_after_sales(month):
    # verified orders received in March: D1 and C3 were not, C1 is cancelled; A1, B2 unchanged, B1 changed → 2 of 3
    assert kpis.order_accuracy(MAR, COMPANY) == D("0.6667")
    assert kpis.order_accuracy(APR, COMPANY) == D("0.0000")  # A2, changed after verification
    # fully shipped in March: D1, C3, A1 on time; B2 left on 03-25 07:30 Shanghai for 03-24 → 3 of 4
    assert kpis.on_time_delivery(MAR, COMPANY) == D("0.7500")
    assert kpis.on_time_delivery(APR, COMPANY) == D("1.0000")  # A2 (04-01 00:10 for 04-01), B1 (04-03 for 04-05)
    # scores given in March: 5+5+5 + 4+4+4 + 3+3 = 33 over 8 = 4.125 → 4.13; April's one callback 1.00
    assert kpis.satisfaction_avg(MAR, COMPANY) == D("4.13")
    assert kpis.satisfaction_avg(APR, COMPANY) == D("1.00")
    assert kpis.complaint_count(MAR, COMPANY) == 1 and kpis.complaint_count(APR, COMPANY) == 1


def test_receivables_aging_and_collection_rate_of_the_month_in_progress(month):
    """As of today 04-15: A2 1,500 (age 14), B1's second note 1,800 (12), C3 237.42 (27), B2 500 (21: 100 came back)
    in 0–30; B1's first note 1,200 (34) and D1 700 (42) in 31–60; A4 500 (62) in 61–90; A3 200 in >90. A1 is settled
    (paid 1,000 and credited 50 on 1,000), C2 too (4,000 paid, 400 refunded, 400 credited)."""
    aging = kpis.receivables_aging(TODAY, COMPANY)
    assert aging == {"0_30": D("4037.42"), "31_60": D("1900.00"), "61_90": D("500.00"), "90_plus": D("200.00")}
    assert kpis.receivables_open(TODAY, COMPANY) == D("6637.42")
    # 500 collected in April ÷ (500 + 6,637.42) = 0.070053…
    assert kpis.collection_rate(APR, COMPANY) == D("0.0701")
    assert kpis.unshipped_amount(TODAY, COMPANY) == D("100.00")  # B2's goods received back
    rows = {r["customer_name"]: r for r in kpis.customer_aging_rows(TODAY, COMPANY)}
    assert rows["甲门店"]["total"] == D("2200.00")  # A2 1,500 + A4 500 + A3 200
    assert rows["丙终端"]["total"] == D("3500.00")  # B1 1,200 + 1,800, B2 500
    assert rows["乙专卖店"]["total"] == D("937.42")  # C3 237.42, D1 700
    assert rows["乙专卖店"]["rep_name"] == "carol"


def test_the_daily_digest_of_a_day_at_the_month_boundary(month, api_as, client_as):
    manager = month.cast.manager
    # 03-31: A1 left at 23:30, C2's credit note at 23:45 → 1,000 − 400; received: A1
    day = selectors.digest_for(manager, date(2026, 3, 31))
    assert (day["sales"], day["intake"]) == (D("600.00"), D("1000.00"))
    # 04-01: A2 left at 00:10, A1's credit note at 00:05 → 2,000 − 50; received: A2
    day = selectors.digest_for(manager, date(2026, 4, 1))
    assert (day["sales"], day["intake"]) == (D("1950.00"), D("2000.00"))
    # 04-03: B1's rest left; at the day's end only B2's 100 received back on 04-02 is still to ship
    day = selectors.digest_for(manager, date(2026, 4, 3))
    assert (day["sales"], day["intake"], day["unshipped"]) == (D("1800.00"), D("0.00"), D("100.00"))
    # the API and the page say the same
    data = api_as(manager).get("/api/v1/daily-digest/?day=2026-04-01").json()
    assert (data["sales"], data["intake"]) == ("1950.00", "2000.00")
    page = client_as(manager).get("/reports/digest/?day=2026-03-31").content.decode()
    assert 'data-testid="digest-sales">¥600.00<' in page and 'data-testid="digest-intake">¥1,000.00<' in page


def test_rep_and_team_rows_add_up_to_the_company(month):
    cast = month.cast
    reps = {r["rep_name"]: r for r in kpis.rep_rows(MAR, COMPANY)}
    assert set(reps) == {"alice", "bob", "carol", "dave", "lena", "manager", "vp"}  # dave has left, but sold
    assert (reps["alice"]["target"], reps["alice"]["actual"], reps["alice"]["rate"]) == (D("6400.00"), D("1000.00"), D("0.1563"))
    assert (reps["carol"]["actual"], reps["carol"]["rate"], reps["carol"]["collected"]) == (
        D("-162.58"),
        D("-0.0813"),
        D("4000.00"),
    )
    assert (reps["dave"]["target"], reps["dave"]["actual"], reps["dave"]["rate"]) == (None, D("700.00"), None)
    assert reps["dave"]["team_name"] == "华南组"
    assert sum(r["actual"] for r in reps.values()) == D("3337.42")
    teams = {r["team_name"]: r for r in kpis.team_rows(MAR, COMPANY)}
    assert (teams["华东组"]["actual"], teams["华东组"]["rate"], teams["华东组"]["collected"]) == (
        D("2800.00"),
        D("0.3500"),
        D("1000.00"),
    )
    assert (teams["华南组"]["actual"], teams["华南组"]["rate"], teams["华南组"]["collected"]) == (
        D("537.42"),
        D("0.2687"),
        D("4000.00"),
    )
    # 合计: the sales of those with a target (alice, bob, carol: 2,637.42) over their targets (10,000)
    total = kpis.totals("rep", MAR, COMPANY)
    assert (total["target"], total["actual"], total["rate"]) == (D("10000.00"), D("3337.42"), D("0.2637"))
    assert kpis.totals("team", MAR, COMPANY)["rate"] == D("0.3337")  # 3,337.42 of 10,000: every team has a target
    in_east = {r["rep_name"] for r in kpis.rep_rows(MAR, east(month))}
    assert in_east == {"alice", "bob", "lena"} and cast.carol.username not in in_east


def test_store_rows_by_hand(month):
    """甲门店: A1 ordered, shipped, invoiced, paid; last month A4 1,500, last year A3 800. 乙专卖店: C3 237.42 and D1
    700 ordered and shipped, less C2's credit note 400; C2's 4,000 collected; last month C2 4,000. 丙终端 is an end
    customer: not a store."""
    rows = {r["customer_name"]: r for r in kpis.store_rows(MAR, COMPANY)}
    assert set(rows) == {"甲门店", "乙专卖店"}
    figures = ("orders", "shipped", "invoiced", "collected", "returns", "last_month", "last_year")
    assert [rows["甲门店"][k] for k in figures] == [
        D(v) for v in ("1000.00", "1000.00", "1000.00", "1000.00", "0.00", "1500.00", "800.00")
    ]
    assert [rows["乙专卖店"][k] for k in figures] == [
        D(v) for v in ("937.42", "537.42", "0.00", "4000.00", "400.00", "4000.00", "0.00")
    ]


# --- the figures page and API --------------------------------------------------------------------------------------------
def test_the_figures_api_and_page_of_march(month, api_as, client_as):
    data = api_as(month.cast.manager).get("/api/v1/figures/?period=2026-03").json()
    cards = {c["key"]: c for c in data["cards"]}
    assert cards["sales_shipped"]["value"] == "3337.42"
    assert cards["order_intake"]["value"] == "5537.42"
    assert cards["collected"]["value"] == "5000.00"
    assert (cards["growth"]["value"], cards["growth"]["yoy"]) == ("-0.3932", "3.1718")
    assert (cards["achievement"]["value"], cards["achievement"]["target"]) == ("0.3337", "10000.00")
    assert cards["collection_achievement"]["value"] == "0.0625"
    assert (cards["order_accuracy"]["value"], cards["on_time_delivery"]["value"]) == ("0.6667", "0.7500")
    assert (cards["satisfaction_avg"]["value"], cards["complaint_count"]["value"]) == ("4.13", "1")
    charts = {c["key"]: c for c in data["charts"]}
    assert charts["monthly_sales"]["series"][0]["data"][:5] == [0.0, 5500.0, 3337.42, 3650.0, 0.0]
    assert charts["monthly_sales"]["series"][1]["data"][2] == 10000.0
    assert charts["monthly_collections"]["series"][0]["data"][:4] == [0.0, 1000.0, 5000.0, 500.0]

    page = client_as(month.cast.manager).get("/reports/figures/?period=2026-03").content.decode()

    def shown(key):
        return page.split(f'data-testid="kpi-{key}-value">', 1)[1].split("<", 1)[0]

    assert shown("sales_shipped") == "¥3,337.42"
    assert shown("achievement") == "33.4%"  # 0.3337
    assert shown("growth") == "-39.3%"
    assert shown("order_accuracy") == "66.7%"
    assert shown("satisfaction_avg") == "4.13"
    # 0.0625 is 6.25 %: half up to the tenth, as every figure of the house rounds — not 6.2 % (half to even)
    assert shown("collection_achievement") == "6.3%"
    assert "同比 317.2%" in page
    # finance's check: the payments behind 回款额 (confirmed receipts received in March) add up to it
    payments = client_as(month.cast.finance).get(cards["collected"]["url"]).context["page"]
    assert sorted(p.amount for p in payments) == [D("1000.00"), D("4000.00")]


def test_growth_over_an_empty_period_reads_as_a_dash(month, api_as, client_as):
    cards = {c["key"]: c for c in api_as(month.cast.manager).get("/api/v1/figures/?period=2026-02").json()["cards"]}
    assert (cards["growth"]["value"], cards["growth"]["yoy"]) == (None, None)
    page = client_as(month.cast.manager).get("/reports/figures/?period=2026-02").content.decode()
    assert 'data-testid="kpi-growth-value">—<' in page and "同比 —" in page
    # the quarter: nothing in Q4 2025, 800.00 in Q1 2025; its own target of 30,000.00
    cards = {c["key"]: c for c in api_as(month.cast.manager).get("/api/v1/figures/?period=2026-Q1").json()["cards"]}
    assert (cards["growth"]["value"], cards["growth"]["yoy"]) == (None, "10.0468")
    assert (cards["sales_shipped"]["value"], cards["achievement"]["value"]) == ("8837.42", "0.2946")


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (D("0.0625"), "6.3%"),
        (D("0.1225"), "12.3%"),
        (D("-0.0625"), "-6.3%"),
        (D("0.1563"), "15.6%"),
        (D("-0.0004"), "0.0%"),
        (None, "—"),
    ],
)
def test_a_rate_on_a_page_is_rounded_half_up_to_the_tenth_of_a_percent(rate, text):
    assert kpi_value(rate, "rate") == text


def test_money_on_a_page_is_rounded_half_up_to_the_fen():
    assert kpi_value(D("1234.565"), "money") == "¥1,234.57"
    assert kpi_value(D("0.125"), "money") == "¥0.13"


# --- the monthly workbooks -------------------------------------------------------------------------------------------------
def generate(kind, period=MAR, scope=COMPANY, *, capture):
    with capture(execute=True):
        run, _created = report_run_request(kind=kind, period=period, scope=scope, actor=None)
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    with run.file.open("rb") as f:
        return run, load_workbook(BytesIO(f.read()))


BESIDE = "其中：设有目标者"


def table(ws) -> tuple[int, list, list[list], list, list]:
    """(header row, header, data rows, the 合计 row, the cells of the data rows) of the sheet's table."""
    header = int(ws.freeze_panes[1:]) - 1
    rows = [list(r) for r in ws.iter_rows(min_row=header, values_only=True) if r and r[0] != BESIDE]
    cells = [list(r) for r in ws.iter_rows(min_row=header + 1, max_row=header + len(rows) - 2)]
    return header, rows[0], rows[1:-1], rows[-1], cells


def money(value) -> D:
    assert isinstance(value, int | float) and not isinstance(value, bool), value  # a number, never text
    return D(str(value)).quantize(D("0.01"))


def rate(value) -> D:
    assert isinstance(value, int | float) and not isinstance(value, bool), value
    return D(str(value)).quantize(D("0.0001"))


def cover(wb) -> dict:
    return {r[0]: r[1] for r in wb["封面"].iter_rows(values_only=True) if r and r[0]}


def test_the_store_workbook_of_march(month, django_capture_on_commit_callbacks):
    run, wb = generate(ReportRun.Kind.STORE_SALES, capture=django_capture_on_commit_callbacks)
    _h, header, rows, total, cells = table(wb["门店销售"])
    assert header == [
        "门店/经销商",
        "区域",
        "订单额(按下单日)",
        "发货额",
        "开票额",
        "回款额",
        "退货额",
        "上月发货额",
        "去年同月发货额",
    ]
    by_name = {r[0]: [money(v) for v in r[2:]] for r in rows}
    assert by_name == {
        "甲门店": [D(v) for v in ("1000.00", "1000.00", "1000.00", "1000.00", "0.00", "1500.00", "800.00")],
        "乙专卖店": [D(v) for v in ("937.42", "537.42", "0.00", "4000.00", "400.00", "4000.00", "0.00")],
    }
    assert total[0] == "合计"
    assert [money(v) for v in total[2:]] == [
        D(v) for v in ("1937.42", "1537.42", "1000.00", "5000.00", "400.00", "5500.00", "800.00")
    ]
    # every amount a number with the yuan format, the region text
    assert all(c.number_format == MONEY for row in cells for c in row[2:])
    assert {r[1] for r in rows} == {"江苏", "广东"}
    assert run.totals["shipped"]["value"] == "1537.42" and run.totals["returns"]["value"] == "400.00"
    assert money(cover(wb)["发货额"]) == D("1537.42")


def test_the_achievement_workbook_of_march(month, django_capture_on_commit_callbacks):
    run, wb = generate(ReportRun.Kind.ACHIEVEMENT, capture=django_capture_on_commit_callbacks)
    _h, header, rows, total, cells = table(wb["业务员达成"])
    col = {name: i for i, name in enumerate(header)}
    reps = {r[0]: r for r in rows}
    alice, bob, carol, dave = reps["alice"], reps["bob"], reps["carol"], reps["dave"]
    assert (money(alice[col["目标额"]]), money(alice[col["实际销售额(发货净额)"]]), rate(alice[col["达成率"]])) == (
        D("6400.00"),
        D("1000.00"),
        D("0.1563"),
    )
    assert (money(bob[col["实际销售额(发货净额)"]]), rate(bob[col["达成率"]])) == (D("1800.00"), D("1.1250"))
    assert (money(carol[col["实际销售额(发货净额)"]]), rate(carol[col["达成率"]])) == (D("-162.58"), D("-0.0813"))
    assert money(carol[col["回款额"]]) == D("4000.00")
    assert (dave[col["销售组"]], dave[col["目标额"]], money(dave[col["实际销售额(发货净额)"]]), dave[col["达成率"]]) == (
        "华南组",
        None,
        D("700.00"),
        None,
    )
    # the 合计 is the sum of the rows; its rate the actual of those with a target over their targets
    assert money(total[col["实际销售额(发货净额)"]]) == D("3337.42")
    assert money(total[col["目标额"]]) == D("10000.00")
    assert money(total[col["回款额"]]) == D("5000.00")
    assert rate(total[col["达成率"]]) == D("0.2637")
    assert money(total[col["实际销售额(发货净额)"]]) == sum((money(r[col["实际销售额(发货净额)"]]) for r in rows), D("0.00"))
    for row in cells:
        assert row[col["实际销售额(发货净额)"]].number_format == MONEY
        if row[col["达成率"]].value is not None:
            assert row[col["达成率"]].number_format == RATE

    _h, header, teams, team_total, _cells = table(wb["销售组达成"])
    col = {name: i for i, name in enumerate(header)}
    by_team = {r[0]: (money(r[col["目标额"]]), money(r[col["实际销售额(发货净额)"]]), rate(r[col["达成率"]])) for r in teams}
    assert by_team == {
        "华东组": (D("8000.00"), D("2800.00"), D("0.3500")),
        "华南组": (D("2000.00"), D("537.42"), D("0.2687")),
    }
    assert (money(team_total[col["实际销售额(发货净额)"]]), rate(team_total[col["达成率"]])) == (D("3337.42"), D("0.3337"))

    shown = cover(wb)
    assert money(shown["全公司目标"]) == D("10000.00")
    assert money(shown["全公司实际销售额"]) == D("3337.42")
    assert rate(shown["全公司目标达成率"]) == D("0.3337")
    assert money(shown["全公司回款目标"]) == D("80000.00")
    assert rate(shown["全公司回款达成率"]) == D("0.0625")
    assert shown["业务员回款目标合计"] == "—"
    assert run.totals["rate"]["value"] == "0.3337"


def test_the_aging_workbook_of_the_month_in_progress(month, django_capture_on_commit_callbacks):
    run, wb = generate(ReportRun.Kind.AGING, period=APR, capture=django_capture_on_commit_callbacks)
    _h, _header, rows, total, cells = table(wb["账龄汇总"])
    assert [money(r[1]) for r in rows] == [D("4037.42"), D("1900.00"), D("500.00"), D("200.00")]
    assert money(total[1]) == D("6637.42")
    assert all(row[1].number_format == MONEY for row in cells)
    _h, header, customers, total, _cells = table(wb["客户账龄"])
    assert header == ["客户", "负责业务员", "0–30 天", "31–60 天", "61–90 天", ">90 天", "应收合计"]
    by_name = {r[0]: [money(v) for v in r[2:]] for r in customers}
    assert by_name == {
        "甲门店": [D("1500.00"), D("0.00"), D("500.00"), D("200.00"), D("2200.00")],
        "乙专卖店": [D("237.42"), D("700.00"), D("0.00"), D("0.00"), D("937.42")],
        "丙终端": [D("2300.00"), D("1200.00"), D("0.00"), D("0.00"), D("3500.00")],  # B1 1,800 + B2 500; B1 1,200
    }
    assert [money(v) for v in total[2:]] == [D("4037.42"), D("1900.00"), D("500.00"), D("200.00"), D("6637.42")]
    assert run.totals["total"]["value"] == "6637.42"


def test_a_month_generated_again_gives_the_same_figures(month, django_capture_on_commit_callbacks):
    for kind in (ReportRun.Kind.STORE_SALES, ReportRun.Kind.ACHIEVEMENT):
        first, wb1 = generate(kind, capture=django_capture_on_commit_callbacks)
        again, wb2 = generate(kind, capture=django_capture_on_commit_callbacks)
        assert again.previous_id == first.pk and again.changes == [] and again.totals == first.totals
        for name in wb1.sheetnames:
            if name == "封面":  # its 生成时间 differs
                continue
            assert list(wb1[name].iter_rows(values_only=True)) == list(wb2[name].iter_rows(values_only=True)), name


# --- targets -----------------------------------------------------------------------------------------------------------------
def test_the_targets_allocated_at_each_level(month, api_as):
    """March: the company's 10,000.00 split 8,000.00 + 2,000.00 to the teams, 华东组's to alice 6,400.00 and bob 1,600.00,
    华南组's to carol; Q1's 30,000.00 has only March's 10,000.00 set among its months."""
    data = api_as(month.cast.manager).get("/api/v1/targets/allocation/?period=2026-03").json()
    assert (data["company"]["allocated"], data["company"]["unallocated"]) == ("10000.00", "0.00")
    teams = {t["target"]["team_name"]: (t["allocated"], t["unallocated"]) for t in data["teams"]}
    assert teams == {"华东组": ("8000.00", "0.00"), "华南组": ("2000.00", "0.00")}
    quarter = next(r for r in data["lengths"] if r["target"]["kind"] == "quarter")
    assert quarter["parts"] == [{"kind": "month", "allocated": "10000.00", "unallocated": "20000.00"}]


# --- what the orders floor reads "as of" a past day (orders.figures: models.returned_after) ------------------------------
def test_the_closing_figures_of_march_do_not_move_when_refused_goods_come_back_in_april(month):
    # at the end of 03-31: B1 1,200 + C3 237.42 + B2 600 + D1 700 (0–30); A4 500 (31–60); A3 200 (>90)
    aging = kpis.receivables_aging(date(2026, 3, 31), COMPANY)
    assert aging == {"0_30": D("2737.42"), "31_60": D("500.00"), "61_90": D("0.00"), "90_plus": D("200.00")}
    # 5,000 ÷ (5,000 + 3,437.42) = 0.592593…
    assert kpis.collection_rate(MAR, COMPANY) == D("0.5926")
    # B1's 1,800 is all that was still to ship at the end of 03-31 (B2 had left whole)
    assert kpis.unshipped_amount(date(2026, 3, 31), COMPANY) == D("1800.00")


# --- the appraisal's measured satisfaction ---------------------------------------------------------------------------------
def test_the_appraisal_reads_satisfaction_as_the_scores_over_the_full_score_rounded_once(month, client_as):
    """carol's Q1 callbacks: C2 (3, 3, –) and two more on C3, (5, 5, 5) and (4, 4, 4): 33 points of 8 scores. The mean
    shows 4.13 (4.125 half up); the appraisal's 客户满意度 is 33 ÷ 40 = 0.8250 — not 4.13 ÷ 5 = 0.8260 — and the page
    writes it 82.5% (not 82%, the whole percent half to even); its 5 points score 4.125 → 4.13."""
    from reports.models import Appraisal
    from reports.services import appraisals

    cast, c3 = month.cast, month.orders.c3
    shipment = Shipment.objects.get(order=c3)
    for offset, scores in ((7, 5), (30, 4)):
        Callback.objects.create(
            order=c3,
            shipment=shipment,
            customer=c3.customer,
            offset_days=offset,
            due_on=date(2026, 3, 25),
            queue_on=date(2026, 3, 25),
            status="done",
            score_product=scores,
            score_delivery=scores,
            score_service=scores,
            done_at=at(2026, 3, 25),
            done_by=cast.service,
            created_at=at(2026, 3, 25),
        )
    carol = Scope.rep(cast.carol.pk)
    assert kpis.satisfaction_avg(Q1, carol) == D("4.13")
    assert kpis.satisfaction_rate(Q1, carol) == D("0.8250")
    round_ = appraisals.round_open(actor=cast.manager, period_key="2026-Q1")
    appraisal = Appraisal.objects.get(round=round_, employee=cast.carol)
    line = appraisal.scores.get(measure="satisfaction")
    assert (line.value, line.points) == (D("0.8250"), D("4.13"))
    page = client_as(cast.manager).get(appraisal.get_absolute_url()).content.decode()
    row = page.split('data-name="客户满意度"', 1)[1].split("</tr>", 1)[0]
    assert 'data-testid="score-value">82.5%<' in row


# --- the year boundary in Shanghai -----------------------------------------------------------------------------------------
def test_the_year_boundary_is_shanghai_midnight_in_every_series(cast):
    """A note that left on 2026-12-31 23:30 (15:30 UTC) is 2026's; one that left on 2027-01-01 00:10 (still 2026-12-31
    in UTC) is 2027's, as is a credit note of 2027-01-01 00:05 on the first. The monthly chart, the year, the month and
    January's growth against December all read them so."""
    customer = CustomerFactory(owner=cast.alice, team=cast.east, name="甲门店", type="distributor")

    def shipped(number, amount, when):
        o = SalesOrder.objects.create(
            number=number,
            customer=customer,
            owner=cast.alice,
            received_on=when.date(),
            amount_incl=D(amount),
            status=SalesOrder.Status.SHIPPED,
            shipped_at=when,
            created_by=cast.clerk,
        )
        Shipment.objects.create(
            number=f"FH-{number}", order=o, status="shipped", shipped_at=when, amount_incl=D(amount), created_by=cast.clerk
        )
        return o

    december = shipped("SO-Y1", "1234.56", at(2026, 12, 31, 23, 30))
    shipped("SO-Y2", "2000.00", at(2027, 1, 1, 0, 10))
    note = CreditNote.objects.create(number="CN-Y1", order=december, amount=D("34.56"), reason="退货", created_by=cast.clerk)
    CreditNote.objects.filter(pk=note.pk).update(created_at=at(2027, 1, 1, 0, 5))

    assert kpis.monthly_sales(2026, COMPANY)[11]["actual"] == D("1234.56")
    assert kpis.monthly_sales(2027, COMPANY)[0]["actual"] == D("1965.44")  # 2,000 − 34.56
    assert kpis.sales_shipped(Period.year(2026), COMPANY) == D("1234.56")
    assert kpis.sales_shipped(Period.year(2027), COMPANY) == D("1965.44")
    assert kpis.sales_shipped(Period.quarter(2026, 4), COMPANY) == D("1234.56")
    # January against December: 730.88 ÷ 1,234.56 = 0.592016…; against January 2026 (nothing): none
    assert kpis.growth(Period.month(2027, 1), COMPANY) == {"mom": D("0.5920"), "yoy": None}
    # the year before had no sales at all: no growth, not an error nor 0 %
    assert kpis.growth(Period.year(2026), COMPANY) == {"mom": None, "yoy": None}


# --- sales of someone in no team --------------------------------------------------------------------------------------------
def test_the_team_rows_add_up_to_the_company_when_someone_in_no_team_sells(month, django_capture_on_commit_callbacks):
    """The sales manager (no team) is credited with an order of 300.00 shipped and paid in March: the company sold
    3,637.42 and collected 5,300.00; 华东组 and 华南组 hold 2,800.00 + 537.42 and 1,000.00 + 4,000.00, the rest is on a
    last row 未分派 — on the 销售组达成 sheet too, whose 合计 is then the company's."""
    cast = month.cast
    o = SalesOrder.objects.create(
        number="SO-M1",
        customer=month.jia,
        owner=cast.manager,
        received_on=date(2026, 3, 9),
        amount_incl=D("300.00"),
        status=SalesOrder.Status.SHIPPED,
        shipped_at=at(2026, 3, 9),
        created_by=cast.clerk,
    )
    Shipment.objects.create(
        number="FH-M1", order=o, status="shipped", shipped_at=at(2026, 3, 9), amount_incl=D("300.00"), created_by=cast.clerk
    )
    p = Payment.objects.create(
        number=next_number("HK"),
        customer=o.customer,
        bank_reference="B-M1",
        amount=D("300.00"),
        received_on=date(2026, 3, 10),
        status="confirmed",
        recorded_by=cast.finance,
    )
    PaymentAllocation.objects.create(payment=p, order=o, amount=D("300.00"))

    assert (kpis.sales_shipped(MAR, COMPANY), kpis.collected(MAR, COMPANY)) == (D("3637.42"), D("5300.00"))
    rows = [(r["team_name"], r["target"], r["actual"], r["collected"], r["rate"]) for r in kpis.team_rows(MAR, COMPANY)]
    assert rows == [
        ("华东组", D("8000.00"), D("2800.00"), D("1000.00"), D("0.3500")),
        ("华南组", D("2000.00"), D("537.42"), D("4000.00"), D("0.2687")),
        ("（未分派）", None, D("300.00"), D("300.00"), None),
    ]
    total = kpis.totals("team", MAR, COMPANY)
    # the 合计's rate: the sales of the teams with a target (3,337.42) over their targets (10,000)
    assert (total["actual"], total["collected"], total["rate"]) == (D("3637.42"), D("5300.00"), D("0.3337"))
    assert [r["team_name"] for r in kpis.team_rows(MAR, east(month))] == ["华东组"]  # a team's own figures: no rest

    _run, wb = generate(ReportRun.Kind.ACHIEVEMENT, capture=django_capture_on_commit_callbacks)
    _h, header, teams, team_total, _cells = table(wb["销售组达成"])
    col = {name: i for i, name in enumerate(header)}
    assert [(r[0], money(r[col["实际销售额(发货净额)"]])) for r in teams] == [
        ("华东组", D("2800.00")),
        ("华南组", D("537.42")),
        ("（未分派）", D("300.00")),
    ]
    assert money(team_total[col["实际销售额(发货净额)"]]) == money(cover(wb)["全公司实际销售额"]) == D("3637.42")
    assert money(team_total[col["回款额"]]) == D("5300.00")
