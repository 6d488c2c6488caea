"""Defects QA found on the demo, each fixed in the after-sales rules/services so the pages and the API share the fix:
a repair sent back frees its quantity, a callback is recorded only from its due day (and a retry never queues it early),
a rep's home page lists their callbacks due, the statistics default the month on both sides, the returns search finds a
product, a request's reason has a limit, and the demo's delivery date agrees with its callbacks."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aftersales import permissions, rules
from aftersales.models import Callback, ReturnRequest
from aftersales.services import callbacks as cb_svc
from aftersales.services import returns as rma_svc
from aftersales.views import callback_panel
from salesops.core.errors import Conflict, DomainError, Forbidden
from salesops.core.exports import export_named, export_rows
from tests.aftersales.test_returns import decide, receive_all

pytestmark = pytest.mark.django_db


def request(order, actor, qty, kind="return", reason="外壳破裂"):
    return rma_svc.rma_create(
        actor=actor, order=order, kind=kind, reason=reason, lines=[{"order_line": order.lines.get().pk, "quantity": qty}]
    )


def received(cast, order, qty, kind):
    rma = decide(rma_svc.rma_submit(rma=request(order, cast.alice, qty, kind), actor=cast.alice), cast.vp)
    return receive_all(rma, cast.warehouse)


def make_due(cb: Callback, *, days_ago: int = 0, queue: bool = False) -> Callback:
    """The callback's day has come (`days_ago` days ago: it may be recorded from then on); `queue`: and the morning task
    put it in the queue (status open). Other tests' callbacks, delivered today, use it to be recorded."""
    day = timezone.localdate() - timedelta(days=days_ago)
    Callback.objects.filter(pk=cb.pk).update(due_on=day, queue_on=day)
    if queue:
        cb_svc.callbacks_queue_due()
    return Callback.objects.get(pk=cb.pk)


# --- 1. a repair sent back frees its quantity ----------------------------------------------------------------------------
class TestRepairSentBack:
    def test_the_repaired_goods_sent_back_may_be_asked_for_again(self, cast, delivered):
        """Given all 10 delivered pumps came in for repair and were sent back repaired, when the store asks to return
        them, then it may: the goods are with the customer again."""
        order, _shipment = delivered
        line = order.lines.get()
        rma = received(cast, order, "10", "repair")
        with pytest.raises(DomainError, match="其他申请已占用 10"):
            request(order, cast.alice, "1")  # received for repair, not yet back: still taken
        rma_svc.rma_repair_return(rma=rma, actor=cast.service, carrier="顺丰", tracking_no="SF123")
        assert rma_svc.requested_per_line([line.pk]).get(line.pk, D(0)) == D(0)
        again = request(order, cast.alice, "10", kind="repair", reason="再次报警")
        assert again.lines.get().quantity == D("10")

    def test_a_refunded_return_and_an_exchange_still_take_their_goods(self, cast, delivered):
        order, _shipment = delivered
        line = order.lines.get()
        rma_svc.rma_refund(rma=received(cast, order, "3", "return"), actor=cast.finance)
        rma_svc.rma_exchange(rma=received(cast, order, "2", "exchange"), actor=cast.clerk)
        rma_svc.rma_repair_return(rma=received(cast, order, "4", "repair"), actor=cast.service, carrier="顺丰", tracking_no="SF9")
        assert rma_svc.requested_per_line([line.pk])[line.pk] == D("5")
        with pytest.raises(DomainError, match="超过可退换修数量 5（已签收 10，其他申请已占用 5）"):
            request(order, cast.alice, "6")

    def test_the_api_agrees(self, cast, api_as, delivered):
        order, _shipment = delivered
        rma = received(cast, order, "10", "repair")
        rma_svc.rma_repair_return(rma=rma, actor=cast.service, carrier="顺丰", tracking_no="SF123")
        body = {
            "order": order.pk,
            "kind": "return",
            "reason": "客户退货",
            "lines": [{"order_line": order.lines.get().pk, "quantity": "4"}],
        }
        made = api_as(cast.alice).post("/api/v1/returns/", body, format="json")
        assert made.status_code == 201, made.content


# --- 2. a callback is recorded from its due day, and a retry never queues it early ---------------------------------------
class TestCallbackNotYetDue:
    def test_a_scheduled_callback_offers_no_record_before_its_day(self, cast, delivered):
        day30 = Callback.objects.get(order=delivered[0], offset_days=30)
        assert day30.status == Callback.Status.SCHEDULED and day30.due_on > timezone.localdate()
        assert "record" not in permissions.callback_allowed_actions(day30, cast.alice)
        assert permissions.callback_allowed_actions(day30, cast.service) == ["reassign", "cancel"]
        assert "record" in permissions.callback_allowed_actions(day30, cast.alice, today=day30.due_on)

    def test_the_service_refuses_with_the_day_and_a_retry_cannot_pull_it_forward(self, cast, delivered):
        day30 = Callback.objects.get(order=delivered[0], offset_days=30)
        tomorrow = timezone.localdate() + timedelta(days=1)
        message = f"{day30.due_on.isoformat()} 起才能记录"
        with pytest.raises(Conflict, match=message):
            cb_svc.callback_record(callback=day30, actor=cast.alice, channel="phone", reached=False, retry_on=tomorrow)
        with pytest.raises(Conflict, match=message):
            cb_svc.callback_record(
                callback=day30,
                actor=cast.service,
                channel="phone",
                reached=True,
                score_product=5,
                score_delivery=5,
                score_service=5,
            )
        with pytest.raises(Forbidden):  # not theirs at all: a 403, as on its due day
            cb_svc.callback_record(callback=day30, actor=cast.bob, channel="phone", reached=False, retry_on=tomorrow)
        day30.refresh_from_db()
        assert (day30.status, day30.queue_on, day30.attempts) == (Callback.Status.SCHEDULED, day30.due_on, 0)

    def test_from_its_due_day_it_is_recorded_and_retried(self, cast, delivered):
        day30 = make_due(Callback.objects.get(order=delivered[0], offset_days=30))
        tomorrow = timezone.localdate() + timedelta(days=1)
        assert "record" in permissions.callback_allowed_actions(day30, cast.alice)
        later = cb_svc.callback_record(callback=day30, actor=cast.alice, channel="phone", reached=False, retry_on=tomorrow)
        assert (later.status, later.queue_on) == (Callback.Status.SCHEDULED, tomorrow)
        assert "record" in permissions.callback_allowed_actions(later, cast.alice)  # its day came: the customer may call

    def test_one_pulled_forward_before_the_fix_is_not_queued_before_its_day(self, cast, delivered):
        """Given the QA demo's day-30 callback whose retry moved it to tomorrow, 22 days early, the morning task leaves it
        scheduled until its due day."""
        day30 = Callback.objects.get(order=delivered[0], offset_days=30)
        Callback.objects.filter(pk=day30.pk).update(queue_on=timezone.localdate())
        assert cb_svc.callbacks_queue_due() == 0
        assert Callback.objects.get(pk=day30.pk).status == Callback.Status.SCHEDULED
        cb_svc.callbacks_queue_due(today=day30.due_on)
        assert Callback.objects.get(pk=day30.pk).status == Callback.Status.OPEN

    def test_the_requeue_day_is_never_before_the_due_day(self):
        due = timezone.localdate()
        assert rules.callback_requeue_day(due_on=due, retry_on=due - timedelta(days=22)) == due
        assert rules.callback_requeue_day(due_on=due, retry_on=due + timedelta(days=2)) == due + timedelta(days=2)

    def test_api_and_page_offer_the_same_and_refuse_the_same(self, cast, api_as, client_as, delivered):
        day30 = Callback.objects.get(order=delivered[0], offset_days=30)
        for user in (cast.alice, cast.service):
            detail = api_as(user).get(f"/api/v1/callbacks/{day30.pk}/").json()
            page = client_as(user).get(reverse("aftersales:callback_detail", args=[day30.pk]))
            assert detail["allowed_actions"] == page.context["actions"], user.username
            assert "record" not in detail["allowed_actions"]
            assert 'data-testid="action-record"' not in page.content.decode()
        hint = client_as(cast.alice).get(reverse("aftersales:callback_detail", args=[day30.pk])).content.decode()
        assert 'data-testid="record-not-yet"' in hint and day30.due_on.isoformat() in hint
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        refused = api_as(cast.alice).post(
            f"/api/v1/callbacks/{day30.pk}/record/", {"channel": "phone", "reached": False, "retry_on": tomorrow}, format="json"
        )
        assert refused.status_code == 409 and day30.due_on.isoformat() in refused.json()["detail"]
        posted = client_as(cast.alice).post(
            reverse("aftersales:callback_action", args=[day30.pk, "record"]),
            {"channel": "phone", "reached": "0", "retry_on": tomorrow},
        )
        assert posted.status_code == 409 and f"{day30.due_on.isoformat()} 起才能记录" in posted.content.decode()
        assert Callback.objects.get(pk=day30.pk).queue_on == day30.due_on


# --- 3. the home page lists one's own callbacks due ------------------------------------------------------------------------
class TestHomeCallbacks:
    def test_a_rep_sees_their_due_callbacks_on_the_home_page(self, cast, client_as, delivered):
        day30 = make_due(Callback.objects.get(order=delivered[0], offset_days=30), days_ago=2, queue=True)
        html = client_as(cast.alice).get(reverse("dashboard")).content.decode()
        assert 'data-testid="my-callbacks"' in html
        assert reverse("aftersales:callback_detail", args=[day30.pk]) in html
        assert 'data-testid="my-callbacks-count">1<' in html and "已逾期" in html
        link = f"{reverse('aftersales:callback_list')}?status=open&amp;assignee={cast.alice.pk}"
        assert link in html
        listed = client_as(cast.alice).get(link.replace("&amp;", "&"))
        assert listed.status_code == 200 and [cb.pk for cb in listed.context["page"]] == [day30.pk]

    def test_nobody_without_due_callbacks_gets_the_card(self, cast, client_as, delivered):
        # the day-30 callback is alice's but not due yet; the day-7 one is the service team's
        make_due(Callback.objects.get(order=delivered[0], offset_days=7), queue=True)
        for user in (cast.alice, cast.bob, cast.service):
            assert 'data-testid="my-callbacks"' not in client_as(user).get(reverse("dashboard")).content.decode(), user

    def test_first_rows_and_exact_count_in_one_query(self, cast, delivered):
        order = delivered[0]
        day7 = Callback.objects.get(order=order, offset_days=7)
        Callback.objects.filter(pk=day7.pk).update(assignee=cast.alice)
        make_due(day7, queue=True)
        make_due(Callback.objects.get(order=order, offset_days=30), queue=True)
        with CaptureQueriesContext(connection) as queries:
            rows, count = callback_panel.due_callbacks_head(cast.alice, size=1)
        assert len(rows) == 1 and count == 2
        assert len(queries.captured_queries) == 1


# --- 4. the statistics: a missing month is this month, on the page and in the API ----------------------------------------
def test_stats_default_the_month_on_page_and_api(cast, client_as, api_as):
    today = timezone.localdate()
    for query in ({"year": today.year}, {"year": today.year, "month": ""}, {}):
        page = client_as(cast.manager).get(reverse("aftersales:stats"), query)
        assert page.status_code == 200, query
        assert int(page.context["form"].cleaned_data["month"]) == today.month
        api = api_as(cast.manager).get("/api/v1/service-stats/", query)
        assert api.status_code == 200, query
    bad = {"year": today.year, "month": 13}
    assert client_as(cast.manager).get(reverse("aftersales:stats"), bad).status_code == 400
    assert api_as(cast.manager).get("/api/v1/service-stats/", bad).status_code == 400


# --- 5. the returns search finds a product -------------------------------------------------------------------------------
def test_returns_search_finds_the_lines_product_once(cast, client_as, api_as, delivered):
    """Given two requests on the order of 增压泵 (BP-100), when the list is searched by the product's name or code, then
    both are found, each once — on the page, in the API and in the export."""
    order, _shipment = delivered
    first, second = request(order, cast.alice, "1"), request(order, cast.alice, "2", reason="增压泵 异响")
    for q in ("增压泵", "bp-100", "增压 BP"):
        page = client_as(cast.service).get(reverse("aftersales:rma_list"), {"q": q})
        assert sorted(r.pk for r in page.context["page"]) == sorted([first.pk, second.pk]), q
        api = api_as(cast.service).get("/api/v1/returns/", {"q": q}).json()
        assert api["count"] == 2 and sorted(r["id"] for r in api["results"]) == sorted([first.pk, second.pk]), q
        exported = export_rows(export_named("returns"), actor=cast.service, params={"q": q})
        assert sorted(r.pk for r in exported) == sorted([first.pk, second.pk]), q
    assert client_as(cast.service).get(reverse("aftersales:rma_list"), {"q": "变频器"}).context["page"].paginator.count == 0


# --- 6. a request's reason has a limit -------------------------------------------------------------------------------------
def test_a_reason_longer_than_the_limit_is_refused_naming_the_field(cast, delivered):
    order, _shipment = delivered
    with pytest.raises(DomainError, match="退换修原因不能超过 1000 个字（现有 5000 个）"):
        request(order, cast.alice, "1", reason="破" * 5000)
    assert ReturnRequest.objects.count() == 0
    assert request(order, cast.alice, "1", reason="破" * 1000).reason == "破" * 1000


# --- 7. the demo's delivery date agrees with its callbacks -----------------------------------------------------------------
def test_the_demo_callbacks_are_due_their_offset_after_the_delivery():
    call_command("seed_demo")
    today = timezone.localdate()
    callbacks = list(Callback.objects.select_related("shipment").filter(order__project_name="门店补货"))
    assert {cb.offset_days for cb in callbacks} == {7, 30}
    for cb in callbacks:
        assert cb.shipment.delivered_on == today - timedelta(days=7)
        assert cb.due_on == cb.shipment.delivered_on + timedelta(days=cb.offset_days)
        assert timezone.localtime(cb.shipment.shipped_at).date() <= cb.shipment.delivered_on
