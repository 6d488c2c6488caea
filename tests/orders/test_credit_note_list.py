"""红字冲减单 list: the page (/orders/credit-notes/), the API (/api/v1/credit-notes/) and the export, with the order's
visibility, filters (date range, customer, order number), search and pagination, and its menu item for finance,
clerks and managers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from orders.models import CreditNote, SalesOrder
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def notes(cast):
    """Three credit notes: two on alice's customer (one issued 10 days ago), one on carol's."""
    east = CustomerFactory(owner=cast.alice, team=cast.east, name="杭州冲减机电有限公司")
    south = CustomerFactory(owner=cast.carol, team=cast.south, name="广州冲减贸易有限公司")
    made = []
    for number, customer, amount, days_ago in (
        ("DX-1", east, "100.00", 0),
        ("DX-2", east, "250.50", 10),
        ("DX-3", south, "80.00", 0),
    ):
        order = SalesOrder.objects.create(
            number=f"SO-{number}",
            customer=customer,
            owner=customer.owner,
            created_by=cast.clerk,
            status="shipped",
            received_on=timezone.localdate(),
        )
        note = CreditNote.objects.create(
            number=number, order=order, amount=D(amount), reason="退货退款", reference=f"TH-{number}", created_by=cast.finance
        )
        CreditNote.objects.filter(pk=note.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
        made.append(note)
    return east, south


def test_the_page_lists_the_notes_with_their_columns_filters_and_search(cast, notes, client_as):
    east, _south = notes
    c = client_as(cast.finance)
    page = c.get("/orders/credit-notes/")
    html = page.content.decode()
    assert page.status_code == 200 and html.count('data-testid="credit-note-row"') == 3
    assert "SO-DX-2" in html and "250.50" in html and "退货退款" in html and "TH-DX-2" in html and "杭州冲减机电有限公司" in html
    assert 'data-testid="list-export"' in html  # the filter bar's 导出 Excel
    assert c.get("/orders/credit-notes/", {"customer": east.pk}).content.decode().count('data-testid="credit-note-row"') == 2
    assert c.get("/orders/credit-notes/", {"q": "DX-3"}).content.decode().count('data-testid="credit-note-row"') == 1
    assert c.get("/orders/credit-notes/", {"order_number": "dx-2"}).content.decode().count('data-testid="credit-note-row"') == 1
    today = timezone.localdate()
    recent = c.get("/orders/credit-notes/", {"created_from": today - timedelta(days=1), "created_to": today})
    assert recent.content.decode().count('data-testid="credit-note-row"') == 2
    assert c.get("/orders/credit-notes/", {"created_from": "2026-13-01"}).status_code == 400


def test_the_api_pages_the_notes_with_the_orders_visibility(cast, notes, api_as):
    body = api_as(cast.finance).get("/api/v1/credit-notes/", {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    first = body["results"][0]
    assert set(first) >= {"number", "created_at", "order_number", "customer_name", "amount", "reason", "reference"}
    assert first["created_by_name"]
    carol = api_as(cast.carol).get("/api/v1/credit-notes/").json()
    assert [n["number"] for n in carol["results"]] == ["DX-3"]  # her customer's order only
    assert api_as(cast.warehouse).get("/api/v1/credit-notes/").json()["count"] == 0
    ordered = api_as(cast.finance).get("/api/v1/credit-notes/", {"ordering": "amount"}).json()
    assert [n["number"] for n in ordered["results"]] == ["DX-3", "DX-1", "DX-2"]


def test_the_export_has_the_filtered_notes_and_the_menu_shows_the_list_to_money_roles(cast, notes, client_as):
    east, _south = notes
    response = client_as(cast.finance).get(reverse("core:list_export", args=["credit-notes"]), {"customer": east.pk})
    assert response.status_code == 200
    ws = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    header = [c.value for c in ws[1]]
    assert header[:5] == ["冲减单号", "开具时间", "订单号", "客户", "冲减金额(含税)"]
    numbers = [row[0] for row in ws.iter_rows(min_row=2, values_only=True) if row[0] and str(row[0]).startswith("DX-")]
    assert sorted(numbers) == ["DX-1", "DX-2"]
    # the menu item for every role whose page it is (handles_money: a rep sees own customers' notes), not the warehouse
    for who, shown in (("finance", True), ("clerk", True), ("manager", True), ("alice", True), ("warehouse", False)):
        home = client_as(getattr(cast, who)).get("/orders/payments/").content.decode()
        assert ('data-testid="nav-credit-notes"' in home) is shown
    assert client_as(cast.warehouse).get("/orders/credit-notes/").status_code == 403
