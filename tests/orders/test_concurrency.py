"""Two people acting on one shipment or payment at once produce exactly one effect (PostgreSQL, real threads)."""

from decimal import Decimal as D

import pytest

from orders import services
from orders.models import Payment, PaymentAllocation, SalesOrder, Shipment
from salesops.core.errors import Conflict, DomainError
from salesops.core.models import Event
from tests.core.conftest import run_in_threads
from tests.factories import UserFactory
from tests.orders.conftest import pass_inspection, pay, place

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def split(results, kind):
    return [r for r in results if isinstance(r, kind)], [r for r in results if isinstance(r, (Conflict, DomainError))]


@pytest.fixture
def released_ready(cast, order):
    order = place(order, cast.clerk)
    pay(order, cast, "11300")
    pass_inspection(order, cast, "10")
    return order


def test_two_clerks_releasing_the_same_shipment_release_it_once(on_postgres, cast, released_ready):
    clerks = [cast.clerk, UserFactory(username="clerk2", roles=["sales_clerk"])]
    shipment = services.shipment_create(order=released_ready, actor=cast.clerk, lines={released_ready.lines.get().pk: "10"})

    results = run_in_threads(2, lambda i: services.shipment_release(shipment=shipment, actor=clerks[i]))

    won, refused = split(results, Shipment)
    assert len(won) == 1 and len(refused) == 1, results
    assert Event.objects.filter(to_status=Shipment.Status.RELEASED).count() == 1


def test_two_finance_users_confirming_the_same_payment_confirm_it_once(on_postgres, cast, order):
    finance2 = UserFactory(username="finance2", roles=["finance"])
    payment = services.payment_record(
        actor=cast.clerk, customer=order.customer, data={"amount": "500", "bank_reference": "P-1"}, allocations={order.pk: "500"}
    )

    results = run_in_threads(2, lambda i: services.payment_confirm(payment=payment, actor=[cast.finance, finance2][i]))

    won, refused = split(results, Payment)
    assert len(won) == 1 and len(refused) == 1, results
    assert Payment.objects.get(pk=payment.pk).confirmed_by_id == won[0].confirmed_by_id


def test_ten_warehouse_clicks_ship_once_and_quantities_stay_right(on_postgres, cast, released_ready):
    keepers = [UserFactory(username=f"wh{i}", roles=["warehouse"]) for i in range(10)]
    shipment = services.shipment_create(order=released_ready, actor=cast.clerk, lines={released_ready.lines.get().pk: "10"})
    services.shipment_release(shipment=shipment, actor=cast.clerk)

    results = run_in_threads(10, lambda i: services.shipment_ship(shipment=shipment, actor=keepers[i], tracking_no="SF-1"))

    won, refused = split(results, Shipment)
    assert len(won) == 1 and len(refused) == 9, results
    assert released_ready.lines.get().shipped_quantity == D("10")
    assert SalesOrder.objects.get(pk=released_ready.pk).status == SalesOrder.Status.SHIPPED


def test_parallel_notes_never_reserve_more_than_passed(on_postgres, cast, released_ready):
    line_id = released_ready.lines.get().pk

    results = run_in_threads(6, lambda i: services.shipment_create(order=released_ready, actor=cast.clerk, lines={line_id: "3"}))

    won, refused = split(results, Shipment)
    assert len(won) == 3 and len(refused) == 3, results  # 10 passed: three notes of 3, the fourth would exceed


def test_the_same_bank_reference_entered_twice_at_once_is_recorded_once(on_postgres, cast, order):
    results = run_in_threads(
        5,
        lambda i: services.payment_record(
            actor=cast.clerk,
            customer=order.customer,
            data={"amount": "100", "bank_reference": "SAME-REF"},
            allocations={order.pk: "100"},
        ),
    )

    won, refused = split(results, Payment)
    assert len(won) == 1 and len(refused) == 4, results
    assert PaymentAllocation.objects.count() == 1


def test_parallel_payments_never_overpay_an_order(on_postgres, cast, order):
    results = run_in_threads(
        4,
        lambda i: services.payment_record(
            actor=cast.clerk,
            customer=order.customer,
            data={"amount": "5000", "bank_reference": f"R-{i}"},
            allocations={order.pk: "5000"},
        ),
    )

    won, refused = split(results, Payment)
    assert len(won) == 2 and len(refused) == 2, results  # 11,300.00 owed: two of 5,000 fit, a third would overpay


# --- one lock order (ARCHITECTURE.md rule 11): the order before its shipment --------------------------------------------
CANCEL_ROUNDS = 50  # each round needs a fresh inspected order; rounds take turns: services, API, pages


def _layer(i):
    return ("service", "api", "page")[i % 3]


def _api(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


def _page(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _cancel(i, order, clerk):
    if _layer(i) == "api":
        return _api(clerk).post(f"/api/v1/orders/{order.pk}/cancel/", {"reason": "客户取消"}, format="json")
    if _layer(i) == "page":
        return _page(clerk).post(f"/orders/{order.pk}/cancel/", {"reason": "客户取消"})
    return services.order_cancel(order=order, actor=clerk, reason="客户取消")


def _ship(i, order, clerk):
    """Create an outbound note for everything and release it, as the clerk does in two clicks."""
    line = order.lines.get().pk
    if _layer(i) == "api":
        client = _api(clerk)
        created = client.post(f"/api/v1/orders/{order.pk}/shipments/", {"lines": {str(line): {"quantity": "10"}}}, format="json")
        if created.status_code != 201:
            return created
        return client.post(f"/api/v1/shipments/{created.json()['id']}/release/")
    if _layer(i) == "page":
        client = _page(clerk)
        form = {"freight_payer": Shipment.FreightPayer.choices[0][0], "packages": "1", f"qty_{line}": "10"}
        created = client.post(f"/orders/shipments/new/{order.pk}/", form)
        shipment = Shipment.objects.filter(order=order).first()
        if created.status_code != 302 or shipment is None:
            return created
        return client.post(f"/orders/shipments/{shipment.pk}/release/")
    return services.shipment_release(shipment=services.shipment_create(order=order, actor=clerk, lines={line: "10"}), actor=clerk)


def _effect(result, ok_type, *, page=False):
    from django.contrib.messages import get_messages

    status = getattr(result, "status_code", None)
    if page and status is not None and status < 500:  # a page: redirected with a success message, or the refusal shown
        tags = {message.level_tag for message in get_messages(result.wsgi_request)}
        return "won" if status == 302 and "error" not in tags else "refused" if status in (200, 302, 400, 409) else result
    if isinstance(result, ok_type) or status == 200:
        return "won"
    if isinstance(result, DomainError) or status in (400, 409):
        return "refused"
    return result


def test_cancelling_an_order_while_its_shipment_is_released_has_exactly_one_effect(on_postgres, cast, customer, pump, caplog):
    from django.utils import timezone

    clerk2 = UserFactory(username="clerk2", roles=["sales_clerk"])
    # on credit terms: nothing is due before shipment, so no money is allocated to the order (an order with money
    # allocated is never cancelled) and the cancellation and the release really race
    customer.payment_terms, customer.credit_days = "credit", 30
    customer.save()
    for i in range(CANCEL_ROUNDS):
        order = services.order_create(
            actor=cast.clerk,
            customer=customer,
            data={"promised_ship_date": timezone.localdate() + timezone.timedelta(days=20)},
            lines=[{"product": pump.pk, "quantity": "10"}],
        )
        order = place(order, cast.clerk)
        pass_inspection(order, cast, "10", lot=f"L{i}")

        results = run_in_threads(2, lambda t, o=order, n=i: [_cancel, _ship][t](n, o, [cast.clerk, clerk2][t]))

        page = _layer(i) == "page"
        effects = [_effect(results[0], SalesOrder, page=page), _effect(results[1], Shipment, page=page)]
        assert sorted(effects, key=str) == ["refused", "won"], (i, results)
        order.refresh_from_db()
        released = Shipment.objects.filter(order=order, status=Shipment.Status.RELEASED).count()
        if effects[0] == "won":
            assert (order.status, released) == (SalesOrder.Status.CANCELLED, 0), i
            assert not Shipment.objects.filter(order=order).exists(), i
        else:
            assert order.status != SalesOrder.Status.CANCELLED and released == 1, i
    assert not [r.getMessage() for r in caplog.records if r.name == "salesops.core.locking"]  # no deadlock absorbed by a retry
