"""In a real browser: the clerk opens a customer's 对账单 from the customer page, chooses the month, reads the running
balance and downloads the Excel to send."""

import pytest
from openpyxl import load_workbook

from tests.reports.books import make_book

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_clerk_reconciles_a_customers_month_and_downloads_it(cast, page_as, live_server, tmp_path):
    book = make_book(cast)
    clerk = page_as("clerk")
    clerk.goto(f"{live_server.url}{book.jia.get_absolute_url()}")
    with clerk.expect_navigation():
        clerk.click("[data-testid=panel-statement]")
    clerk.fill("#id_start", "2026-11-01")
    clerk.fill("#id_end", "2026-11-30")
    with clerk.expect_navigation():
        clerk.click("[data-testid=statement-period] button[type=submit]")
    assert clerk.locator("[data-testid=statement-move]").count() == 4
    assert clerk.locator("[data-testid=statement-closing]").inner_text() == "7,000.00"
    with clerk.expect_download() as download:
        clerk.click("[data-testid=statement-xlsx]")
    path = tmp_path / "statement.xlsx"
    download.value.save_as(path)
    assert download.value.suggested_filename.endswith("20261101-20261130.xlsx")
    rows = [[v for v in row if v is not None] for row in load_workbook(path).active.iter_rows(values_only=True)]
    assert any(r[:1] == ["期末余额"] and float(r[-1]) == 7000.0 for r in rows)
