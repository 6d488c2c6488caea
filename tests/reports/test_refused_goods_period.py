"""Goods refused at delivery and received back (拒收退回入库) count in their own period: the shipped figures (按发货口径
销售额, achievement, growth, rep/team/store rows, the monthly chart, plan completion) take a note whole in the month it
left and deduct the goods received back in the month of their 退回入库日期 — a closed month never changes when refused
goods come back later (orders.figures.SHIPPED / RECEIVED_BACK)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from orders import figures, services
from orders.models import RefusalReturn, Shipment
from reports import kpis
from reports.periods import Period, company_zone
from reports.scopes import Scope
from tests.factories import InvoiceTitleFactory, ShipToAddressFactory
from tests.orders.conftest import pass_inspection, place

from .books import make_book

NOV, DEC = Period.month(2026, 11), Period.month(2026, 12)
COMPANY = Scope.company()

pytestmark = pytest.mark.django_db


def _figures(book, period: Period) -> dict:
    """Every shipped figure of `period` the refused goods could move."""
    alice, east = Scope.rep(book.cast.alice.pk), Scope.team(book.cast.east.pk)
    stores = {r["customer_name"]: r for r in kpis.store_rows(period, COMPANY)}
    return {
        "company": kpis.sales_shipped(period, COMPANY),
        "alice": kpis.sales_shipped(period, alice),
        "east": kpis.sales_shipped(period, east),
        "achievement": kpis.achievement(period, alice)["actual"],
        "rep_row": {r["rep_name"]: r["actual"] for r in kpis.rep_rows(period, COMPANY)}["alice"],
        "team_row": {r["team_name"]: r["actual"] for r in kpis.team_rows(period, COMPANY)}[book.cast.east.name],
        "store": stores["甲客户"]["shipped"],
        "store_last_month": stores["甲客户"]["last_month"],
        "top_store": {r["customer_name"]: r["shipped"] for r in kpis.top_stores(period, COMPANY, 5)}["甲客户"],
        "month_chart": kpis.monthly_sales(period.start.year, COMPANY)[period.start.month - 1]["actual"],
    }


def test_goods_received_back_in_december_leave_november_as_it_was_closed(cast):
    """Given O1's note of 4,000.00 that left on 11-10 (books.py), signed for in part, 1,000.00 of it refused and received
    back on 12-03: November's shipped figures are the same after the receipt as before it, December's are 1,000.00
    lower, and December's comparison with November (last month, 环比) reads November unchanged."""
    book = make_book(cast)
    november, december = _figures(book, NOV), _figures(book, DEC)
    assert november["company"] == D("9500.00") and december["company"] == D("7000.00")
    Shipment.objects.filter(pk=book.s1.pk).update(status="delivered", delivered_on=date(2026, 11, 12))
    RefusalReturn.objects.create(
        shipment=book.s1, order=book.o1, received_on=date(2026, 12, 3), amount_incl=D("1000.00"), received_by=cast.warehouse
    )
    Shipment.objects.filter(pk=book.s1.pk).update(returned_amount=D("1000.00"))  # as shipment_receive_refused does

    assert _figures(book, NOV) == november
    lower = _figures(book, DEC)
    for key, before in december.items():
        expected = before if key == "store_last_month" else before - D("1000.00")
        assert lower[key] == expected, key
    assert lower["store_last_month"] == november["store"]
    assert kpis.growth(DEC, COMPANY)["mom"] == kpis.rate_of(D("6000.00") - D("9500.00"), D("9500.00"))
    # the whole year's chart and total: the note and its return both in 2026, nothing lost or counted twice
    assert sum(m["actual"] for m in kpis.monthly_sales(2026, COMPANY)) == kpis.sales_shipped(Period.year(2026), COMPANY)


def test_a_return_on_the_first_of_the_month_at_shanghai_midnight_is_that_months(cast):
    """The 退回入库日期 is a day in Asia/Shanghai: a receipt dated 12-01 is December's, one dated 11-30 November's."""
    book = make_book(cast)
    Shipment.objects.filter(pk=book.s1.pk).update(status="delivered")
    for day, amount in ((date(2026, 11, 30), "100.00"), (date(2026, 12, 1), "200.00")):
        RefusalReturn.objects.create(
            shipment=book.s1, order=book.o1, received_on=day, amount_incl=D(amount), received_by=cast.warehouse
        )
    assert kpis.sales_shipped(NOV, COMPANY) == D("9400.00")
    assert kpis.sales_shipped(DEC, COMPANY) == D("6800.00")
    assert kpis.sales_shipped(Period.day(date(2026, 12, 1)), COMPANY) == D("6800.00")  # O3 7,000 left at 00:00


def test_refused_goods_received_back_a_month_later_through_the_service(cast, customer, pump):
    """Given a note of 10 pumps shipped and signed for last month with 3 refused, when the warehouse receives the 3 back
    today (shipment_receive_refused): last month's shipped sales stay the note's whole value, this month's are lower by
    the receipt's value — what every reader of receivables already nets out of the note (the note is 7 × 1,130.00)."""
    customer.payment_terms, customer.credit_days = "credit", 30  # shipped on credit: no payment gate
    customer.save()
    InvoiceTitleFactory(customer=customer, is_default=True)  # 核单: a taxed order's invoice title
    ShipToAddressFactory(customer=customer, is_default=True)
    today = timezone.localdate()
    last_day = today.replace(day=1) - timedelta(days=1)
    this_month, last_month = Period.month(today.year, today.month), Period.month(last_day.year, last_day.month)
    order = place(
        services.order_create(actor=cast.clerk, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": "10"}]),
        cast.clerk,
    )
    pass_inspection(order, cast, "10")
    note = services.shipment_create(order=order, actor=cast.clerk, lines={order.lines.get().pk: "10"})
    services.shipment_release(shipment=note, actor=cast.clerk)
    note = services.shipment_ship(shipment=note, actor=cast.warehouse, tracking_no="SF-1")
    left = datetime.combine(last_day, time(10), tzinfo=company_zone())
    Shipment.objects.filter(pk=note.pk).update(shipped_at=left)
    services.shipment_deliver(
        shipment=note,
        actor=cast.clerk,
        delivered_on=last_day,
        signer="王经理",
        exceptions="破损",
        quantities={note.lines.get().pk: "7"},
    )
    before = kpis.sales_shipped(last_month, COMPANY), kpis.sales_shipped(this_month, COMPANY)
    assert before == (D("11300.00"), D("0.00"))

    receipt = services.shipment_receive_refused(
        shipment=note, actor=cast.warehouse, quantities={note.lines.get().pk: "3"}, received_on=today
    )
    assert receipt.amount_incl == D("3390.00")
    assert kpis.sales_shipped(last_month, COMPANY) == D("11300.00")
    assert kpis.sales_shipped(this_month, COMPANY) == D("-3390.00")
    # the figure of both months together is what stayed with the customer
    start, end = last_month.bounds()[0], this_month.bounds()[1]
    assert figures.shipped_total(start, end) == D("7910.00")
