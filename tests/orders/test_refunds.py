"""退款 (money paid back to a customer): a confirmed Payment of kind refund with a negative amount and allocation, that
every reader netting money nets as it is (order_paid, order_outstanding, the receivables, the statement), recorded by
finance only, never more than the order holds beyond what it owes (balances.order_refundable); the collection figures
count receipts only; the page, the API, the payments list and the receivables' 预收/应退 table."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from orders import figures, receivables
from orders.balances import order_outstanding, order_paid, order_refundable
from orders.models import CreditNote, Payment, PaymentAllocation, SalesOrder, Shipment
from orders.services import payment_record, payment_void
from orders.services.payments import refund_record
from reports import kpis
from reports.periods import Period
from reports.scopes import Scope
from salesops.core.errors import Conflict, DomainError, Forbidden
from salesops.core.models import Event
from tests.factories import CustomerFactory, InvoiceTitleFactory
from tests.orders.conftest import allocated_payment

pytestmark = pytest.mark.django_db


def make_order(cast, customer, number, *, shipped=(), paid=(), credits=(), amount="10000.00"):
    """An order of `customer` with shipped notes (amounts), confirmed payments and credit notes, written directly."""
    order = SalesOrder.objects.create(
        number=number,
        customer=customer,
        owner=customer.owner,
        created_by=cast.clerk,
        status=SalesOrder.Status.PARTIALLY_SHIPPED if shipped else SalesOrder.Status.PLACED,
        amount_incl=D(amount),
        received_on=timezone.localdate() - timedelta(days=60),
    )
    for n, value in enumerate(shipped):
        note = Shipment.objects.create(
            number=f"FH-{number}-{n}", order=order, created_by=cast.clerk, status=Shipment.Status.SHIPPED, amount_incl=D(value)
        )
        moment = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=10), time(10)))
        Shipment.objects.filter(pk=note.pk).update(shipped_at=moment)
    for n, value in enumerate(paid):
        allocated_payment(order, cast, value, ref=f"B-{number}-{n}")
    for n, value in enumerate(credits):
        CreditNote.objects.create(number=f"CN-{number}-{n}", order=order, amount=D(value), reason="退货", created_by=cast.clerk)
    return order


@pytest.fixture
def buyer(cast):
    customer = CustomerFactory(owner=cast.alice, team=cast.east, name="宁波退款测试有限公司", payment_terms="prepaid")
    InvoiceTitleFactory(customer=customer, is_default=True)
    return customer


def refund(cast, order, amount, ref="TK-001", **extra):
    return refund_record(actor=cast.finance, order=order, data={"amount": amount, "bank_reference": ref, **extra})


# --- the service --------------------------------------------------------------------------------------------------------
def test_a_deposit_on_an_order_never_shipped_is_refunded_and_every_reader_nets_it(cast, buyer):
    # given a deposit of 3,000 confirmed on an order of 10,000 never shipped
    order = make_order(cast, buyer, "SO-DEP", paid=["3000.00"])
    assert order_refundable(order) == D("3000.00") and order_outstanding(order) == D("7000.00")
    # when finance pays 1,000 of it back
    paid_back = refund(cast, order, "1000.00", ref="tk 01")
    # then it is a confirmed refund of −1,000 allocated (negative) to the order, with an event on both
    paid_back.refresh_from_db()
    assert (paid_back.kind, paid_back.status, paid_back.amount, paid_back.bank_reference) == (
        Payment.Kind.REFUND,
        Payment.Status.CONFIRMED,
        D("-1000.00"),
        "TK01",
    )
    assert paid_back.confirmed_by == cast.finance and paid_back.received_on == timezone.localdate()
    assert list(PaymentAllocation.objects.filter(payment=paid_back).values_list("order_id", "amount")) == [
        (order.pk, D("-1000.00"))
    ]
    assert Event.objects.filter(target_id=order.pk, msgid__contains="财务已退款").exists()
    assert Event.objects.filter(target_id=paid_back.pk, msgid__contains="办理退款").exists()
    # and the order's money nets it without a special case
    assert (order_paid(order), order_outstanding(order), order_refundable(order)) == (
        D("2000.00"),
        D("8000.00"),
        D("2000.00"),
    )


def test_a_credit_note_on_goods_paid_is_refundable_and_no_more(cast, buyer):
    # given an order shipped 1,000, paid 1,000, credited 300 (a return refunded)
    order = make_order(cast, buyer, "SO-CN", shipped=["1000.00"], paid=["1000.00"], credits=["300.00"])
    assert order_refundable(order) == D("300.00")
    # when finance tries to pay back more than that, then it is refused with the room
    with pytest.raises(DomainError, match="可退金额 300.00"):
        refund(cast, order, "300.01")
    refund(cast, order, "300.00")
    assert order_refundable(order) == 0
    # and an order that owes has nothing to refund
    owing = make_order(cast, buyer, "SO-OWE", shipped=["2000.00"], paid=["500.00"])
    with pytest.raises(DomainError):
        refund(cast, owing, "1.00", ref="TK-OWE")


@pytest.mark.parametrize(
    "who, data, error",
    [
        ("clerk", {"amount": "10.00", "bank_reference": "TK-X"}, Forbidden),
        ("alice", {"amount": "10.00", "bank_reference": "TK-X"}, Forbidden),
        ("finance", {"amount": "0", "bank_reference": "TK-X"}, DomainError),
        ("finance", {"amount": "-5.00", "bank_reference": "TK-X"}, DomainError),
        ("finance", {"amount": "10.001", "bank_reference": "TK-X"}, DomainError),
        ("finance", {"amount": "10.00", "bank_reference": "  "}, DomainError),
        ("finance", {"amount": "10.00", "bank_reference": "TK-X", "received_on": "tomorrow"}, DomainError),
        ("finance", {"amount": "10.00", "bank_reference": "B-SO-R-0"}, Conflict),  # the deposit's own reference
    ],
)
def test_what_is_refused(cast, buyer, who, data, error):
    # given a deposit of 500 on an unshipped order
    order = make_order(cast, buyer, "SO-R", paid=["500.00"])
    if data.get("received_on") == "tomorrow":
        data = {**data, "received_on": timezone.localdate() + timedelta(days=1)}
    # when someone records a refund with a wrong field, then it is refused and nothing is written
    with pytest.raises(error):
        refund_record(actor=getattr(cast, who), order=order, data=data)
    assert not Payment.objects.filter(kind=Payment.Kind.REFUND).exists()


def test_a_refund_voided_gives_the_room_back_and_the_money_refunded_is_voided_after_it(cast, buyer):
    # given a deposit of 500 refunded whole
    order = make_order(cast, buyer, "SO-V", paid=["500.00"])
    deposit = Payment.objects.get(bank_reference="B-SO-V-0")
    paid_back = refund(cast, order, "500.00")
    # when finance voids the deposit first, then it is refused: the order would hold less than nothing
    with pytest.raises(DomainError, match="先作废退款"):
        payment_void(payment=deposit, actor=cast.finance, reason="录错")
    # when finance voids the refund (entered by mistake), then the room is back, and the deposit may be voided
    payment_void(payment=paid_back, actor=cast.finance, reason="录错")
    assert order_refundable(order) == D("500.00")
    payment_void(payment=deposit, actor=cast.finance, reason="录错")
    assert order_paid(order) == 0


def test_a_payment_of_kind_refund_is_not_recorded_as_money_received(cast, buyer):
    order = make_order(cast, buyer, "SO-K")
    with pytest.raises(DomainError, match="办理退款"):
        payment_record(
            actor=cast.finance,
            customer=buyer,
            data={"amount": "10.00", "bank_reference": "X-1", "kind": "refund"},
            allocations={order.pk: "10.00"},
        )


# --- collection counts receipts only -----------------------------------------------------------------------------------
def test_a_month_with_only_a_refund_has_collected_nothing_not_a_negative_amount(cast, buyer):
    # given a deposit received last month and refunded this month
    order = make_order(cast, buyer, "SO-KPI", paid=["800.00"])
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    Payment.objects.filter(bank_reference="B-SO-KPI-0").update(received_on=last_month)
    refund(cast, order, "800.00")
    today = timezone.localdate()
    this_month = Period.month(today.year, today.month)
    # then this month's 回款额 is 0 (the refund is not a negative collection), last month's still 800
    assert figures.collected_total(this_month.start, this_month.end) == D("0.00")
    assert kpis.collected(this_month, Scope.company()) == D("0.00")
    assert kpis.collected(Period.month(last_month.year, last_month.month), Scope.company()) == D("800.00")
    assert figures.collected_by_month(this_month.start, this_month.end).get(this_month.start, D("0")) == 0
    # and the receivables page's collection rate counts nothing collected this month
    assert receivables.collection_rate(cast.finance, this_month.start, today) in (None, D("0"))


# --- the pages and the API ---------------------------------------------------------------------------------------------
def test_the_order_page_offers_a_refund_to_finance_only_and_the_refund_page_records_it(cast, buyer, client_as):
    order = make_order(cast, buyer, "SO-PAGE", paid=["600.00"])
    url = f"/orders/{order.pk}/"
    assert 'data-testid="action-refund"' in client_as(cast.finance).get(url).content.decode()
    assert 'data-testid="action-refund"' not in client_as(cast.clerk).get(url).content.decode()
    nothing = make_order(cast, buyer, "SO-NONE")
    assert 'data-testid="action-refund"' not in client_as(cast.finance).get(f"/orders/{nothing.pk}/").content.decode()
    # the refund page: finance only, the room in its intro; a post records it and shows the refund
    assert client_as(cast.clerk).get(f"/orders/payments/refund/{order.pk}/").status_code == 403
    page = client_as(cast.finance).get(f"/orders/payments/refund/{order.pk}/")
    assert page.status_code == 200 and "可退金额 600.00" in page.content.decode()
    too_much = client_as(cast.finance).post(
        f"/orders/payments/refund/{order.pk}/",
        {"amount": "600.01", "bank_reference": "TK-P", "received_on": timezone.localdate(), "method": "bank"},
    )
    assert too_much.status_code == 400 and "超过订单" in too_much.content.decode()
    done = client_as(cast.finance).post(
        f"/orders/payments/refund/{order.pk}/",
        {"amount": "600.00", "bank_reference": "TK-P", "received_on": timezone.localdate(), "method": "bank"},
    )
    made = Payment.objects.get(bank_reference="TK-P")
    assert done.status_code == 302 and done["Location"] == f"/orders/payments/{made.pk}/" and made.amount == D("-600.00")
    # the payments list shows it as 退款 with the negative amount, and its kind filter picks it
    listed = client_as(cast.finance).get("/orders/payments/", {"kind": "refund"}).content.decode()
    assert listed.count('data-testid="payment-row"') == 1 and "退款" in listed and "-600.00" in listed


def test_the_api_lists_the_refundable_orders_and_records_a_refund(cast, buyer, api_as):
    held = make_order(cast, buyer, "SO-API", shipped=["1000.00"], paid=["1000.00"], credits=["250.00"])
    make_order(cast, buyer, "SO-API-OWE", shipped=["1000.00"])
    body = api_as(cast.finance).get("/api/v1/payments/refundable/", {"customer": buyer.pk}).json()
    assert [(o["order_number"], o["refundable"]) for o in body] == [("SO-API", "250.00")]
    assert api_as(cast.finance).get("/api/v1/payments/refundable/").status_code == 400
    assert api_as(cast.carol).get("/api/v1/payments/refundable/", {"customer": buyer.pk}).json() == []  # not hers
    answer = api_as(cast.clerk).post("/api/v1/payments/refund/", {"order": held.pk, "amount": "250.00", "bank_reference": "T1"})
    assert answer.status_code == 403
    answer = api_as(cast.finance).post(
        "/api/v1/payments/refund/", {"order": held.pk, "amount": "250.00", "bank_reference": "T1"}, format="json"
    )
    assert answer.status_code == 201
    data = answer.json()
    assert (data["kind"], data["kind_display"], data["amount"], data["status"]) == ("refund", "退款", "-250.00", "confirmed")
    assert data["allocations"][0]["amount"] == "-250.00"
    again = api_as(cast.finance).post("/api/v1/payments/refund/", {"order": held.pk, "amount": "0.01", "bank_reference": "T2"})
    assert again.status_code == 400
    listed = api_as(cast.finance).get("/api/v1/payments/", {"kind": "refund"}).json()
    assert [p["amount"] for p in listed["results"]] == ["-250.00"]


def test_the_receivables_show_what_is_held_for_customers_with_a_refund_link_for_finance(cast, buyer, client_as, api_as):
    make_order(cast, buyer, "SO-HELD", shipped=["1000.00"], paid=["1000.00"], credits=["700.00"])  # paid, then credited
    make_order(cast, buyer, "SO-OWES", shipped=["2000.00"])
    summary = receivables.ReceivableTable(receivables.receivable_orders_for(cast.finance)).summary(0, 25)
    assert [(r.order.number, r.held, r.paid, r.shipped) for r in summary.held] == [
        ("SO-HELD", D("700.00"), D("1000.00"), D("1000.00"))
    ]
    assert (summary.held_count, summary.count, summary.totals["held"], summary.totals["balance"]) == (
        1,
        1,
        D("700.00"),
        D("1300.00"),
    )
    html = client_as(cast.finance).get("/orders/receivables/").content.decode()
    held = html.split('data-testid="held-list"')[1].split('data-testid="receivables-by-customer"')[0]
    assert 'data-number="SO-HELD"' in held and 'data-testid="held-refund"' in held
    assert 'data-testid="held-refund"' not in client_as(cast.clerk).get("/orders/receivables/").content.decode()
    body = api_as(cast.finance).get("/api/v1/receivables/").json()
    assert (body["total_held"], body["total_balance"], body["held_count"]) == ("700.00", "1300.00", 1)
    assert [(h["order_number"], h["held"]) for h in body["held"]] == [("SO-HELD", "700.00")]
    assert [(g["name"], g["held"], g["balance"]) for g in body["by_customer"]] == [(buyer.name, "700.00", "1300.00")]


# --- QA of the refunds: the gate, dates, voiding ----------------------------------------------------------------------
def test_no_refund_while_a_note_released_on_that_money_waits_to_leave(cast, buyer):
    # given 3,000 confirmed on an order and an outbound note released (or to be released) on the strength of it
    order = make_order(cast, buyer, "SO-GATE", paid=["3000.00"])
    Shipment.objects.create(
        number="FH-SO-GATE-R", order=order, created_by=cast.clerk, status=Shipment.Status.RELEASED, amount_incl=D("3000.00")
    )
    # when finance refunds it, then it is refused naming the note, and nothing is paid back
    with pytest.raises(Conflict, match="未发出的出货单 FH-SO-GATE-R"):
        refund(cast, order, "1000.00")
    assert not Payment.objects.filter(kind=Payment.Kind.REFUND).exists()


def test_a_refund_is_not_dated_before_the_money_it_pays_back(cast, buyer):
    # given money received today on an order never shipped
    order = make_order(cast, buyer, "SO-DAY", paid=["3000.00"])
    # when the refund is dated yesterday, then it is refused; today it is recorded
    with pytest.raises(DomainError, match="早于订单最近一笔回款或红字冲减的日期"):
        refund(cast, order, "1000.00", received_on=timezone.localdate() - timedelta(days=1))
    assert refund(cast, order, "1000.00").received_on == timezone.localdate()


def test_voiding_what_would_leave_money_nowhere_is_not_offered_nor_done(cast, buyer):
    from orders.permissions import payment_allowed_actions
    from orders.selectors import payment_allocations, payment_list_for
    from orders.services import order_cancel

    # given a deposit refunded in part: the receipt is not offered for voiding (the refund is voided first)
    order = make_order(cast, buyer, "SO-VOID", paid=["3000.00"])
    receipt = Payment.objects.get(bank_reference="B-SO-VOID-0")
    part = refund(cast, order, "1000.00", ref="TK-PART")
    assert "void" not in payment_allowed_actions(receipt, cast.finance)
    listed = payment_list_for(cast.finance).prefetch_related(payment_allocations()).get(pk=receipt.pk)  # as the list
    assert "void" not in payment_allowed_actions(listed, cast.finance)
    # and once the refund is voided, the receipt may be
    payment_void(payment=part, actor=cast.finance, reason="录错")
    assert "void" in payment_allowed_actions(Payment.objects.get(pk=receipt.pk), cast.finance)
    # given the whole deposit refunded and the order then cancelled
    whole = refund(cast, order, "3000.00", ref="TK-ALL")
    order_cancel(order=order, actor=cast.clerk, reason="客户取消")
    # then its refund cannot be voided: the money would stay on an order no page shows
    assert "void" not in payment_allowed_actions(whole, cast.finance)
    with pytest.raises(DomainError, match="已取消，不能作废其退款"):
        payment_void(payment=whole, actor=cast.finance, reason="录错")
    assert Payment.objects.get(pk=whole.pk).status == Payment.Status.CONFIRMED


def test_a_credit_note_lowers_what_is_due_before_shipment(cast, buyer):
    from orders.balances import order_gate
    from orders.permissions import may_request_credit_exception
    from orders.selectors import gate_of, with_gate_figures

    # given a prepaid order of 10,000 shipped whole and paid, then 1,000 of goods returned, credited and refunded
    order = make_order(cast, buyer, "SO-CRED", shipped=["10000.00"], paid=["10000.00"], credits=["1000.00"])
    SalesOrder.objects.filter(pk=order.pk).update(status=SalesOrder.Status.SHIPPED)
    refund(cast, order, "1000.00")
    order = SalesOrder.objects.get(pk=order.pk)
    # then its gate stays open (9,000 due, 9,000 paid), in the page's reading and the lists' alike
    gate = order_gate(order)
    assert gate.open and gate.due == D("9000.00")
    assert gate_of(with_gate_figures(SalesOrder.objects.filter(pk=order.pk)).get()).open
    # and with nothing left to ship, no credit exception is offered
    assert not may_request_credit_exception(order, cast.clerk)


def test_the_collected_figure_links_to_the_receipts_it_counts(cast, buyer, client_as):
    # given 3,000 received and 1,000 of it refunded this month
    order = make_order(cast, buyer, "SO-LINK", paid=["3000.00"])
    refund(cast, order, "1000.00", ref="TK-LINK")
    page = client_as(cast.manager).get(f"/reports/figures/?period={timezone.localdate():%Y-%m}")
    card = {c["key"]: c for c in page.context["cards"]}["collected"]
    # then the 回款额 card's list shows the receipt and not the refund, as the card counts them
    assert card["value"] == D("3000.00") and "kind=receipt" in card["url"]
    listed = client_as(cast.finance).get(card["url"]).content.decode()
    assert "B-SO-LINK-0" in listed and "TK-LINK" not in listed
    assert "TK-LINK" in client_as(cast.finance).get("/orders/payments/?kind=refund").content.decode()


def test_the_reps_table_shows_what_their_orders_hold_too(cast, buyer):
    # given alice's customer owing nothing and holding 1,000 (paid 10,000 for 9,000 shipped)
    make_order(cast, buyer, "SO-REP", shipped=["9000.00"], paid=["10000.00"])
    table = receivables.ReceivableTable(SalesOrder.objects.all()).summary(0, 25)
    # then 按业务员 lists alice with nothing open, 1,000 held and a balance of −1,000 (it said 没有应收账款)
    [alice] = table.by_owner
    assert (alice["who"], alice["open"], alice["held"], alice["balance"]) == (cast.alice, D("0.00"), D("1000.00"), D("-1000.00"))


def test_a_state_conflict_names_the_payment_readably(cast, buyer):
    # given a refund voided already; when it is voided again, the message sets its amount apart, formatted
    order = make_order(cast, buyer, "SO-TWICE", paid=["3000.00"])
    twice = refund(cast, order, "1000.00", ref="TK-TWICE")
    payment_void(payment=twice, actor=cast.finance, reason="录错")
    with pytest.raises(Conflict, match=r"TK-TWICE（-1,000.00）当前状态为“已作废”"):
        payment_void(payment=twice, actor=cast.finance, reason="录错")
