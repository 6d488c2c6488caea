"""A contract's history shows a reader only the figures the rest of the app shows them (QA: the timeline leaked amounts).

The reviewers who judge the goods (contracts.selectors.sees_prices is False) read a contract's history without its prices
and amounts — page and API alike — and may not rank the contract list by an amount; the deal roles and managers see
everything as before.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from catalog.models import Product
from contracts import services
from contracts.models import Contract, Quotation
from salesops.core.timeline import events_for, hidden_fields

from .conftest import decide, fresh, line
from .test_change_controls import sign

GOODS_REVIEWERS = ["rev_technical", "rev_production", "rev_quality", "rev_warehouse"]


def timeline_url(contract) -> str:
    return f"/api/v1/timeline/{ContentType.objects.get_for_model(Contract).pk}/{contract.pk}/"


def changes_of(api_as, user, contract, text: str) -> list[dict]:
    """The field changes of the event reading `text` on `contract`'s timeline, as `user` gets them from the API."""
    response = api_as(user).get(timeline_url(contract))
    assert response.status_code == 200, response.content
    (event,) = [e for e in response.json()["results"] if e["message"] == text]
    return event["changes"]


@pytest.fixture
def repriced(cast, customer, pump):
    """A draft contract of 4 pumps whose rep then cut the price from 1130.00 to 999.50: 4520.00 → 3998.00."""
    c = services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(pump, quantity="4")])
    assert c.amount_incl == D("4520.00")
    c = services.contract_update(contract=c, actor=cast.alice, data={}, lines=[line(pump, quantity="4", unit_price="999.50")])
    assert c.amount_incl == D("3998.00")
    return c


class TestContractEdit:
    @pytest.mark.parametrize("who", GOODS_REVIEWERS)
    def test_a_goods_reviewer_reads_the_edit_without_its_amounts_in_the_api(self, cast, api_as, repriced, who):
        # given a rep changed a line's price (the contract's total went 4520.00 → 3998.00)
        # when a reviewer who judges the goods reads the contract's timeline
        changes = changes_of(api_as, getattr(cast, who), repriced, "修改合同")
        # then the edit is there without the amount
        assert all(c["field"] != "amount_incl" for c in changes), changes
        body = api_as(getattr(cast, who)).get(timeline_url(repriced)).content.decode()
        assert "4520.00" not in body and "3998.00" not in body

    @pytest.mark.parametrize("who", ["manager", "finance", "alice", "rev_finance"])
    def test_price_readers_still_read_the_amount_in_the_api(self, cast, api_as, repriced, who):
        changes = changes_of(api_as, getattr(cast, who), repriced, "修改合同")
        assert {"field": "amount_incl", "label": "价税合计", "old": "4520.00", "new": "3998.00"} in changes

    def test_the_contract_page_history_hides_the_amount_from_a_goods_reviewer_only(self, cast, client_as, repriced):
        url = reverse("contracts:contract_detail", args=[repriced.pk])
        reviewer = client_as(cast.rev_technical).get(url)
        assert reviewer.status_code == 200
        html = reviewer.content.decode()
        assert "修改合同" in html  # the edit itself is still in the history
        assert "价税合计：" not in html and "4520.00" not in html and "3998.00" not in html
        manager = client_as(cast.manager).get(url).content.decode()
        assert "价税合计：<del>4520.00</del> → <ins>3998.00</ins>" in manager

    def test_the_services_own_read_keeps_every_figure(self, cast, repriced):
        event = next(e for e in events_for(repriced) if e.msgid == "修改合同")
        assert [c["field"] for c in event.rendered_changes] == ["amount_incl", "unit_price"]
        hidden = next(e for e in events_for(repriced, cast.rev_technical) if e.msgid == "修改合同")
        assert hidden.rendered_changes == []


class TestApprovedChange:
    @pytest.fixture
    def changed(self, cast, customer, pump):
        """A signed contract of 10 pumps (11300.00) whose price change to 1000.00 was approved: v2 at 10000.00."""
        c = sign(cast, services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(pump)]))
        services.contract_change_request(
            contract=c, actor=cast.alice, reason="大客户让价", header={}, lines={c.lines.get().pk: {"unit_price": "1000"}}
        )
        for who in (cast.rev_finance, cast.manager):
            decide(c, services.CHANGE_KIND, who)
        c = fresh(c)
        assert c.version == 2 and c.amount_incl == D("10000.00")
        return c

    def test_the_quality_reviewer_reads_v2_without_the_amounts(self, cast, api_as, client_as, changed):
        # when the quality reviewer reads the history of the changed contract (API and page)
        changes = changes_of(api_as, cast.rev_quality, changed, "变更生效，合同升为 v2")
        html = client_as(cast.rev_quality).get(reverse("contracts:contract_detail", args=[changed.pk])).content.decode()
        # then the change took effect, without its amounts
        assert all(c["field"] not in ("amount_incl", "unit_price") for c in changes), changes
        assert "变更生效，合同升为 v2" in html
        assert "11300.00" not in html and "10000.00" not in html and "价税合计：" not in html

    def test_the_manager_still_reads_the_amounts(self, cast, api_as, client_as, changed):
        changes = changes_of(api_as, cast.manager, changed, "变更生效，合同升为 v2")
        assert {"field": "amount_incl", "label": "价税合计", "old": "11300.00", "new": "10000.00"} in changes
        html = client_as(cast.manager).get(reverse("contracts:contract_detail", args=[changed.pk])).content.decode()
        assert "价税合计：<del>11300.00</del> → <ins>10000.00</ins>" in html


class TestHistoryRule:
    def test_what_the_history_hides_follows_who_sees_prices_and_costs(self, cast):
        for model in (Contract, Quotation):
            reviewer = hidden_fields(model, cast.rev_technical)
            assert {"amount_incl", "unit_price", "amount", "unit_cost"} <= reviewer
            assert hidden_fields(model, cast.alice) == {"unit_cost"}  # a rep sees prices, not costs
            assert hidden_fields(model, cast.manager) == set() and hidden_fields(model, cast.finance) == set()
            assert hidden_fields(model, cast.rev_finance) == set()
        assert hidden_fields(Product, cast.manager) == set()

    def test_an_amount_in_an_event_sentence_is_hidden_too(self, cast, customer, pump, quoting_alice):
        # given a quotation whose creation event names its total (the only such sentence of the deal documents)
        q = services.quotation_create(actor=quoting_alice, customer=customer, data={}, lines=[line(pump)])
        (created,) = events_for(q)
        assert created.text == "新建报价单，含税总额 11300.00"
        # when it is read by someone who may not see prices, then the amount reads ***
        (hidden,) = events_for(q, cast.rev_technical)
        assert hidden.text == "新建报价单，含税总额 ***"
        (shown,) = events_for(q, cast.alice)
        assert shown.text == "新建报价单，含税总额 11300.00"


class TestOrderingByAmount:
    @pytest.fixture
    def two(self, cast, customer, pump):
        small = services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(pump, quantity="1")])
        big = services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(pump, quantity="9")])
        return small, big

    @pytest.mark.parametrize("who", GOODS_REVIEWERS)
    @pytest.mark.parametrize("ordering", ["-amount_incl", "amount_incl", "status,-amount_incl"])
    def test_a_goods_reviewer_may_not_rank_contracts_by_amount_in_the_api(self, cast, api_as, two, who, ordering):
        response = api_as(getattr(cast, who)).get("/api/v1/contracts/", {"ordering": ordering})
        assert response.status_code == 400
        assert "您看不到合同金额，不能按金额排序。" in response.content.decode()

    def test_a_goods_reviewer_may_still_order_by_what_they_see(self, cast, api_as, two):
        small, big = two
        response = api_as(cast.rev_technical).get("/api/v1/contracts/", {"ordering": "-number"})
        assert response.status_code == 200
        assert [r["id"] for r in response.json()["results"]] == [big.pk, small.pk]

    @pytest.mark.parametrize("who", ["manager", "alice", "rev_finance"])
    def test_price_readers_still_rank_by_amount(self, cast, api_as, two, who):
        small, big = two
        response = api_as(getattr(cast, who)).get("/api/v1/contracts/", {"ordering": "-amount_incl"})
        assert response.status_code == 200
        assert [r["id"] for r in response.json()["results"]] == [big.pk, small.pk]

    def test_the_list_page_neither_offers_nor_takes_the_amount_order_for_a_goods_reviewer(self, cast, client_as, two):
        url = reverse("contracts:contract_list")
        reviewer = client_as(cast.rev_quality)
        page = reviewer.get(url)
        assert page.status_code == 200 and "金额从高到低" not in page.content.decode()
        refused = reviewer.get(url, {"ordering": "-amount_incl"})
        assert refused.status_code == 400 and "您看不到合同金额，不能按金额排序。" in refused.content.decode()
        manager = client_as(cast.manager)
        assert "金额从高到低" in manager.get(url).content.decode()
        assert manager.get(url, {"ordering": "-amount_incl"}).status_code == 200


class TestDraftLinesItemised:
    """A draft's line edits are itemised in its history, each named by its line (they read only "修改合同" before)."""

    def test_the_deal_side_reads_each_line_change_and_the_goods_reviewer_the_quantities_only(self, cast, api_as, repriced):
        changes = changes_of(api_as, cast.alice, repriced, "修改合同")
        assert {"field": "unit_price", "label": "增压泵：含税单价", "old": "1130.00", "new": "999.50"} in changes, changes
        changes = changes_of(api_as, cast.rev_technical, repriced, "修改合同")
        assert all(c["field"] not in ("unit_price", "amount_incl") for c in changes), changes

    def test_a_line_added_removed_and_changed_on_a_quotation(self, cast, api_as, client_as, customer, pump, quoting_alice):
        valve = Product.objects.create(code="V-1", name="闸阀", model="Z41H", list_price=D("200.00"), unit="个")
        q = services.quotation_create(
            actor=cast.alice, customer=customer, data={}, lines=[line(pump, quantity="4"), line(valve, quantity="2")]
        )
        kept = q.lines.get(product=pump)
        # when alice keeps the pump (by its id) at 6, drops the valve and adds a free line
        services.quotation_update(
            quotation=q,
            actor=cast.alice,
            data={},
            lines=[
                line(pump, id=kept.pk, quantity="6"),
                {"name": "安装调试", "quantity": "1", "unit": "次", "unit_price": "500", "is_service": True},
            ],
        )
        # then the history names each line and what happened to it, in the API and on the page
        response = api_as(cast.alice).get(f"/api/v1/timeline/{ContentType.objects.get_for_model(Quotation).pk}/{q.pk}/")
        (event,) = [e for e in response.json()["results"] if e["message"] == "修改报价单"]
        rows = {(c["label"], c["old"], c["new"]) for c in event["changes"]}
        assert {("增压泵：数量", "4.000", "6.000"), ("安装调试：新增明细", "", "1 次"), ("闸阀：删除明细", "2 个", "")} <= rows
        page = client_as(cast.alice).get(reverse("contracts:quotation_detail", args=[q.pk])).content.decode()
        assert "闸阀：删除明细" in page and "安装调试：新增明细" in page
