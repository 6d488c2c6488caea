"""/api/v1/ of orders, inspections, shipments, invoices, payments, work queues and receivables: the services behind it,
errors as {"code", "detail"} in Chinese, money and quantities as strings, and who sees / does what (404 vs 403)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from orders import forms, rules, services
from orders.models import SalesOrder
from tests.orders.conftest import fresh, pass_inspection, pay, place, verify

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"
SHIPMENTS = "/api/v1/shipments/"
INVOICES = "/api/v1/invoices/"
PAYMENTS = "/api/v1/payments/"
INSPECTIONS = "/api/v1/inspections/"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def ok(response, status=200):
    assert response.status_code == status, response.json()
    return response.json()


def refused(response, status):
    """The error is {"code", "detail"} with the given status and a Chinese message."""
    assert response.status_code == status, response.json()
    body = response.json()
    assert set(body) >= {"code", "detail"} and CHINESE.search(body["detail"]), body
    return body


def line_id(order):
    return order.lines.first().pk


def tomorrow():
    return (timezone.localdate() + timedelta(days=1)).isoformat()


@pytest.fixture
def placed(cast, order):
    place(order, cast.clerk)
    return fresh(order)


@pytest.fixture
def ready(cast, placed):
    """A placed order whose 10 pumps passed inspection (signed by QC and the warehouse)."""
    pass_inspection(placed, cast, "10")
    return fresh(placed)


def make_shipment(api_as, cast, order, qty="10"):
    return ok(
        api_as(cast.clerk).post(
            f"{ORDERS}{order.pk}/shipments/", {"lines": {str(line_id(order)): {"quantity": qty}}}, format="json"
        ),
        201,
    )


def record_payment(api_as, user, order, amount, ref="BANK-0001"):
    return api_as(user).post(
        PAYMENTS,
        {"customer": order.customer_id, "amount": amount, "bank_reference": ref, "allocations": {str(order.pk): amount}},
        format="json",
    )


class TestWholeFlow:
    def test_check_verify_place_inspect_ship_pay_deliver_invoice(self, cast, api_as, order):
        clerk, qc, warehouse, finance = (api_as(u) for u in (cast.clerk, cast.qc, cast.warehouse, cast.finance))
        url = f"{ORDERS}{order.pk}/"

        # given a received order; when the clerk confirms every checklist item with the parties it needs
        body = ok(clerk.get(url))
        assert body["status"] == "received" and body["amount_incl"] == "11300.00"
        assert len(body["checklist"]["items"]) == len(rules.CHECK_ITEMS) and body["checklist"]["missing"]
        assert {"check", "verify", "cancel"} <= set(body["allowed_actions"])
        for item in rules.CHECK_ITEMS:
            body = ok(clerk.post(f"{url}check/", {"item": item.code, "parties": sorted(item.parties)}, format="json"))
        assert body["checklist"]["missing"] == []
        assert body["checklist"]["items"][0]["label"] == rules.check_label(rules.CHECK_ITEMS[0].code)
        # then verifies and places it
        body = ok(clerk.post(f"{url}verify/"))
        assert body["status"] == "verified" and body["verified_by"] == cast.clerk.pk
        body = ok(clerk.post(f"{url}place/", {"requested_date": tomorrow()}, format="json"))
        assert body["status"] == "placed" and body["production_status"] == "placed" and "place" not in body["allowed_actions"]

        # when QC records a passing inspection and the warehouse signs it
        inspection = ok(
            qc.post(
                f"{url}inspections/",
                {"line": line_id(order), "lot_no": "L001", "quantity": "10", "result": "pass"},
                format="json",
            ),
            201,
        )
        assert inspection["qc_signed_by"] == cast.qc.pk and not inspection["is_signed"]
        signed = ok(warehouse.post(f"{INSPECTIONS}{inspection['id']}/sign/"))
        assert signed["is_signed"] and signed["warehouse_signed_by"] == cast.warehouse.pk
        line = ok(clerk.get(url))["lines"][0]
        assert (line["quantity"], line["passed_quantity"], line["shippable_quantity"], line["remaining_quantity"]) == (
            "10.000",
            "10.000",
            "10.000",
            "10.000",
        )

        # when the clerk prepares a shipment of everything
        shipment = make_shipment(api_as, cast, order)
        assert shipment["status"] == "draft" and shipment["amount_incl"] == "11300.00"
        assert shipment["lines"][0]["quantity"] == "10.000" and shipment["consignee"]
        assert shipment["gate"] == {
            "open": False,
            "due": "11300.00",
            "paid": "0.00",
            "exception": "0.00",
            "reason": shipment["gate"]["reason"],
        }
        ship_url = f"{SHIPMENTS}{shipment['id']}/"
        # then it cannot be released before the money is confirmed
        body = refused(clerk.post(f"{ship_url}release/"), 409)
        assert body["code"] == "conflict" and "不能放行" in body["detail"] and "尚差 11,300.00 元" in body["detail"]

        # when the clerk records the payment and finance confirms it
        payment = ok(record_payment(api_as, cast.clerk, order, "11300.00"), 201)
        assert payment["status"] == "recorded" and payment["allocations"][0]["order"] == order.pk
        body = ok(clerk.get(url))
        assert body["paid"]["confirmed"] == "0.00" and body["paid"]["recorded"] == "11300.00" and not body["gate"]["open"]
        payment = ok(finance.post(f"{PAYMENTS}{payment['id']}/confirm/"))
        assert payment["status"] == "confirmed" and payment["confirmed_by"] == cast.finance.pk
        body = ok(clerk.get(url))
        assert body["paid"]["confirmed"] == "11300.00" and body["gate"]["open"] is True
        assert body["allocations"][0]["payment_status"] == "confirmed"

        # then the shipment is released, shipped by the warehouse and its delivery recorded by the clerk
        body = ok(clerk.post(f"{ship_url}release/"))
        assert body["status"] == "released" and body["release_basis"]
        refused(clerk.post(f"{ship_url}release/"), 409)  # twice: one effect, a clear conflict
        body = ok(warehouse.post(f"{ship_url}ship/", {"tracking_no": "SF123", "packages": 2}, format="json"))
        assert body["status"] == "shipped" and body["tracking_no"] == "SF123" and body["packages"] == 2
        assert ok(clerk.get(url))["status"] == "shipped"
        body = ok(clerk.post(f"{ship_url}deliver/", {"signer": "王经理"}, format="json"))
        assert body["status"] == "delivered" and body["signed_by_name"] == "王经理"
        assert body["lines"][0]["delivered_quantity"] == "10.000"

        # when the clerk asks for an invoice and finance issues it
        invoice = ok(clerk.post(f"{url}invoice-request/", {"amount": "11300.00"}, format="json"), 201)
        assert invoice["status"] == "requested" and invoice["amount"] == "11300.00" and invoice["title"]
        body = ok(finance.post(f"{INVOICES}{invoice['id']}/issue/", {"numbers": "04400001"}, format="json"))
        assert body["status"] == "issued" and body["invoice_numbers"] == "04400001" and body["issued_by"] == cast.finance.pk
        refused(finance.post(f"{INVOICES}{invoice['id']}/issue/", {"numbers": "04400002"}, format="json"), 409)

        # then the order shows everything and can be closed
        body = ok(clerk.get(url))
        assert body["paid"]["delivered"] == "11300.00" and body["paid"]["invoiced"] == "11300.00"
        assert [s["status"] for s in body["shipments"]] == ["delivered"] and [i["status"] for i in body["invoices"]] == ["issued"]
        assert len(body["inspections"]) == 1 and body["lines"][0]["delivered_quantity"] == "10.000"
        assert "close" in body["allowed_actions"]
        assert ok(clerk.post(f"{url}close/"))["status"] == "closed"
        refused(clerk.post(f"{url}close/"), 409)


class TestOrders:
    def test_create_direct_order_money_as_strings(self, cast, api_as, customer, pump):
        body = ok(
            api_as(cast.clerk).post(
                ORDERS,
                {"customer": customer.pk, "customer_po": "PO-9", "lines": [{"product": pump.pk, "quantity": "2"}]},
                format="json",
            ),
            201,
        )
        assert body["number"].startswith("SO") and body["owner"] == cast.alice.pk and body["customer_po"] == "PO-9"
        assert (body["amount_incl"], body["lines"][0]["unit_price"], body["lines"][0]["quantity"]) == (
            "2260.00",
            "1130.00",
            "2.000",
        )

    def test_rep_may_not_create_orders_and_unknown_customer_is_404(self, cast, api_as, customer, carol_customer, pump):
        row = [{"product": pump.pk, "quantity": "1"}]
        refused(api_as(cast.alice).post(ORDERS, {"customer": customer.pk, "lines": row}, format="json"), 403)
        refused(api_as(cast.clerk).post(ORDERS, {"customer": 999999, "lines": row}, format="json"), 404)

    def test_from_contract(self, cast, api_as, signed_contract):
        cl = signed_contract.lines.get()
        clerk = api_as(cast.clerk)
        body = ok(
            clerk.post(
                f"{ORDERS}from-contract/",
                {"contract": signed_contract.pk, "lines": {str(cl.pk): "4"}, "data": {"customer_po": "PO-1"}},
                format="json",
            ),
            201,
        )
        assert body["contract"] == signed_contract.pk and body["contract_number"] == signed_contract.number
        assert body["lines"][0]["quantity"] == "4.000" and body["customer_po"] == "PO-1" and body["payment_terms"] == "deposit"
        # more than the contract still has unordered is a 400 in Chinese; an unknown contract a 404
        body = refused(
            clerk.post(f"{ORDERS}from-contract/", {"contract": signed_contract.pk, "lines": {str(cl.pk): "7"}}, format="json"),
            400,
        )
        assert "剩余可下单数量为 6" in body["detail"]
        refused(clerk.post(f"{ORDERS}from-contract/", {"contract": 999999}, format="json"), 404)

    def test_update_after_verification_needs_reason_and_reverification(self, cast, api_as, order):
        verify(order, cast.clerk)
        clerk = api_as(cast.clerk)
        url = f"{ORDERS}{order.pk}/"
        refused(clerk.patch(url, {"customer_po": "PO-2"}, format="json"), 400)
        body = ok(
            clerk.patch(
                url,
                {"customer_po": "PO-2", "lines": {str(line_id(order)): {"quantity": "12"}}, "reason": "客户加单"},
                format="json",
            )
        )
        assert body["needs_reverification"] is True and body["change_count"] == 1 and body["amount_incl"] == "13560.00"
        assert body["changes"][0]["reason"] == "客户加单" and {"check", "verify"} <= set(body["allowed_actions"])
        assert ok(clerk.get(ORDERS, {"needs_reverification": "true"}))["count"] == 1
        assert ok(clerk.get(ORDERS, {"needs_reverification": "false"}))["count"] == 0

    def test_list_filters_search_and_ordering(self, cast, api_as, order, customer, pump):
        second = services.order_create(
            actor=cast.clerk, customer=customer, data={"project_name": "二期水泵"}, lines=[{"product": pump.pk, "quantity": "1"}]
        )
        verify(second, cast.clerk)
        clerk = api_as(cast.clerk)
        assert ok(clerk.get(ORDERS))["count"] == 2
        assert [o["number"] for o in ok(clerk.get(ORDERS, {"status": "verified"}))["results"]] == [second.number]
        assert [o["number"] for o in ok(clerk.get(ORDERS, {"q": "二期"}))["results"]] == [second.number]
        assert ok(clerk.get(ORDERS, {"owner": cast.alice.pk, "customer": customer.pk}))["count"] == 2
        assert ok(clerk.get(ORDERS, {"production_status": "placed"}))["count"] == 0
        today = timezone.localdate().isoformat()
        assert ok(clerk.get(ORDERS, {"received_on_from": today, "received_on_to": today}))["count"] == 2
        assert ok(clerk.get(ORDERS, {"promised_ship_date_from": tomorrow()}))["count"] == 1
        numbers = [o["number"] for o in ok(clerk.get(ORDERS, {"ordering": "amount_incl"}))["results"]]
        assert numbers == [second.number, order.number]
        refused(clerk.get(ORDERS, {"status": "nonsense"}), 400)

    def test_production_update_emergency_release_credit_exception_and_cancel(self, cast, api_as, placed, order):
        clerk = api_as(cast.clerk)
        url = f"{ORDERS}{placed.pk}/"
        update = ok(
            clerk.post(
                f"{url}production-update/", {"status": "delayed", "expected_date": tomorrow(), "reason": "缺料"}, format="json"
            ),
            201,
        )
        assert update["status"] == "delayed" and update["reason"] == "缺料"
        refused(clerk.post(f"{url}production-update/", {"status": "delayed"}, format="json"), 400)  # no reason
        release = ok(
            clerk.post(
                f"{url}emergency-release/", {"line": line_id(placed), "quantity": "3", "reason": "客户急用"}, format="json"
            ),
            201,
        )
        assert release["status"] == "pending" and release["quantity"] == "3.000"
        exception = ok(clerk.post(f"{url}credit-exception/", {"amount": "5000.00", "reason": "老客户"}, format="json"), 201)
        assert exception["status"] == "pending" and exception["amount"] == "5000.00"
        body = ok(clerk.get(url))
        assert body["production_status"] == "delayed" and len(body["production_updates"]) == 1
        assert len(body["emergency_releases"]) == 1 and len(body["credit_exceptions"]) == 1
        refused(clerk.post(f"{url}cancel/", {}, format="json"), 400)  # a reason is required
        assert ok(clerk.post(f"{url}cancel/", {"reason": "客户取消"}, format="json"))["status"] == "cancelled"
        refused(clerk.post(f"{url}cancel/", {"reason": "再取消"}, format="json"), 409)


def decide_all(api_as, kind, *users):
    """Each user approves the step of `kind` now waiting for them (the kernel's decide endpoint)."""
    for user in users:
        client = api_as(user)
        step = ok(client.get("/api/v1/approval-steps/", {"kind": kind}))["results"][0]
        ok(client.post(f"/api/v1/approval-steps/{step['id']}/decide/", {"decision": "approve"}, format="json"))


class TestApprovals:
    def test_credit_exception_approved_opens_the_gate(self, cast, api_as, ready):
        shipment = make_shipment(api_as, cast, ready)
        # given the rep asks to ship before payment; when the sales manager and finance approve
        exception = ok(
            api_as(cast.alice).post(
                f"{ORDERS}{ready.pk}/credit-exception/", {"amount": "11300.00", "reason": "老客户月结"}, format="json"
            ),
            201,
        )
        assert exception["status"] == "pending" and exception["requested_by"] == cast.alice.pk
        decide_all(api_as, services.CREDIT_KIND, cast.manager, cast.finance)
        # then the gate is open through the exception and the clerk can release
        body = ok(api_as(cast.clerk).get(f"{ORDERS}{ready.pk}/"))
        assert body["credit_exceptions"][0]["status"] == "approved"
        assert (body["gate"]["open"], body["gate"]["exception"], body["gate"]["paid"]) == (True, "11300.00", "0.00")
        body = ok(api_as(cast.clerk).post(f"{SHIPMENTS}{shipment['id']}/release/"))
        assert body["status"] == "released" and body["release_basis"] == "信用放行"

    def test_emergency_release_approved_makes_goods_shippable(self, cast, api_as, placed):
        url = f"{ORDERS}{placed.pk}/"
        ok(
            api_as(cast.warehouse).post(
                f"{url}emergency-release/", {"line": line_id(placed), "quantity": "3", "reason": "客户停产待料"}, format="json"
            ),
            201,
        )
        refused(
            api_as(cast.clerk).post(f"{url}shipments/", {"lines": {str(line_id(placed)): {"quantity": "3"}}}, format="json"),
            400,
        )
        decide_all(api_as, services.EMERGENCY_KIND, cast.manager)
        body = ok(api_as(cast.clerk).get(url))
        assert body["has_emergency_release"] is True and body["emergency_releases"][0]["status"] == "approved"
        assert (body["lines"][0]["released_quantity"], body["lines"][0]["shippable_quantity"]) == ("3.000", "3.000")
        shipment = make_shipment(api_as, cast, placed, qty="3")
        assert shipment["has_emergency_release"] is True

    def test_inspected_emergency_lot_does_not_count_twice(self, cast, api_as, placed):
        # given 3 pumps released in an emergency and then inspected as that release's lot
        url = f"{ORDERS}{placed.pk}/"
        release = ok(
            api_as(cast.clerk).post(
                f"{url}emergency-release/", {"line": line_id(placed), "quantity": "3", "reason": "急用"}, format="json"
            ),
            201,
        )
        decide_all(api_as, services.EMERGENCY_KIND, cast.manager)
        row = {"line": line_id(placed), "lot_no": "E1", "quantity": "3", "result": "pass", "emergency_release": release["id"]}
        emergency_lot = ok(api_as(cast.qc).post(f"{url}inspections/", row, format="json"), 201)
        ok(api_as(cast.warehouse).post(f"{INSPECTIONS}{emergency_lot['id']}/sign/"))
        # when 4 more pumps pass a normal inspection
        row = {"line": line_id(placed), "lot_no": "L2", "quantity": "4", "result": "pass"}
        lot = ok(api_as(cast.qc).post(f"{url}inspections/", row, format="json"), 201)
        ok(api_as(cast.warehouse).post(f"{INSPECTIONS}{lot['id']}/sign/"))
        # then 3 released + 4 passed = 7 pumps may leave, not 10
        line = ok(api_as(cast.clerk).get(url))["lines"][0]
        assert line["shippable_quantity"] == "7.000", line

    def test_only_an_approved_release_is_the_lot_of_an_inspection(self, cast, api_as, placed):
        # given a release still pending and one withdrawn
        url = f"{ORDERS}{placed.pk}/"
        asked = {"line": line_id(placed), "quantity": "1", "reason": "急用"}
        pending = ok(api_as(cast.clerk).post(f"{url}emergency-release/", asked, format="json"), 201)
        withdrawn = ok(api_as(cast.clerk).post(f"{url}emergency-release/", asked, format="json"), 201)
        ok(api_as(cast.clerk).post(f"{url}emergency-releases/{withdrawn['id']}/withdraw/", {}, format="json"))
        # then neither is the lot of an inspection (refused at the field, nothing recorded), on the page's form neither
        for release in (pending, withdrawn):
            row = {"line": line_id(placed), "lot_no": "E1", "quantity": "1", "result": "pass", "emergency_release": release["id"]}
            answer = api_as(cast.qc).post(f"{url}inspections/", row, format="json")
            assert answer.status_code == 400 and "emergency_release" in answer.json()["errors"], answer.json()
        assert not placed.inspections.exists()
        form = forms.InspectionForm(order=placed)
        assert not form.fields["emergency_release"].queryset.exists()


class TestBadInput:
    def test_shipment_above_shippable_is_400_in_chinese(self, cast, api_as, placed):
        pass_inspection(placed, cast, "4")
        body = refused(
            api_as(cast.clerk).post(
                f"{ORDERS}{placed.pk}/shipments/", {"lines": {str(line_id(placed)): {"quantity": "5"}}}, format="json"
            ),
            400,
        )
        assert body["code"] == "invalid" and "本次最多可发 4" in body["detail"]

    def test_malformed_input_is_400_in_chinese(self, cast, api_as, order):
        clerk = api_as(cast.clerk)
        url = f"{ORDERS}{order.pk}/"
        body = refused(clerk.post(f"{url}check/", {"item": "nonsense", "parties": ["rep"]}, format="json"), 400)
        assert body["detail"].startswith("核对项目（item）：")
        refused(clerk.post(f"{url}check/", {"item": "quantity", "parties": ["boss"]}, format="json"), 400)
        body = refused(clerk.post(f"{url}verify/"), 400)  # checklist not done
        assert "核单未完成" in body["detail"]
        refused(record_payment(api_as, cast.clerk, order, "abc"), 400)
        body = refused(
            api_as(cast.clerk).post(
                PAYMENTS,
                {
                    "customer": order.customer_id,
                    "amount": "100.00",
                    "bank_reference": "X1",
                    "allocations": {str(order.pk): "90.00"},
                },
                format="json",
            ),
            400,
        )
        assert "分配合计" in body["detail"]

    def test_non_numeric_ids_are_400_not_500(self, cast, api_as, placed):
        clerk = api_as(cast.clerk)
        bad = {"lines": {"abc": {"quantity": "1"}}}
        refused(clerk.post(f"{ORDERS}{placed.pk}/shipments/", bad, format="json"), 400)
        refused(clerk.patch(f"{ORDERS}{placed.pk}/", {**bad, "reason": "x"}, format="json"), 400)
        body = {"customer": placed.customer_id, "amount": "1.00", "bank_reference": "R", "allocations": {"x": "1.00"}}
        refused(clerk.post(PAYMENTS, body, format="json"), 400)
        # an order line of another order is refused by the service
        refused(clerk.post(f"{ORDERS}{placed.pk}/shipments/", {"lines": {"999999": {"quantity": "1"}}}, format="json"), 400)

    def test_dates_out_of_range_are_400_and_change_nothing(self, cast, api_as, order):
        # placing with a requested date in the past
        clerk = api_as(cast.clerk)
        verify(order, cast.clerk)
        yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
        body = refused(clerk.post(f"{ORDERS}{order.pk}/place/", {"requested_date": yesterday}, format="json"), 400)
        assert "要求生产完成日期不能早于今天" in body["detail"] and fresh(order).status == SalesOrder.Status.VERIFIED
        # recording money received in the future
        payment = {
            "customer": order.customer_id,
            "amount": "100.00",
            "bank_reference": "F-1",
            "received_on": "2030-01-01",
            "allocations": {str(order.pk): "100.00"},
        }
        body = refused(clerk.post(PAYMENTS, payment, format="json"), 400)
        assert "到账日期不能晚于今天" in body["detail"] and ok(clerk.get(PAYMENTS))["count"] == 0

    def test_duplicate_bank_reference_is_409(self, cast, api_as, order):
        ok(record_payment(api_as, cast.clerk, order, "100.00", ref="DUP-1"), 201)
        refused(record_payment(api_as, cast.clerk, order, "100.00", ref="dup-1"), 409)

    def test_delivery_short_without_exception_is_400(self, cast, api_as, ready):
        shipment = make_shipment(api_as, cast, ready)
        ok(api_as(cast.finance).post(f"{PAYMENTS}{record_payment(api_as, cast.clerk, ready, '11300.00').json()['id']}/confirm/"))
        ok(api_as(cast.clerk).post(f"{SHIPMENTS}{shipment['id']}/release/"))
        ok(api_as(cast.warehouse).post(f"{SHIPMENTS}{shipment['id']}/ship/", {"tracking_no": "SF-1"}, format="json"))
        sl = shipment["lines"][0]["id"]
        body = refused(
            api_as(cast.clerk).post(
                f"{SHIPMENTS}{shipment['id']}/deliver/", {"signer": "王经理", "quantities": {str(sl): "8"}}, format="json"
            ),
            400,
        )
        assert "签收异常" in body["detail"]
        body = ok(
            api_as(cast.clerk).post(
                f"{SHIPMENTS}{shipment['id']}/deliver/",
                {"signer": "王经理", "quantities": {str(sl): "8"}, "exceptions": "2 台外箱破损拒收"},
                format="json",
            )
        )
        assert body["lines"][0]["delivered_quantity"] == "8.000" and body["delivery_exceptions"]


class TestPermissions:
    def test_rep_sees_own_orders_but_may_not_verify(self, cast, api_as, order):
        alice = api_as(cast.alice)
        assert [o["id"] for o in ok(alice.get(ORDERS))["results"]] == [order.pk]
        body = ok(alice.get(f"{ORDERS}{order.pk}/"))
        assert "verify" not in body["allowed_actions"] and "check" not in body["allowed_actions"]
        assert refused(alice.post(f"{ORDERS}{order.pk}/verify/"), 403)["code"] == "forbidden"
        refused(alice.post(f"{ORDERS}{order.pk}/check/", {"item": "quantity", "parties": ["customer"]}, format="json"), 403)

    def test_other_rep_gets_404(self, cast, api_as, order):
        carol = api_as(cast.carol)
        assert ok(carol.get(ORDERS))["count"] == 0
        assert refused(carol.get(f"{ORDERS}{order.pk}/"), 404)["code"] == "not_found"
        refused(carol.post(f"{ORDERS}{order.pk}/verify/"), 404)
        payment = ok(record_payment(api_as, cast.clerk, order, "100.00"), 201)
        refused(carol.get(f"{PAYMENTS}{payment['id']}/"), 404)
        refused(carol.post(f"{PAYMENTS}{payment['id']}/confirm/"), 404)

    def test_only_finance_confirms_payments(self, cast, api_as, order):
        payment = ok(record_payment(api_as, cast.clerk, order, "100.00"), 201)
        confirm = f"{PAYMENTS}{payment['id']}/confirm/"
        for user in (cast.clerk, cast.manager, cast.alice):
            assert refused(api_as(user).post(confirm), 403)["code"] == "forbidden", user
        refused(record_payment(api_as, cast.alice, order, "50.00", ref="ALICE-1"), 403)  # a rep does not record money
        assert ok(api_as(cast.finance).post(confirm))["status"] == "confirmed"
        refused(api_as(cast.finance).post(confirm), 409)
        refused(api_as(cast.clerk).post(f"{PAYMENTS}{payment['id']}/void/", {"reason": "错账"}, format="json"), 403)
        assert (
            ok(api_as(cast.finance).post(f"{PAYMENTS}{payment['id']}/void/", {"reason": "错账"}, format="json"))["status"]
            == "voided"
        )

    def test_only_qc_and_warehouse_record_and_sign_inspections(self, cast, api_as, placed):
        row = {"line": line_id(placed), "lot_no": "L9", "quantity": "5", "result": "pass"}
        url = f"{ORDERS}{placed.pk}/inspections/"
        for user in (cast.clerk, cast.alice, cast.manager):
            refused(api_as(user).post(url, row, format="json"), 403)
        inspection = ok(api_as(cast.warehouse).post(url, row, format="json"), 201)
        sign = f"{INSPECTIONS}{inspection['id']}/sign/"
        for user in (cast.clerk, cast.finance):
            refused(api_as(user).post(sign), 403)
        refused(api_as(cast.warehouse).post(sign), 409)  # the warehouse already signed its side
        assert ok(api_as(cast.qc).post(sign))["is_signed"] is True
        assert ok(api_as(cast.clerk).get(f"{ORDERS}{placed.pk}/"))["lines"][0]["passed_quantity"] == "5.000"
        # inspections are listed within the visible orders only
        assert ok(api_as(cast.qc).get(INSPECTIONS, {"order": placed.pk}))["count"] == 1
        assert ok(api_as(cast.carol).get(INSPECTIONS))["count"] == 0

    def test_only_warehouse_ships(self, cast, api_as, ready):
        shipment = make_shipment(api_as, cast, ready)
        payment = record_payment(api_as, cast.clerk, ready, "11300.00").json()
        ok(api_as(cast.finance).post(f"{PAYMENTS}{payment['id']}/confirm/"))
        ship = f"{SHIPMENTS}{shipment['id']}/ship/"
        refused(api_as(cast.warehouse).post(f"{SHIPMENTS}{shipment['id']}/release/"), 403)  # clerks release
        ok(api_as(cast.clerk).post(f"{SHIPMENTS}{shipment['id']}/release/"))
        for user in (cast.clerk, cast.manager, cast.alice):
            refused(api_as(user).post(ship, {"tracking_no": "SF-1"}, format="json"), 403)
        # without a tracking number (none, blank or spaces): a 400 asking for it in Chinese, and nothing shipped
        for body in ({}, {"tracking_no": ""}, {"tracking_no": "  \t "}):
            error = refused(api_as(cast.warehouse).post(ship, body, format="json"), 400)
            assert "请填写运单号" in error["detail"]
        assert fresh(ready).status != SalesOrder.Status.SHIPPED and fresh(ready).lines.get().shipped_quantity == 0
        assert ok(api_as(cast.warehouse).get(f"{SHIPMENTS}{shipment['id']}/"))["status"] == "released"
        shipped = ok(api_as(cast.warehouse).post(ship, {"tracking_no": "  SF1234567890 "}, format="json"))
        assert shipped["status"] == "shipped" and shipped["tracking_no"] == "SF1234567890"
        assert fresh(ready).status == SalesOrder.Status.SHIPPED

    def test_a_tracking_number_entered_on_the_note_ships_without_typing_it_again(self, cast, api_as, ready):
        # given a released note made with its tracking number
        body = {"lines": {str(line_id(ready)): {"quantity": "10"}}, "tracking_no": "DB-778899"}
        shipment = ok(api_as(cast.clerk).post(f"{ORDERS}{ready.pk}/shipments/", body, format="json"), 201)
        ok(api_as(cast.finance).post(f"{PAYMENTS}{record_payment(api_as, cast.clerk, ready, '11300.00').json()['id']}/confirm/"))
        ok(api_as(cast.clerk).post(f"{SHIPMENTS}{shipment['id']}/release/"))
        # when the warehouse ships it without one, then it leaves with the note's
        shipped = ok(api_as(cast.warehouse).post(f"{SHIPMENTS}{shipment['id']}/ship/", {"tracking_no": " "}, format="json"))
        assert shipped["status"] == "shipped" and shipped["tracking_no"] == "DB-778899"

    def test_only_finance_issues_invoices_and_reps_may_request_them(self, cast, api_as, ready):
        # given nothing delivered yet, an invoice request is refused with the room left
        url = f"{ORDERS}{ready.pk}/invoice-request/"
        assert "超过已签收未开票金额" in refused(api_as(cast.clerk).post(url, {"amount": "100.00"}, format="json"), 400)["detail"]
        pay(ready, cast, "11300.00")
        shipment = services.shipment_create(order=ready, actor=cast.clerk, lines={line_id(ready): "10"})
        shipment = services.shipment_release(shipment=shipment, actor=cast.clerk)
        shipment = services.shipment_ship(shipment=shipment, actor=cast.warehouse, tracking_no="SF-1")
        services.shipment_deliver(shipment=shipment, actor=cast.clerk, delivered_on=None, signer="王经理")
        # when the rep of the order asks for an invoice
        invoice = ok(api_as(cast.alice).post(url, {"amount": "1130.00", "invoice_type": "general"}, format="json"), 201)
        assert invoice["invoice_type"] == "general" and invoice["requested_by"] == cast.alice.pk
        refused(api_as(cast.carol).post(url, {"amount": "1.00"}, format="json"), 404)
        # then only finance issues it
        issue = f"{INVOICES}{invoice['id']}/issue/"
        for user in (cast.clerk, cast.manager, cast.alice):
            refused(api_as(user).post(issue, {"numbers": "04400001"}, format="json"), 403)
        refused(api_as(cast.finance).post(issue, {}, format="json"), 400)  # numbers required
        assert ok(api_as(cast.finance).post(issue, {"numbers": "04400001"}, format="json"))["status"] == "issued"
        refused(api_as(cast.clerk).post(f"{INVOICES}{invoice['id']}/cancel/", {"reason": "错开"}, format="json"), 403)
        assert ok(api_as(cast.alice).get(INVOICES, {"status": "issued"}))["count"] == 1


class TestShipmentsInvoicesPaymentsLists:
    def test_lists_and_filters(self, cast, api_as, ready, carol_customer):
        shipment = make_shipment(api_as, cast, ready, qty="4")
        payment = ok(record_payment(api_as, cast.clerk, ready, "500.00", ref="REF-77"), 201)
        clerk = api_as(cast.clerk)
        assert ok(clerk.get(SHIPMENTS, {"status": "draft", "order": ready.pk}))["count"] == 1
        assert ok(clerk.get(SHIPMENTS, {"customer": carol_customer.pk}))["count"] == 0
        assert ok(clerk.get(SHIPMENTS, {"status": "shipped"}))["count"] == 0
        detail = ok(clerk.get(f"{SHIPMENTS}{shipment['id']}/"))
        assert detail["gate"]["open"] is False and detail["lines"][0]["name"] == "增压泵"
        assert ok(clerk.get(PAYMENTS, {"q": "ref-77"}))["results"][0]["id"] == payment["id"]
        assert ok(clerk.get(PAYMENTS, {"status": "confirmed"}))["count"] == 0
        today = timezone.localdate().isoformat()
        assert ok(clerk.get(PAYMENTS, {"customer": ready.customer_id, "received_on_from": today}))["count"] == 1
        assert ok(api_as(cast.alice).get(PAYMENTS))["count"] == 1  # her customer's money
        assert ok(api_as(cast.carol).get(PAYMENTS))["count"] == 0
        assert ok(clerk.get(INVOICES, {"order": ready.pk}))["count"] == 0
        # a second note cannot take what the first one holds
        body = refused(
            clerk.post(f"{ORDERS}{ready.pk}/shipments/", {"lines": {str(line_id(ready)): {"quantity": "7"}}}, format="json"),
            400,
        )
        assert "其他出货单占用 4" in body["detail"]
        assert ok(clerk.post(f"{SHIPMENTS}{shipment['id']}/cancel/", {"reason": "重开"}, format="json"))["status"] == "cancelled"


class TestFiltersAndAllowedActions:
    def test_invalid_filter_values_are_400_not_ignored(self, cast, api_as, order):
        clerk = api_as(cast.clerk)
        for url, params in (
            (ORDERS, {"received_on_from": "2026-13-45"}),
            (ORDERS, {"ordering": "nonsense"}),
            (ORDERS, {"needs_reverification": "true", "owner": "alice"}),
            (SHIPMENTS, {"status": "gone"}),
            (INVOICES, {"order": "abc"}),
            (PAYMENTS, {"received_on_to": "yesterday"}),
            (INSPECTIONS, {"result": "maybe"}),
        ):
            body = refused(clerk.get(url, params), 400)
            assert body["code"] == "invalid" and set(body["errors"]) <= set(params), (url, body)
        # the page's sort is the API's: ordering by a listed column, descending with "-"
        assert ok(clerk.get(ORDERS, {"ordering": "-amount_incl"}))["count"] == 1

    def test_details_carry_the_allowed_actions_of_the_user(self, cast, api_as, ready):
        shipment = make_shipment(api_as, cast, ready)
        assert shipment["allowed_actions"] == ["release", "cancel"]
        assert ok(api_as(cast.warehouse).get(f"{SHIPMENTS}{shipment['id']}/"))["allowed_actions"] == []
        payment = ok(record_payment(api_as, cast.clerk, ready, "100.00"), 201)
        assert payment["allowed_actions"] == []
        assert ok(api_as(cast.finance).get(f"{PAYMENTS}{payment['id']}/"))["allowed_actions"] == ["confirm", "void"]
        inspection = ok(
            api_as(cast.qc).post(
                f"{ORDERS}{ready.pk}/inspections/",
                {"line": line_id(ready), "lot_no": "L9", "quantity": "1", "result": "fail"},
                format="json",
            ),
            201,
        )
        assert inspection["allowed_actions"] == []  # QC signed it already
        assert ok(api_as(cast.warehouse).get(f"{INSPECTIONS}{inspection['id']}/"))["allowed_actions"] == ["sign"]
        signed = ok(api_as(cast.warehouse).post(f"{INSPECTIONS}{inspection['id']}/sign/"))
        assert signed["allowed_actions"] == [] and signed["is_signed"] is True
        assert "allowed_actions" not in ok(api_as(cast.clerk).get(SHIPMENTS))["results"][0]  # lists stay lean


class TestWorkQueuesAndReceivables:
    def test_clerk_finance_and_warehouse_queues(self, cast, api_as, ready, customer, pump):
        new = services.order_create(actor=cast.clerk, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": "1"}])
        queues = {q["code"]: q for q in ok(api_as(cast.clerk).get("/api/v1/work/clerk/"))["queues"]}
        assert queues["received_today"]["count"] == 2 and queues["to_verify"]["count"] == 1
        assert queues["to_verify"]["items"][0]["number"] == new.number
        assert queues["ready_to_ship"]["count"] == 1 and queues["ready_to_ship"]["items"][0]["type"] == "order"
        make_shipment(api_as, cast, ready)
        ok(record_payment(api_as, cast.clerk, ready, "11300.00"), 201)
        finance = {q["code"]: q for q in ok(api_as(cast.finance).get("/api/v1/work/finance/"))["queues"]}
        assert finance["payments_to_confirm"]["count"] == 1 and finance["payments_to_confirm"]["items"][0]["amount"] == "11300.00"
        assert finance["held_shipments"]["count"] == 1 and finance["held_shipments"]["items"][0]["type"] == "shipment"
        warehouse = {q["code"]: q for q in ok(api_as(cast.warehouse).get("/api/v1/work/warehouse/"))["queues"]}
        assert set(warehouse) == {"to_ship", "to_inspect", "to_sign_qc", "to_sign_warehouse", "in_transit", "refused_to_receive"}
        assert warehouse["to_ship"]["count"] == 0
        # a rep, finance on the clerk queue and a clerk on the warehouse queue are refused
        assert api_as(cast.carol).get("/api/v1/work/clerk/").status_code == 403
        assert api_as(cast.finance).get("/api/v1/work/clerk/").status_code == 403
        assert api_as(cast.clerk).get("/api/v1/work/warehouse/").status_code == 403

    def test_the_warehouse_queue_reads_its_inspections_customers_at_once(self, cast, api_as, ready):
        """Inspections waiting for a signature show their customer: no query per inspection."""

        def queries() -> int:
            with CaptureQueriesContext(connection) as ctx:
                body = ok(api_as(cast.warehouse).get("/api/v1/work/warehouse/"))
            waiting = next(q for q in body["queues"] if q["code"] == "to_sign_warehouse")["items"]
            assert all(item["customer_name"] == ready.customer.name for item in waiting)
            return len(ctx.captured_queries)

        record = {"order": ready, "actor": cast.qc, "line_id": ready.lines.first().pk, "quantity": "1", "result": "fail"}
        services.inspection_record(lot_no="W1", **record)
        before = queries()
        for n in range(3):
            services.inspection_record(lot_no=f"W{n + 2}", **record)
        assert queries() == before

    def test_receivables_of_a_credit_order(self, cast, api_as, customer, pump):
        order = services.order_create(
            actor=cast.manager,  # credit terms other than the customer's: managers and finance
            customer=customer,
            data={"payment_terms": "credit", "credit_days": 30},
            lines=[{"product": pump.pk, "quantity": "10"}],
        )
        place(order, cast.clerk)
        pass_inspection(order, cast, "10")
        shipment = make_shipment(api_as, cast, order)
        ok(api_as(cast.clerk).post(f"{SHIPMENTS}{shipment['id']}/release/"))  # credit terms: nothing due before shipment
        ok(api_as(cast.warehouse).post(f"{SHIPMENTS}{shipment['id']}/ship/", {"tracking_no": "SF-1"}, format="json"))
        body = ok(api_as(cast.finance).get("/api/v1/receivables/"))
        assert body["total_open"] == "11300.00" and body["total_overdue"] == "0.00"
        assert [b["code"] for b in body["buckets"]] == [code for code, *_ in rules.AGING_BUCKETS]
        item = body["items"][0]
        assert item["order_number"] == order.number and item["open"] == "11300.00" and item["buckets"]["0_30"] == "11300.00"
        assert body["by_customer"][0]["name"] == customer.name and body["by_owner"][0]["id"] == cast.alice.pk
        assert body["collection_rate"]["rate"] == "0.0000"
        assert ok(api_as(cast.carol).get("/api/v1/receivables/"))["items"] == []


def test_schema_validates(tmp_path):
    call_command("spectacular", "--file", str(tmp_path / "schema.yml"), "--validate", "--fail-on-warn")
