"""Cancelling an order, voiding an outbound note, a payment or an invoice asks first (templates/core/_confirm_reason.html):
the button opens a modal with the consequence and a required 原因 posting to the existing action URL; an empty reason sent
anyway is refused with the Chinese message and nothing changes."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from orders import services
from orders.models import InvoiceRequest, Payment, SalesOrder, Shipment

from .conftest import fresh, pass_inspection, pay, place

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def modal(page: str, confirm_id: str) -> str:
    match = re.search(rf'<div class="modal fade" id="{confirm_id}".*?</form>', page, re.DOTALL)
    assert match, f"no modal #{confirm_id}"
    return match.group(0)


def asks_for_a_reason(box: str, action: str) -> None:
    assert f'action="{action}"' in box
    assert re.search(r'<textarea[^>]*name="reason"[^>]*required[^>]*data-testid="confirm-reason"', box)
    assert 'data-testid="confirm-submit"' in box


@pytest.fixture
def ready_order(cast, order):
    place(order, cast.clerk)
    pass_inspection(order, cast, "10")
    return fresh(order)


@pytest.fixture
def shipment(cast, ready_order):
    return services.shipment_create(
        order=ready_order, actor=cast.clerk, lines={ready_order.lines.get().pk: {"quantity": "10", "lot_no": "L001"}}
    )


@pytest.fixture
def payment(cast, order):
    return services.payment_record(
        actor=cast.clerk, customer=order.customer, data={"amount": "10", "bank_reference": "V-1"}, allocations={order.pk: "10"}
    )


def test_order_cancel_opens_a_modal_and_an_empty_reason_is_refused(cast, client_as, order):
    clerk = client_as(cast.clerk)
    url = reverse("orders:order_action", args=[order.pk, "cancel"])
    page = html(clerk.get(reverse("orders:order_detail", args=[order.pk])))
    assert re.search(r'data-bs-target="#confirm-cancel" data-testid="action-cancel"', page)
    box = modal(page, "confirm-cancel")
    asks_for_a_reason(box, url)
    assert "订单将取消且不能恢复" in box
    # the one-click form is gone; closing the order (no reason, not dangerous) stays one click where offered
    assert 'data-testid="action-form-cancel"' not in page
    response = clerk.post(url, {"reason": ""})
    assert response.status_code == 400 and "请填写取消原因" in html(response)
    assert fresh(order).status == SalesOrder.Status.RECEIVED


def test_shipment_cancel_opens_a_modal_and_an_empty_reason_is_refused(cast, client_as, shipment):
    clerk = client_as(cast.clerk)
    url = reverse("orders:shipment_cancel", args=[shipment.pk])
    page = html(clerk.get(reverse("orders:shipment_detail", args=[shipment.pk])))
    assert re.search(r'data-bs-target="#confirm-cancel" data-testid="action-cancel"', page)
    box = modal(page, "confirm-cancel")
    asks_for_a_reason(box, url)
    assert f'作废出货单：<span class="font-monospace">{shipment.number}</span>' in box
    for reason in ("", "   "):
        response = clerk.post(url, {"reason": reason})
        assert response.status_code == 400 and "该字段是必填项" in html(response)
        assert fresh(shipment).status == Shipment.Status.DRAFT
    assert clerk.post(url, {"reason": "客户改期"}).status_code == 302
    assert fresh(shipment).status == Shipment.Status.CANCELLED


def test_payment_void_opens_a_modal_on_the_list_and_the_detail_and_comes_back(cast, client_as, payment):
    finance = client_as(cast.finance)
    url = reverse("orders:payment_void", args=[payment.pk])
    list_url = reverse("orders:payment_list") + "?status=recorded"
    page = html(finance.get(list_url))
    assert re.search(rf'data-bs-target="#confirm-void-{payment.pk}" data-testid="void-{payment.pk}"', page)
    box = modal(page, f"confirm-void-{payment.pk}")
    asks_for_a_reason(box, url)
    assert f'name="next" value="{list_url}"' in box.replace("&amp;", "&")
    assert "回款将作废且不能恢复" in box
    assert f'id="confirm-void-{payment.pk}"' in html(finance.get(reverse("orders:payment_detail", args=[payment.pk])))
    # an empty reason: refused, nothing changed; with a reason: voided and back to the list
    response = finance.post(url, {"reason": "", "next": list_url})
    assert response.status_code == 400 and "该字段是必填项" in html(response)
    assert fresh(payment).status == Payment.Status.RECORDED
    response = finance.post(url, {"reason": "重复录入", "next": list_url})
    assert response.status_code == 302 and response["Location"] == list_url
    assert (fresh(payment).status, fresh(payment).void_reason) == (Payment.Status.VOIDED, "重复录入")


def test_invoice_cancel_opens_a_modal_and_an_empty_reason_is_refused(cast, client_as, ready_order):
    # given delivered goods and an invoice requested for them
    pay(ready_order, cast, "11300.00")
    shipment = services.shipment_create(
        order=ready_order, actor=cast.clerk, lines={ready_order.lines.get().pk: {"quantity": "10", "lot_no": "L001"}}
    )
    shipment = services.shipment_release(shipment=shipment, actor=cast.clerk)
    shipment = services.shipment_ship(shipment=shipment, actor=cast.warehouse, tracking_no="SF1")
    services.shipment_deliver(shipment=shipment, actor=cast.clerk, delivered_on=None, signer="王经理")
    invoice = services.invoice_request(order=ready_order, actor=cast.clerk, amount="11300.00")
    finance = client_as(cast.finance)
    url = reverse("orders:invoice_cancel", args=[invoice.pk])
    page = html(finance.get(reverse("orders:invoice_list")))
    assert re.search(rf'data-bs-target="#confirm-invoice-cancel-{invoice.pk}" data-testid="invoice-cancel-{invoice.pk}"', page)
    box = modal(page, f"confirm-invoice-cancel-{invoice.pk}")
    asks_for_a_reason(box, url)
    assert "发票将作废且不能恢复" in box
    response = finance.post(url, {"reason": ""})
    assert response.status_code == 400 and "该字段是必填项" in html(response)
    assert fresh(invoice).status == InvoiceRequest.Status.REQUESTED
    assert finance.post(url, {"reason": "抬头有误"}).status_code == 302
    assert (fresh(invoice).status, fresh(invoice).cancel_reason) == (InvoiceRequest.Status.CANCELLED, "抬头有误")
