"""Payments, invoices and receivables are read by who handles money (reps of their customers, leads, the clerk,
finance, managers: their menu, orders.permissions.handles_money): the warehouse, QC and service, who see every
customer and every order for their own work, get a 403 on the pages and nothing from the API lists and exports."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

from orders import services
from tests.factories import CustomerFactory, InvoiceTitleFactory, ShipToAddressFactory

from .conftest import allocated_payment, pass_inspection, place

pytestmark = pytest.mark.django_db

CUSTOMER = "苏州精工机械有限公司"
PAGES = ("/orders/payments/", "/orders/invoices/", "/orders/receivables/")
APIS = ("/api/v1/payments/", "/api/v1/invoices/", "/api/v1/receivables/")


def cells(response) -> set[str]:
    """Every cell of an exported sheet, as text."""
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    return {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}


@pytest.fixture
def money(cast, pump):
    """A credit customer's order shipped and delivered, paid in part, with an invoice asked for."""
    customer = CustomerFactory(owner=cast.alice, team=cast.east, name=CUSTOMER, payment_terms="credit", credit_days=30)
    ShipToAddressFactory(customer=customer, is_default=True)
    InvoiceTitleFactory(customer=customer)
    order = services.order_create(actor=cast.clerk, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": "10"}])
    order = place(order, cast.clerk)
    pass_inspection(order, cast, "10")
    allocated_payment(order, cast, "5000.00")
    shipment = services.shipment_create(order=order, actor=cast.clerk, lines={order.lines.get().pk: "10"})
    services.shipment_release(shipment=shipment, actor=cast.clerk)
    services.shipment_ship(shipment=shipment, actor=cast.warehouse, carrier="德邦", tracking_no="DB1")
    services.shipment_deliver(shipment=shipment, actor=cast.clerk, signer="王工", delivered_on=None)
    services.invoice_request(order=order, actor=cast.clerk, amount="1000.00")
    return order


@pytest.mark.parametrize(
    "who, reads",
    [("warehouse", False), ("qc", False), ("service", False)]
    + [(who, True) for who in ("alice", "lena", "clerk", "finance", "manager")],
)
def test_who_handles_money_reads_it_and_the_goods_side_does_not(cast, client_as, api_as, money, who, reads):
    user = getattr(cast, who)
    for page in PAGES:
        assert client_as(user).get(page).status_code == (200 if reads else 403), page
    for api in APIS:
        assert api_as(user).get(api).json()["count"] == (1 if reads else 0), api
        assert (CUSTOMER in cells(api_as(user).get(f"{api}export/"))) == reads, api
