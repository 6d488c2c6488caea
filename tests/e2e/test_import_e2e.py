"""In a real browser: a rep imports customers from Excel — the preview shows the row errors and nothing is saved until
the corrected file's preview is accepted."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from customers.models import Customer
from salesops.core.imports import importer_named, template_file

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def workbook(path, *customers):
    wb = load_workbook(BytesIO(template_file(importer_named("customers"))))
    for name, kind in customers:
        wb["客户"].append([name, "", "", kind, "B 一般客户"])
    wb.save(path)
    return str(path)


def test_the_preview_shows_row_errors_and_nothing_is_saved_until_accepted(cast, page_as, live_server, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    page = page_as("alice")
    page.goto(f"{live_server.url}/customers/")
    page.click("[data-testid=customer-import]")

    # when alice uploads a file whose second customer has no name and an unknown type
    page.set_input_files(
        "[data-testid=import-file]", workbook(tmp_path / "bad.xlsx", ("浏览器导入有限公司", "经销商"), ("", "外星客户"))
    )
    with page.expect_navigation():  # the preview is the answer to the upload: wait for it, not for the old page
        page.click("[data-testid=import-preview]")

    # then the preview lists the errors of row 4 by column, offers no 确认导入, and nothing was saved
    errors = page.locator("[data-testid=import-error-row]")
    assert errors.count() == 2
    assert "4" in errors.first.inner_text() and "客户名称" in errors.first.inner_text() and "必填" in errors.first.inner_text()
    assert page.locator("[data-testid=import-commit]").count() == 0
    assert not Customer.objects.exists()

    # when she uploads the corrected file, then the preview is ready — still nothing saved
    page.set_input_files("[data-testid=import-file]", workbook(tmp_path / "good.xlsx", ("浏览器导入有限公司", "经销商")))
    with page.expect_navigation():  # the preview is the answer to the upload: wait for it, not for the old page
        page.click("[data-testid=import-preview]")
    assert page.locator("[data-testid=import-ready]").is_visible()
    assert not Customer.objects.exists()

    # when she accepts, then the customer is hers and listed
    page.click("[data-testid=import-commit]")
    page.wait_for_url(f"{live_server.url}/customers/")
    assert "浏览器导入有限公司" in page.locator("[data-testid=customer-row]").first.inner_text()
    assert Customer.objects.get().owner == cast.alice
