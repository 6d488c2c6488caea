"""HTML pages of orders: scoped list and 404 for invisible orders, create from a contract and direct, the checklist and
verification (Chinese message, nothing changed), placement, production tracking, inspection signed by QC and warehouse,
forms only for allowed actions, a change after verification needs a reason, cancel with a reason."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders import rules, services
from orders.models import Inspection, OrderChange, ProductionUpdate, SalesOrder
from tests.factories import CustomerFactory
from tests.orders.conftest import fresh, pass_inspection, pay, place, verify

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def detail(order) -> str:
    return reverse("orders:order_detail", args=[order.pk])


def checklist_post(order, *, skip: str = "", verify_too: bool = False) -> dict:
    """Every required party of every item ticked (except `skip`), as the checklist form posts it."""
    data = {}
    for item in rules.CHECK_ITEMS:
        if item.code == skip:
            continue
        for party in item.parties:
            data[f"{item.code}__{party}"] = "on"
    if verify_too:
        data["verify"] = "1"
    return data


# --- list -------------------------------------------------------------------------------------------------------------
def test_list_is_scoped_and_filters(cast, client_as, order, carol_customer, pump):
    # given an order of alice's customer and one of carol's
    other = services.order_create(
        actor=cast.clerk, customer=carol_customer, data={}, lines=[{"product": pump.pk, "quantity": "1"}]
    )
    # when alice opens the list, then she sees hers only; the clerk sees both and may create
    page = html(client_as(cast.alice).get(reverse("orders:order_list")))
    assert order.number in page and other.number not in page
    assert 'data-testid="order-create"' not in page
    clerk = client_as(cast.clerk)
    page = html(clerk.get(reverse("orders:order_list")))
    assert order.number in page and other.number in page and 'data-testid="order-create"' in page
    # search, status and the "待重新核单" filter narrow it
    assert other.number not in html(clerk.get(reverse("orders:order_list"), {"q": "精工"}))
    assert order.number not in html(clerk.get(reverse("orders:order_list"), {"status": "verified"}))
    assert order.number not in html(clerk.get(reverse("orders:order_list"), {"needs_reverification": "true"}))
    ok = clerk.get(reverse("orders:order_list"), {"ordering": "-amount_incl", "production_status": "not_placed"})
    assert ok.status_code == 200 and order.number in html(ok)


def test_list_filters_are_the_apis_and_a_bad_value_is_shown(cast, client_as, order, carol_customer, pump):
    # given orders of two customers, one promised tomorrow
    other = services.order_create(
        actor=cast.clerk, customer=carol_customer, data={}, lines=[{"product": pump.pk, "quantity": "1"}]
    )
    clerk = client_as(cast.clerk)
    # when the clerk filters with the API's parameter names, then the page narrows the same way
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    page = html(clerk.get(reverse("orders:order_list"), {"customer": carol_customer.pk, "ordering": "-amount_incl"}))
    assert other.number in page and order.number not in page
    assert order.number not in html(clerk.get(reverse("orders:order_list"), {"promised_ship_date_to": tomorrow}))
    # and the shared filter bar shows the filter set's fields with their Chinese labels
    assert 'data-testid="list-filters"' in page and 'data-testid="filter-received_on_from"' in page and "接单日期从" in page
    # when a date does not parse, then the page says so under the field (400) and lists nothing
    bad = clerk.get(reverse("orders:order_list"), {"received_on_from": "2026-13-45", "q": "精工"})
    assert bad.status_code == 400 and "有效的日期" in html(bad) and 'data-testid="list-empty"' in html(bad)


def test_other_rep_gets_404_on_alices_order(cast, client_as, order):
    assert client_as(cast.carol).get(detail(order)).status_code == 404
    assert client_as(cast.alice).get(detail(order)).status_code == 200


def test_list_marks_a_promised_date_in_the_past(cast, client_as, order):
    # given a placed order whose promised date has passed
    place(order, cast.clerk)
    SalesOrder.objects.filter(pk=order.pk).update(promised_ship_date=timezone.localdate() - timedelta(days=1))
    # then the list shows it in red
    assert 'data-testid="ship-late"' in html(client_as(cast.clerk).get(reverse("orders:order_list")))


def test_list_marks_an_order_at_risk_and_reads_risks_only_when_a_shown_order_is_being_shipped(cast, client_as, order):
    clerk = client_as(cast.clerk)
    # given no shown order being shipped, then the list asks nothing about production
    with CaptureQueriesContext(connection) as ctx:
        assert 'data-testid="ship-late"' not in html(clerk.get(reverse("orders:order_list")))
    assert not any("orders_productionupdate" in q["sql"] for q in ctx.captured_queries)
    # given a placed order whose production expects to finish after the promised date, then the list shows it in red
    place(order, cast.clerk)
    promised = timezone.localdate() + timedelta(days=10)
    SalesOrder.objects.filter(pk=order.pk).update(promised_ship_date=promised, expected_date=promised + timedelta(days=3))
    with CaptureQueriesContext(connection) as ctx:
        assert 'data-testid="ship-late"' in html(clerk.get(reverse("orders:order_list")))
    # and the risk is read from the shown orders' own columns, by id: not their rows again with the list's joins
    (risk,) = [q["sql"] for q in ctx.captured_queries if "orders_productionupdate" in q["sql"]]
    assert "JOIN" not in risk.split('FROM "orders_salesorder"', 1)[1].split("WHERE", 1)[0]
    assert '"customers_customer"' not in risk and '"contracts_contract"' not in risk


# --- create -------------------------------------------------------------------------------------------------------------
def test_create_from_contract_prefills_unordered_quantity_and_posts(cast, client_as, signed_contract):
    clerk = client_as(cast.clerk)
    url = reverse("orders:order_create_from_contract", args=[signed_contract.pk])
    line = signed_contract.lines.get()
    # given the form, the unordered quantity (10) is prefilled
    page = html(clerk.get(url))
    assert f'data-testid="contract-line-qty-{line.pk}"' in page and 'value="10"' in page
    # when the clerk orders 4 of them
    response = clerk.post(url, {f"line_{line.pk}": "4", "customer_po": "PO-77"})
    # then the order exists with 4 pumps, the contract's rep and the PO, and the contract page lists it
    order = SalesOrder.objects.get(contract=signed_contract)
    assert response.status_code == 302 and response["Location"] == detail(order)
    assert order.lines.get().quantity == D("4") and order.customer_po == "PO-77" and order.owner == cast.alice
    assert order.deposit_amount > 0  # the contract's deposit rate applied (the blank field kept the default)
    contract_page = html(clerk.get(reverse("contracts:contract_detail", args=[signed_contract.pk])))
    assert order.number in contract_page and 'data-testid="action-create-order"' in contract_page
    # and asking for more than is left shows the Chinese message with nothing saved
    again = clerk.post(url, {f"line_{line.pk}": "7"})
    assert again.status_code == 400 and "合同剩余可下单数量为 6" in html(again)
    assert SalesOrder.objects.filter(contract=signed_contract).count() == 1


def test_rep_sees_no_order_button_and_may_not_create(cast, client_as, signed_contract):
    alice = client_as(cast.alice)
    assert 'data-testid="action-create-order"' not in html(
        alice.get(reverse("contracts:contract_detail", args=[signed_contract.pk]))
    )
    assert alice.get(reverse("orders:order_create_from_contract", args=[signed_contract.pk])).status_code == 403
    assert alice.get(reverse("orders:order_create")).status_code == 403


def test_create_direct_order(cast, client_as, customer, pump):
    clerk = client_as(cast.clerk)
    assert clerk.get(reverse("orders:order_create"), {"customer": customer.pk}).status_code == 200
    data = {
        "customer": customer.pk,
        "promised_ship_date": (timezone.localdate() + timedelta(days=15)).isoformat(),
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": pump.pk,
        "lines-0-quantity": "3",
        "lines-0-unit_price": "1100.00",  # within the clerk's 5 % below the 1,130.00 list price
    }
    response = clerk.post(reverse("orders:order_create"), data)
    order = SalesOrder.objects.get(customer=customer)
    assert response.status_code == 302 and response["Location"] == detail(order)
    line = order.lines.get()
    assert line.quantity == D("3") and line.unit_price == D("1100.00") and order.amount_incl == D("3300.00")
    assert order.contact is not None and order.checks.count() == len(rules.CHECK_ITEMS)


def test_create_direct_order_without_lines_is_refused(cast, client_as, customer):
    data = {"customer": customer.pk, "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0"}
    response = client_as(cast.clerk).post(reverse("orders:order_create"), data)
    assert response.status_code == 400 and not SalesOrder.objects.exists()


# --- verification -------------------------------------------------------------------------------------------------------
def test_checklist_then_verify_moves_the_status(cast, client_as, order):
    clerk = client_as(cast.clerk)
    page = html(clerk.get(detail(order)))
    assert 'data-testid="check-row-quantity"' in page and 'data-testid="action-verify"' in page
    # when the clerk saves the ticked checklist
    response = clerk.post(reverse("orders:order_checks", args=[order.pk]), checklist_post(order))
    assert response.status_code == 302
    check = order.checks.get(item="spec")
    assert check.with_customer and check.with_production and not check.with_rep and check.checked_by == cast.clerk
    assert fresh(order).status == SalesOrder.Status.RECEIVED
    # and then finishes verification
    response = clerk.post(reverse("orders:order_verify", args=[order.pk]))
    assert response.status_code == 302 and fresh(order).status == SalesOrder.Status.VERIFIED
    assert 'data-testid="place-form"' in html(clerk.get(detail(order)))


def test_verify_with_missing_items_shows_message_and_changes_nothing(cast, client_as, order):
    clerk = client_as(cast.clerk)
    # when the clerk ticks everything but the quantity and presses "核单完成"
    response = clerk.post(
        reverse("orders:order_checks", args=[order.pk]), checklist_post(order, skip="quantity", verify_too=True)
    )
    # then the page says what is missing (400), and neither the ticks nor the status were saved
    assert response.status_code == 400
    assert "核单未完成，尚未确认：数量（客户）" in html(response)
    assert fresh(order).status == SalesOrder.Status.RECEIVED
    assert not order.checks.filter(with_rep=True).exists()
    # the plain verify button says the same
    response = clerk.post(reverse("orders:order_verify", args=[order.pk]))
    assert response.status_code == 400 and "核单未完成" in html(response)


def test_checklist_with_verify_button_in_one_post(cast, client_as, order):
    response = client_as(cast.clerk).post(reverse("orders:order_checks", args=[order.pk]), checklist_post(order, verify_too=True))
    assert response.status_code == 302 and fresh(order).status == SalesOrder.Status.VERIFIED


# --- placement, production, inspection ------------------------------------------------------------------------------------
def test_place_and_production_update(cast, client_as, order):
    verify(order, cast.clerk)
    clerk = client_as(cast.clerk)
    # placing without a date is refused with the Chinese message
    response = clerk.post(reverse("orders:order_place", args=[order.pk]), {})
    assert response.status_code == 400 and "请填写要求生产完成日期" in html(response)
    # a date in the past is refused the same way, and the order stays verified
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = clerk.post(reverse("orders:order_place", args=[order.pk]), {"requested_date": past})
    assert response.status_code == 400 and "要求生产完成日期不能早于今天" in html(response)
    assert fresh(order).status == SalesOrder.Status.VERIFIED
    wanted = timezone.localdate() + timedelta(days=10)
    response = clerk.post(reverse("orders:order_place", args=[order.pk]), {"requested_date": wanted.isoformat()})
    order = fresh(order)
    assert response.status_code == 302 and order.status == SalesOrder.Status.PLACED and order.requested_date == wanted
    # production: a delay needs a reason
    url = reverse("orders:order_production", args=[order.pk])
    later = (wanted + timedelta(days=5)).isoformat()
    response = clerk.post(url, {"status": "delayed", "expected_date": later})
    assert response.status_code == 400 and "延误必须填写原因" in html(response)
    response = clerk.post(url, {"status": "delayed", "expected_date": later, "reason": "缺料"})
    assert response.status_code == 302
    order = fresh(order)
    assert order.production_status == "delayed" and order.expected_date.isoformat() == later
    assert ProductionUpdate.objects.get(order=order).reason == "缺料"
    assert 'data-testid="production-row"' in html(clerk.get(detail(order)))


def test_qc_records_and_warehouse_signs(cast, client_as, order):
    place(order, cast.clerk)
    line = order.lines.get()
    qc = client_as(cast.qc)
    assert 'data-testid="inspection-form"' in html(qc.get(detail(order)))
    # when QC records a passed lot
    response = qc.post(
        reverse("orders:order_inspection", args=[order.pk]),
        {"line": line.pk, "lot_no": "L-01", "quantity": "4", "result": "pass"},
    )
    assert response.status_code == 302
    inspection = Inspection.objects.get(order=order)
    assert inspection.qc_signed_by == cast.qc and fresh(line).passed_quantity == 0
    # QC cannot sign the warehouse side; the warehouse sees the sign button
    assert f'data-testid="inspection-sign-{inspection.pk}"' not in html(qc.get(detail(order)))
    warehouse = client_as(cast.warehouse)
    assert f'data-testid="inspection-sign-{inspection.pk}"' in html(warehouse.get(detail(order)))
    response = warehouse.post(reverse("orders:order_inspection_sign", args=[order.pk, inspection.pk]))
    assert response.status_code == 302
    assert fresh(inspection).warehouse_signed_by == cast.warehouse and fresh(line).passed_quantity == D("4")
    # a second signature is a conflict with a message
    again = warehouse.post(reverse("orders:order_inspection_sign", args=[order.pk, inspection.pk]))
    assert again.status_code == 409 and "已有仓库签字" in html(again)


def test_rep_sees_no_clerk_forms(cast, client_as, order):
    page = html(client_as(cast.alice).get(detail(order)))
    for testid in (
        "check-submit",
        "action-verify",
        "place-form",
        "production-form",
        "inspection-form",
        "action-cancel",
        "action-edit",
    ):
        assert f'data-testid="{testid}"' not in page
    assert 'data-testid="gate-panel"' in page and 'data-testid="line-row"' in page
    # and posting anyway is refused by the service
    response = client_as(cast.alice).post(reverse("orders:order_checks", args=[order.pk]), checklist_post(order))
    assert response.status_code == 403 and not order.checks.filter(with_rep=True).exists()


def test_gate_panel_shows_what_is_due(cast, client_as, order):
    page = html(client_as(cast.clerk).get(detail(order)))
    assert 'data-testid="gate-closed"' in page and "11,300.00" in page and str(rules.GATE_UNBLOCKERS) in page


# --- change and cancel --------------------------------------------------------------------------------------------------
def change_post(order, **extra) -> dict:
    line = order.lines.get()
    data = {
        "customer_po": order.customer_po,
        "promised_ship_date": order.promised_ship_date.isoformat() if order.promised_ship_date else "",
        "deposit_amount": str(order.deposit_amount),
        "contact": order.contact_id or "",
        "ship_to": order.ship_to_id or "",
        "invoice_title": order.invoice_title_id or "",
        "notes": order.notes,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "1",
        "lines-0-line_id": line.pk,
        "lines-0-quantity": str(line.quantity),
        "lines-0-unit_price": str(line.unit_price),
    }
    data.update(extra)
    return data


def test_change_after_verification_needs_a_reason(cast, client_as, order):
    verify(order, cast.clerk)
    clerk = client_as(cast.clerk)
    url = reverse("orders:order_edit", args=[order.pk])
    assert 'data-testid="change-warning"' in html(clerk.get(url))
    # without a reason: refused, nothing changed
    response = clerk.post(url, change_post(order, **{"lines-0-quantity": "12"}))
    assert response.status_code == 400 and "修改需要填写变更原因" in html(response)
    assert fresh(order).lines.get().quantity == D("10")
    # with a reason: changed, to be verified again, listed in the change history
    response = clerk.post(url, change_post(order, reason="客户追加", **{"lines-0-quantity": "12"}))
    assert response.status_code == 302
    order = fresh(order)
    assert order.lines.get().quantity == D("12") and order.needs_reverification and order.change_count == 1
    change = OrderChange.objects.get(order=order)
    assert change.reason == "客户追加"
    page = html(clerk.get(detail(order)))
    assert 'data-testid="change-row"' in page and 'data-testid="reverify-alert"' in page


def test_edit_before_verification_needs_no_reason(cast, client_as, order):
    response = client_as(cast.clerk).post(reverse("orders:order_edit", args=[order.pk]), change_post(order, customer_po="PO-9"))
    assert response.status_code == 302 and fresh(order).customer_po == "PO-9"
    assert not OrderChange.objects.exists()


def test_cancel_needs_a_reason(cast, client_as, order):
    clerk = client_as(cast.clerk)
    url = reverse("orders:order_action", args=[order.pk, "cancel"])
    response = clerk.post(url, {"reason": ""})
    assert response.status_code == 400 and "请填写取消原因" in html(response)
    assert fresh(order).status == SalesOrder.Status.RECEIVED
    response = clerk.post(url, {"reason": "客户取消"})
    order = fresh(order)
    assert response.status_code == 302 and order.status == SalesOrder.Status.CANCELLED and order.cancel_reason == "客户取消"
    assert "客户取消" in html(clerk.get(detail(order)))


def test_rep_may_not_cancel(cast, client_as, order):
    response = client_as(cast.alice).post(reverse("orders:order_action", args=[order.pk, "cancel"]), {"reason": "x"})
    assert response.status_code == 403 and fresh(order).status == SalesOrder.Status.RECEIVED


def test_emergency_release_and_credit_exception_requests(cast, client_as, order):
    place(order, cast.clerk)
    clerk = client_as(cast.clerk)
    line = order.lines.get()
    # an emergency release asks the manager; the page lists it as pending with its approval round
    response = clerk.post(
        reverse("orders:order_emergency_release", args=[order.pk]), {"line": line.pk, "quantity": "2", "reason": "客户停产待料"}
    )
    assert response.status_code == 302
    release = order.emergency_releases.get()
    assert release.status == "pending"
    # too much is refused with the service's message
    response = clerk.post(
        reverse("orders:order_emergency_release", args=[order.pk]), {"line": line.pk, "quantity": "50", "reason": "再放"}
    )
    assert response.status_code == 400 and "最多还可申请放行" in html(response)
    # the credit exception goes to approval too
    response = clerk.post(reverse("orders:order_credit_exception", args=[order.pk]), {"amount": "5000", "reason": "老客户"})
    assert response.status_code == 302 and order.credit_exceptions.get().amount == D("5000.00")
    page = html(client_as(cast.manager).get(detail(order)))
    assert 'data-testid="release-row"' in page and 'data-testid="credit-row"' in page


def test_detail_renders_for_every_role_and_state(cast, client_as, order):
    place(order, cast.clerk)
    for user in (cast.clerk, cast.manager, cast.alice, cast.finance, cast.qc, cast.warehouse, cast.lena):
        assert client_as(user).get(detail(order)).status_code == 200
    assert client_as(cast.bob).get(detail(order)).status_code in (200, 404)
    # the clerk gets the link to the shipment page of the work pages
    assert 'data-testid="action-create-shipment"' in html(client_as(cast.clerk).get(detail(order)))


# --- the order page reads like a document (issue 13, item 5) -------------------------------------------------------
def stage_states(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-stage="(\w+)" data-state="(\w+)"', page))


def test_stage_bar_follows_the_order(cast, client_as, order):
    clerk = client_as(cast.clerk)
    assert stage_states(html(clerk.get(detail(order)))) == {
        "received": "done",
        "verified": "not_yet",
        "placed": "not_yet",
        "inspected": "not_yet",
        "shipped": "not_yet",
        "delivered": "not_yet",
        "invoiced": "not_yet",
        "paid": "not_yet",
    }
    place(order, cast.clerk)
    pass_inspection(order, cast, 4)
    pay(order, cast, "5000.00")
    states = stage_states(html(clerk.get(detail(order))))
    assert states["verified"] == states["placed"] == "done"
    assert states["inspected"] == "partial" and states["paid"] == "partial" and states["shipped"] == "not_yet"


def test_toolbar_opens_only_the_next_step(cast, client_as, order):
    verify(order, cast.clerk)
    page = html(client_as(cast.clerk).get(detail(order)))
    # the clerk's next step (下单生产) is open; asking for a credit exception is a toolbar button whose form is closed
    assert 'data-testid="tool-place"' in page and 'data-testid="tool-credit"' in page
    assert 'collapse show" id="form-place"' in page
    assert 'collapse show" data-testid="credit-exceptions"' not in page and 'id="form-credit"' in page


def test_a_failed_form_is_shown_open_with_its_error(cast, client_as, order):
    place(order, cast.clerk)
    response = client_as(cast.clerk).post(reverse("orders:order_credit_exception", args=[order.pk]), {"amount": "", "reason": ""})
    page = html(response)
    assert response.status_code == 400 and ' show" data-testid="credit-exceptions" id="form-credit"' in page


def test_chain_links_the_contract_and_its_quotation_for_those_who_may_open_them(cast, client_as, signed_contract):
    o = services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={})
    chain = html(client_as(cast.clerk).get(detail(o))).split('data-testid="order-chain"')[1].split("</ol>")[0]
    assert reverse("contracts:contract_detail", args=[signed_contract.pk]) in chain and o.number in chain
    # every link of the chain opens for whoever is shown it
    for user in (cast.clerk, cast.warehouse, cast.alice):
        client = client_as(user)
        chain = html(client.get(detail(o))).split('data-testid="order-chain"')[1].split("</ol>")[0]
        for url in re.findall(r'href="(/[^"#]+)"', chain):
            assert client.get(url).status_code == 200, (user.username, url)


def test_the_customer_filter_is_a_type_ahead_rendering_only_the_chosen_visible_customer(cast, client_as):
    chosen = CustomerFactory(owner=cast.alice, name="甲方精密有限公司")
    CustomerFactory(owner=cast.alice, name="乙方重工有限公司")
    url = reverse("orders:order_list")
    page = client_as(cast.clerk).get(url, {"customer": chosen.pk}).content.decode()
    assert f'data-lookup-url="{reverse("customers:lookup")}"' in page
    assert "甲方精密有限公司" in page and "乙方重工有限公司" not in page  # not a select of every customer
    assert "甲方精密有限公司" not in client_as(cast.carol).get(url, {"customer": chosen.pk}).content.decode()
