"""An order taken from a contract that changed since (合同已变更): verifying it again, or the clerk's 已核对合同变更, records
the contract's current version so the warning clears (page and API's `contract_changed`); and a direct order in a
currency other than CNY takes its exchange rate (required, above 0) on the page and in the API."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.urls import reverse

from contracts import services as contract_services
from orders import permissions, services
from orders.models import SalesOrder
from salesops.core.errors import Conflict, DomainError, Forbidden
from salesops.core.models import Event
from tests.contracts.conftest import decide
from tests.orders.conftest import fresh, verify

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


def change_contract(contract, cast, price="1100"):
    """An approved change request (a new price): the contract becomes its next version."""
    line_id = contract.lines.get().pk
    contract_services.contract_change_request(
        contract=contract, actor=cast.alice, reason="让价", header={}, lines={line_id: {"unit_price": price}}
    )
    for who in (cast.rev_finance, cast.manager):
        decide(contract, contract_services.CHANGE_KIND, who)
    return fresh(contract)


# --- 5. the contract-changed warning clears once the clerk has checked ----------------------------------------------------
class TestContractChanged:
    def test_the_clerk_acknowledges_the_new_version(self, cast, signed_contract):
        order = services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={})
        with pytest.raises(Conflict, match="没有新的版本"):
            services.order_acknowledge_contract(order=order, actor=cast.clerk)
        assert "acknowledge_contract" not in permissions.order_allowed_actions(order, cast.clerk)
        change_contract(signed_contract, cast)
        order = fresh(order)
        assert order.contract_changed_since
        assert "acknowledge_contract" in permissions.order_allowed_actions(order, cast.clerk)
        assert "acknowledge_contract" not in permissions.order_allowed_actions(order, cast.alice)
        with pytest.raises(Forbidden):
            services.order_acknowledge_contract(order=order, actor=cast.alice)
        order = services.order_acknowledge_contract(order=order, actor=cast.clerk)
        assert order.contract_version == 2 and not fresh(order).contract_changed_since
        assert Event.objects.filter(msgid__contains="已核对合同变更", params__new=2).exists()

    def test_verifying_the_order_records_the_current_version(self, cast, signed_contract):
        order = services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={})
        change_contract(signed_contract, cast)
        assert fresh(order).contract_changed_since
        order = verify(fresh(order), cast.clerk)
        assert order.status == SalesOrder.Status.VERIFIED and order.contract_version == 2
        assert not fresh(order).contract_changed_since
        # and a re-verification after a change does the same for the next version
        change_contract(signed_contract, cast, price="1090")
        line = order.lines.get()
        order = services.order_update(
            order=order, actor=cast.clerk, data={}, lines={line.pk: {"unit_price": "1090"}}, reason="按合同 v3 调价"
        )
        assert order.contract_version == 2 and fresh(order).contract_changed_since
        order = verify(order, cast.clerk)
        assert order.contract_version == 3 and not fresh(order).contract_changed_since

    def test_api_flag_and_action(self, cast, api_as, signed_contract):
        order = services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={})
        body = api_as(cast.clerk).get(f"{ORDERS}{order.pk}/").json()
        assert (body["contract_changed"], body["contract_version"]) == (False, 1)
        change_contract(signed_contract, cast)
        body = api_as(cast.clerk).get(f"{ORDERS}{order.pk}/").json()
        assert body["contract_changed"] is True and "acknowledge_contract" in body["allowed_actions"]
        url = f"{ORDERS}{order.pk}/acknowledge-contract/"
        assert api_as(cast.alice).post(url).status_code == 403
        body = api_as(cast.clerk).post(url).json()
        assert (body["contract_changed"], body["contract_version"]) == (False, 2)
        assert "acknowledge_contract" not in body["allowed_actions"]
        assert api_as(cast.clerk).post(url).status_code == 409

    def test_page_warning_clears_after_the_button(self, cast, client_as, signed_contract):
        order = services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={})
        change_contract(signed_contract, cast)
        clerk = client_as(cast.clerk)
        page = clerk.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
        assert "合同已变更（下单时为 v1）" in page and 'data-testid="action-acknowledge_contract"' in page
        response = clerk.post(reverse("orders:order_action", args=[order.pk, "acknowledge_contract"]))
        assert response.status_code == 302
        page = clerk.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
        assert "合同已变更" not in page and 'data-testid="action-acknowledge_contract"' not in page


# --- 6. a direct order in a foreign currency takes its exchange rate --------------------------------------------------------
@pytest.fixture
def usd_customer(customer):
    customer.currency = "USD"
    customer.save()
    return customer


class TestExchangeRate:
    def test_required_and_above_zero_for_a_foreign_currency(self, cast, usd_customer, pump):
        lines = [{"product": pump.pk, "quantity": "1"}]
        with pytest.raises(DomainError, match="USD.*请填写汇率"):
            services.order_create(actor=cast.clerk, customer=usd_customer, data={}, lines=lines)
        for bad in ("0", "-1"):
            with pytest.raises(DomainError, match="汇率"):
                services.order_create(actor=cast.clerk, customer=usd_customer, data={"exchange_rate": bad}, lines=lines)
        assert not SalesOrder.objects.exists()
        order = services.order_create(actor=cast.clerk, customer=usd_customer, data={"exchange_rate": "7.1234"}, lines=lines)
        assert (order.currency, fresh(order).exchange_rate) == ("USD", D("7.1234"))

    def test_a_cny_order_keeps_rate_one(self, cast, customer, pump):
        lines = [{"product": pump.pk, "quantity": "1"}]
        with pytest.raises(DomainError, match="人民币单据的汇率应为 1"):
            services.order_create(actor=cast.clerk, customer=customer, data={"exchange_rate": "7"}, lines=lines)
        order = services.order_create(actor=cast.clerk, customer=customer, data={}, lines=lines)
        assert fresh(order).exchange_rate == D("1")

    def test_the_rate_of_a_direct_order_may_be_corrected_until_goods_leave(self, cast, usd_customer, pump):
        order = services.order_create(
            actor=cast.clerk, customer=usd_customer, data={"exchange_rate": "7"}, lines=[{"product": pump.pk, "quantity": "1"}]
        )
        order = services.order_update(order=order, actor=cast.clerk, data={"exchange_rate": "7.2"})
        assert fresh(order).exchange_rate == D("7.2000")
        with pytest.raises(DomainError, match="汇率必须大于 0"):
            services.order_update(order=order, actor=cast.clerk, data={"exchange_rate": "0"})
        assert fresh(order).exchange_rate == D("7.2000")

    def test_an_order_from_a_contract_keeps_the_contracts_rate(self, cast, signed_contract):
        from_contract = services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={})
        with pytest.raises(DomainError, match="合同"):
            services.order_update(order=from_contract, actor=cast.clerk, data={"exchange_rate": "2"})
        assert fresh(from_contract).exchange_rate == D("1")

    def test_api_create_and_update(self, cast, api_as, usd_customer, pump):
        api = api_as(cast.clerk)
        payload = {"customer": usd_customer.pk, "lines": [{"product": pump.pk, "quantity": "2"}]}
        response = api.post(ORDERS, payload, format="json")
        assert response.status_code == 400 and "汇率" in response.json()["detail"]
        response = api.post(ORDERS, {**payload, "exchange_rate": "0"}, format="json")
        assert response.status_code == 400
        assert not SalesOrder.objects.exists()
        body = api.post(ORDERS, {**payload, "exchange_rate": "7.1"}, format="json").json()
        assert (body["currency"], body["exchange_rate"]) == ("USD", "7.1000")
        body = api.patch(f"{ORDERS}{body['id']}/", {"exchange_rate": "7.25"}, format="json").json()
        assert body["exchange_rate"] == "7.2500"

    def test_page_create_with_the_rate(self, cast, client_as, usd_customer, pump):
        clerk = client_as(cast.clerk)
        page = clerk.get(reverse("orders:order_create"), {"customer": usd_customer.pk}).content.decode()
        assert 'name="exchange_rate"' in page
        data = {
            "customer": usd_customer.pk,
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-product": pump.pk,
            "lines-0-quantity": "3",
        }
        response = clerk.post(reverse("orders:order_create"), data)
        assert response.status_code == 400 and "请填写汇率" in response.content.decode()
        response = clerk.post(reverse("orders:order_create"), {**data, "exchange_rate": "7.1"})
        order = SalesOrder.objects.get()
        assert response.status_code == 302 and order.exchange_rate == D("7.1000")
        # the edit page offers the rate of a direct foreign-currency order
        edit = clerk.get(reverse("orders:order_edit", args=[order.pk])).content.decode()
        assert 'name="exchange_rate"' in edit

    def test_contract_order_forms_do_not_offer_a_rate(self, cast, client_as, signed_contract):
        clerk = client_as(cast.clerk)
        url = reverse("orders:order_create_from_contract", args=[signed_contract.pk])
        assert 'name="exchange_rate"' not in clerk.get(url).content.decode()
        order = services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={})
        assert 'name="exchange_rate"' not in clerk.get(reverse("orders:order_edit", args=[order.pk])).content.decode()


def test_the_order_from_contract_page_warns_of_a_change_in_review(cast, client_as, signed_contract):
    url = reverse("orders:order_create_from_contract", args=[signed_contract.pk])
    clerk = client_as(cast.clerk)
    assert 'data-testid="pending-contract-change"' not in clerk.get(url).content.decode()
    # given alice asks to change the contract's price (in review, not yet in force)
    line_id = signed_contract.lines.get().pk
    contract_services.contract_change_request(
        contract=signed_contract, actor=cast.alice, reason="让价", header={}, lines={line_id: {"unit_price": "1100"}}
    )
    # then the clerk ordering from it is told, with who asked and why, that the order takes the current version
    page = clerk.get(url).content.decode()
    assert 'data-testid="pending-contract-change"' in page
    assert "合同有一份变更申请正在评审（alice：让价）" in page and "本次按合同当前版本 v1 下单" in page
