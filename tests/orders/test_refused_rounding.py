"""After a partial refusal at delivery (拒收) the goods received back are valued as the note line's amount less what was
signed for (rules.refused_back_value), so what stays on the note — what is owed — and what may be invoiced come from the
same rounded numbers: never a fen apart (each rounded on its own, 1 × 10.007998 → 10.01 and 2 × → 20.02 would leave
30.02 − 10.01 = 20.01 owed against 20.02 invoiceable)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from orders import selectors, services
from orders.models import SalesOrder, SalesOrderLine
from orders.receivables import receivables_of
from tests.factories import ProductFactory
from tests.orders.conftest import fresh, pass_inspection, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def awkward_note(cast, customer):
    """A credit order of 3 units at 10.01 less 0.02 % (10.007998 a unit: 1 → 10.01, 2 → 20.02, 3 → 30.02), all on one
    note, signed for 2 and 1 refused (the discount written straight on the line, as a contract order would carry it)."""
    customer.payment_terms, customer.credit_days = "credit", 30
    customer.save()
    product = ProductFactory(code="ODD-1", name="阀门", list_price=D("10.01"), standard_cost=D("5.00"))
    order = services.order_create(
        actor=cast.clerk,
        customer=customer,
        data={"promised_ship_date": timezone.localdate() + timedelta(days=20)},
        lines=[{"product": product.pk, "quantity": "3"}],
    )
    SalesOrderLine.objects.filter(order=order).update(discount_rate=D("0.0002"), amount_incl=D("30.02"))
    SalesOrder.objects.filter(pk=order.pk).update(amount_incl=D("30.02"))
    order = place(fresh(order), cast.clerk)
    pass_inspection(order, cast, "3")
    note = services.shipment_create(order=order, actor=cast.clerk, lines={order.lines.get().pk: "3"})
    services.shipment_release(shipment=note, actor=cast.clerk)
    note = services.shipment_ship(shipment=note, actor=cast.warehouse, tracking_no="SF-9")
    assert note.amount_incl == D("30.02")
    return services.shipment_deliver(
        shipment=note,
        actor=cast.clerk,
        delivered_on=None,
        signer="王经理",
        exceptions="破损",
        quantities={note.lines.get().pk: "2"},
    )


def test_what_stays_on_a_partly_refused_note_is_what_may_be_invoiced(cast, awkward_note):
    order = awkward_note.order
    assert selectors.order_invoiceable_amount(order) == D("20.02")  # 2 signed for at 10.007998
    # when the refused unit is received back
    receipt = services.shipment_receive_refused(
        shipment=awkward_note, actor=cast.warehouse, quantities={awkward_note.lines.get().pk: "1"}
    )
    # then its value is the note's amount less what was signed for, and what is owed is exactly what may be invoiced
    assert receipt.amount_incl == D("10.00") and fresh(awkward_note).returned_amount == D("10.00")
    order = fresh(order)
    [row] = receivables_of(SalesOrder.objects.filter(pk=order.pk))
    assert selectors.order_shipped_amount(order) == row.open == D("20.02")
    assert selectors.order_invoiceable_amount(order) == D("20.02")
    services.invoice_request(order=order, actor=cast.clerk, amount="20.02")
    assert selectors.order_invoiceable_amount(fresh(order)) == D("0.00")


def test_refused_goods_received_back_in_parts_end_at_the_same_value(cast, customer):
    """3 units at 10.007998, none signed for: received back 1 then 2, the note's whole amount is back (30.02), the
    first part at its own value (10.01), the second the rest (20.01)."""
    customer.payment_terms, customer.credit_days = "credit", 30
    customer.save()
    product = ProductFactory(code="ODD-2", name="阀门", list_price=D("10.01"), standard_cost=D("5.00"))
    order = services.order_create(actor=cast.clerk, customer=customer, data={}, lines=[{"product": product.pk, "quantity": "3"}])
    SalesOrderLine.objects.filter(order=order).update(discount_rate=D("0.0002"), amount_incl=D("30.02"))
    SalesOrder.objects.filter(pk=order.pk).update(amount_incl=D("30.02"))
    order = place(fresh(order), cast.clerk)
    pass_inspection(order, cast, "3")
    note = services.shipment_create(order=order, actor=cast.clerk, lines={order.lines.get().pk: "3"})
    services.shipment_release(shipment=note, actor=cast.clerk)
    note = services.shipment_ship(shipment=note, actor=cast.warehouse, tracking_no="SF-8")
    line = note.lines.get()
    note = services.shipment_deliver(
        shipment=note, actor=cast.clerk, delivered_on=None, signer="王经理", exceptions="全部拒收", quantities={line.pk: "0"}
    )
    first = services.shipment_receive_refused(shipment=note, actor=cast.warehouse, quantities={line.pk: "1"})
    second = services.shipment_receive_refused(shipment=note, actor=cast.warehouse, quantities={line.pk: "2"})
    assert (first.amount_incl, second.amount_incl, fresh(note).returned_amount) == (D("10.01"), D("20.01"), D("30.02"))
    assert selectors.order_shipped_amount(fresh(order)) == selectors.order_invoiceable_amount(fresh(order)) == D("0.00")
