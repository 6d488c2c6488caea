"""In a real browser: the keyboard starts where the work is — on the first field of a fresh entry form, and after a
refused submit on the field with the error (a clerk typing all day should not have to reach for the mouse)."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_an_entry_form_starts_on_its_first_field_and_a_refusal_on_the_wrong_field(cast, page_as, live_server):
    page = page_as("alice")
    page.goto(f"{live_server.url}/customers/new/")
    assert focused_id(page) == "id_name"

    page.fill("#id_name", "焦点测试有限公司")
    page.fill("#id_uscc", "123")  # not a USCC: refused at its field
    page.click("[data-testid=form-submit]")
    page.wait_for_selector("#id_uscc.is-invalid")
    assert focused_id(page) == "id_uscc"


def test_a_page_to_read_takes_no_focus(cast, page_as, live_server):
    page = page_as("alice")
    page.goto(f"{live_server.url}/customers/")
    assert focused_id(page) in ("", None)
