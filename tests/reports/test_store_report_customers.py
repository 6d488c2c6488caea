"""门店/经销商销售月报 and the dashboard's 销售额前十的门店/经销商 chart are about stores and distributors: QA found
上海测试精密机械 (终端客户) in both. kpis.store_rows and kpis.top_stores keep the customers of kpis.STORE_CUSTOMER_TYPES
(every customer type but 终端客户); the company's own figures (销售额（按发货）…) still count every customer."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from io import BytesIO

import pytest
from openpyxl import load_workbook

from catalog import rules as catalog_rules
from customers.models import Customer
from orders.models import SalesOrder, Shipment
from reports import kpis
from reports.models import ReportRun
from reports.periods import Period
from reports.scopes import Scope
from reports.services.runs import report_run_request
from tests.factories import CustomerFactory
from tests.reports.books import at, make_book

pytestmark = pytest.mark.django_db
NOV = Period.month(2026, 11)
COMPANY = Scope.company()
END = "上海测试精密机械有限公司"


@pytest.fixture
def book(cast, settings, tmp_path):
    """The November 2026 of tests/reports/books.py (甲 a distributor, 乙 a franchise store), plus an end customer of
    alice's that bought the most: 20,000.00 shipped on 11-18, and a dealer (代理商) of bob's: 300.00 on 11-19."""
    settings.MEDIA_ROOT = tmp_path / "media"
    b = make_book(cast)
    b.end = CustomerFactory(owner=cast.alice, team=cast.east, name=END, province="上海", type="end_customer")
    b.dealer = CustomerFactory(owner=cast.bob, team=cast.east, name="丙代理商", province="浙江", type="dealer")
    for customer, owner, amount, day, number in (
        (b.end, cast.alice, "20000.00", 18, "SO-END"),
        (b.dealer, cast.bob, "300.00", 19, "SO-DLR"),
    ):
        order = SalesOrder.objects.create(
            number=number, customer=customer, owner=owner, received_on=date(2026, 11, day), amount_incl=D(amount),
            status=SalesOrder.Status.SHIPPED, created_by=cast.clerk,
        )  # fmt: skip
        Shipment.objects.create(
            number=f"FH-{number}", order=order, status="shipped", shipped_at=at(2026, 11, day), amount_incl=D(amount),
            created_by=cast.clerk,
        )  # fmt: skip
    return b


def test_the_store_types_are_every_customer_type_but_the_end_customer():
    assert "end_customer" not in kpis.STORE_CUSTOMER_TYPES
    assert set(kpis.STORE_CUSTOMER_TYPES) == set(catalog_rules.CUSTOMER_TYPE_CODES) - {"end_customer"}
    assert set(kpis.STORE_CUSTOMER_TYPES) <= set(Customer.Type.values)


def test_the_store_rows_leave_the_end_customer_out(book):
    # when the rows of the store/distributor report are read for November
    names = [r["customer_name"] for r in kpis.store_rows(NOV, COMPANY)]
    # then the stores, distributors and dealers are there, the end customer is not
    assert sorted(names) == sorted(["丙代理商", "乙客户", "甲客户"]) and END not in names
    # its scope's rows too (alice's: 甲 only, not her end customer)
    assert [r["customer_name"] for r in kpis.store_rows(NOV, Scope.rep(book.cast.alice.pk))] == ["甲客户"]
    # while the company's shipped sales still count every customer: 9,500.00 of the book + 20,300.00
    assert kpis.sales_shipped(NOV, COMPANY) == D("29800.00")
    assert kpis.totals("store", NOV, COMPANY)["shipped"] == D("9800.00")


def test_the_top_stores_chart_leaves_the_end_customer_out(cast, client_as, book):
    # the end customer shipped the most of anybody in November; the chart's top stores start with 甲
    top = kpis.top_stores(NOV, COMPANY, 10)
    assert [r["customer_name"] for r in top] == ["甲客户", "丙代理商", "乙客户"]
    assert [r["customer_name"] for r in kpis.top_stores(NOV, COMPANY, 1)] == ["甲客户"]
    # and the dashboard's 销售额前十的门店/经销商 chart shows the same
    page = client_as(cast.manager).get("/reports/figures/?period=2026-11")
    charts = {c["key"]: c for c in page.context["charts"]}
    assert charts["by_store"]["labels"] == ["甲客户", "丙代理商", "乙客户"]
    assert END not in charts["by_store"]["labels"]


def test_the_monthly_workbook_leaves_the_end_customer_out(cast, book, django_capture_on_commit_callbacks):
    # when the 门店/经销商销售月报 of November is generated
    with django_capture_on_commit_callbacks(execute=True):
        run, created = report_run_request(kind="store_sales", period=NOV, scope=COMPANY, actor=None)
    run.refresh_from_db()
    assert created and run.status == ReportRun.Status.DONE, run.error
    with run.file.open("rb") as f:
        ws = load_workbook(BytesIO(f.read()))["门店销售"]
    names = [r[0] for r in ws.iter_rows(values_only=True) if r and r[0]]
    # then its rows are the stores and distributors, and its 合计 is theirs
    assert END not in names and {"甲客户", "乙客户", "丙代理商"} <= set(names)
    assert run.totals["shipped"]["value"] == "9800.00"
