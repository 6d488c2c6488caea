"""The credit check of the shipment gate (SPEC.md "Customers": credit limit and payment terms; "Shipment": released only
after finance confirms the payment due before shipment or an approved credit exception).

QA on the demo: a credit customer (账期) with a 20,000 limit got a direct order of 600,000 verified, released and shipped
with no check — 账期 owes nothing before shipment, so the gate was always open. Now the gate also holds the notes of an
order when what the customer owes for goods shipped (its open receivables, CNY) plus what the notes add is over its
limit, until finance confirms payments that bring the debt down or a credit exception (信用放行) is approved; the clerk's
queues, the order and note pages and the API show why. A customer without a limit is unchanged."""

from __future__ import annotations

import random
from decimal import Decimal as D

import pytest
from django.urls import reverse

from orders import rules, selectors, services
from orders.models import CreditException, PaymentAllocation, SalesOrder, Shipment
from salesops.core.errors import Conflict
from tests.contracts.conftest import decide
from tests.factories import CustomerFactory, InvoiceTitleFactory, ShipToAddressFactory
from tests.orders.conftest import allocated_payment, fresh, pass_inspection, pay, place

pytestmark = pytest.mark.django_db

OVER = "超出信用额度"


def _credit_customer(customer, limit: str):
    customer.payment_terms, customer.credit_days, customer.credit_limit = "credit", 30, D(limit)
    customer.save()
    return customer


def _order(cast, customer, pump, quantity: str) -> SalesOrder:
    return services.order_create(actor=cast.clerk, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": quantity}])


def _note(cast, order: SalesOrder, quantity: str) -> Shipment:
    """Verify and place `order`, pass `quantity` at inspection and put it on a draft outbound note."""
    order = place(order, cast.clerk)
    pass_inspection(order, cast, quantity)
    return services.shipment_create(order=order, actor=cast.clerk, lines={order.lines.get().pk: quantity})


def _shipped(cast, order: SalesOrder, quantity: str) -> Shipment:
    note = _note(cast, order, quantity)
    services.shipment_release(shipment=note, actor=cast.clerk)
    return services.shipment_ship(shipment=note, actor=cast.warehouse, tracking_no=f"SF-{order.number}")


@pytest.fixture
def owing(cast, customer, pump):
    """A credit customer (账期 30 days) with a 20,000 limit that owes 11,300 for a first order shipped, and a second
    order of 10 pumps (11,300) on a draft note: 11,300 + 11,300 = 22,600, 2,600 over the limit."""
    _credit_customer(customer, "20000")
    first = _order(cast, customer, pump, "10")
    _shipped(cast, first, "10")
    second = _order(cast, customer, pump, "10")
    note = _note(cast, second, "10")
    return first, fresh(second), note


# --- the rule ------------------------------------------------------------------------------------------------------------
class TestRule:
    def test_what_notes_add_is_what_payments_on_the_order_do_not_cover(self):
        assert rules.credit_added(shipped=D("0"), unshipped=D("100"), settled=D("0")) == D("100")
        assert rules.credit_added(shipped=D("0"), unshipped=D("100"), settled=D("100")) == D("0")  # prepaid
        assert rules.credit_added(shipped=D("0"), unshipped=D("100"), settled=D("30")) == D("70")  # deposit paid
        assert rules.credit_added(shipped=D("100"), unshipped=D("50"), settled=D("120")) == D("30")  # 20 left over

    def test_over_the_limit_closes_the_gate_with_the_figures(self):
        credit = rules.Credit(limit=D("20000"), owed=D("11300"), adds=D("11300"))
        gate = rules.shipment_gate(due=D("0"), confirmed_paid=D("0"), approved_exception=D("0"), credit=credit)
        assert not gate.open and gate.credit.over == D("2600")
        assert gate.reason == (
            "超出信用额度：信用额度 20,000.00 元，客户已欠货款 11,300.00 元，本次出货 11,300.00 元，超出额度 2,600.00 元。"
        )

    def test_an_exception_raises_the_limit_by_its_amount(self):
        def gate(exception):
            credit = rules.Credit(limit=D("20000"), owed=D("11300"), adds=D("11300"), exception=D(exception))
            return rules.shipment_gate(due=D("0"), confirmed_paid=D("0"), approved_exception=D(exception), credit=credit)

        assert not gate("2599.99").open and "已批准信用放行 2,599.99 元" in gate("2599.99").reason
        assert gate("2600.00").open

    def test_within_the_limit_or_without_one_the_gate_is_the_payment_gate(self):
        within = rules.Credit(limit=D("22600"), owed=D("11300"), adds=D("11300"))
        assert rules.shipment_gate(due=D("0"), confirmed_paid=D("0"), approved_exception=D("0"), credit=within).open
        assert rules.shipment_gate(due=D("0"), confirmed_paid=D("0"), approved_exception=D("0"), credit=None).open
        both = rules.shipment_gate(
            due=D("100"), confirmed_paid=D("0"), approved_exception=D("0"), credit=rules.Credit(D("10"), D("5"), D("100"))
        )
        assert not both.open and "尚差 100.00 元" in both.reason and OVER in both.reason


# --- the gate on release -----------------------------------------------------------------------------------------------
class TestRelease:
    def test_a_note_over_the_limit_is_held_and_says_why(self, cast, owing):
        _first, order, note = owing
        gate = selectors.order_gate(order)
        assert not gate.open and gate.due == D("0")
        assert (gate.credit.limit, gate.credit.owed, gate.credit.adds, gate.credit.over) == (
            D("20000.00"),
            D("11300.00"),
            D("11300.00"),
            D("2600.00"),
        )
        with pytest.raises(Conflict) as e:
            services.shipment_release(shipment=note, actor=cast.clerk)
        for text in (OVER, "信用额度 20,000.00 元", "客户已欠货款 11,300.00 元", "本次出货 11,300.00 元", "超出额度 2,600.00 元"):
            assert text in str(e.value)
        assert str(rules.GATE_UNBLOCKERS) in str(e.value)
        assert fresh(note).status == Shipment.Status.DRAFT

    def test_an_approved_credit_exception_releases_it(self, cast, owing):
        _first, order, note = owing
        exception = services.credit_exception_request(order=order, actor=cast.alice, amount="2600", reason="老客户，月底回款")
        decide(exception, services.CREDIT_KIND, cast.manager)
        with pytest.raises(Conflict, match=OVER):  # finance has not approved yet
            services.shipment_release(shipment=note, actor=cast.clerk)
        decide(exception, services.CREDIT_KIND, cast.finance)
        assert fresh(exception).status == CreditException.Status.APPROVED
        assert selectors.order_gate(fresh(order)).open
        assert services.shipment_release(shipment=note, actor=cast.clerk).status == Shipment.Status.RELEASED

    def test_a_smaller_exception_is_not_enough(self, cast, owing):
        _first, order, note = owing
        CreditException.objects.create(
            order=order, amount=D("2599.99"), reason="x", requested_by=cast.clerk, status=CreditException.Status.APPROVED
        )
        with pytest.raises(Conflict, match="已批准信用放行 2,599.99 元"):
            services.shipment_release(shipment=note, actor=cast.clerk)

    def test_confirmed_payments_that_lower_the_debt_release_it(self, cast, owing):
        first, _order, note = owing
        # a payment recorded but not confirmed does not count
        recorded = allocated_payment(first, cast, "2600.00", status="recorded", ref="B-RECORDED")
        with pytest.raises(Conflict, match=OVER):
            services.shipment_release(shipment=note, actor=cast.clerk)
        PaymentAllocation.objects.filter(payment=recorded).delete()
        recorded.delete()
        pay(first, cast, "2599.99", ref="B-1")  # a fen short: 8,700.01 + 11,300 > 20,000
        with pytest.raises(Conflict, match="超出额度 0.01 元"):
            services.shipment_release(shipment=note, actor=cast.clerk)
        pay(first, cast, "0.01", ref="B-2")  # 8,700 + 11,300 = 20,000: within the limit
        assert services.shipment_release(shipment=note, actor=cast.clerk).status == Shipment.Status.RELEASED

    def test_a_payment_to_one_order_that_opens_anothers_gate_tells_the_clerk(self, cast, owing):
        from salesops.core.models import Notification

        first, _order, note = owing
        Notification.objects.all().delete()
        pay(first, cast, "2600.00", ref="B-3")  # paid to the first order: the customer is back within its limit
        told = Notification.objects.filter(title__contains=note.number).values_list("recipient__username", flat=True)
        assert "clerk" in set(told)
        assert services.shipment_release(shipment=note, actor=cast.clerk).status == Shipment.Status.RELEASED

    def test_a_customer_without_a_limit_is_unchanged(self, cast, customer, pump):
        _credit_customer(customer, "0")
        _shipped(cast, _order(cast, customer, pump, "10"), "10")
        order = _order(cast, customer, pump, "500")  # 565,000 on credit
        note = _note(cast, order, "500")
        gate = selectors.order_gate(fresh(order))
        assert gate == rules.Gate(True, D("0.00"), D("0.00"), D("0.00"))
        released = services.shipment_release(shipment=note, actor=cast.clerk)
        assert released.status == Shipment.Status.RELEASED and released.release_basis == "信用账期客户，发货前无需付款"
        assert [s.pk for s in selectors.held_shipments(cast.clerk)] == []

    def test_a_paid_prepaid_order_adds_nothing_to_the_debt(self, cast, owing, pump):
        # the customer is at 11,300 of 20,000; a prepaid order of 15 pumps (16,950) paid in full adds nothing
        first, *_rest = owing
        prepaid = _order(cast, first.customer, pump, "15")
        SalesOrder.objects.filter(pk=prepaid.pk).update(payment_terms="prepaid")
        pay(fresh(prepaid), cast, "16950.00", ref="B-PRE")
        note = _note(cast, fresh(prepaid), "15")
        assert selectors.order_gate(fresh(prepaid)).open
        assert services.shipment_release(shipment=note, actor=cast.clerk).status == Shipment.Status.RELEASED


# --- the queues ------------------------------------------------------------------------------------------------------
class TestQueues:
    def test_a_note_held_for_credit_waits_and_is_not_releasable(self, cast, owing):
        _first, _order, note = owing
        queue = selectors.clerk_queue(cast.clerk, fresh(note).created_at.date())
        assert [s.pk for s in queue["waiting_payment"]] == [note.pk] and queue["waiting_payment"].count() == 1
        assert [s.pk for s in queue["to_release"]] == [] and queue["to_release"].count() == 0
        (held,) = list(queue["waiting_payment"])
        assert not held.gate.open and OVER in held.gate.reason
        assert [s.pk for s in selectors.finance_queue(cast.finance)["held_shipments"]] == [note.pk]
        drafts = selectors.shipment_list_for(cast.clerk)
        assert list(selectors.shipment_queue(drafts, "to_release")) == []
        assert [s.pk for s in selectors.shipment_queue(drafts, "waiting_payment")] == [note.pk]

    def test_once_released_by_an_exception_it_moves_to_to_release(self, cast, owing):
        _first, order, note = owing
        CreditException.objects.create(
            order=order, amount=D("2600"), reason="x", requested_by=cast.clerk, status=CreditException.Status.APPROVED
        )
        queue = selectors.clerk_queue(cast.clerk, fresh(note).created_at.date())
        assert [s.pk for s in queue["to_release"]] == [note.pk] and queue["waiting_payment"].count() == 0
        assert all(s.gate.open for s in queue["to_release"])

    def test_the_work_pages_and_the_lists_show_it(self, cast, owing, client_as, api_as):
        _first, _order, note = owing
        page = client_as(cast.clerk).get("/orders/work/clerk/").content.decode()
        assert OVER in page and "超出额度 2,600.00 元" in page
        assert OVER in client_as(cast.finance).get("/orders/work/finance/").content.decode()
        for queue, listed in (("to_release", []), ("waiting_payment", [note.number])):
            body = client_as(cast.clerk).get(f"/orders/shipments/?queue={queue}").content.decode()
            assert (note.number in body) == bool(listed), queue
            rows = api_as(cast.clerk).get(f"/api/v1/shipments/?queue={queue}").json()["results"]
            assert [r["number"] for r in rows] == listed
        queues = {q["code"]: q for q in api_as(cast.clerk).get("/api/v1/work/clerk/").json()["queues"]}
        assert queues["to_release"]["count"] == 0 and queues["waiting_payment"]["count"] == 1

    def test_the_queues_decide_as_the_gate_over_varied_customers(self, cast, pump):
        """Customers with and without limits, orders on credit / deposit / prepaid, shipped debts, payments and
        exceptions: the held and releasable notes are exactly the notes whose order's gate is closed / open."""
        rng = random.Random(12)
        for c in range(6):
            customer = CustomerFactory(
                owner=cast.alice,
                team=cast.east,
                payment_terms="credit",
                credit_days=30,
                credit_limit=rng.choice([D("0"), D("5000"), D("20000"), D("40000")]),
            )
            ShipToAddressFactory(customer=customer, is_default=True)
            InvoiceTitleFactory(customer=customer, is_default=True)
            _shipped(cast, _order(cast, customer, pump, str(rng.randrange(1, 12))), "1")
            for _k in range(3):
                quantity = rng.randrange(1, 15)
                order = _order(cast, customer, pump, str(quantity))
                SalesOrder.objects.filter(pk=order.pk).update(payment_terms=rng.choice(["credit", "credit", "deposit"]))
                _note(cast, fresh(order), str(quantity))
                if rng.random() < 0.4:
                    allocated_payment(order, cast, str(rng.choice([1000, 5000, 11300])), ref=f"R-{c}-{_k}")
                if rng.random() < 0.3:
                    CreditException.objects.create(
                        order=order,
                        amount=D(rng.choice([500, 3000, 20000])),
                        reason="x",
                        requested_by=cast.clerk,
                        status=CreditException.Status.APPROVED,
                    )
        expected = {s.pk: selectors.order_gate(fresh(s.order)) for s in Shipment.objects.filter(status=Shipment.Status.DRAFT)}
        held = list(selectors.held_shipments(cast.clerk))
        released = list(selectors.shipments_to_release(cast.clerk))
        assert {s.pk for s in held} == {pk for pk, gate in expected.items() if not gate.open}
        assert {s.pk for s in released} == {pk for pk, gate in expected.items() if gate.open}
        assert any(OVER in s.gate.reason for s in held) and released  # the fixtures reach both sides
        assert all(s.gate == expected[s.pk] for s in held + released)  # the shown reason is the rule's
        assert selectors.held_shipments(cast.clerk).count() == len(held)
        assert selectors.shipments_to_release(cast.clerk).count() == len(released)


# --- the pages and the API -----------------------------------------------------------------------------------------------
class TestPagesAndApi:
    def test_the_order_and_note_pages_show_the_reason(self, cast, owing, client_as):
        _first, order, note = owing
        page = client_as(cast.clerk).get(reverse("orders:order_detail", args=[order.pk])).content.decode()
        assert 'data-testid="gate-closed"' in page and OVER in page and "超出额度 2,600.00 元" in page
        page = client_as(cast.clerk).get(reverse("orders:shipment_detail", args=[note.pk])).content.decode()
        assert 'data-open="0"' in page and OVER in page

    def test_releasing_on_the_page_is_refused_with_the_reason(self, cast, owing, client_as):
        _first, _order, note = owing
        response = client_as(cast.clerk).post(reverse("orders:shipment_release", args=[note.pk]))
        assert response.status_code == 409 and OVER in response.content.decode()
        assert fresh(note).status == Shipment.Status.DRAFT

    def test_the_api_shows_the_gate_and_refuses_the_release(self, cast, owing, api_as):
        _first, order, note = owing
        api = api_as(cast.clerk)
        gate = api.get(f"/api/v1/orders/{order.pk}/").json()["gate"]
        assert gate["open"] is False and OVER in gate["reason"] and "2,600.00" in gate["reason"]
        gate = api.get(f"/api/v1/shipments/{note.pk}/").json()["gate"]
        assert gate["open"] is False and OVER in gate["reason"]
        response = api.post(f"/api/v1/shipments/{note.pk}/release/")
        assert response.status_code == 409 and OVER in response.json()["detail"]
        assert fresh(note).status == Shipment.Status.DRAFT


# --- verification (核单) ------------------------------------------------------------------------------------------------
class TestVerificationWarning:
    def test_a_direct_order_over_the_limit_is_warned_not_refused(self, cast, customer, pump, client_as):
        _credit_customer(customer, "20000")
        order = _order(cast, customer, pump, "531")  # 600,030.00
        page = client_as(cast.clerk).get(reverse("orders:order_detail", args=[order.pk])).content.decode()
        assert 'data-testid="credit-warning"' in page
        for text in ("信用额度 20,000.00 元", "客户已欠货款 0.00 元", "本订单 600,030.00 元", "将超出额度 580,030.00 元"):
            assert text in page
        assert place(order, cast.clerk).status == SalesOrder.Status.PLACED  # verified and placed: not a refusal
        page = client_as(cast.clerk).get(reverse("orders:order_detail", args=[order.pk])).content.decode()
        assert 'data-testid="credit-warning"' not in page  # verified: the gate takes over

    def test_within_the_limit_or_without_one_no_warning(self, cast, customer, pump, client_as):
        _credit_customer(customer, "20000")
        within = _order(cast, customer, pump, "17")  # 19,210.00
        assert selectors.order_credit_warning(within) == ""
        _credit_customer(customer, "0")
        big = _order(cast, customer, pump, "531")
        assert selectors.order_credit_warning(fresh(big)) == ""
        page = client_as(cast.clerk).get(reverse("orders:order_detail", args=[big.pk])).content.decode()
        assert 'data-testid="credit-warning"' not in page
