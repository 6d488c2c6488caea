"""A hand-computed month of business (November 2026, Asia/Shanghai) for the KPI tests, written straight into the tables
with the dates each case needs (the services stamp "now"; here the figures are what matters).

Team 华东组: alice, bob (lead lena); team 华南组: carol. Customers: 甲 (alice's, 江苏), 乙 (carol's, 广东).
  O1 alice 甲 received 11-03, 10,000.00, promised 11-20, verified; partial shipment 4,000.00 on 11-10;
     invoice 4,000.00 issued 11-11; payment 3,000.00 received 11-12 (confirmed).
  O2 alice 甲 received 11-30, 5,000.00, promised 11-30, verified then changed; shipped in full 11-30 23:59;
     a payment of 5,000.00 only recorded (not confirmed); an invoice requested, not issued.
  O3 bob   甲 received 12-01, 7,000.00; shipped in full 12-01 00:00 (December).
  O4 carol 乙 received 11-15, 3,000.00, verified and changed, then CANCELLED (counts nowhere).
  O5 carol 乙 received 10-20, 2,000.00, promised 10-22; shipped in full 10-25; invoice 2,000.00 issued 10-26;
     credit note 500.00 on 11-05; payment 1,000.00 received 11-08 (confirmed).
  O6 bob   甲 received 11-16, 1,000.00, promised 11-20, verified; shipped in full 11-21 07:30 (late: 11-20 in UTC).
After-sales: callbacks done in November on O2 (5, 4, –; nobody recorded as its caller) and O5 (3, 3, 3; by service),
one on O1 done 12-01 00:00; complaints: on O5 reported 11-30, a withdrawn one 11-10, one 12-01; tickets resolved in
November (each opened two days before, answered an hour after): 甲's without order in time (engineer service), O5's late
(not assigned).
Targets November: company 20,000.00, 华东组 12,000.00, alice 8,000.00 (no collection targets).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal as D
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from aftersales.models import Callback, Complaint, ServiceTicket
from orders.models import CreditNote, InvoiceRequest, Payment, PaymentAllocation, SalesOrder, Shipment
from reports.models import SalesTarget
from salesops.core.numbering import next_number
from tests.factories import CustomerFactory

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=12, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def make_book(cast) -> SimpleNamespace:
    b = SimpleNamespace(cast=cast)
    b.jia = CustomerFactory(owner=cast.alice, team=cast.east, name="甲客户", province="江苏", type="distributor")
    b.yi = CustomerFactory(owner=cast.carol, team=cast.south, name="乙客户", province="广东", type="franchise_store")
    n = iter(range(1, 100))

    def order(owner, customer, received, amount, status, promised=None, verified=False, changes=0, shipped_at=None):
        return SalesOrder.objects.create(
            number=f"SO-T{next(n):03d}",
            customer=customer,
            owner=owner,
            received_on=received,
            amount_incl=D(amount),
            status=status,
            promised_ship_date=promised,
            verified_at=at(received.year, received.month, received.day) if verified else None,
            change_count=changes,
            shipped_at=shipped_at,
            created_by=cast.clerk,
        )

    def ship(o, amount, when):
        return Shipment.objects.create(
            number=f"FH-T{next(n):03d}", order=o, status="shipped", shipped_at=when, amount_incl=D(amount), created_by=cast.clerk
        )

    def invoice(o, amount, status, issued_on=None):
        InvoiceRequest.objects.create(
            number=next_number("KP"),
            order=o,
            title="t",
            tax_id="x",
            amount=D(amount),
            status=status,
            issued_on=issued_on,
            requested_by=cast.clerk,
        )

    def pay(o, amount, received, status):
        p = Payment.objects.create(
            number=next_number("HK"),
            customer=o.customer,
            bank_reference=f"B{next(n)}",
            amount=D(amount),
            received_on=received,
            status=status,
            recorded_by=cast.clerk,
        )
        PaymentAllocation.objects.create(payment=p, order=o, amount=D(amount))

    S = SalesOrder.Status
    b.o1 = order(cast.alice, b.jia, date(2026, 11, 3), "10000.00", S.PARTIALLY_SHIPPED, date(2026, 11, 20), verified=True)
    b.s1 = ship(b.o1, "4000.00", at(2026, 11, 10, 10))
    invoice(b.o1, "4000.00", "issued", date(2026, 11, 11))
    pay(b.o1, "3000.00", date(2026, 11, 12), "confirmed")

    o2_out = at(2026, 11, 30, 23, 59)
    b.o2 = order(cast.alice, b.jia, date(2026, 11, 30), "5000.00", S.SHIPPED, date(2026, 11, 30), True, 1, o2_out)
    b.s2 = ship(b.o2, "5000.00", o2_out)
    pay(b.o2, "5000.00", date(2026, 11, 30), "recorded")
    invoice(b.o2, "5000.00", "requested")

    o3_out = at(2026, 12, 1, 0, 0)
    b.o3 = order(cast.bob, b.jia, date(2026, 12, 1), "7000.00", S.SHIPPED, date(2026, 12, 5), True, 0, o3_out)
    ship(b.o3, "7000.00", o3_out)

    b.o4 = order(cast.carol, b.yi, date(2026, 11, 15), "3000.00", S.CANCELLED, date(2026, 11, 20), True, 1)

    o5_out = at(2026, 10, 25)
    b.o5 = order(cast.carol, b.yi, date(2026, 10, 20), "2000.00", S.SHIPPED, date(2026, 10, 22), True, 0, o5_out)
    b.s5 = ship(b.o5, "2000.00", o5_out)
    invoice(b.o5, "2000.00", "issued", date(2026, 10, 26))
    note = CreditNote.objects.create(number="CN-T1", order=b.o5, amount=D("500.00"), reason="退货", created_by=cast.clerk)
    CreditNote.objects.filter(pk=note.pk).update(created_at=at(2026, 11, 5))
    pay(b.o5, "1000.00", date(2026, 11, 8), "confirmed")

    o6_out = at(2026, 11, 21, 7, 30)
    b.o6 = order(cast.bob, b.jia, date(2026, 11, 16), "1000.00", S.SHIPPED, date(2026, 11, 20), True, 0, o6_out)
    ship(b.o6, "1000.00", o6_out)

    def callback(o, shipment, scores, done_at, done_by=None):
        Callback.objects.create(
            order=o,
            shipment=shipment,
            customer=o.customer,
            offset_days=7,
            due_on=done_at.date(),
            queue_on=done_at.date(),
            status="done",
            score_product=scores[0],
            score_delivery=scores[1],
            score_service=scores[2],
            done_at=done_at,
            done_by=done_by,
            created_at=done_at - timedelta(days=7),
        )

    callback(b.o2, b.s2, (5, 4, None), at(2026, 11, 30, 23, 59))
    callback(b.o5, b.s5, (3, 3, 3), at(2026, 11, 2), cast.service)
    callback(b.o1, b.s1, (1, 1, 1), at(2026, 12, 1, 0, 0))

    for o, customer, reported, status in (
        (b.o5, b.yi, date(2026, 11, 30), "registered"),
        (None, b.jia, date(2026, 11, 10), "cancelled"),
        (None, b.jia, date(2026, 12, 1), "registered"),
    ):
        Complaint.objects.create(
            number=f"TS-T{next(n)}",
            customer=customer,
            order=o,
            reported_on=reported,
            description="问题",
            status=status,
            created_by=cast.service,
        )

    for o, customer, resolved, in_time in ((None, b.jia, at(2026, 11, 20), True), (b.o5, b.yi, at(2026, 11, 25), False)):
        opened = resolved - timedelta(days=2)
        ServiceTicket.objects.create(
            number=f"GD-T{next(n)}",
            ticket_type="repair",
            customer=customer,
            order=o,
            subject="维修",
            respond_by=opened + timedelta(hours=4),
            resolve_by=resolved + timedelta(hours=1 if in_time else -1),
            first_response_at=opened + timedelta(hours=1),
            resolved_at=resolved,
            engineer=cast.service if in_time else None,
            status="resolved",
            created_by=cast.service,
            created_at=opened,
        )

    def target(level, amount, team=None, rep=None):
        # as the targets service writes a target without a collection target (collection None, not the column's 0.00)
        SalesTarget.objects.create(
            year=2026,
            kind="month",
            number=11,
            level=level,
            team=team,
            rep=rep,
            amount=D(amount),
            collection=None,
            updated_by=cast.manager,
        )

    target("company", "20000.00")
    target("team", "12000.00", team=cast.east)
    target("rep", "8000.00", team=cast.east, rep=cast.alice)
    return b
