"""Quantities and money stay right under any sequence of actions, and every role can do exactly its part.

- Random sequences (fixed seeds) of inspections, notes, releases, shipments, cancellations and deliveries: per line
  shipped ≤ ordered, shipped ≤ passed + released, delivered ≤ shipped, and invoiced ≤ delivered value.
- A role × action matrix on the services: who may verify, release, ship, inspect, sign, confirm money, issue invoices.
"""

import random
from decimal import Decimal as D

import pytest

from orders import selectors, services
from orders.models import SalesOrderLine, Shipment
from salesops.core.errors import Conflict, DomainError, Forbidden
from tests.orders.conftest import pay, place, verify

pytestmark = pytest.mark.django_db


def check_invariants(order):
    for line in SalesOrderLine.objects.filter(order=order):
        assert line.shipped_quantity <= line.quantity
        assert line.shipped_quantity <= line.passed_quantity + line.released_quantity
        assert line.delivered_quantity <= line.shipped_quantity
        assert line.passed_quantity <= line.quantity
    assert selectors.order_invoiced_amount(order) <= selectors.order_delivered_amount(order)


@pytest.mark.parametrize("seed", range(6))
def test_random_sequences_of_partial_work_keep_every_quantity_right(cast, customer, pump, seed):
    rng = random.Random(seed)
    other = services.order_create(
        actor=cast.clerk,
        customer=customer,
        data={},
        lines=[{"product": pump.pk, "quantity": "7"}, {"product": pump.pk, "quantity": "5"}],
    )
    order = place(other, cast.clerk)
    pay(order, cast, str(order.amount_incl), ref=f"SEED-{seed}")
    lines = list(order.lines.all())
    for step in range(40):
        action = rng.choice(["inspect", "inspect", "note", "release", "ship", "cancel", "deliver", "invoice"])
        line = rng.choice(lines)
        qty = str(rng.randint(1, 6))
        try:
            if action == "inspect":
                inspection = services.inspection_record(
                    order=order,
                    actor=cast.qc,
                    line_id=line.pk,
                    lot_no=f"L{step}",
                    quantity=qty,
                    result=rng.choice(["pass", "pass", "fail"]),
                )
                services.inspection_sign(inspection=inspection, actor=cast.warehouse)
            elif action == "note":
                services.shipment_create(order=order, actor=cast.clerk, lines={line.pk: qty})
            elif action in ("release", "ship", "cancel", "deliver"):
                status = {
                    "release": "draft",
                    "ship": "released",
                    "cancel": rng.choice(["draft", "released"]),
                    "deliver": "shipped",
                }[action]
                shipment = Shipment.objects.filter(order=order, status=status).order_by("?").first()
                if shipment is None:
                    continue
                if action == "release":
                    services.shipment_release(shipment=shipment, actor=cast.clerk)
                elif action == "ship":
                    services.shipment_ship(shipment=shipment, actor=cast.warehouse, tracking_no="SF-1")
                elif action == "cancel":
                    services.shipment_cancel(shipment=shipment, actor=cast.clerk, reason="测试")
                else:
                    services.shipment_deliver(shipment=shipment, actor=cast.clerk, delivered_on=None, signer="王经理")
            else:
                room = selectors.order_delivered_amount(order) - selectors.order_invoiced_amount(order)
                services.invoice_request(
                    order=order, actor=cast.clerk, amount=str(room + D("0.01") if rng.random() < 0.3 else max(room, D("0.01")))
                )
        except (DomainError, Conflict):
            pass  # refused moves must change nothing; the invariants below prove it
        check_invariants(order)


@pytest.fixture
def ready(cast, order):
    """A placed, paid order with 10 passed pumps and a draft outbound note of 4."""
    order = place(order, cast.clerk)
    pay(order, cast, "11300")
    line = order.lines.get()
    inspection = services.inspection_record(
        order=order, actor=cast.qc, line_id=line.pk, lot_no="L1", quantity="10", result="pass"
    )
    services.inspection_sign(inspection=inspection, actor=cast.warehouse)
    shipment = services.shipment_create(order=order, actor=cast.clerk, lines={line.pk: "4"})
    return order, shipment


ROLES = ["alice", "bob", "lena", "clerk", "manager", "finance", "warehouse", "qc", "service", "rev_finance"]


def attempt(call):
    try:
        call()
    except Forbidden:
        return False
    except (DomainError, Conflict):
        return True  # allowed, refused for another reason (state, input)
    return True


@pytest.mark.parametrize("who", ROLES)
def test_role_matrix(cast, order, ready, who):
    actor = getattr(cast, who)
    _order, shipment = ready
    fresh_order = services.order_create(
        actor=cast.clerk, customer=order.customer, data={}, lines=[{"product": order.lines.get().product_id, "quantity": "1"}]
    )
    payment = services.payment_record(
        actor=cast.clerk,
        customer=order.customer,
        data={"amount": "1", "bank_reference": f"M-{who}"},
        allocations={fresh_order.pk: "1"},
    )
    inspection = services.inspection_record(
        order=order, actor=cast.qc, line_id=order.lines.get().pk, lot_no="L9", quantity="1", result="fail"
    )
    got = {
        "verify": attempt(lambda: services.order_check(order=fresh_order, actor=actor, item="quantity", parties=["customer"])),
        "release": attempt(lambda: services.shipment_release(shipment=shipment, actor=actor)),
        "inspect": attempt(
            lambda: services.inspection_record(
                order=order, actor=actor, line_id=order.lines.get().pk, lot_no="X", quantity="1", result="fail"
            )
        ),
        "sign": attempt(lambda: services.inspection_sign(inspection=inspection, actor=actor)),
        "confirm_payment": attempt(lambda: services.payment_confirm(payment=payment, actor=actor)),
        "record_payment": attempt(
            lambda: services.payment_record(
                actor=actor,
                customer=order.customer,
                data={"amount": "1", "bank_reference": f"N-{who}"},
                allocations={fresh_order.pk: "1"},
            )
        ),
    }
    clerkish = who in ("clerk", "manager")
    expected = {
        "verify": clerkish,
        "release": clerkish,
        "inspect": who in ("qc", "warehouse"),
        "sign": who in ("qc", "warehouse"),  # QC may sign too, but its side is taken: a 409, not a 403
        "confirm_payment": who == "finance",
        "record_payment": clerkish or who == "finance",
    }
    assert got == expected


@pytest.mark.parametrize("who", ROLES)
def test_only_the_warehouse_ships_a_released_note(cast, ready, who):
    _order, shipment = ready
    shipment = services.shipment_release(shipment=shipment, actor=cast.clerk)
    assert attempt(lambda: services.shipment_ship(shipment=shipment, actor=getattr(cast, who))) is (who == "warehouse")


def test_a_note_that_was_not_released_cannot_ship(cast, ready):
    _order, shipment = ready
    with pytest.raises(Conflict):
        services.shipment_ship(shipment=shipment, actor=cast.warehouse, tracking_no="SF-1")


def test_a_changed_order_cannot_ship_until_verified_again(cast, order):
    order = verify(order, cast.clerk)
    services.order_place(order=order, actor=cast.clerk, requested_date=order.received_on)
    services.order_update(order=order, actor=cast.clerk, data={"notes": "改为木箱包装"}, reason="客户要求")
    with pytest.raises(Conflict, match="重新核单"):
        services.shipment_create(order=order, actor=cast.clerk, lines={order.lines.get().pk: "1"})
