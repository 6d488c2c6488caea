"""The formal documents: 报价单 PDF/Excel and 销售合同 PDF (contracts/documents.py) and their download views."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from io import BytesIO
from urllib.parse import quote

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from contracts import documents, services
from contracts.document_views import PDF, XLSX
from salesops.core.money import amount_in_words

from .conftest import decide, line

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    """The text of every page with whitespace removed (table cells may wrap anywhere)."""
    reader = PdfReader(BytesIO(content))
    return "".join("".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture
def quotation(quoting_alice, make_quotation, pump):
    return make_quotation(
        quoting_alice,
        lines=[line(pump, quantity="10"), line(pump, quantity="3", discount_rate="0.05")],
        project_name="二期扩建",
        delivery_terms="送货到厂",
        payment_terms_text="合同签订后 7 日内付清",
    )


@pytest.fixture
def contract(cast, customer, pump):
    return services.contract_create(
        actor=cast.alice,
        customer=customer,
        data={"quality_terms": "按国标验收", "other_terms": "争议由供方所在地法院管辖"},
        lines=[line(pump, quantity="12")],
    )


# --- helpers ----------------------------------------------------------------------------------------------------
def test_percent_formats_rates():
    assert documents.percent(D("0.13")) == "13%"
    assert documents.percent(D("0.055")) == "5.5%"
    assert documents.percent(D("0")) == "0%"


def test_filenames_carry_kind_number_and_version(cast, quotation, contract, quoting_alice):
    assert documents.document_filename(quotation, "pdf") == f"报价单-{quotation.number}.pdf"
    assert documents.document_filename(contract, "pdf") == f"合同-{contract.number}.pdf"
    services.quotation_submit(quotation=quotation, actor=quoting_alice)
    decide(quotation, services.QUOTATION_KIND, cast.manager)
    v2 = services.quotation_revise(quotation=quotation, actor=quoting_alice)
    assert v2.version == 2
    assert documents.document_filename(v2, "xlsx") == f"报价单-{v2.number}-v2.xlsx"


# --- quotation PDF ----------------------------------------------------------------------------------------------
def test_quotation_pdf_has_the_chinese_text_embedded(quotation):
    content = documents.quotation_pdf(quotation)
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    # Chinese glyphs vanish silently without a CJK font: finding them in the extracted text proves they are embedded.
    assert "报价单" in text
    assert "苏州精工机械有限公司" in text
    assert quotation.number in text
    assert amount_in_words(quotation.amount_incl) in text
    assert "二期扩建" in text
    assert "送货到厂" in text
    assert "合同签订后7日内付清" in text
    assert "增压泵" in text
    assert f"{quotation.amount_incl:,.2f}" in text


def test_quotation_pdf_names_the_cjk_fonts(quotation):
    html = documents.render_to_string("contracts/print/quotation.html", documents.quotation_context(quotation))
    assert "Noto Sans CJK SC" in html
    assert "Noto Serif CJK SC" in html
    assert "size: A4" in html


# --- quotation Excel --------------------------------------------------------------------------------------------
def test_quotation_xlsx_has_lines_and_totals_as_numbers(quotation):
    wb = load_workbook(BytesIO(documents.quotation_xlsx(quotation)))
    ws = wb.active
    assert ws.title == quotation.display_number
    values = [[c for c in row] for row in ws.iter_rows(values_only=True)]
    cells = [c for row in values for c in row if c is not None]
    assert "苏州精工机械有限公司" in cells
    assert amount_in_words(quotation.amount_incl) in cells

    header = next(i for i, row in enumerate(values) if row[0] == "行号")
    assert values[header][-1] == "价税合计"
    lines = list(quotation.lines.all())
    rows = values[header + 1 : header + 1 + len(lines)]
    for row, ln in zip(rows, lines, strict=True):
        assert row[0] == ln.line_no
        assert row[1] == ln.name
        assert D(str(row[5])) == ln.quantity
        assert D(str(row[6])) == ln.unit_price
        assert D(str(row[9])) == ln.amount_excl
        assert D(str(row[10])) == ln.tax
        assert D(str(row[11])) == ln.amount_incl
    totals = values[header + 1 + len(lines)]
    assert totals[0] == "合计"
    assert [D(str(v)).quantize(D("0.01")) for v in totals[9:12]] == [
        quotation.amount_excl,
        quotation.tax_amount,
        quotation.amount_incl,
    ]
    assert isinstance(totals[11], (int, float))
    assert ws.cell(row=header + 2, column=12).number_format == "#,##0.00"
    assert ws.column_dimensions["B"].width == 24


# --- contract PDF -----------------------------------------------------------------------------------------------
def test_contract_pdf_has_parties_terms_and_amount_in_words(contract):
    content = documents.contract_pdf(contract)
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "销售合同" in text
    assert contract.number in text
    assert "苏州精工机械有限公司" in text  # 需方
    assert "供方" in text and "需方" in text
    assert amount_in_words(contract.amount_incl) in text
    assert contract.get_classification_display() in text
    assert "按国标验收" in text
    assert "争议由供方所在地法院管辖" in text


# --- views ------------------------------------------------------------------------------------------------------
@pytest.fixture
def urls(quotation, contract):
    return {
        "quotation_pdf": (reverse("contracts:quotation_pdf", args=[quotation.pk]), PDF, quotation, "pdf"),
        "quotation_xlsx": (reverse("contracts:quotation_xlsx", args=[quotation.pk]), XLSX, quotation, "xlsx"),
        "contract_pdf": (reverse("contracts:contract_pdf", args=[contract.pk]), PDF, contract, "pdf"),
    }


@pytest.mark.parametrize("name", ["quotation_pdf", "quotation_xlsx", "contract_pdf"])
def test_owner_downloads_the_document(cast, client_as, urls, name):
    url, content_type, obj, ext = urls[name]
    response = client_as(cast.alice).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition
    assert quote(documents.document_filename(obj, ext)) in disposition
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith(b"%PDF" if ext == "pdf" else b"PK")


@pytest.mark.parametrize("name", ["quotation_pdf", "quotation_xlsx", "contract_pdf"])
def test_another_rep_gets_404(cast, client_as, urls, name):
    url, *_ = urls[name]
    assert client_as(cast.carol).get(url).status_code == 404


@pytest.mark.parametrize("name", ["quotation_pdf", "quotation_xlsx", "contract_pdf"])
def test_anonymous_is_sent_to_login(client, urls, name):
    url, *_ = urls[name]
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_quotation_pdf_shows_contact_and_foreign_currency(quoting_alice, make_quotation, customer, pump):
    q = make_quotation(quoting_alice, contact=customer.contacts.get(), currency="USD", exchange_rate=D("7.1000"))
    text = pdf_text(documents.quotation_pdf(q))
    assert "王经理" in text
    assert "USD" in text
    assert amount_in_words(q.amount_incl) in text


def test_contract_pdf_shows_payment_and_delivery_terms(cast, customer, pump):
    c = services.contract_create(
        actor=cast.alice,
        customer=customer,
        data={
            "payment_terms": "deposit",
            "deposit_rate": D("0.30"),
            "credit_days": 30,
            "payment_terms_text": "余款见票30日内付清",
            "delivery_date": date(2027, 1, 15),
            "delivery_terms": "供方送货",
        },
        lines=[line(pump, quantity="2.5")],
    )
    text = pdf_text(documents.contract_pdf(c))
    assert "定金+余款" in text
    assert "30%" in text
    assert "30天" in text
    assert "余款见票30日内付清" in text
    assert "2027-01-15" in text
    assert "供方送货" in text
    assert "2.5" in text
