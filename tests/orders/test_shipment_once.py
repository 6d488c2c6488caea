"""新建出货单 sent twice — the browser's resend, a reload of the answer to the POST, a retry after a network error — or an
API POST with the same Idempotency-Key made a second outbound note (the quantity check only capped them). Now a note is
made once per submission (salesops.core.once, ARCHITECTURE.md rule 1), as an order is (test_once_keys.py). And a note's
计划发货日期 is today or later: a date in the past is refused at the field, on the page and in the API."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import Shipment
from salesops.core.errors import Conflict, DomainError
from salesops.core.models import Event
from salesops.core.once import Replayed
from tests.core.conftest import run_in_threads

from .conftest import fresh, pass_inspection, place

pytestmark = pytest.mark.django_db

KEY = re.compile(r'name="once_key" value="([0-9a-f-]{36})"')
PAST_DATE = "计划发货日期不能早于今天。"


def key_in(html: str) -> str:
    return KEY.search(html).group(1)


def said(response) -> str:
    """The last message the page shows (the first answer's message may be still waiting: it was not followed)."""
    return [str(m) for m in response.context["messages"]][-1]


def replay_message(note: Shipment) -> str:
    return f"这张出货单已经提交过，已创建为出货单 {note.number}，没有重复制单。"


@pytest.fixture
def ready_order(cast, order):
    """The prepaid order of 10 pumps placed and all 10 inspected and signed: shippable."""
    place(order, cast.clerk)
    pass_inspection(order, cast, "10")
    return fresh(order)


def page_form(order, qty="4", key=None, planned_on=None):
    line = order.lines.get()
    body = {f"qty_{line.pk}": qty, f"lot_{line.pk}": "L001", "freight_payer": "us", "packages": "1"}
    if key:
        body["once_key"] = key
    if planned_on is not None:
        body["planned_on"] = planned_on.isoformat()
    return body


def api_body(order, qty="4", **header):
    return {"lines": {str(order.lines.get().pk): {"quantity": qty, "lot_no": "L001"}}, **header}


def api_post(api, order, body, key=None):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api.post(f"/api/v1/orders/{order.pk}/shipments/", body, format="json", **extra)


# --- the page: the same form twice makes one note; the second answer goes to it, saying so ----------------------------
class TestResentPage:
    def test_the_form_sent_twice_makes_one_note(self, cast, client_as, ready_order):
        # given the new-note page drawn once (its form carries a fresh submission key)
        clerk = client_as(cast.clerk)
        url = reverse("orders:shipment_create", args=[ready_order.pk])
        key = key_in(clerk.get(url).content.decode())
        # when its form (4 of the 10 pumps) is posted twice
        first = clerk.post(url, page_form(ready_order, key=key))
        again = clerk.post(url, page_form(ready_order, key=key), follow=True)
        # then there is one note and the second answer goes to it, saying it was not made twice
        note = Shipment.objects.get()
        detail = reverse("orders:shipment_detail", args=[note.pk])
        assert first.status_code == 302 and first.url == detail
        assert again.redirect_chain[-1][0] == detail
        assert said(again) == replay_message(note)
        assert note.once_key == uuid.UUID(key) and note.lines.get().quantity == 4
        # the form drawn again is another submission
        assert key_in(clerk.get(url).content.decode()) != key

    def test_a_form_without_a_key_still_makes_a_note_each_time(self, cast, client_as, ready_order):
        # given a post without the hidden key (an older page, a script): no guard, as before
        clerk = client_as(cast.clerk)
        url = reverse("orders:shipment_create", args=[ready_order.pk])
        # when it is posted twice, then two notes are made (within what may be shipped)
        assert clerk.post(url, page_form(ready_order)).status_code == 302
        assert clerk.post(url, page_form(ready_order)).status_code == 302
        assert Shipment.objects.filter(order=ready_order).count() == 2

    def test_a_form_that_failed_keeps_its_key_and_saves_once(self, cast, client_as, ready_order):
        # given the form refused once (too many), re-drawn with its key
        clerk = client_as(cast.clerk)
        url = reverse("orders:shipment_create", args=[ready_order.pk])
        key = key_in(clerk.get(url).content.decode())
        failed = clerk.post(url, page_form(ready_order, qty="11", key=key))
        assert failed.status_code == 400 and key_in(failed.content.decode()) == key
        # when the corrected form is sent twice, then one note
        clerk.post(url, page_form(ready_order, qty="10", key=key))
        clerk.post(url, page_form(ready_order, qty="10", key=key))
        assert Shipment.objects.get().lines.get().quantity == 10


# --- the API: the same Idempotency-Key twice is 201 then 200 with the same note ---------------------------------------
class TestApiReplays:
    def test_the_same_key_twice_answers_the_first_note(self, cast, api_as, ready_order):
        # given a note made with a key
        key, body = str(uuid.uuid4()), api_body(ready_order, carrier="顺丰")
        first = api_post(api_as(cast.clerk), ready_order, body, key)
        events = Event.objects.count()
        # when the same request is sent again
        again = api_post(api_as(cast.clerk), ready_order, body, key)
        # then it answers 200 with the first note, and nothing new is written
        assert (first.status_code, again.status_code) == (201, 200), (first.json(), again.json())
        assert first.json()["id"] == again.json()["id"] and first.json()["number"] == again.json()["number"]
        assert Shipment.objects.count() == 1 and Event.objects.count() == events

    def test_the_key_with_other_lines_is_refused_and_makes_nothing(self, cast, api_as, ready_order):
        key = str(uuid.uuid4())
        assert api_post(api_as(cast.clerk), ready_order, api_body(ready_order, "4"), key).status_code == 201
        # when the key comes with another quantity
        other = api_post(api_as(cast.clerk), ready_order, api_body(ready_order, "5"), key)
        # then 409, and no second note
        assert other.status_code == 409, other.json()
        assert other.json()["detail"] == "该提交编号已用于另一份不同的内容，请刷新页面后重新提交。"
        assert Shipment.objects.count() == 1 and Shipment.objects.get().lines.get().quantity == 4

    def test_no_key_makes_a_note_each_time(self, cast, api_as, ready_order):
        assert api_post(api_as(cast.clerk), ready_order, api_body(ready_order, "3")).status_code == 201
        assert api_post(api_as(cast.clerk), ready_order, api_body(ready_order, "3")).status_code == 201
        assert Shipment.objects.filter(order=ready_order).count() == 2

    def test_someone_elses_key_is_refused_and_a_malformed_one_too(self, cast, api_as, ready_order):
        key = str(uuid.uuid4())
        assert api_post(api_as(cast.clerk), ready_order, api_body(ready_order), key).status_code == 201
        # when the manager (who may also make notes) sends the clerk's key
        other = api_post(api_as(cast.manager), ready_order, api_body(ready_order), key)
        # then 400, never the clerk's note
        assert other.status_code == 400 and "提交编号已被使用" in other.json()["detail"], other.json()
        assert api_post(api_as(cast.clerk), ready_order, api_body(ready_order), "x").status_code == 400
        assert Shipment.objects.count() == 1


# --- the service: a replay raises Replayed with the first note; someone else's key is a 400 ----------------------------
def test_a_replayed_note_raises_replayed_and_writes_nothing(cast, ready_order):
    key, lines = uuid.uuid4(), {ready_order.lines.get().pk: "4"}
    first = services.shipment_create(order=ready_order, actor=cast.clerk, lines=lines, data={"once_key": key})
    events = Event.objects.count()
    with pytest.raises(Replayed) as replay:
        services.shipment_create(order=ready_order, actor=cast.clerk, lines=lines, data={"once_key": key})
    assert replay.value.obj == first and Shipment.objects.count() == 1 and Event.objects.count() == events
    with pytest.raises(DomainError, match="提交编号已被使用") as refused:
        services.shipment_create(order=ready_order, actor=cast.warehouse, lines=lines, data={"once_key": key})
    assert not isinstance(refused.value, Conflict) and Shipment.objects.count() == 1


# --- two submissions at once: one note, the other hears it was the same ------------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_note_sent_twice_at_once_is_made_once(on_postgres, cast, ready_order):
    # given one submission (4 of 10: without the key both would fit)
    data, lines = {"once_key": uuid.uuid4()}, {ready_order.lines.get().pk: "4"}
    # when it arrives twice at the same moment
    results = run_in_threads(2, lambda i: services.shipment_create(order=ready_order, actor=cast.clerk, lines=lines, data=data))
    # then one note is made and the other call is answered with it
    made = [r for r in results if isinstance(r, Shipment)]
    replayed = [r for r in results if isinstance(r, Replayed)]
    assert len(made) == 1 and len(replayed) == 1, results
    assert Shipment.objects.count() == 1 and replayed[0].obj.pk == made[0].pk


# --- 计划发货日期: today or later --------------------------------------------------------------------------------------
class TestPlannedDate:
    def test_the_page_refuses_yesterday_at_the_field_and_takes_today(self, cast, client_as, ready_order):
        clerk = client_as(cast.clerk)
        url = reverse("orders:shipment_create", args=[ready_order.pk])
        today = timezone.localdate()
        # when the clerk plans the note for yesterday, then it is refused under the date field, nothing made
        refused = clerk.post(url, page_form(ready_order, planned_on=today - timedelta(days=1)))
        assert refused.status_code == 400
        assert refused.context["form"].errors["planned_on"] == [PAST_DATE]
        assert not Shipment.objects.exists()
        # today is taken
        taken = clerk.post(url, page_form(ready_order, planned_on=today))
        assert taken.status_code == 302 and Shipment.objects.get().planned_on == today

    def test_the_api_refuses_yesterday_naming_the_field_and_takes_today(self, cast, api_as, ready_order):
        today = timezone.localdate()
        yesterday = (today - timedelta(days=1)).isoformat()
        refused = api_post(api_as(cast.clerk), ready_order, api_body(ready_order, planned_on=yesterday))
        assert refused.status_code == 400, refused.json()
        assert refused.json()["errors"] == {"planned_on": [PAST_DATE]} and refused.json()["detail"] == PAST_DATE
        assert not Shipment.objects.exists()
        taken = api_post(api_as(cast.clerk), ready_order, api_body(ready_order, planned_on=today.isoformat()))
        assert taken.status_code == 201 and taken.json()["planned_on"] == today.isoformat()

    def test_no_date_is_still_allowed(self, cast, ready_order):
        note = services.shipment_create(order=ready_order, actor=cast.clerk, lines={ready_order.lines.get().pk: "4"})
        assert note.planned_on is None
