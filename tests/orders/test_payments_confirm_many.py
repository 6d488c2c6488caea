"""批量确认到账 (orders.services.payments_confirm_many, salesops.core.batch): finance ticks payments on its work page or
sends their ids to the API; each is confirmed on its own — one confirmed or voided meanwhile is reported and changes
nothing, the others are confirmed; a payment finance does not see reads as unknown; nobody else may do it."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from orders import services
from orders.models import Payment
from salesops.core.errors import DomainError, Forbidden

from .conftest import fresh, record

pytestmark = pytest.mark.django_db
API = "/api/v1/payments/confirm-many/"


@pytest.fixture
def three(cast, order):
    """Three payments recorded on the order (11,300.00), waiting for finance; the second already confirmed."""
    first, second, third = (record(cast, order, "1000.00", f"BANK-M-{k}") for k in (1, 2, 3))
    services.payment_confirm(payment=second, actor=cast.finance)
    return first, second, third


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_each_payment_is_confirmed_on_its_own_and_what_could_not_be_is_reported(cast, three):
    first, second, third = three
    outcomes = services.payments_confirm_many(payment_ids=[first.pk, second.pk, str(third.pk), first.pk], actor=cast.finance)
    assert [(o.pk, o.done, o.title) for o in outcomes] == [
        (first.pk, True, first.number),
        (second.pk, False, second.number),
        (third.pk, True, third.number),
    ]
    assert outcomes[1].code == "conflict"
    assert {fresh(p).status for p in (first, third)} == {Payment.Status.CONFIRMED}
    assert fresh(first).confirmed_by == cast.finance


def test_an_unknown_payment_names_nothing_and_bad_batches_decide_nothing(cast, three):
    first = three[0]
    outcomes = services.payments_confirm_many(payment_ids=[first.pk, 99_999_999], actor=cast.finance)
    assert (outcomes[1].done, outcomes[1].detail, outcomes[1].title) == (False, "回款不存在或无权查看。", "")
    for bad, message in (
        ([], "请选择要确认到账的回款"),
        (["abc"], "回款编号必须是正整数"),
        (list(range(1, 102)), "一次最多批量确认 100 笔"),
    ):
        with pytest.raises(DomainError, match=message):
            services.payments_confirm_many(payment_ids=bad, actor=cast.finance)
    assert fresh(three[2]).status == Payment.Status.RECORDED


@pytest.mark.parametrize("who", ["clerk", "alice", "manager", "warehouse"])
def test_only_finance_confirms(cast, three, who, client_as, api_as):
    with pytest.raises(Forbidden):
        services.payments_confirm_many(payment_ids=[three[0].pk], actor=getattr(cast, who))
    page = client_as(getattr(cast, who)).post(reverse("orders:payments_confirm_many"), {"payment_ids": [three[0].pk]})
    assert page.status_code == 403
    assert api_as(getattr(cast, who)).post(API, {"payment_ids": [three[0].pk]}, format="json").status_code == 403
    assert fresh(three[0]).status == Payment.Status.RECORDED


def test_finances_work_page_ticks_and_confirms_them(cast, client_as, three):
    first, second, third = three
    client = client_as(cast.finance)
    queue = reverse("orders:finance_queue")
    html = client.get(queue).content.decode()
    assert 'data-testid="confirm-many-form"' in html
    assert f'name="payment_ids" value="{first.pk}" form="confirm-many-form"' in html
    assert f'name="payment_ids" value="{second.pk}"' not in html  # confirmed already: nothing to tick
    response = client.post(reverse("orders:payments_confirm_many"), {"payment_ids": [first.pk, third.pk], "next": queue})
    assert response.status_code == 302 and response.url == queue
    assert said(response) == ["已确认到账 2 笔回款。"]
    partly = client.post(reverse("orders:payments_confirm_many"), {"payment_ids": [first.pk]})
    assert partly.url == queue and said(partly)[-1].startswith(f"已确认到账 0 笔回款；1 项未处理：{first.number}："), said(partly)
    # a manager reads the queue but confirms nothing: no form, no boxes
    html = client_as(cast.manager).get(queue).content.decode()
    assert 'data-testid="confirm-many-form"' not in html and 'data-testid="confirm-select"' not in html


def test_the_api(cast, api_as, three):
    first, second, third = three
    api = api_as(cast.finance)
    body = api.post(API, {"payment_ids": [first.pk, second.pk, third.pk]}, format="json").json()
    assert body["confirmed"] == [first.pk, third.pk]
    assert [(f["payment_id"], f["code"]) for f in body["failed"]] == [(second.pk, "conflict")]
    for bad in ({"payment_ids": []}, {"payment_ids": ["x"]}, {}, {"payment_ids": list(range(1, 102))}):
        response = api.post(API, bad, format="json")
        assert response.status_code == 400, bad
    assert api.post(API, {"payment_ids": []}, format="json").json()["detail"].endswith("请选择要确认到账的回款。")
