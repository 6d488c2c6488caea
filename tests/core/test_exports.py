"""导出 Excel of every list (salesops.core.exports): one mechanism, the button in the shared filter bar, page and API alike."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from customers.models import Customer
from salesops.core.exports import _EXPORTS
from tests.factories import CustomerFactory, ProductFactory

LISTS = sorted(_EXPORTS)
API_LISTS = {
    "customers": "/api/v1/customers/",
    "visits": "/api/v1/visits/",
    "opportunities": "/api/v1/opportunities/",
    "products": "/api/v1/products/",
    "price-lists": "/api/v1/price-lists/",
    "quotations": "/api/v1/quotations/",
    "contracts": "/api/v1/contracts/",
    "orders": "/api/v1/orders/",
    "shipments": "/api/v1/shipments/",
    "invoices": "/api/v1/invoices/",
    "payments": "/api/v1/payments/",
    "receivables": "/api/v1/receivables/",
    "credit-notes": "/api/v1/credit-notes/",
    "callbacks": "/api/v1/callbacks/",
    "tickets": "/api/v1/service-tickets/",
    "complaints": "/api/v1/complaints/",
    "returns": "/api/v1/returns/",
    "service-plans": "/api/v1/service-plans/",
    "approvals": "/api/v1/approval-steps/",
    "technical-questions": "/api/v1/technical-questions/",
    "weekly-reports": "/api/v1/weekly-reports/",
    "appraisals": "/api/v1/appraisals/",
    "expense-claims": "/api/v1/expense-claims/",
    "sales-plans": "/api/v1/sales-plans/",
    "market-info": "/api/v1/market-info/",
}


def sheet_of(response):
    return load_workbook(BytesIO(b"".join(response.streaming_content))).active


def test_every_list_of_the_issue_has_an_export_and_an_api_action():
    # given the lists of issue 13 item 9, then each one declares its export, and each has an API export/ action
    assert set(LISTS) == set(API_LISTS)


@pytest.mark.parametrize("name", LISTS)
def test_the_filter_bar_of_every_list_offers_the_export_with_the_current_filters(cast, client_as, name):
    # given a manager on the list page with a search, when the page renders, then 导出 Excel carries the search
    page = client_as(cast.gm).get(reverse(_EXPORTS[name].list_view), {"q": "泵", "page": "2"}).content.decode()
    link = reverse("core:list_export", args=[name])
    assert f'href="{link}?q=%E6%B3%B5"' in page and 'data-testid="list-export"' in page and "导出 Excel" in page


@pytest.mark.parametrize("name", LISTS)
def test_every_export_downloads_a_workbook_with_chinese_headers_on_page_and_api(cast, client_as, api_as, name):
    # given the GM (who sees every list), when exporting from the page and from the API, then both give the sheet
    page = client_as(cast.gm).get(reverse("core:list_export", args=[name]))
    api = api_as(cast.gm).get(f"{API_LISTS[name]}export/")
    for response in (page, api):
        assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert response["Content-Disposition"].startswith(f'attachment; filename="{name}-')
        header = [c.value for c in sheet_of(response)[1]]
        assert header and all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in header)


def test_the_export_follows_the_filters_and_the_money_is_a_number_in_yuan(cast, client_as):
    # given two products, when exporting with a search for one, then only it, its price a number formatted in yuan
    ProductFactory(code="BP-1", name="增压泵", list_price="1130.50")
    ProductFactory(code="VX-2", name="阀门")
    ws = sheet_of(client_as(cast.alice).get(reverse("core:list_export", args=["products"]), {"q": "泵"}))
    header = [c.value for c in ws[1]]
    rows = list(ws.iter_rows(min_row=2))
    assert [r[0].value for r in rows] == ["BP-1"]
    price = rows[0][header.index("标准含税单价")]
    assert price.value == 1130.5 and price.number_format == "#,##0.00"


def test_a_reps_export_holds_only_their_customers(cast, client_as, api_as):
    # given customers of alice and of carol, when alice exports (page and API), then only hers
    mine = CustomerFactory(owner=cast.alice)
    CustomerFactory(owner=cast.carol)
    page = client_as(cast.alice).get(reverse("core:list_export", args=["customers"]))
    api = api_as(cast.alice).get("/api/v1/customers/export/")
    assert [[r[0] for r in sheet_of(resp).iter_rows(min_row=2, values_only=True)] for resp in (page, api)] == [[mine.code]] * 2


def test_an_invalid_filter_is_a_400_naming_it_and_an_unknown_list_a_404(cast, client_as, api_as):
    api = api_as(cast.alice).get("/api/v1/products/export/", {"is_active": "maybe"})
    assert api.status_code == 400 and "筛选条件有误" in api.json()["detail"]
    assert client_as(cast.alice).get(reverse("core:list_export", args=["nothing"])).status_code == 404


@pytest.mark.parametrize("params", [{"ordering": "name\x00"}, {"q\x00": "x"}, {"q": ["ok", "x\x00"]}])
def test_a_null_character_in_the_filters_is_a_400_and_exports_nothing(cast, client_as, api_as, params):
    """The customers export keeps its filters in the export log (a JSON column, which cannot hold U+0000): a value or a
    name with that character, even one the list ignores, is refused on page and API and nothing is logged."""
    from customers.models import CustomerExport

    CustomerFactory(owner=cast.alice)
    api = api_as(cast.alice).get("/api/v1/customers/export/", params)
    assert api.status_code == 400 and api.json()["code"] == "invalid_filter" and "空字符" in api.json()["detail"]
    page = client_as(cast.alice).get(reverse("core:list_export", args=["customers"]), params)
    assert page.status_code == 400 and "空字符" in page.content.decode()
    assert not CustomerExport.objects.exists()


def test_the_approvals_export_follows_the_tab(cast, client_as):
    # given nothing decided, when exporting 我已处理, then the sheet has the header only
    ws = sheet_of(client_as(cast.manager).get(reverse("core:list_export", args=["approvals"]), {"tab": "done"}))
    assert ws.max_row == 1 and ws["B1"].value == "单据"


def test_the_schema_documents_the_export_actions_with_the_list_filters(openapi):
    schema = openapi
    operation = schema["paths"]["/api/v1/products/export/"]["get"]
    assert {"q", "is_active"} <= {p["name"] for p in operation["parameters"]}
    assert "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" in operation["responses"]["200"]["content"]


def test_choice_columns_show_their_labels(cast, client_as):
    """A status or type column holds the label the list shows (core.exports.choice_label), not the stored code."""
    CustomerFactory(owner=cast.alice, name="标签客户")
    sheet = sheet_of(client_as(cast.alice).get(reverse("core:list_export", args=["customers"]), {"q": "标签客户"}))
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[header.index("客户名称")] == "标签客户")
    customer = Customer.objects.get(name="标签客户")
    assert row[header.index("状态")] == customer.get_status_display() != customer.status
    assert row[header.index("客户类型")] == customer.get_type_display() != customer.type
