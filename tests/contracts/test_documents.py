"""The formal documents: 报价单 PDF/Excel and 销售合同 PDF (contracts/documents.py) and their download views."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from io import BytesIO
from urllib.parse import quote

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from contracts import documents, services
from contracts.document_views import PDF, XLSX
from contracts.models import Contract, Quotation
from salesops.core.documents import Watermark
from salesops.core.money import amount_in_words, percent_text

from .conftest import decide, fresh, line

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
    assert percent_text(D("0.13")) == "13%"
    assert percent_text(D("0.055")) == "5.5%"
    assert percent_text(D("0.3333")) == "33.33%"
    assert percent_text(D("0")) == "0%"


def test_the_page_shows_a_discount_as_the_document_does_not_rounded_to_a_whole_percent(
    quoting_alice, make_quotation, pump, client_as
):
    q = make_quotation(
        quoting_alice, lines=[line(pump, quantity="1", discount_rate="0.125"), line(pump, quantity="1", discount_rate="0.3333")]
    )
    page = client_as(quoting_alice).get(f"/sales/quotations/{q.pk}/").content.decode()
    assert ">12.5%<" in page and ">33.33%<" in page and ">12%<" not in page and ">33%<" not in page


def test_filenames_carry_kind_number_and_version(cast, quotation, contract, quoting_alice):
    assert documents.document_filename(quotation, "pdf") == f"报价单-{quotation.number}.pdf"
    assert documents.document_filename(contract, "pdf") == f"合同-{contract.number}.pdf"
    services.quotation_submit(quotation=quotation, actor=quoting_alice)
    decide(quotation, services.QUOTATION_KIND, cast.manager)
    v2 = services.quotation_revise(quotation=quotation, actor=quoting_alice)
    assert v2.version == 2
    assert documents.document_filename(v2, "xlsx") == f"报价单-{v2.number}-v2.xlsx"


# --- quotation PDF ----------------------------------------------------------------------------------------------
def test_quotation_pdf_has_the_chinese_text_embedded(quotation, settings):
    content = documents.quotation_pdf(quotation, reader=quotation.owner)
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    # Chinese glyphs vanish silently without a CJK font: finding them in the extracted text proves they are embedded.
    assert "报价单" in text
    assert "苏州精工机械有限公司" in text
    assert settings.COMPANY_TAX_ID in text  # the letterhead with the tax id and bank
    assert quotation.number in text
    assert amount_in_words(quotation.amount_incl) in text
    assert "二期扩建" in text
    assert "送货到厂" in text
    assert "合同签订后7日内付清" in text
    assert "增压泵" in text
    assert f"{quotation.amount_incl:,.2f}" in text


def test_quotation_pdf_names_the_cjk_fonts(quotation):
    html = render_to_string("contracts/print/quotation.html", documents.quotation_context(quotation, reader=quotation.owner))
    assert "Noto Sans CJK SC" in html
    assert "Noto Serif CJK SC" in html
    assert "size: A4" in html


# --- quotation Excel --------------------------------------------------------------------------------------------
def test_quotation_xlsx_has_lines_and_totals_as_numbers(quotation):
    wb = load_workbook(BytesIO(documents.quotation_xlsx(quotation, reader=quotation.owner)))
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
    # the header row is bold and frozen, and printed on every page
    assert ws.cell(row=header + 1, column=1).font.b and ws.cell(row=header + 1, column=12).font.b
    assert ws.freeze_panes == f"A{header + 2}"
    assert ws.print_title_rows == f"${header + 1}:${header + 1}"
    # each column kind has its number format: quantities, money, rates (10 pumps, 3 at 5 % off, 13 % VAT)
    first, second, total_row = header + 2, header + 3, header + 2 + len(lines)
    assert ws.cell(row=first, column=6).number_format == "#,##0"
    assert ws.cell(row=first, column=7).number_format == "#,##0.00"
    assert ws.cell(row=second, column=8).number_format == "0%" and D(str(ws.cell(row=second, column=8).value)) == D("0.05")
    assert ws.cell(row=first, column=9).number_format == "0%" and D(str(ws.cell(row=first, column=9).value)) == D("0.13")
    # the totals row: 合计 across the first nine columns, the three sums bold in money format
    assert f"A{total_row}:I{total_row}" in {str(r) for r in ws.merged_cells.ranges}
    for col in (10, 11, 12):
        assert ws.cell(row=total_row, column=col).font.b
        assert ws.cell(row=total_row, column=col).number_format == "#,##0.00"
    # the dates of the header block are dates, and the sheet prints on A4 landscape
    quote_date = next(row[7] for row in values if row[6] == "报价日期")
    assert quote_date.date() == quotation.quote_date
    assert ws.page_setup.orientation == "landscape"


# --- contract PDF -----------------------------------------------------------------------------------------------
def test_contract_pdf_has_parties_terms_and_amount_in_words(contract, settings):
    content = documents.contract_pdf(contract, reader=contract.owner)
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "销售合同" in text
    assert settings.COMPANY_TAX_ID in text  # the letterhead with the tax id and bank
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
    text = pdf_text(documents.quotation_pdf(q, reader=q.owner))
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
        lines=[line(pump), line(name="控制电缆", unit="米", quantity="2.5", unit_price="12.00")],
    )
    text = pdf_text(documents.contract_pdf(c, reader=c.owner))
    assert "定金+余款" in text
    assert "30%" in text
    assert "30天" in text
    assert "余款见票30日内付清" in text
    assert "2027-01-15" in text
    assert "供方送货" in text
    assert "2.5" in text


# --- watermarks: a document that is not formal never looks formal ---------------------------------------------
QUOTATION_MARKS = {
    Quotation.Status.DRAFT: "草稿",
    Quotation.Status.IN_REVIEW: "未审核",
    Quotation.Status.APPROVED: "",
    Quotation.Status.SENT: "",
    Quotation.Status.ACCEPTED: "",
    Quotation.Status.REJECTED: "已拒绝",
    Quotation.Status.EXPIRED: "已过期",
    Quotation.Status.SUPERSEDED: "旧版本",
    Quotation.Status.CANCELLED: "作废",
}
CONTRACT_MARKS = {
    Contract.Status.DRAFT: "草稿",
    Contract.Status.IN_REVIEW: "未审核",
    Contract.Status.RETURNED: "草稿",
    Contract.Status.APPROVED: "",  # printed for signature
    Contract.Status.SIGNED: "",
    Contract.Status.ACTIVE: "",
    Contract.Status.COMPLETED: "",
    Contract.Status.TERMINATED: "已终止",
    Contract.Status.CANCELLED: "作废",
}
ALL_MARKS = [str(m.label) for m in Watermark]


def test_every_quotation_status_has_its_mark():
    assert set(QUOTATION_MARKS) == set(Quotation.Status)
    for status, label in QUOTATION_MARKS.items():
        mark = documents.quotation_watermark(Quotation(status=status))
        assert (str(mark.label) if mark else "") == label, status


def test_every_contract_status_has_its_mark():
    assert set(CONTRACT_MARKS) == set(Contract.Status)
    for status, label in CONTRACT_MARKS.items():
        mark = documents.contract_watermark(Contract(status=status))
        assert (str(mark.label) if mark else "") == label, status


def set_status(doc, status):
    """Put a document in a status directly: these tests are about printing, the transitions have their own tests."""
    type(doc).objects.filter(pk=doc.pk).update(status=status)
    return fresh(doc)


def test_a_draft_quotation_pdf_carries_the_draft_watermark_on_every_page(quoting_alice, make_quotation, pump):
    # given a draft long enough for two pages
    q = make_quotation(quoting_alice, lines=[line(pump, quantity=str(i + 1)) for i in range(40)])
    reader = PdfReader(BytesIO(documents.quotation_pdf(q, reader=q.owner)))
    assert len(reader.pages) >= 2
    for page in reader.pages:
        text = "".join((page.extract_text() or "").split())
        assert "草稿" in text and "草稿—未经审核，不作为正式报价" in text


def test_a_quotation_in_review_is_marked_unapproved(quoting_alice, quotation):
    services.quotation_submit(quotation=quotation, actor=quoting_alice)
    text = pdf_text(documents.quotation_pdf(fresh(quotation), reader=quotation.owner))
    assert "未审核" in text and "审核尚未完成，不作为正式报价" in text
    assert "草稿" not in text


def test_an_approved_quotation_prints_without_any_mark(cast, quoting_alice, quotation):
    services.quotation_submit(quotation=quotation, actor=quoting_alice)
    decide(quotation, services.QUOTATION_KIND, cast.manager)
    approved = fresh(quotation)
    assert approved.status == Quotation.Status.APPROVED
    text = pdf_text(documents.quotation_pdf(approved, reader=approved.owner))
    assert "报价单" in text and quotation.number in text
    assert not [m for m in ALL_MARKS if m in text]
    assert "不作为正式" not in text


def test_contract_pdfs_are_marked_until_approved(contract):
    # a draft contract
    text = pdf_text(documents.contract_pdf(contract, reader=contract.owner))
    assert "草稿" in text and "不作为正式合同" in text
    # in review
    text = pdf_text(documents.contract_pdf(set_status(contract, Contract.Status.IN_REVIEW), reader=contract.owner))
    assert "未审核" in text and "草稿" not in text
    # approved, ready for signature, and signed: formal
    for status in (Contract.Status.APPROVED, Contract.Status.SIGNED):
        text = pdf_text(documents.contract_pdf(set_status(contract, status), reader=contract.owner))
        assert "销售合同" in text and not [m for m in ALL_MARKS if m in text] and "不作为正式" not in text, status
    # terminated: an archive copy, marked
    text = pdf_text(documents.contract_pdf(set_status(contract, Contract.Status.TERMINATED), reader=contract.owner))
    assert "已终止" in text and "仅供存档" in text


def test_a_draft_quotation_xlsx_has_a_red_banner_and_the_notice_in_header_and_footer(quotation, settings):
    ws = load_workbook(BytesIO(documents.quotation_xlsx(quotation, reader=quotation.owner))).active
    notice = "草稿 — 未经审核，不作为正式报价"
    assert ws["A1"].value == notice and ws["A1"].fill.fgColor.rgb.endswith("C00000") and ws["A1"].font.b
    assert "A1:L1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws.oddHeader.center.text == notice and ws.oddFooter.center.text == notice
    # the letterhead follows the banner
    assert ws["A2"].value == settings.COMPANY_NAME


def test_a_formal_quotation_xlsx_has_no_banner(cast, quoting_alice, quotation, settings):
    services.quotation_submit(quotation=quotation, actor=quoting_alice)
    decide(quotation, services.QUOTATION_KIND, cast.manager)
    ws = load_workbook(BytesIO(documents.quotation_xlsx(fresh(quotation), reader=quotation.owner))).active
    cells = [c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert not [c for c in cells if any(m in c for m in ALL_MARKS) or "不作为正式" in c]
    assert not ws.oddHeader.center.text and not ws.oddFooter.center.text
    # the letterhead comes first
    assert ws["A1"].value == settings.COMPANY_NAME


# --- voided documents: no download, no button ----------------------------------------------------------------
@pytest.mark.parametrize("name", ["quotation_pdf", "quotation_xlsx", "contract_pdf"])
def test_a_voided_document_is_409_with_the_reason(cast, client_as, urls, name):
    url, _content_type, obj, _ext = urls[name]
    set_status(obj, type(obj).Status.CANCELLED)
    response = client_as(cast.alice).get(url)
    assert response.status_code == 409
    body = response.content.decode()
    assert "已作废，不能下载正式文件" in body
    assert "Content-Disposition" not in response


def test_the_page_of_a_voided_quotation_offers_no_download(cast, client_as, quoting_alice, quotation):
    url = reverse("contracts:quotation_detail", args=[quotation.pk])
    page = client_as(quoting_alice).get(url).content.decode()
    # a draft: both downloads, each saying the copy is marked 草稿
    assert 'data-testid="download-pdf"' in page and 'data-testid="download-xlsx"' in page
    assert page.count('data-testid="download-mark"') == 2 and "草稿</span>" in page
    services.quotation_cancel(quotation=quotation, actor=quoting_alice, reason="重复录入")
    page = client_as(quoting_alice).get(url).content.decode()
    assert 'data-testid="download-pdf"' not in page and 'data-testid="download-xlsx"' not in page


def test_the_page_of_a_formal_contract_offers_an_unmarked_download(cast, client_as, contract):
    url = reverse("contracts:contract_detail", args=[contract.pk])
    set_status(contract, Contract.Status.SIGNED)
    page = client_as(cast.alice).get(url).content.decode()
    assert 'data-testid="download-pdf"' in page and 'data-testid="download-mark"' not in page
    set_status(contract, Contract.Status.CANCELLED)
    page = client_as(cast.alice).get(url).content.decode()
    assert 'data-testid="download-pdf"' not in page
