"""Rules of document lines that the pages and the API share, kept once in the line-building service
(contracts.services.lines): discounts typed as percentages (the API's `discount_percent`, the old `discount_rate` still
taken), and a unit cost a manager entered kept when a rep — who may neither see nor type costs — saves the document."""

from __future__ import annotations

import re
from decimal import Decimal as D

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contracts import services
from contracts.models import Contract, ContractChange, Quotation
from salesops.core.errors import DomainError, Forbidden

from .conftest import decide, fill_review, fresh, line

pytestmark = pytest.mark.django_db

QUOTATIONS = "/api/v1/quotations/"
CONTRACTS = "/api/v1/contracts/"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
BRACKET = {"product": None, "name": "非标支架", "model": "ZJ-1", "spec": "Q235 热镀锌", "unit": "套"}


def html(response) -> str:
    return response.content.decode()


def posted_form(page: str, **changes) -> dict:
    """The fields of the page's line form as the browser posts them (lxml's form_values), with `changes` typed in."""
    form = next(f for f in lxml.html.fromstring(page).forms if "lines-TOTAL_FORMS" in f.fields)
    return {**dict(form.form_values()), **changes}


# --- discounts as percentages -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("row", "rate"),
    [
        ({"discount_percent": "5"}, D("0.0500")),
        ({"discount_percent": D("12.5")}, D("0.1250")),
        ({"discount_rate": "0.05"}, D("0.05")),
        ({"discount_percent": "12.5", "discount_rate": "0.125"}, D("0.1250")),
        ({}, None),
    ],
)
def test_a_percentage_is_the_rate_it_stands_for(row, rate):
    assert services.discount_rate_of(row) == rate


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"discount_percent": "10", "discount_rate": "0.05"}, "不一致"),
        ({"discount_percent": "101"}, "不能大于 100"),
        ({"discount_percent": "-1"}, "不能小于 0"),
        ({"discount_percent": "5.125"}, "最多 2 位小数"),
        ({"discount_percent": "五"}, "不是有效的数字"),
    ],
)
def test_a_percentage_out_of_range_or_disagreeing_with_the_rate_is_refused_naming_the_line(row, message):
    with pytest.raises(DomainError, match=message) as refused:
        services.discount_rate_of(row, "第 1 行（增压泵）")
    assert "第 1 行（增压泵）" in str(refused.value)


def test_the_api_takes_discounts_as_percentages(cast, api_as, quoting_alice, customer, pump):
    api = api_as(quoting_alice)

    def create(**discount):
        return api.post(
            QUOTATIONS, {"customer": customer.pk, "lines": [{"product": pump.pk, "quantity": "10", **discount}]}, format="json"
        )

    # given 10 pumps at 1,130.00; when alice quotes 5 % off as a percentage, then the rate kept is 0.05 and the total 10,735
    body = create(discount_percent="5").json()
    assert body["lines"][0]["discount_rate"] == "0.0500" and body["amount_incl"] == "10735.00"
    # the old rate field still works, and both agreeing are fine
    assert create(discount_rate="0.05").json()["amount_incl"] == "10735.00"
    assert create(discount_percent="12.5", discount_rate="0.125").json()["lines"][0]["discount_rate"] == "0.1250"
    count = Quotation.objects.count()
    # both disagreeing, or a percentage out of range: a 400 in Chinese and nothing saved
    for bad, words in (({"discount_percent": "10", "discount_rate": "0.05"}, "不一致"), ({"discount_percent": "100"}, "100%")):
        response = create(**bad)
        assert response.status_code == 400 and words in response.json()["detail"], response.json()
    for bad in ({"discount_percent": "101"}, {"discount_percent": "5.125"}):
        response = create(**bad)
        assert response.status_code == 400 and CHINESE.search(str(response.json())), response.json()
    assert Quotation.objects.count() == count


def test_an_order_takes_discounts_as_percentages_when_made_and_when_changed(cast, api_as, customer, pump):
    clerk = api_as(cast.manager)  # 10 % off: within a manager's discount limit (a clerk's is 5 %)
    body = clerk.post(
        "/api/v1/orders/",
        {"customer": customer.pk, "lines": [{"product": pump.pk, "quantity": "10", "discount_percent": "10"}]},
        format="json",
    ).json()
    assert body["lines"][0]["discount_rate"] == "0.1000" and body["amount_incl"] == "10170.00"
    line_id = str(body["lines"][0]["id"])
    changed = clerk.patch(f"/api/v1/orders/{body['id']}/", {"lines": {line_id: {"discount_percent": "5"}}}, format="json")
    assert changed.status_code == 200 and changed.json()["lines"][0]["discount_rate"] == "0.0500"
    refused = clerk.patch(
        f"/api/v1/orders/{body['id']}/",
        {"lines": {line_id: {"discount_percent": "20", "discount_rate": "0.1"}}},
        format="json",
    )
    assert refused.status_code == 400 and "不一致" in refused.json()["detail"]
    assert api_as(cast.clerk).get(f"/api/v1/orders/{body['id']}/").json()["amount_incl"] == "10735.00"


def test_a_change_request_takes_the_discount_as_a_percentage_on_the_page_and_the_api(cast, client_as, api_as, customer, pump):
    # given a signed contract of 10 pumps
    contract = services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(pump)])
    fill_review(contract, cast.alice)
    services.contract_submit(contract=contract, actor=cast.alice)
    decide(contract, services.CONTRACT_KIND, cast.manager)
    pdf = SimpleUploadedFile("s.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    contract = services.contract_sign(contract=contract, actor=cast.alice, signed_on=None, scan=pdf)
    ln = contract.lines.get()
    # when alice asks for 8 % off on the page, then the change proposes the rate 0.08
    client = client_as(cast.alice)
    url = reverse("contracts:contract_change", args=[contract.pk])
    page = html(client.get(url))
    assert 'name="lines-0-discount_percent" value="0"' in page
    response = client.post(url, posted_form(page, reason="老客户让利", **{"lines-0-discount_percent": "8"}))
    assert response.status_code == 302
    change = ContractChange.objects.get()
    assert change.line_changes == [{"line_id": ln.pk, "name": ln.name, "discount_rate": ["0.0000", "0.0800"]}]
    client.post(reverse("contracts:contract_change_withdraw", args=[contract.pk]))
    # and through the API the same percentage gives the same rate
    body = api_as(cast.alice).post(
        f"{CONTRACTS}{contract.pk}/change-request/",
        {"reason": "老客户让利", "lines": {str(ln.pk): {"discount_percent": "8"}}},
        format="json",
    )
    assert body.status_code == 201, body.json()
    assert ContractChange.objects.latest("pk").line_changes == change.line_changes


# --- a manager's cost on a custom line survives a rep's edit ----------------------------------------------------------
@pytest.fixture
def costed(cast, customer, pump):
    """alice's draft contract: 10 pumps (catalog cost 700.00) and 2 custom brackets at 5,000.00 whose unit cost
    (3,000.00) the manager typed in afterwards."""
    contract = services.contract_create(
        actor=cast.alice, customer=customer, data={}, lines=[line(pump), {**BRACKET, "quantity": "2", "unit_price": "5000"}]
    )
    assert contract.lines.get(product=None).unit_cost == 0  # a rep's custom line has no cost
    rows = [line(pump), {**BRACKET, "quantity": "2", "unit_price": "5000", "unit_cost": "3000"}]
    contract = services.contract_update(contract=contract, actor=cast.manager, data={}, lines=rows)
    assert contract.cost_total == D("13000.00")
    return contract


def test_a_rep_saving_the_contract_page_keeps_the_managers_cost(cast, client_as, costed):
    # given alice opens the contract's edit page: she sees no cost, and each kept row carries the id of its line
    client = client_as(cast.alice)
    url = reverse("contracts:contract_edit", args=[costed.pk])
    page = html(client.get(url))
    assert "unit_cost" not in page and "3000" not in page and "3,000" not in page
    bracket = costed.lines.get(product=None)
    assert f'name="lines-1-id" value="{bracket.pk}"' in page
    # when she changes the brackets to 4, adds a custom installation line and saves
    data = posted_form(
        page,
        **{"lines-1-quantity": "4", "lines-2-name": "安装调试", "lines-2-quantity": "1", "lines-2-unit_price": "800"},
    )
    response = client.post(url, data)
    assert response.status_code == 302, html(response)
    # then the brackets keep the manager's cost, the pumps the catalog's, the new line has none
    saved = fresh(costed)
    costs = {ln.name: ln.unit_cost for ln in saved.lines.all()}
    assert costs == {"增压泵": D("700.00"), "非标支架": D("3000.00"), "安装调试": D("0.00")}
    assert saved.lines.get(name="非标支架").quantity == 4 and saved.cost_total == D("19000.00")


def test_a_rep_saving_through_the_api_keeps_the_managers_cost(cast, api_as, costed, pump):
    alice = api_as(cast.alice)
    url = f"{CONTRACTS}{costed.pk}/"
    body = alice.get(url).json()
    assert all("unit_cost" not in ln for ln in body["lines"]) and "cost_total" not in body

    def rows(*, ids: bool, quantity="2"):
        out = []
        for ln in body["lines"]:
            row = {k: ln[k] for k in ("product", "name", "model", "spec", "unit", "unit_price")}
            row["quantity"] = quantity if ln["product"] is None else ln["quantity"]
            if ids:
                row["id"] = ln["id"]
            out.append(row)
        return out

    def bracket_cost():
        return Contract.objects.get(pk=costed.pk).lines.get(name="非标支架").unit_cost

    # when alice sends the lines back with their ids (the brackets now 3), then the cost stays
    assert alice.patch(url, {"lines": rows(ids=True, quantity="3")}, format="json").status_code == 200
    assert bracket_cost() == D("3000.00") and fresh(costed).cost_total == D("16000.00")
    # an older client without ids: matched by the same product and description, the cost stays
    body = alice.get(url).json()
    assert alice.patch(url, {"lines": rows(ids=False)}, format="json").status_code == 200
    assert bracket_cost() == D("3000.00")
    # a new custom line of hers has no cost, and a cost she types is refused (403), nothing changed
    body = alice.get(url).json()
    extra = {"name": "安装调试", "quantity": "1", "unit_price": "800"}
    assert alice.patch(url, {"lines": [*rows(ids=True), extra]}, format="json").status_code == 200
    assert fresh(costed).lines.get(name="安装调试").unit_cost == 0 and bracket_cost() == D("3000.00")
    body = alice.get(url).json()
    typed = [*rows(ids=True)[:1], {**rows(ids=True)[1], "unit_cost": "1"}]
    assert alice.patch(url, {"lines": typed}, format="json").status_code == 403
    assert bracket_cost() == D("3000.00")
    # a row naming the brackets' line but another product does not inherit their cost
    swapped = [rows(ids=True)[0], {"id": body["lines"][1]["id"], "product": pump.pk, "quantity": "1"}]
    assert alice.patch(url, {"lines": swapped}, format="json").status_code == 200
    assert [ln.unit_cost for ln in fresh(costed).lines.order_by("line_no")] == [D("700.00"), D("700.00")]


def test_the_line_ids_of_another_document_keep_nothing(cast, customer, costed):
    # given another draft of alice's; when she names the costed brackets' line id on it, then no cost comes along
    other = services.contract_create(
        actor=cast.alice, customer=customer, data={}, lines=[{**BRACKET, "quantity": "1", "unit_price": "1"}]
    )
    bracket = costed.lines.get(product=None)
    other = services.contract_update(
        contract=other, actor=cast.alice, data={}, lines=[{**BRACKET, "id": bracket.pk, "quantity": "1", "unit_price": "1"}]
    )
    assert other.lines.get().unit_cost == 0
    with pytest.raises(Forbidden):
        services.contract_update(
            contract=other, actor=cast.alice, data={}, lines=[{**BRACKET, "quantity": "1", "unit_price": "1", "unit_cost": "5"}]
        )


def test_a_manager_who_leaves_the_cost_blank_keeps_it_and_may_change_it(cast, costed):
    bracket = costed.lines.get(product=None)
    row = {**BRACKET, "id": bracket.pk, "quantity": "2", "unit_price": "5000"}
    kept = services.contract_update(contract=costed, actor=cast.manager, data={}, lines=[row])
    assert kept.lines.get().unit_cost == D("3000.00")
    changed = services.contract_update(contract=costed, actor=cast.manager, data={}, lines=[{**row, "unit_cost": "2800"}])
    assert changed.lines.get().unit_cost == D("2800.00")


def test_a_quotation_edited_by_its_rep_keeps_the_managers_cost(cast, quoting_alice, make_quotation):
    q = make_quotation(quoting_alice, lines=[{**BRACKET, "quantity": "2", "unit_price": "5000"}])
    q = services.quotation_update(
        quotation=q, actor=cast.manager, data={}, lines=[{**BRACKET, "quantity": "2", "unit_price": "5000", "unit_cost": "3000"}]
    )
    q = services.quotation_update(
        quotation=q, actor=quoting_alice, data={}, lines=[{**BRACKET, "quantity": "5", "unit_price": "4800"}]
    )
    assert q.lines.get().unit_cost == D("3000.00") and q.lines.get().quantity == 5
