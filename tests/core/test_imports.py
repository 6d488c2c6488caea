"""导入 Excel (salesops.core.imports) of customers with contacts/addresses/invoice titles, products and price lists:
template round trip, row errors in Chinese, nothing saved before the commit, all or nothing, permissions, page and API."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from catalog.models import PriceList, PriceListItem, Product
from customers.models import Contact, Customer, InvoiceTitle, ShipToAddress
from tests.factories import CustomerFactory, ProductFactory, make_uscc


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def filled(client, name: str, sheets: dict[str, list[list]]) -> SimpleUploadedFile:
    """The downloaded template of import `name` with `sheets` rows appended under its example row."""
    response = client.get(reverse("core:import_template", args=[name]))
    assert response.status_code == 200
    wb = load_workbook(BytesIO(response.content))
    for title, rows in sheets.items():
        for row in rows:
            wb[title].append(row)
    out = BytesIO()
    wb.save(out)
    return SimpleUploadedFile("import.xlsx", out.getvalue())


NEXT_CONTACT = (date.today() + timedelta(days=40)).isoformat()  # a next-contact date must not be past


def customer_row(name, uscc="", kind="终端客户", owner=""):
    return [name, "", uscc, kind, "A 重点客户", "", "浙江", "杭州", "", "", "展会", owner, NEXT_CONTACT, ""]


def preview(client, name, upload):
    return client.post(reverse("core:import_upload", args=[name]), {"file": upload})


def token_of(response) -> str:
    return response.context["result"].token


class TestTemplate:
    def test_the_template_has_chinese_headers_an_example_row_and_drop_downs(self, cast, client_as):
        wb = load_workbook(BytesIO(client_as(cast.alice).get(reverse("core:import_template", args=["customers"])).content))
        assert wb.sheetnames == ["填写说明", "客户", "联系人", "收货地址", "开票信息"]
        ws = wb["客户"]
        assert [c.value for c in ws[1]][:4] == ["客户名称*", "简称", "统一社会信用代码", "客户类型*"]
        assert ws["A2"].value == "苏州精工机械有限公司"
        lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
        assert lists["D2:D1001"] == '"终端客户,经销商,专卖店,代理商"'

    def test_the_untouched_template_imports_nothing(self, cast, client_as):
        client = client_as(cast.alice)
        response = preview(client, "customers", filled(client, "customers", {}))
        assert "文件中没有要导入的数据行" in response.content.decode()
        assert 'data-testid="import-commit"' not in response.content.decode()


class TestCustomerImport:
    def test_a_rep_previews_nothing_saved_then_commits_and_owns_everything(self, cast, client_as):
        client = client_as(cast.alice)
        upload = filled(
            client,
            "customers",
            {
                "客户": [customer_row("杭州新材料有限公司", make_uscc(501)), customer_row("宁波港机有限公司")],
                "联系人": [["杭州新材料有限公司", "赵总", "总经理", "13800000001", "", "", "", "是"]],
                "收货地址": [
                    ["杭州新材料有限公司", "浙江", "杭州", "滨江区", "江南大道 1 号", "钱仓管", "13900000002", "", "是"]
                ],
                "开票信息": [["杭州新材料有限公司", "杭州新材料有限公司", make_uscc(501), "增值税普通发票", "", "", "", "是"]],
            },
        )
        response = preview(client, "customers", upload)
        page = response.content.decode()
        assert (
            response.status_code == 200 and 'data-testid="import-ready"' in page and page.count('data-testid="import-row"') == 5
        )
        assert "终端客户" in page and "end_customer" not in page  # choices shown by their labels
        assert not Customer.objects.exists()  # the preview saved nothing

        response = client.post(reverse("core:import_commit", args=["customers"]), {"token": token_of(response)})
        assert response.status_code == 302 and response.url == reverse("customers:list")
        hz = Customer.objects.get(name="杭州新材料有限公司")
        assert Customer.objects.count() == 2 and set(Customer.objects.values_list("owner", flat=True)) == {cast.alice.pk}
        assert (hz.type, hz.grade, hz.source, str(hz.next_contact_date)) == ("end_customer", "A", "exhibition", NEXT_CONTACT)
        assert Contact.objects.get(customer=hz).is_primary and ShipToAddress.objects.get(customer=hz).consignee == "钱仓管"
        assert InvoiceTitle.objects.get(customer=hz).invoice_type == "general"

    def test_row_errors_in_chinese_with_row_and_column_and_nothing_to_accept(self, cast, client_as):
        client = client_as(cast.alice)
        upload = filled(
            client,
            "customers",
            {
                "客户": [customer_row("好客户"), customer_row("", kind="外星客户"), customer_row("坏税号", "91310000000000000X")],
                "联系人": [["不存在的客户", "张三", "", "", "", "", "", "也许"]],
            },
        )
        response = preview(client, "customers", upload)
        errors = {(e.sheet, e.line, e.column): e.message for e in response.context["result"].errors}
        assert errors[("客户", 4, "客户名称")] == "必填，不能为空。"
        assert "不是可选值" in errors[("客户", 4, "客户类型")]
        assert any(key[:2] == ("客户", 5) and "统一社会信用代码" in key[2] + msg for key, msg in errors.items())
        assert errors[("联系人", 3, "主要联系人")] == "请填写“是”或“否”，而不是“也许”。"
        page = response.content.decode()
        assert 'data-testid="import-failure"' in page and 'data-testid="import-commit"' not in page
        assert not Customer.objects.exists()
        # a commit of a preview with errors saves nothing either
        response = client.post(reverse("core:import_commit", args=["customers"]), {"token": token_of(response)})
        assert response.status_code == 400 and not Customer.objects.exists()

    def test_all_or_nothing_when_a_row_fails_at_commit(self, cast, client_as):
        client = client_as(cast.alice)
        upload = filled(client, "customers", {"客户": [customer_row("甲公司"), customer_row("乙公司", make_uscc(777))]})
        response = preview(client, "customers", upload)
        assert response.context["result"].ok
        CustomerFactory(owner=cast.bob, uscc=make_uscc(777))  # meanwhile bob files the same company

        response = client.post(reverse("core:import_commit", args=["customers"]), {"token": token_of(response)})
        assert response.status_code == 400 and "没有保存任何数据" in response.content.decode()
        assert not Customer.objects.filter(name__in=["甲公司", "乙公司"]).exists()

    def test_a_rep_cannot_give_customers_to_someone_else(self, cast, client_as):
        client = client_as(cast.alice)
        response = preview(client, "customers", filled(client, "customers", {"客户": [customer_row("丙公司", owner="carol")]}))
        assert [e.line for e in response.context["result"].errors] == [3]

    def test_a_team_lead_names_the_owner_in_the_team(self, cast, client_as):
        client = client_as(cast.lena)
        response = preview(client, "customers", filled(client, "customers", {"客户": [customer_row("丁公司", owner="bob")]}))
        client.post(reverse("core:import_commit", args=["customers"]), {"token": token_of(response)})
        assert Customer.objects.get(name="丁公司").owner == cast.bob


@pytest.mark.parametrize(
    "user, name, allowed",
    [
        ("alice", "customers", True),
        ("clerk", "customers", True),
        ("finance", "customers", False),
        ("warehouse", "customers", False),
        ("alice", "products", False),
        ("manager", "products", True),
        ("clerk", "price-lists", False),
        ("gm", "price-lists", True),
    ],
)
def test_who_may_import(cast, client_as, api_as, user, name, allowed):
    # given a role, then the import page, its template and the API answer 200 or 403 alike
    client, api = client_as(getattr(cast, user)), api_as(getattr(cast, user))
    expected = 200 if allowed else 403
    assert client.get(reverse("core:import_upload", args=[name])).status_code == expected
    assert api.get(f"/api/v1/imports/{name}/template/").status_code == expected


class TestCatalogImport:
    def test_products_then_a_price_list_with_its_rows(self, cast, client_as):
        client = client_as(cast.manager)
        upload = filled(client, "products", {"产品": [["VX-9", "球阀", "", "", "个", "标准产品", 88.5, "9%", 40, "", "否", ""]]})
        response = preview(client, "products", upload)
        client.post(reverse("core:import_commit", args=["products"]), {"token": token_of(response)})
        valve = Product.objects.get(code="VX-9")
        assert str(valve.list_price) == "88.50" and str(valve.tax_rate) == "0.0900"

        ProductFactory(code="BP-100")
        upload = filled(
            client,
            "price-lists",
            {
                "价格表": [["2028 经销价", "经销商", "", "2028-01-01", "", "CNY", ""]],
                "价格表明细": [["2028 经销价", "VX-9", 80, 10], ["2028 经销价", "bp-100", 1000, ""]],
            },
        )
        response = preview(client, "price-lists", upload)
        assert response.context["result"].ok
        client.post(reverse("core:import_commit", args=["price-lists"]), {"token": token_of(response)})
        price_list = PriceList.objects.get(name="2028 经销价")
        assert price_list.customer_type == "distributor" and PriceListItem.objects.filter(price_list=price_list).count() == 2

    def test_a_duplicate_code_is_a_row_error(self, cast, client_as):
        ProductFactory(code="VX-1")
        client = client_as(cast.manager)
        upload = filled(client, "products", {"产品": [["vx-1", "重复", "", "", "", "", 10, "", "", "", "", ""]]})
        errors = preview(client, "products", upload).context["result"].errors
        assert [(e.line, e.message.startswith("产品编码“vx-1”已被产品")) for e in errors] == [(3, True)]


class TestApi:
    def test_upload_returns_the_preview_and_commit_with_the_token_imports(self, cast, client_as, api_as):
        upload = filled(client_as(cast.alice), "customers", {"客户": [customer_row("戊公司")]})
        api = api_as(cast.alice)
        r = api.post("/api/v1/imports/customers/preview/", {"file": upload}, format="multipart")
        assert r.status_code == 200 and r.json()["ok"] and r.json()["counts"] == {"客户": 1} and not Customer.objects.exists()
        r = api.post("/api/v1/imports/customers/commit/", {"token": r.json()["token"]}, format="json")
        assert r.status_code == 201 and r.json()["committed"] and Customer.objects.get().name == "戊公司"

    def test_row_errors_and_a_stale_token(self, cast, client_as, api_as):
        upload = filled(client_as(cast.alice), "customers", {"客户": [customer_row("", kind="??")]})
        api = api_as(cast.alice)
        body = api.post("/api/v1/imports/customers/preview/", {"file": upload}, format="multipart").json()
        assert not body["ok"] and {(e["line"], e["column"]) for e in body["errors"]} == {(3, "客户名称"), (3, "客户类型")}
        r = api.post("/api/v1/imports/customers/commit/", {"token": "nope"}, format="json")
        assert r.status_code == 400 and r.json()["detail"] == "导入预览已失效，请重新上传文件。"

    def test_a_file_that_is_not_excel(self, cast, api_as):
        upload = SimpleUploadedFile("x.xlsx", b"not a zip")
        r = api_as(cast.alice).post("/api/v1/imports/customers/preview/", {"file": upload}, format="multipart")
        assert r.status_code == 400 and "无法读取该文件" in r.json()["detail"]


def test_empty_optional_cells_keep_the_form_defaults(cast, client_as):
    # given a row with only the required cells, when imported, then grade and source are the defaults of the form
    client = client_as(cast.alice)
    response = preview(client, "customers", filled(client, "customers", {"客户": [["己公司", "", "", "经销商"]]}))
    client.post(reverse("core:import_commit", args=["customers"]), {"token": token_of(response)})
    assert Customer.objects.filter(name="己公司").values_list("type", "grade", "source").get() == ("distributor", "B", "other")
