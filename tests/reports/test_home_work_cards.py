"""The home page's work cards (工作台, reports.selectors.work_counts) against the work pages (QA: the cards did not match
the queues): each role's card shows that role's own queues of its work page — the clerk's nine (with 可发货, 等待财务确认
and 待开票), the warehouse's shipping, signature and refused-goods queues, QC's 待检验 and own signature queue — with the page's
counts, each opening the list the page's "在列表中查看" link opens; QC's card does not count what only the warehouse can
sign, nor the warehouse's what only QC can sign; and the cards cost one COUNT per queue, however many rows there are."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders import services
from tests.orders.conftest import customer, fresh, order, pass_inspection, pay, place, pump  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def card(client, code: str) -> dict[str, tuple[str, int, str]]:
    """The home page's work card `code`: {queue: (label, count, url)} (none: no such card)."""
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    cards = {c: counts for c, _title, _url, counts in response.context["work"]}
    return {key: (str(label), n, url) for key, label, n, url in cards.get(code, [])}


def list_links(page: str) -> dict[str, str]:
    """The work page's "在列表中查看" links (core/_queue_all_link.html, shown for a queue that is not empty): {queue: url}."""
    found = re.findall(r'href="([^"]+)" data-testid="queue-all-([a-z_]+)"', page)
    return {key: html.unescape(url) for url, key in found}


def new_order(cast, customer, pump):  # noqa: F811 - the fixtures' objects
    return services.order_create(actor=cast.clerk, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": "10"}])


def shipped(order, cast):  # noqa: F811
    """Placed, inspected, paid, and one note of all 10 shipped."""
    place(order, cast.clerk)
    pass_inspection(order, cast, "10")
    pay(fresh(order), cast, "11300.00", ref=f"B-{order.number}")
    note = services.shipment_create(
        order=fresh(order), actor=cast.clerk, lines={order.lines.get().pk: {"quantity": "10", "lot_no": "L001"}}
    )
    services.shipment_release(shipment=note, actor=cast.clerk)
    return services.shipment_ship(shipment=note, actor=cast.warehouse, tracking_no=f"SF-{order.number}")


@pytest.fixture
def busy_day(cast, customer, pump):  # noqa: F811
    """An order in each of the clerk's and the warehouse's queues: received today; ready to ship; a draft note behind
    the payment gate (unpaid) and one released to the warehouse; one in transit; one delivered with 3 refused (to
    invoice, and refused goods to receive back); an inspection QC recorded (waits for the warehouse's signature) and
    one the warehouse recorded (waits for QC's)."""
    new_order(cast, customer, pump)  # 今日接单 / 待核单
    ready = new_order(cast, customer, pump)
    place(ready, cast.clerk)
    pass_inspection(ready, cast, "10")
    pay(fresh(ready), cast, "11300.00", ref="B-READY")  # 可发货
    held = new_order(cast, customer, pump)
    place(held, cast.clerk)
    pass_inspection(held, cast, "10")
    services.shipment_create(
        order=fresh(held), actor=cast.clerk, lines={held.lines.get().pk: {"quantity": "10", "lot_no": "L001"}}
    )  # 等待财务确认 (prepaid, not paid)
    released = new_order(cast, customer, pump)
    place(released, cast.clerk)
    pass_inspection(released, cast, "10")
    pay(fresh(released), cast, "11300.00", ref="B-REL")
    note = services.shipment_create(
        order=fresh(released), actor=cast.clerk, lines={released.lines.get().pk: {"quantity": "10", "lot_no": "L001"}}
    )
    services.shipment_release(shipment=note, actor=cast.clerk)  # 已放行待发货
    shipped(new_order(cast, customer, pump), cast)  # 在途
    refused = shipped(new_order(cast, customer, pump), cast)
    services.shipment_deliver(
        shipment=refused,
        actor=cast.clerk,
        delivered_on=None,
        signer="王经理",
        exceptions="外箱破损，3 台拒收",
        quantities={refused.lines.get().pk: "7"},
    )  # 待开票, 待收回拒收货物
    placed = new_order(cast, customer, pump)
    place(placed, cast.clerk)
    line = placed.lines.get()
    services.inspection_record(order=placed, actor=cast.qc, line_id=line.pk, lot_no="QC-1", quantity="2", result="pass")
    services.inspection_record(order=placed, actor=cast.warehouse, line_id=line.pk, lot_no="WH-1", quantity="2", result="pass")


CLERK_NEXT_ACTIONS = ("ready_to_ship", "waiting_payment", "to_invoice")


def test_the_clerks_card_is_the_clerks_work_page(cast, client_as, busy_day):
    # given a day with orders and notes in the clerk's queues
    client = client_as(cast.clerk)
    # when the clerk opens the work page and the home page
    response = client.get(reverse("orders:clerk_queue"))
    sections = {s["key"]: s for s in response.context["sections"]}
    links = list_links(response.content.decode())
    home = card(client, "clerk")
    # then every queue of the page is on the card, in the page's order, with its label, its count and its list
    assert list(home) == list(sections)
    for key, section in sections.items():
        assert home[key] == (str(section["label"]), section["count"], section["list_url"]), key
        if section["count"]:
            assert links[key] == section["list_url"], key
    # among them the clerk's next actions the card used to leave out: 可发货, 等待财务确认, 待开票
    assert all(home[key][1] > 0 for key in CLERK_NEXT_ACTIONS), {key: home[key] for key in CLERK_NEXT_ACTIONS}


def warehouse_page(client) -> tuple[dict[str, int], dict[str, str]]:
    response = client.get(reverse("orders:warehouse_queue"))
    assert response.status_code == 200
    return response.context["counts"], list_links(response.content.decode())


WAREHOUSE_OWN = ("to_ship", "to_sign_warehouse", "in_transit", "refused_to_receive")


def test_the_warehouses_card_is_its_own_queues_of_the_work_page(cast, client_as, busy_day):
    client = client_as(cast.warehouse)
    counts, links = warehouse_page(client)
    home = card(client, "warehouse")
    # then the warehouse's own queues, with the page's counts — the refused note to receive back among them …
    assert tuple(home) == WAREHOUSE_OWN
    assert {key: n for key, (_label, n, _url) in home.items()} == {key: counts[key] for key in WAREHOUSE_OWN}
    assert home["refused_to_receive"][:2] == ("待收回拒收货物", 1)
    assert home["to_sign_warehouse"][1] == 1  # the inspection QC recorded
    # … each opening the page's list of it (the signature queues have no list: the work page itself)
    for key in ("to_ship", "in_transit", "refused_to_receive"):
        assert counts[key] == 1 and home[key][2] == links[key], key
    assert home["to_sign_warehouse"][2] == reverse("orders:warehouse_queue")
    # and not the inspection only QC can sign (the one the warehouse recorded)
    assert "to_sign_qc" not in home and counts["to_sign_qc"] == 1


def test_qcs_card_counts_only_what_qc_signs(cast, client_as, cast_qc_only_waits_for_the_warehouse):
    # given QC recorded an inspection that waits only for the warehouse's signature (QA's case)
    client = client_as(cast.qc)
    counts, _links = warehouse_page(client)
    assert (counts["to_sign_qc"], counts["to_sign_warehouse"]) == (0, 1)
    # when QC opens the home page
    home = card(client, "warehouse")
    # then QC's card is QC's own queues of the page alone (to inspect, to sign): nothing to do
    page = reverse("orders:warehouse_queue")
    assert home == {"to_inspect": ("待检验", 0, f"{page}#queue-to_inspect"), "to_sign_qc": ("待质检签字", 0, page)}


@pytest.fixture
def cast_qc_only_waits_for_the_warehouse(cast, order):  # noqa: F811
    place(order, cast.clerk)
    services.inspection_record(order=order, actor=cast.qc, line_id=order.lines.get().pk, lot_no="L1", quantity="5", result="pass")


def test_qcs_card_counts_what_waits_for_qc(cast, client_as, busy_day):
    client = client_as(cast.qc)
    counts, _links = warehouse_page(client)
    home = card(client, "warehouse")
    own = {"to_inspect": counts["to_inspect"], "to_sign_qc": counts["to_sign_qc"]}
    assert {key: n for key, (_label, n, _url) in home.items()} == own == {"to_inspect": 0, "to_sign_qc": 1}


def test_a_manager_reads_every_queue_of_each_page(cast, client_as, busy_day):
    client = client_as(cast.manager)
    counts, _links = warehouse_page(client)
    home = card(client, "warehouse")
    assert {key: n for key, (_label, n, _url) in home.items()} == counts
    sections = client.get(reverse("orders:clerk_queue")).context["sections"]
    assert {key: n for key, (_label, n, _url) in card(client, "clerk").items()} == {s["key"]: s["count"] for s in sections}


def test_the_cards_cost_the_same_however_many_rows(cast, client_as, customer, pump):  # noqa: F811
    # given one order in each of a few queues, and then three
    def add_rows():
        fresh_order = new_order(cast, customer, pump)
        placed = new_order(cast, customer, pump)
        place(placed, cast.clerk)
        line = placed.lines.get()
        services.inspection_record(order=placed, actor=cast.qc, line_id=line.pk, lot_no="Q", quantity="1", result="pass")
        services.inspection_record(order=placed, actor=cast.warehouse, line_id=line.pk, lot_no="W", quantity="1", result="pass")
        return fresh_order

    def home_queries(user) -> int:
        client = client_as(user)
        client.get(reverse("dashboard"))  # sessions, caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("dashboard")).status_code == 200
        return len(ctx)

    add_rows()
    before = {who: home_queries(getattr(cast, who)) for who in ("clerk", "warehouse", "qc", "manager")}
    add_rows()
    add_rows()
    after = {who: home_queries(getattr(cast, who)) for who in ("clerk", "warehouse", "qc", "manager")}
    # then the home pages read as many queries: one COUNT per queue, not one per row
    assert after == before
    assert card(client_as(cast.clerk), "clerk")["to_verify"][1] == 3
