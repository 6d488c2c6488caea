"""市场信息: what an entry must say, who reads it (a customer's need only who may see the customer), the important one
sent to every reader, the author correcting it with history, the withdrawal (the author or a manager, with a reason; two
at once: one), the 未读 marks — in services, on the pages and through the API, role by role."""

from __future__ import annotations

import pytest

from market import permissions, selectors
from market import services as svc
from market.models import MarketInfo
from salesops.core.errors import Conflict, DomainError, Forbidden
from salesops.core.models import Event, Notification, OutboxMessage
from tests.factories import CustomerFactory, ProductFactory

pytestmark = pytest.mark.django_db

NEWS = {"kind": "industry", "source": "web", "title": "行业协会发布新标准", "content": "明年起执行新的能效标准。"}


def report(actor, **data):
    return svc.info_report(actor=actor, data={**NEWS, **data})


# --- what an entry must say ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "data, message",
    [
        ({"kind": "gossip"}, "请选择信息类别"),
        ({"source": ""}, "请选择信息来源"),
        ({"title": "  "}, "请填写标题"),
        ({"content": ""}, "请填写信息内容"),
        ({"kind": "competitor", "competitor": " "}, "竞争对手信息请填写竞争对手名称"),
        ({"customer": "abc"}, "“abc”不是有效的编号"),
    ],
)
def test_a_wrong_entry_is_refused_with_its_reason_and_nothing_is_saved(cast, data, message):
    with pytest.raises(DomainError, match=message):
        report(cast.alice, **data)
    assert MarketInfo.objects.count() == 0


def test_a_customer_the_reporter_may_not_see_or_a_stopped_product_is_refused(cast):
    carols = CustomerFactory(owner=cast.carol, team=cast.south)
    with pytest.raises(DomainError, match="不是您可以选择的客户"):
        report(cast.alice, kind="demand", customer=carols.pk)
    with pytest.raises(DomainError, match="产品不存在或已停用"):
        report(cast.alice, product=ProductFactory(is_active=False).pk)
    assert MarketInfo.objects.count() == 0


def test_a_report_is_published_numbered_read_by_its_author_and_in_its_history(cast):
    info = report(cast.alice, kind="competitor", competitor="友商机电", region="华东", product=ProductFactory().pk)
    assert info.number.startswith("SCXX-") and info.status == MarketInfo.Status.PUBLISHED
    assert (info.reported_by, info.team) == (cast.alice, cast.east)
    assert selectors.infos_for(cast.alice).get(pk=info.pk).is_read
    assert not selectors.infos_for(cast.bob).get(pk=info.pk).is_read
    assert Event.objects.filter(target_id=info.pk, verb=Event.Verb.CREATED).count() == 1
    assert Notification.objects.count() == 0  # not important: nobody is sent it


# --- who reads what --------------------------------------------------------------------------------------------------------
READERS = ("alice", "bob", "carol", "lena", "clerk", "manager", "vp", "gm", "service", "admin")
NOT_READERS = ("finance", "warehouse", "qc", "rev_technical")


def test_the_sales_side_and_after_sales_read_market_information_and_nobody_else(cast):
    info = report(cast.alice)
    for name in READERS:
        assert permissions.reads_market(getattr(cast, name)), name
        assert selectors.infos_for(getattr(cast, name)).filter(pk=info.pk).exists(), name
    for name in NOT_READERS:
        assert not permissions.reads_market(getattr(cast, name)), name
        assert not selectors.infos_for(getattr(cast, name)).exists(), name
        with pytest.raises(Forbidden):
            report(getattr(cast, name))


def test_a_customers_need_is_read_only_by_who_may_see_the_customer(cast, client_as, api_as):
    alices = CustomerFactory(owner=cast.alice, team=cast.east)
    info = report(cast.alice, kind="demand", customer=alices.pk, important=True)
    readers = {u.username for u in selectors.readers_of(info)}
    assert readers == {"lena", "clerk", "manager", "vp", "gm", "service", "admin"}  # not bob, not carol, not alice herself
    for name in ("bob", "carol"):
        user = getattr(cast, name)
        assert client_as(user).get(info.get_absolute_url()).status_code == 404, name
        assert api_as(user).get(f"/api/v1/market-info/{info.pk}/").status_code == 404, name
        assert not client_as(user).get("/market/").context["page"].object_list, name
    assert {n.recipient.username for n in Notification.objects.all()} == readers
    assert OutboxMessage.objects.filter(channel="email").count() == len([u for u in selectors.readers_of(info) if u.email])


def test_an_important_entry_is_sent_to_every_reader_once_and_marking_it_important_later_sends_it(cast):
    info = report(cast.clerk)
    assert Notification.objects.count() == 0
    svc.info_update(info=info, actor=cast.clerk, data={"important": True})
    told = {n.recipient.username for n in Notification.objects.all()}
    assert told == set(READERS) - {"clerk"}
    svc.info_update(info=info, actor=cast.clerk, data={"title": "新标准（更正）"})
    assert Notification.objects.count() == len(told)  # still important: not sent again


# --- correcting and withdrawing -------------------------------------------------------------------------------------------
def test_the_author_corrects_an_entry_and_the_change_is_in_its_history(cast, client_as):
    info = report(cast.alice)
    svc.info_update(info=info, actor=cast.alice, data={"title": "行业协会发布能效新标准", "region": "全国"})
    info.refresh_from_db()
    assert (info.title, info.region, info.content) == ("行业协会发布能效新标准", "全国", NEWS["content"])
    changed = Event.objects.get(target_id=info.pk, verb=Event.Verb.UPDATED).changes
    assert {c["field"]: (c["old"], c["new"]) for c in changed}["title"] == ("行业协会发布新标准", "行业协会发布能效新标准")
    page = client_as(cast.alice).get(info.get_absolute_url()).content.decode()
    assert "行业协会发布能效新标准" in page and 'data-testid="timeline"' in page
    with pytest.raises(Forbidden):
        svc.info_update(info=info, actor=cast.manager, data={"title": "x"})
    with pytest.raises(DomainError, match="请填写标题"):
        svc.info_update(info=info, actor=cast.alice, data={"title": ""})
    info.refresh_from_db()
    assert info.title == "行业协会发布能效新标准"


@pytest.mark.parametrize(
    "who, allowed",
    [("alice", ["edit", "withdraw"]), ("bob", []), ("lena", []), ("clerk", []), ("service", [])]
    + [(name, ["withdraw"]) for name in ("manager", "vp", "gm", "admin")],
)
def test_who_may_correct_or_withdraw(cast, who, allowed):
    info = report(cast.alice)
    assert permissions.info_allowed_actions(info, getattr(cast, who)) == allowed


def test_a_withdrawal_needs_a_reason_hides_the_entry_and_tells_its_author(cast):
    info = report(cast.alice)
    with pytest.raises(DomainError, match="请填写撤回原因"):
        svc.info_withdraw(info=info, actor=cast.manager, reason=" ")
    with pytest.raises(Forbidden):
        svc.info_withdraw(info=info, actor=cast.bob, reason="不实")
    done = svc.info_withdraw(info=info, actor=cast.manager, reason="消息不实")
    assert (done.status, done.withdraw_reason) == (MarketInfo.Status.WITHDRAWN, "消息不实")
    assert Notification.objects.get().recipient == cast.alice
    assert not selectors.infos_for(cast.bob).filter(pk=info.pk).exists()
    assert (
        selectors.infos_for(cast.alice).filter(pk=info.pk).exists() and selectors.infos_for(cast.gm).filter(pk=info.pk).exists()
    )
    with pytest.raises(Conflict):
        svc.info_withdraw(info=done, actor=cast.alice, reason="again")
    with pytest.raises(Conflict):
        svc.info_update(info=done, actor=cast.alice, data={"title": "x"})


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_withdrawals_at_once_make_one(on_postgres, cast):
    from tests.core.conftest import run_in_threads

    info = report(cast.alice)
    actors = [cast.alice, cast.manager, cast.gm]
    results = run_in_threads(3, lambda i: svc.info_withdraw(info=info, actor=actors[i], reason=f"撤回{i}"))

    done = [r for r in results if isinstance(r, MarketInfo)]
    assert len(done) == 1 and all(isinstance(r, Conflict) for r in results if r not in done), results
    assert Event.objects.filter(target_id=info.pk, to_status="withdrawn").count() == 1


# --- read and unread ------------------------------------------------------------------------------------------------------
def test_opening_an_entry_marks_it_read_once_and_its_author_sees_how_many_read_it(cast, client_as):
    info = report(cast.alice)
    bob = client_as(cast.bob)
    listed = bob.get("/market/?unread=true")
    assert [i.pk for i in listed.context["page"]] == [info.pk] and listed.context["unread"] == 1
    assert 'data-testid="market-row-unread"' in listed.content.decode()
    page = bob.get(info.get_absolute_url())
    assert page.status_code == 200 and page.context["read_count"] is None  # bob is not the author
    bob.get(info.get_absolute_url())
    assert bob.get("/market/").context["unread"] == 0
    assert selectors.read_count(info) == 1
    mine = client_as(cast.alice).get(info.get_absolute_url()).content.decode()
    assert 'data-testid="market-read-count">1 人' in mine


# --- pages ----------------------------------------------------------------------------------------------------------------
def test_a_rep_reports_an_entry_from_the_form_and_a_wrong_one_is_shown_its_reason(cast, client_as):
    alices = CustomerFactory(owner=cast.alice, team=cast.east, name="苏州恒通")
    c = client_as(cast.alice)
    form = c.get(f"/market/new/?customer={alices.pk}")
    assert form.status_code == 200 and 'data-testid="market-form"' in form.content.decode()
    bad = c.post("/market/new/", {"kind": "competitor", "source": "visit", "title": "友商降价", "content": "降价 5%"})
    assert bad.status_code == 400 and "竞争对手信息请填写竞争对手名称" in bad.content.decode()
    assert MarketInfo.objects.count() == 0
    done = c.post(
        "/market/new/",
        {
            "kind": "competitor",
            "source": "visit",
            "title": "友商降价",
            "content": "降价 5%",
            "competitor": "友商",
            "customer": alices.pk,
        },
    )
    info = MarketInfo.objects.get()
    assert done.status_code == 302 and done["Location"] == info.get_absolute_url() and info.customer == alices
    assert c.get(f"/market/{info.pk}/edit/").status_code == 200
    assert client_as(cast.manager).get(f"/market/{info.pk}/edit/").status_code == 403
    customer_page = c.get(alices.get_absolute_url()).content.decode()
    assert 'data-testid="market-customer-panel"' in customer_page and "友商降价" in customer_page


def test_the_list_filters_searches_and_pages(cast, client_as):
    report(cast.alice, kind="competitor", competitor="友商机电", title="友商降价")
    report(cast.clerk, kind="policy", title="贴息政策延续", important=True)
    c = client_as(cast.manager)
    assert [i.title for i in c.get("/market/?kind=competitor").context["page"]] == ["友商降价"]
    assert [i.title for i in c.get("/market/?q=贴息 政策").context["page"]] == ["贴息政策延续"]
    assert [i.title for i in c.get("/market/?competitor=机电").context["page"]] == ["友商降价"]
    assert [i.title for i in c.get("/market/?important=true").context["page"]] == ["贴息政策延续"]
    assert c.get("/market/?kind=gossip").status_code == 400
    assert c.get("/market/?page_size=1").context["page"].paginator.num_pages == 2
    assert client_as(cast.finance).get("/market/").status_code == 403


def test_the_home_page_lists_the_unread_entries(cast, client_as):
    report(cast.clerk, title="贴息政策延续")
    home = client_as(cast.bob).get("/").content.decode()
    assert 'data-testid="market-panel"' in home and "贴息政策延续" in home
    assert 'data-testid="market-panel"' not in client_as(cast.clerk).get("/").content.decode()  # the author read it
    assert 'data-testid="market-panel"' not in client_as(cast.finance).get("/").content.decode()


def test_withdrawing_from_the_page_asks_for_the_reason(cast, client_as):
    info = report(cast.alice)
    c = client_as(cast.manager)
    assert 'data-testid="action-withdraw"' in c.get(info.get_absolute_url()).content.decode()
    refused = c.post(f"/market/{info.pk}/withdraw/", {"reason": ""})
    info.refresh_from_db()
    assert refused.status_code == 400 and info.status == MarketInfo.Status.PUBLISHED
    c.post(f"/market/{info.pk}/withdraw/", {"reason": "消息不实"})
    info.refresh_from_db()
    assert info.status == MarketInfo.Status.WITHDRAWN
    assert client_as(cast.bob).get(info.get_absolute_url()).status_code == 404


# --- API ------------------------------------------------------------------------------------------------------------------
def test_the_api_reports_corrects_reads_and_withdraws(cast, api_as):
    alices = CustomerFactory(owner=cast.alice, team=cast.east)
    her = api_as(cast.alice)
    bad = her.post("/api/v1/market-info/", {**NEWS, "kind": "competitor"}, format="json")
    assert bad.status_code == 400 and "竞争对手" in bad.json()["detail"] and MarketInfo.objects.count() == 0
    made = her.post("/api/v1/market-info/", {**NEWS, "customer": alices.pk, "important": True}, format="json")
    assert made.status_code == 201, made.json()
    body = made.json()
    pk = body["id"]
    assert body["number"].startswith("SCXX-") and body["is_read"] and body["allowed_actions"] == ["edit", "withdraw"]
    assert body["customer_name"] == alices.name and body["read_count"] == 0
    lena = api_as(cast.lena)
    row = lena.get("/api/v1/market-info/", {"unread": "true"}).json()["results"][0]
    assert (row["id"], row["is_read"], row["kind_display"]) == (pk, False, "行业动态")
    assert lena.post(f"/api/v1/market-info/{pk}/read/").json()["is_read"] is True
    assert lena.get("/api/v1/market-info/", {"unread": "true"}).json()["count"] == 0
    assert lena.get(f"/api/v1/market-info/{pk}/").json()["read_count"] is None
    assert her.get(f"/api/v1/market-info/{pk}/").json()["read_count"] == 1
    patched = her.patch(f"/api/v1/market-info/{pk}/", {"region": "苏州"}, format="json").json()
    assert (patched["region"], patched["title"]) == ("苏州", NEWS["title"])
    assert lena.patch(f"/api/v1/market-info/{pk}/", {"region": "x"}, format="json").status_code == 403
    assert api_as(cast.bob).get(f"/api/v1/market-info/{pk}/").status_code == 404
    assert her.post(f"/api/v1/market-info/{pk}/withdraw/", {}, format="json").status_code == 400
    gone = api_as(cast.manager).post(f"/api/v1/market-info/{pk}/withdraw/", {"reason": "重复"}, format="json")
    assert gone.status_code == 200 and gone.json()["status"] == "withdrawn"
    assert her.post(f"/api/v1/market-info/{pk}/withdraw/", {"reason": "again"}, format="json").status_code == 409
    assert api_as(cast.finance).get("/api/v1/market-info/").json()["count"] == 0


def test_a_long_unread_list_is_counted_up_to_99_plus(cast, client_as):
    rows = [MarketInfo(number=f"SCXX-T-{n}", reported_by=cast.clerk, **NEWS) for n in range(selectors.UNREAD_SHOWN + 1)]
    MarketInfo.objects.bulk_create(rows)
    bob = client_as(cast.bob)
    assert 'data-testid="market-unread">未读 99+' in bob.get("/market/").content.decode()
    assert 'data-testid="market-panel-count">99+' in bob.get("/").content.decode()
    MarketInfo.objects.filter(number="SCXX-T-0").delete()
    assert 'data-testid="market-unread">未读 99<' in bob.get("/market/").content.decode()


def test_a_weekly_report_shows_the_entries_its_rep_reported_that_week(cast, client_as):
    from django.utils import timezone

    from reports.services.weekly import weekly_open

    week = weekly_open(actor=cast.alice, day=timezone.localdate())
    report(cast.alice, kind="competitor", competitor="友商机电", title="友商降价")
    report(cast.bob, title="别人的信息")
    mine = client_as(cast.alice).get(week.get_absolute_url()).content.decode()
    panel = mine.split('data-testid="market-weekly-panel"')[1].split("</table>")[0]
    assert "友商降价" in panel and "别人的信息" not in panel and 'data-testid="market-weekly-new"' in panel
    lead = client_as(cast.lena).get(week.get_absolute_url()).content.decode()
    assert "友商降价" in lead and 'data-testid="market-weekly-new"' not in lead
    carols = weekly_open(actor=cast.carol, day=timezone.localdate())
    assert 'data-testid="market-weekly-panel"' not in client_as(cast.manager).get(carols.get_absolute_url()).content.decode()
