"""QA's clerk's day: a promised ship date in the past refused where the user types or sends it (page, API, edit) but
not where it is kept or copied from the contract; the outbound note's batch number prefilled from the passed
inspection; the re-verification banner only for those who verify; pages that say up front why an action cannot be
done (an order from a contract under review, an invoice request for an order with nothing signed for)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import SalesOrder
from tests.orders.conftest import fresh, pass_inspection, place, verify
from tests.orders.test_views import change_post, detail, html

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"
PAST = "2020-01-01"
PAST_MESSAGE = "承诺发货日期不能早于今天。"


def _later(days: int = 15) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


# --- 1. a promised ship date in the past ------------------------------------------------------------------------------
def _direct_post(customer, pump, promised: str) -> dict:
    return {
        "customer": customer.pk,
        "promised_ship_date": promised,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": pump.pk,
        "lines-0-quantity": "3",
    }


def test_page_refuses_a_past_promised_date_on_create(cast, client_as, customer, pump):
    clerk = client_as(cast.clerk)
    response = clerk.post(reverse("orders:order_create"), _direct_post(customer, pump, PAST))
    assert response.status_code == 400 and PAST_MESSAGE in html(response)
    assert response.context["form"].errors["promised_ship_date"] == [PAST_MESSAGE]  # under the field, not above the form
    assert not SalesOrder.objects.exists()
    # today is fine
    response = clerk.post(reverse("orders:order_create"), _direct_post(customer, pump, timezone.localdate().isoformat()))
    assert response.status_code == 302 and SalesOrder.objects.count() == 1


def test_api_refuses_a_past_promised_date_on_create_and_update(cast, api_as, customer, pump, order):
    clerk = api_as(cast.clerk)
    row = [{"product": pump.pk, "quantity": "1"}]
    response = clerk.post(ORDERS, {"customer": customer.pk, "promised_ship_date": PAST, "lines": row}, format="json")
    assert response.status_code == 400 and response.json()["detail"] == PAST_MESSAGE
    assert response.json()["errors"] == {"promised_ship_date": [PAST_MESSAGE]}  # a client can place it
    assert SalesOrder.objects.count() == 1  # only the fixture's
    response = clerk.patch(f"{ORDERS}{order.pk}/", {"promised_ship_date": PAST}, format="json")
    assert response.status_code == 400 and response.json()["detail"] == PAST_MESSAGE
    assert fresh(order).promised_ship_date == order.promised_ship_date


def test_edit_refuses_changing_to_a_past_date_but_keeps_an_old_one_editable(cast, client_as, order):
    clerk = client_as(cast.clerk)
    url = reverse("orders:order_edit", args=[order.pk])
    response = clerk.post(url, change_post(order, promised_ship_date="2020-01-05"))
    assert response.status_code == 400 and PAST_MESSAGE in html(response)
    assert fresh(order).promised_ship_date == order.promised_ship_date
    # an order whose promise has passed (written directly: the past is not typed in) stays editable in other fields
    SalesOrder.objects.filter(pk=order.pk).update(promised_ship_date=timezone.localdate() - timedelta(days=3))
    old = fresh(order)
    response = clerk.post(url, change_post(old, customer_po="PO-OLD"))
    assert response.status_code == 302
    assert fresh(order).customer_po == "PO-OLD" and fresh(order).promised_ship_date == old.promised_ship_date


def test_order_from_contract_keeps_the_contracts_past_date_but_refuses_a_typed_one(cast, client_as, signed_contract):
    past = timezone.localdate() - timedelta(days=10)
    type(signed_contract).objects.filter(pk=signed_contract.pk).update(delivery_date=past)
    contract = fresh(signed_contract)
    line = contract.lines.get()
    clerk = client_as(cast.clerk)
    url = reverse("orders:order_create_from_contract", args=[contract.pk])
    response = clerk.post(url, {f"line_{line.pk}": "2", "promised_ship_date": PAST})
    assert response.status_code == 400 and PAST_MESSAGE in html(response)
    assert not SalesOrder.objects.exists()
    # the contract's own date (prefilled on the form) is the contract's: accepted
    response = clerk.post(url, {f"line_{line.pk}": "2", "promised_ship_date": past.isoformat()})
    assert response.status_code == 302
    assert SalesOrder.objects.get(contract=contract).promised_ship_date == past
    # and through the service without any date
    made = services.order_create_from_contract(contract=contract, actor=cast.clerk, data={}, lines={line.pk: "1"})
    assert made.promised_ship_date == past


# --- 2. the outbound note's batch number ------------------------------------------------------------------------------
def test_outbound_note_prefills_the_latest_passed_lot_and_keeps_what_is_posted(cast, client_as, order):
    from orders.models import Shipment

    place(order, cast.clerk)
    pass_inspection(order, cast, "6", lot="B2026-0")
    pass_inspection(order, cast, "4", lot="B2026-1")
    line = order.lines.get()
    clerk = client_as(cast.clerk)
    url = reverse("orders:shipment_create", args=[order.pk])
    page = clerk.get(url)
    assert page.status_code == 200 and page.context["form"][f"lot_{line.pk}"].initial == "B2026-1"
    assert 'value="B2026-1"' in html(page)
    # what the clerk posts is what the note keeps
    posted = clerk.post(url, {f"qty_{line.pk}": "10", f"lot_{line.pk}": "B2026-X", "freight_payer": "us", "packages": "1"})
    assert posted.status_code == 302
    assert Shipment.objects.get(order=order).lines.get().lot_no == "B2026-X"


def test_half_a_machine_is_neither_shipped_nor_signed_for(cast, client_as, order):
    # QA: 伺服电机 × 0.5 台 was accepted on an outbound note; 台 counts whole pieces (catalog.rules.WHOLE_UNITS)
    from orders.models import Shipment

    place(order, cast.clerk)
    pass_inspection(order, cast, "10")
    line = order.lines.get()
    posted = client_as(cast.clerk).post(
        reverse("orders:shipment_create", args=[order.pk]),
        {f"qty_{line.pk}": "0.5", f"lot_{line.pk}": "L1", "freight_payer": "us", "packages": "1"},
    )
    assert posted.status_code == 400 and f"{line.name}：数量 0.5 不是整数：单位“台”按整数计量。" in html(posted)
    assert not Shipment.objects.exists()


def test_outbound_note_without_a_passed_inspection_has_no_lot(cast, client_as, order):
    line = order.lines.get()
    page = client_as(cast.clerk).get(reverse("orders:shipment_create", args=[order.pk]))
    assert page.status_code == 200 and page.context["form"][f"lot_{line.pk}"].initial == ""


# --- 3. the re-verification banner ------------------------------------------------------------------------------------
def test_reverification_banner_only_for_those_who_verify(cast, client_as, order):
    verify(order, cast.clerk)
    line = order.lines.get()
    services.order_update(order=order, actor=cast.clerk, data={}, lines={line.pk: {"quantity": "12"}}, reason="客户追加")
    assert fresh(order).needs_reverification
    banner = 'data-testid="reverify-alert"'
    assert banner in html(client_as(cast.clerk).get(detail(order)))
    qc_page = client_as(cast.qc).get(detail(order))
    assert qc_page.status_code == 200 and banner not in html(qc_page)
    assert "需重新核单后才能下单" not in html(qc_page)


# --- 4. actions certain to fail say why up front ----------------------------------------------------------------------
def test_order_from_a_contract_under_review_says_why_instead_of_the_form(cast, client_as, customer, pump):
    from contracts import services as contract_services
    from tests.contracts.conftest import fill_review

    contract = contract_services.contract_create(
        actor=cast.alice, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": "2"}]
    )
    fill_review(contract, cast.alice)
    contract = contract_services.contract_submit(contract=contract, actor=cast.alice)
    message = f"只有已签订或执行中的合同可以下订单（当前：{contract.get_status_display()}）"
    clerk = client_as(cast.clerk)
    url = reverse("orders:order_create_from_contract", args=[contract.pk])
    page = clerk.get(url)
    body = html(page)
    assert page.status_code == 200 and message in body and 'data-testid="refusal"' in body
    assert 'data-testid="order-from-contract-form"' not in body
    assert reverse("contracts:contract_detail", args=[contract.pk]) in body
    posted = clerk.post(url, {"customer_po": "PO-1"})
    assert posted.status_code == 409 and message in html(posted) and not SalesOrder.objects.exists()
    # the service says the same
    with pytest.raises(Exception, match="只有已签订或执行中的合同可以下订单"):
        services.order_create_from_contract(contract=contract, actor=cast.clerk, data={})


def test_signed_contract_still_shows_the_form(cast, client_as, signed_contract):
    page = client_as(cast.clerk).get(reverse("orders:order_create_from_contract", args=[signed_contract.pk]))
    assert page.status_code == 200 and 'data-testid="order-from-contract-form"' in html(page)
    assert 'data-testid="refusal"' not in html(page)


def test_invoice_request_with_nothing_signed_for_says_why_instead_of_the_form(cast, client_as, order):
    clerk = client_as(cast.clerk)
    url = reverse("orders:invoice_create", args=[order.pk])
    page = clerk.get(url)
    body = html(page)
    assert page.status_code == 200 and "没有可开票的金额：已签收 0.00 元" in body
    assert 'data-testid="invoice-form"' not in body and detail(order) in body
    posted = clerk.post(url, {"amount": "100.00", "invoice_type": "special"})
    assert posted.status_code == 400 and not order.invoices.exists()
