"""Sensitive figures by role (issue 13, item 7): prices are for the deal roles and the reviewers who judge prices;
cost and margin for managers, finance and the finance reviewer; quotations are not for warehouse, QC or service;
a unit cost is typed only by those who may see it. Page and API alike."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl import load_workbook

from contracts import documents, services
from salesops.core.errors import Forbidden
from salesops.core.money import amount_in_words

from .conftest import fill_review, line
from .test_documents import pdf_text


@pytest.fixture
def contract(cast, customer, pump, new_valve):
    c = services.contract_create(
        actor=cast.alice, customer=customer, data={}, lines=[line(pump), line(new_valve, quantity="2", unit_price="5000")]
    )
    fill_review(c, cast.alice)
    return c


# who: (sees the contract, sees prices, sees cost and margin)
MATRIX = {
    "alice": (True, True, False),
    "clerk": (True, True, False),
    "manager": (True, True, True),
    "finance": (True, True, True),
    "rev_finance": (True, True, True),
    "rev_procurement": (True, True, False),
    "rev_technical": (True, False, False),
    "rev_production": (True, False, False),
    "warehouse": (False, False, False),
    "service": (False, False, False),
    "qc": (False, False, False),
}


@pytest.mark.parametrize("who", MATRIX)
def test_contract_figures_by_role_on_page_and_api(cast, client_as, api_as, contract, who):
    sees, prices, cost = MATRIX[who]
    user = getattr(cast, who)
    page = client_as(user).get(reverse("contracts:contract_detail", args=[contract.pk]))
    api = api_as(user).get(f"/api/v1/contracts/{contract.pk}/")
    if not sees:
        assert page.status_code == 404 and api.status_code == 404
        return
    html, body = page.content.decode(), api.json()
    assert ("5,000.00" in html) == prices and ("amount_incl" in body) == prices
    assert ("unit_price" in body["lines"][0]) == prices
    assert ('data-testid="margin"' in html) == cost and ("cost_total" in body) == cost


@pytest.mark.parametrize("who", ["warehouse", "service", "qc", "rev_technical"])
def test_quotations_are_not_for_the_goods_side(cast, client_as, api_as, quoting_alice, make_quotation, who):
    q = make_quotation(quoting_alice)
    user = getattr(cast, who)
    assert client_as(user).get(reverse("contracts:quotation_detail", args=[q.pk])).status_code == 404
    assert api_as(user).get(f"/api/v1/quotations/{q.pk}/").status_code == 404


def test_only_cost_readers_type_a_unit_cost(cast, customer, new_valve, client_as):
    with pytest.raises(Forbidden):
        services.contract_create(
            actor=cast.alice,
            customer=customer,
            data={},
            lines=[line(new_valve, quantity="1", unit_price="5000", unit_cost="3000")],
        )
    c = services.contract_create(
        actor=cast.manager, customer=customer, data={}, lines=[line(new_valve, quantity="1", unit_price="5000", unit_cost="3000")]
    )
    assert c.cost_total == 3000
    form = client_as(cast.alice).get(reverse("contracts:contract_create") + f"?customer={customer.pk}").content.decode()
    assert 'name="lines-0-unit_cost"' not in form and "单位成本" not in form
    assert (
        'name="lines-0-unit_cost"'
        in client_as(cast.manager).get(reverse("contracts:contract_create") + f"?customer={customer.pk}").content.decode()
    )


# --- the printed documents obey the same rule, for the one who downloads them -----------------------------------------
@pytest.mark.parametrize("who", ["alice", "manager", "rev_procurement", "rev_technical", "rev_production"])
def test_the_contract_pdf_shows_the_figures_of_the_one_who_downloads_it(cast, client_as, contract, who):
    # given a contract of 10 pumps (1,130.00 each, cost 700.00) and 2 custom valves (5,000.00 each)
    _sees, prices, _cost = MATRIX[who]
    # when `who` downloads its PDF
    response = client_as(getattr(cast, who)).get(reverse("contracts:contract_pdf", args=[contract.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    # then everyone reads the goods; prices, amounts, totals and the amount in words only who may see prices
    assert "增压泵" in text and "定制阀门" in text and contract.number in text
    for figure in ("含税单价", "价税合计", "1,130.00", "5,000.00", "21,300.00", amount_in_words(contract.amount_incl)):
        assert (figure in text) == prices, figure
    assert ("本打印件不含价格和金额" in text) != prices
    # and cost and margin are never printed, whoever prints (the customer's copy)
    assert "700.00" not in text and "成本" not in text and "毛利" not in text


def test_the_quotation_pdf_and_excel_leave_the_prices_out_for_a_reader_without_them(cast, quoting_alice, make_quotation, pump):
    # given a quotation of 10 pumps at 1,130.00
    q = make_quotation(quoting_alice, lines=[line(pump, quantity="10")])
    # when it is printed for a technical reviewer, then the PDF's page has the goods and no price, amount or total
    hidden = documents.quotation_context(q, reader=cast.rev_technical)
    assert hidden["sees_prices"] is False and hidden["amount_in_words"] == ""
    html = render_to_string("contracts/print/quotation.html", hidden)
    assert "增压泵" in html and 'data-testid="no-prices"' in html
    for figure in ("1,130.00", "11,300.00", "含税单价", "价税合计", "不含税金额合计"):
        assert figure not in html, figure
    # while the rep who quoted reads them all
    shown = render_to_string("contracts/print/quotation.html", documents.quotation_context(q, reader=quoting_alice))
    assert "1,130.00" in shown and "11,300.00" in shown and amount_in_words(q.amount_incl) in shown
    # and the Excel copy follows the same rule
    for reader, prices in ((cast.rev_technical, False), (quoting_alice, True)):
        ws = load_workbook(BytesIO(documents.quotation_xlsx(q, reader=reader))).active
        cells = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
        assert "增压泵" in cells and "数量" in cells
        assert ("含税单价" in cells) == prices and ("价税合计" in cells) == prices
        assert (11300 in cells) == prices and (1130 in cells) == prices


@pytest.mark.parametrize("who", [w for w, (sees, _p, _c) in MATRIX.items() if sees])
def test_the_contract_list_its_api_and_its_export_show_amounts_only_to_price_readers(cast, client_as, api_as, contract, who):
    _sees, prices, _cost = MATRIX[who]
    user = getattr(cast, who)
    page = client_as(user).get(reverse("contracts:contract_list")).content.decode()
    assert ('<th class="num">价税合计</th>' in page) == prices
    row = next(r for r in api_as(user).get("/api/v1/contracts/").json()["results"] if r["id"] == contract.pk)
    assert {"amount_excl", "tax_amount", "amount_incl"} <= set(row) if prices else not {"amount_excl", "amount_incl"} & set(row)
    export = api_as(user).get("/api/v1/contracts/export/")
    sheet = load_workbook(BytesIO(b"".join(export.streaming_content))).active
    headers = {str(c.value) for row_ in sheet.iter_rows(max_row=6) for c in row_ if c.value}
    assert ("含税金额" in headers) == prices and ("不含税金额" in headers) == prices


def test_the_review_title_names_no_amount(cast, contract):
    from salesops.core.models import ApprovalRequest

    services.contract_submit(contract=contract, actor=cast.alice)
    title = ApprovalRequest.objects.get(target_id=contract.pk, kind="contract_review").title
    assert contract.number in title and "元" not in title and "11,000" not in title and "11000" not in title


def test_a_change_and_a_kept_version_read_without_prices_by_a_goods_reviewer(cast):
    from types import SimpleNamespace

    from contracts import selectors

    change = SimpleNamespace(
        line_changes=[
            {"line_id": 1, "name": "水泵", "unit_price": ["2260.00", "999.00"]},
            {"line_id": 2, "name": "阀门", "quantity": ["2", "3"], "amount_incl": ["10000.00", "15000.00"]},
        ]
    )
    assert selectors.change_lines_for(change, cast.manager) == change.line_changes
    assert selectors.change_lines_for(change, cast.rev_technical) == [{"line_id": 2, "name": "阀门", "quantity": ["2", "3"]}]
    version = SimpleNamespace(
        snapshot={
            "header": {"number": "HT-1", "amount_incl": "100.00"},
            "lines": [{"name": "水泵", "unit_price": "1", "quantity": "2"}],
        }
    )
    assert selectors.snapshot_for(version, cast.rev_technical) == {
        "header": {"number": "HT-1"},
        "lines": [{"name": "水泵", "quantity": "2"}],
    }
    assert selectors.snapshot_for(version, cast.rev_finance) == version.snapshot
