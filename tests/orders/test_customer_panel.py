"""The customer page shows the customer's orders, outbound notes and what the customer owes (issue 13, item 10),
through the kernel's panels: customers never imports orders."""

from __future__ import annotations

from django.urls import reverse

from orders import services

from .conftest import pass_inspection, pay, place


def test_customer_page_shows_orders_shipments_and_receivables(cast, client_as, order):
    place(order, cast.clerk)
    pass_inspection(order, cast, 10)
    pay(order, cast, "11300.00")
    note = services.shipment_create(order=order, actor=cast.clerk, lines={order.lines.first().pk: "4"})
    services.shipment_release(shipment=note, actor=cast.clerk)
    services.shipment_ship(shipment=note, actor=cast.warehouse, tracking_no="SF-1")
    html = client_as(cast.alice).get(reverse("customers:detail", args=[order.customer_id])).content.decode()
    assert 'data-testid="orders-panel"' in html
    assert order.number in html and note.number in html
    # shipped 4 of 10 pumps (4,520.00) and prepaid 11,300.00: nothing is owed
    assert "0.00" in html.split('data-testid="panel-open-amount"')[1][:200]


def test_the_panel_shows_only_what_the_reader_may_see(cast, client_as, order):
    # carol cannot open alice's customer at all; the clerk sees the order
    assert client_as(cast.carol).get(reverse("customers:detail", args=[order.customer_id])).status_code == 404
    html = client_as(cast.clerk).get(reverse("customers:detail", args=[order.customer_id])).content.decode()
    assert order.number in html.split('data-testid="orders-panel"')[1]


def test_what_is_owed_is_shown_only_to_who_handles_money(cast, client_as, order):
    # given the warehouse, QC and service, whose receivables page is a 403: the panel lists the orders, not the debt
    url = reverse("customers:detail", args=[order.customer_id])
    for user in (cast.warehouse, cast.qc, cast.service):
        panel = client_as(user).get(url).content.decode().split('data-testid="orders-panel"')[1]
        assert order.number in panel
        assert 'data-testid="panel-open-amount"' not in panel and 'data-testid="panel-receivables"' not in panel, user
    # and finance sees both
    panel = client_as(cast.finance).get(url).content.decode().split('data-testid="orders-panel"')[1]
    assert 'data-testid="panel-open-amount"' in panel and 'data-testid="panel-statement"' in panel
