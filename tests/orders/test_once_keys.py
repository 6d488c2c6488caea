"""A resent 新建订单 (a direct order, or an order from a signed contract) — the browser's resend, a reload of the answer to
the POST, a retry after a network error — or an API POST with the same Idempotency-Key made a second order. Now each
create is one order per submission (salesops.core.once, ARCHITECTURE.md rule 1). A payment (登记回款) needed nothing:
its bank reference is unique among live payments, so a resent one is refused already (services.payment_record)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import SalesOrder
from salesops.core.errors import Conflict, DomainError
from salesops.core.models import Event
from salesops.core.once import Replayed
from tests.core.conftest import run_in_threads

pytestmark = pytest.mark.django_db

KEY = re.compile(r'name="once_key" value="([0-9a-f-]{36})"')


def key_in(html: str) -> str:
    return KEY.search(html).group(1)


def said(response) -> str:
    """The last message the page shows (the first answer's message may be still waiting: it was not followed)."""
    return [str(m) for m in response.context["messages"]][-1]


def direct_form(customer, pump, key):
    return {
        "customer": customer.pk,
        "promised_ship_date": (timezone.localdate() + timedelta(days=15)).isoformat(),
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": pump.pk,
        "lines-0-quantity": "3",
        "once_key": key,
    }


# --- the pages: the same form twice makes one order; the second answer goes to it, saying so ------------------------
class TestResentPages:
    def test_a_direct_order(self, cast, client_as, customer, pump):
        # given the new-order page drawn once
        clerk = client_as(cast.clerk)
        url = reverse("orders:order_create")
        key = key_in(clerk.get(url, {"customer": customer.pk}).content.decode())
        # when its form is posted twice
        first = clerk.post(url, direct_form(customer, pump, key))
        again = clerk.post(url, direct_form(customer, pump, key), follow=True)
        # then there is one order and the second answer goes to it, saying so
        order = SalesOrder.objects.get()
        detail = reverse("orders:order_detail", args=[order.pk])
        assert first.status_code == 302 and first.url == detail
        assert again.redirect_chain[-1][0] == detail
        assert said(again) == f"这份订单已经提交过，已创建为订单 {order.number}，没有重复下单。"
        assert order.once_key == uuid.UUID(key) and order.lines.count() == 1
        # the form drawn again is another submission
        assert key_in(clerk.get(url).content.decode()) != key

    def test_an_order_from_a_contract(self, cast, client_as, signed_contract):
        clerk = client_as(cast.clerk)
        url = reverse("orders:order_create_from_contract", args=[signed_contract.pk])
        key = key_in(clerk.get(url).content.decode())
        line = signed_contract.lines.get()
        # all 10 ordered: the resend is no "合同的数量已全部下单" but the order it made
        first = clerk.post(url, {f"line_{line.pk}": "10", "once_key": key})
        again = clerk.post(url, {f"line_{line.pk}": "10", "once_key": key}, follow=True)
        order = SalesOrder.objects.get()
        assert first.status_code == 302 and again.redirect_chain[-1][0] == reverse("orders:order_detail", args=[order.pk])
        assert said(again) == f"这份订单已经提交过，已创建为订单 {order.number}，没有重复下单。"
        assert order.contract == signed_contract and order.once_key == uuid.UUID(key)

    def test_a_form_that_failed_keeps_its_key_and_saves_once(self, cast, client_as, signed_contract):
        clerk = client_as(cast.clerk)
        url = reverse("orders:order_create_from_contract", args=[signed_contract.pk])
        key = key_in(clerk.get(url).content.decode())
        line = signed_contract.lines.get()
        failed = clerk.post(url, {f"line_{line.pk}": "11", "once_key": key})
        assert failed.status_code == 400 and key_in(failed.content.decode()) == key
        clerk.post(url, {f"line_{line.pk}": "4", "once_key": key})
        clerk.post(url, {f"line_{line.pk}": "4", "once_key": key})
        assert SalesOrder.objects.get().lines.get().quantity == 4


# --- the API: the same Idempotency-Key twice is 201 then 200 with the same order; someone else's key is refused -------
def post(api, url, body, key=None):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api.post(url, body, format="json", **extra)


def check_replay(first, again, other):
    assert (first.status_code, again.status_code) == (201, 200), (first.json(), again.json())
    assert first.json()["id"] == again.json()["id"] and first.json()["number"] == again.json()["number"]
    assert other.status_code == 400 and "提交编号已被使用" in other.json()["detail"], other.json()


class TestApiReplays:
    def test_direct_orders(self, cast, api_as, customer, pump):
        key, url = str(uuid.uuid4()), "/api/v1/orders/"
        body = {"customer": customer.pk, "lines": [{"product": pump.pk, "quantity": "2"}]}
        first, again = post(api_as(cast.clerk), url, body, key), post(api_as(cast.clerk), url, body, key)
        other = post(api_as(cast.manager), url, body, key)
        check_replay(first, again, other)
        assert SalesOrder.objects.count() == 1
        # no key: every POST is a new order, as before; a key that is no UUID is refused
        assert post(api_as(cast.clerk), url, body).status_code == 201
        assert post(api_as(cast.clerk), url, body, "x").status_code == 400 and SalesOrder.objects.count() == 2

    def test_orders_from_a_contract(self, cast, api_as, signed_contract):
        key, url = str(uuid.uuid4()), "/api/v1/orders/from-contract/"
        body = {"contract": signed_contract.pk, "data": {"customer_po": "PO-1"}}
        first, again = post(api_as(cast.clerk), url, body, key), post(api_as(cast.clerk), url, body, key)
        other = post(api_as(cast.manager), url, body, key)
        check_replay(first, again, other)
        assert SalesOrder.objects.count() == 1 and SalesOrder.objects.get().created_by == cast.clerk


# --- the services: a replay raises Replayed with the first order and writes nothing (no second event either) ---------
def test_a_replayed_order_writes_no_second_event(cast, customer, pump):
    key, rows = uuid.uuid4(), [{"product": pump.pk, "quantity": "1"}]
    first = services.order_create(actor=cast.clerk, customer=customer, data={"once_key": key}, lines=rows)
    events = Event.objects.count()
    with pytest.raises(Replayed) as replay:
        services.order_create(actor=cast.clerk, customer=customer, data={"once_key": key}, lines=rows)
    assert replay.value.obj == first and SalesOrder.objects.count() == 1 and Event.objects.count() == events


def test_someone_elses_key_never_reaches_their_order(cast, signed_contract):
    key = uuid.uuid4()
    services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={"once_key": key})
    with pytest.raises(DomainError, match="提交编号已被使用") as refused:
        services.order_create_from_contract(contract=signed_contract, actor=cast.manager, data={"once_key": key})
    assert not isinstance(refused.value, Conflict) and SalesOrder.objects.count() == 1


# --- two submissions at once: one order, the others hear it was the same ------------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_order_from_a_contract_at_once_orders_once(on_postgres, cast, signed_contract):
    data = {"once_key": uuid.uuid4()}
    results = run_in_threads(
        4, lambda i: services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data=data)
    )
    made = [r for r in results if isinstance(r, SalesOrder)]
    replayed = [r for r in results if isinstance(r, Replayed)]
    assert len(made) == 1 and len(replayed) == 3, results
    assert SalesOrder.objects.count() == 1 and {r.obj.pk for r in replayed} == {made[0].pk}


# --- the same key with another request: refused (409), nothing ordered — never the first order for a second request ----
def test_a_key_with_another_body_is_refused(cast, api_as, customer, pump):
    # given a direct order made with a key, and the same request sent again
    key, url = str(uuid.uuid4()), "/api/v1/orders/"
    body = {"customer": customer.pk, "lines": [{"product": pump.pk, "quantity": "2"}]}
    first, again = post(api_as(cast.clerk), url, body, key), post(api_as(cast.clerk), url, body, key)
    assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == again.json()["id"]
    # when the key comes with other lines
    other = post(api_as(cast.clerk), url, {**body, "lines": [{"product": pump.pk, "quantity": "5"}]}, key)
    # then it is refused and no second order is made
    assert other.status_code == 409 and other.json()["detail"] == "该提交编号已用于另一份不同的内容，请刷新页面后重新提交。"
    assert SalesOrder.objects.count() == 1 and SalesOrder.objects.get().lines.get().quantity == 2


def test_a_key_with_other_quantities_from_a_contract_is_refused(cast, signed_contract):
    key, line = uuid.uuid4(), signed_contract.lines.first()
    services.order_create_from_contract(contract=signed_contract, actor=cast.clerk, data={"once_key": key}, lines={line.pk: "4"})
    with pytest.raises(Replayed):  # the same again
        services.order_create_from_contract(
            contract=signed_contract, actor=cast.clerk, data={"once_key": key}, lines={line.pk: "4"}
        )
    with pytest.raises(Conflict, match="该提交编号已用于另一份不同的内容") as refused:
        services.order_create_from_contract(
            contract=signed_contract, actor=cast.clerk, data={"once_key": key}, lines={line.pk: "5"}
        )
    assert not isinstance(refused.value, Replayed) and SalesOrder.objects.count() == 1
