"""The shipments list as 经营指标's 销售额（按发货） links to it: QA found FH-0003 still at 19,210.00 after 1,808.00 of it
was refused and received back, so the list added up to 46,330.00 against the figure's 44,522.00. The list (page, API
field `kept_amount`, export column) shows each note net of the goods refused and received back (models.kept_amount),
and the export's 合计 row the total of the filtered notes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from orders import services
from salesops.core.exports import export_file, export_named
from tests.orders.conftest import fresh, pass_inspection, place

pytestmark = pytest.mark.django_db
SHIPMENTS = "/api/v1/shipments/"


def shipped_note(cast, customer, pump, qty: str):
    order = services.order_create(
        actor=cast.clerk,
        customer=customer,
        data={"promised_ship_date": timezone.localdate() + timedelta(days=20)},
        lines=[{"product": pump.pk, "quantity": qty}],
    )
    order = place(order, cast.clerk)
    pass_inspection(order, cast, qty)
    note = services.shipment_create(order=order, actor=cast.clerk, lines={order.lines.get().pk: qty})
    services.shipment_release(shipment=note, actor=cast.clerk)
    return services.shipment_ship(shipment=note, actor=cast.warehouse, tracking_no=f"SF-{note.pk}")


@pytest.fixture
def notes(cast, customer, pump):
    """Two notes on credit: 10 pumps (11,300.00) of which 3 refused and received back (3,390.00), and 2 pumps in full."""
    customer.payment_terms, customer.credit_days = "credit", 30
    customer.save()
    refused = shipped_note(cast, customer, pump, "10")
    services.shipment_deliver(
        shipment=refused, actor=cast.clerk, delivered_on=None, signer="王经理", exceptions="破损",
        quantities={refused.lines.get().pk: "7"},
    )  # fmt: skip
    services.shipment_receive_refused(shipment=refused, actor=cast.warehouse, quantities={refused.lines.get().pk: "3"})
    whole = shipped_note(cast, customer, pump, "2")
    return fresh(refused), fresh(whole)


def test_the_page_shows_each_note_net_of_what_came_back(cast, notes, client_as):
    refused, _whole = notes
    assert (refused.amount_incl, refused.returned_amount) == (D("11300.00"), D("3390.00"))
    # when the clerk opens the list as the KPI links to it (shipped this month)
    today = timezone.localdate()
    page = client_as(cast.clerk).get(reverse("orders:shipment_list"), {"shipped_from": today.replace(day=1)})
    html = page.content.decode()
    # then the refused note shows 7,910.00 net, with what left and what came back beside it; the whole one 2,260.00
    assert "净发货金额(含税)" in html
    assert "7,910.00" in html and "11,300.00" in html and "3,390.00" in html
    assert "2,260.00" in html


def test_the_api_gives_the_net_amount_on_the_list_and_the_note(cast, notes, api_as):
    refused, whole = notes
    rows = {r["number"]: r for r in api_as(cast.clerk).get(SHIPMENTS).json()["results"]}
    assert (rows[refused.number]["amount_incl"], rows[refused.number]["returned_amount"]) == ("11300.00", "3390.00")
    assert rows[refused.number]["kept_amount"] == "7910.00"
    assert (rows[whole.number]["kept_amount"], rows[whole.number]["returned_amount"]) == ("2260.00", "0.00")
    detail = api_as(cast.clerk).get(f"{SHIPMENTS}{refused.pk}/").json()
    assert (detail["kept_amount"], detail["returned_amount"]) == ("7910.00", "3390.00")


def test_the_export_has_the_net_column_and_its_total(cast, notes):
    # when the filtered list is exported, then each row has the net amount and the 合计 row adds the filtered notes
    out, count = export_file(export_named("shipments"), actor=cast.clerk, params={})
    ws = load_workbook(out).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header = next(r for r in rows if r and "净发货金额(含税)" in r)
    net, returned = header.index("净发货金额(含税)"), header.index("拒收退回金额(含税)")
    refused, whole = notes
    by_number = {r[0]: r for r in rows if r and r[0] in (refused.number, whole.number)}
    assert by_number[refused.number][net] == 7910 and by_number[refused.number][returned] == 3390
    assert by_number[whole.number][net] == 2260
    total = next(r for r in rows if r and r[0] == "合计")
    assert total[net] == 10170 and count == 2
