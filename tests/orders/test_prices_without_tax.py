"""单价含税与否 (seed 004 核单: 单价(含不含税,含税的要核实开票名称)): an order priced with tax is invoiced, so its
verification needs the invoice title; an order priced without tax is agreed without an invoice — none may be asked
for, it waits in no 待开票 queue, and an order already invoiced cannot become one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders import rules, selectors, services
from orders.models import InvoiceRequest, SalesOrder
from orders.permissions import allowed_actions
from salesops.core.errors import Conflict, DomainError

from .conftest import fresh, pass_inspection, pay, place
from .test_document_history import delivered_order
from .test_views import change_post

pytestmark = pytest.mark.django_db
ORDERS = "/api/v1/orders/"


def _checked(order, clerk):
    for item in rules.CHECK_ITEMS:
        services.order_check(order=order, actor=clerk, item=item.code, parties=item.parties)


def _delivered(cast, order, qty="10"):
    place(order, cast.clerk)
    pay(order, cast, "11300.00")
    pass_inspection(order, cast, "10")
    return delivered_order(cast, fresh(order), qty)


def _no_tax(cast, order):
    return services.order_update(order=order, actor=cast.clerk, data={"prices_include_tax": False})


def test_an_order_priced_with_tax_is_verified_only_with_its_invoice_title(cast, order):
    services.order_update(order=order, actor=cast.clerk, data={"invoice_title": None})
    _checked(order, cast.clerk)
    with pytest.raises(DomainError, match="单价含税的订单要核实开票名称"):
        services.order_verify(order=order, actor=cast.clerk)
    assert fresh(order).status == SalesOrder.Status.RECEIVED
    # priced without tax, it needs no invoice title
    _no_tax(cast, order)
    assert services.order_verify(order=order, actor=cast.clerk).status == SalesOrder.Status.VERIFIED


def test_an_order_priced_without_tax_is_never_invoiced(cast, client_as, api_as, order):
    order = _delivered(cast, _no_tax(cast, order))
    assert selectors.order_invoiceable_amount(order) == 0
    assert not selectors.orders_to_invoice(SalesOrder.objects.all()).exists()
    assert "request_invoice" not in allowed_actions(order, cast.clerk)
    with pytest.raises(DomainError, match="订单单价不含税，约定不开票"):
        services.invoice_request(order=order, actor=cast.clerk, amount="100.00")
    answer = api_as(cast.clerk).post(f"{ORDERS}{order.pk}/invoice-request/", {"amount": "100.00"}, format="json")
    assert answer.status_code == 400 and "约定不开票" in answer.json()["detail"]
    page = client_as(cast.clerk).get(reverse("orders:order_detail", args=[order.pk]))
    assert "单价不含税（不开票）" in page.content.decode() and 'data-testid="action-request-invoice"' not in page.content.decode()
    assert 'data-stage="invoiced" data-state="skipped"' in page.content.decode()
    # its lines are priced without tax: no 含税单价 / 税额 split on the page
    assert "含税单价" not in page.content.decode() and "税额" not in page.content.decode()
    assert not InvoiceRequest.objects.exists()


def test_the_same_order_priced_with_tax_waits_for_its_invoice(cast, order):
    order = _delivered(cast, order)
    assert selectors.order_invoiceable_amount(order) > 0
    assert list(selectors.orders_to_invoice(SalesOrder.objects.all())) == [order]
    assert "request_invoice" in allowed_actions(order, cast.clerk)


def test_an_invoiced_order_cannot_become_one_without_tax(cast, api_as, order):
    order = _delivered(cast, order, "5")  # partly shipped: still open to change
    invoice = services.invoice_request(order=order, actor=cast.clerk, amount="1130.00")
    with pytest.raises(Conflict, match="订单已申请开票，不能改为单价不含税"):
        services.order_update(order=order, actor=cast.clerk, data={"prices_include_tax": False}, reason="客户不要发票")
    answer = api_as(cast.clerk).patch(
        f"{ORDERS}{order.pk}/", {"prices_include_tax": False, "reason": "客户不要发票"}, format="json"
    )
    assert answer.status_code == 409 and fresh(order).prices_include_tax
    # the invoice cancelled, the change goes through (and is verified again like any change)
    services.invoice_cancel(invoice=invoice, actor=cast.finance, reason="客户改为不开票")
    changed = services.order_update(order=order, actor=cast.clerk, data={"prices_include_tax": False}, reason="客户不要发票")
    assert not changed.prices_include_tax and changed.needs_reverification


def test_the_browser_chooses_with_or_without_tax(cast, client_as, customer, pump):
    clerk = client_as(cast.clerk)
    form = clerk.get(reverse("orders:order_create"), {"customer": customer.pk}).content.decode()
    assert "单价不含税（不开票）" in form
    data = {
        "customer": customer.pk,
        "promised_ship_date": (timezone.localdate() + timedelta(days=15)).isoformat(),
        "prices_include_tax": "False",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": pump.pk,
        "lines-0-quantity": "3",
    }
    assert clerk.post(reverse("orders:order_create"), data).status_code == 302
    order = SalesOrder.objects.get(customer=customer)
    assert not order.prices_include_tax
    # the change page: not sending the choice changes nothing; choosing 含税 again does
    edit = reverse("orders:order_edit", args=[order.pk])
    assert 'value="False" selected' in clerk.get(edit).content.decode()
    assert clerk.post(edit, change_post(order, notes="加急")).status_code == 302
    assert not fresh(order).prices_include_tax and fresh(order).notes == "加急"
    assert clerk.post(edit, change_post(order, prices_include_tax="True")).status_code == 302
    assert fresh(order).prices_include_tax


def test_the_api_creates_an_order_without_tax(cast, api_as, customer, pump):
    answer = api_as(cast.clerk).post(
        ORDERS,
        {"customer": customer.pk, "prices_include_tax": False, "lines": [{"product": pump.pk, "quantity": "2"}]},
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["prices_include_tax"] is False
    assert not SalesOrder.objects.get(pk=answer.json()["id"]).prices_include_tax
