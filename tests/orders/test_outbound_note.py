"""The outbound note (出货单) PDF: orders/documents.py and its download view."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from orders import documents, services
from orders.models import Shipment
from salesops.core.documents import Watermark

from .conftest import fresh, pass_inspection, place

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    """The text of every page with whitespace removed (table cells may wrap anywhere)."""
    reader = PdfReader(BytesIO(content))
    return "".join("".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture
def shipment(cast, order):
    place(order, cast.clerk)
    pass_inspection(order, cast, "10", lot="LOT-77")
    order = fresh(order)
    return services.shipment_create(
        order=order,
        actor=cast.clerk,
        lines={order.lines.get().pk: {"quantity": "10", "lot_no": "LOT-77"}},
        data={"packages": 3, "route": "汽运"},
    )


def test_the_pdf_carries_the_note_the_lines_and_the_aftersales_rules(cast, client_as, shipment, settings):
    # when the clerk downloads the outbound note
    response = client_as(cast.clerk).get(reverse("orders:shipment_pdf", args=[shipment.pk]))
    # then it is a PDF attachment named after the number
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"] and response["Cache-Control"] == "private, no-store"
    text = pdf_text(response.content)
    # with the customer, the number, the order, the line and its lot, the carrier, the rules and the signatures
    for expected in (
        "苏州精工机械有限公司",
        shipment.number,
        shipment.order.number,
        "增压泵",
        "LOT-77",
        "德邦物流",
        "售后",
        "收货人签收",
        "承运人",
        "发货人",
        settings.COMPANY_NAME,
    ):
        assert expected in text, expected
    assert "紧急放行" not in text


def test_emergency_released_goods_are_flagged(cast, shipment):
    Shipment.objects.filter(pk=shipment.pk).update(has_emergency_release=True)
    assert "紧急放行" in pdf_text(documents.outbound_note_pdf(fresh(shipment)))


def test_an_invisible_shipment_is_404(cast, client_as, shipment):
    assert client_as(cast.carol).get(reverse("orders:shipment_pdf", args=[shipment.pk])).status_code == 404
    assert client_as(cast.alice).get(reverse("orders:shipment_pdf", args=[shipment.pk])).status_code == 200


def test_filename():
    shipment = Shipment(number="FH-202611-0001")
    assert documents.outbound_note_filename(shipment) == "出货单-FH-202611-0001.pdf"


# --- watermark: 未放行 until released through the payment gate; a voided note is not printed ----------------------
def test_every_shipment_status_has_its_mark():
    expected = {
        Shipment.Status.DRAFT: "未放行",
        Shipment.Status.RELEASED: "",
        Shipment.Status.SHIPPED: "",
        Shipment.Status.DELIVERED: "",
        Shipment.Status.CANCELLED: "作废",
    }
    assert set(expected) == set(Shipment.Status)
    for status, label in expected.items():
        mark = documents.outbound_note_watermark(Shipment(status=status))
        assert (str(mark.label) if mark else "") == label, status


def test_a_note_not_yet_released_is_marked_unreleased(cast, shipment):
    # given the order is prepaid and unpaid, so the note waits for the gate
    assert shipment.status == Shipment.Status.DRAFT
    text = pdf_text(documents.outbound_note_pdf(shipment))
    assert "未放行" in text and "未放行—尚未放行，不得凭此出货单发货" in text


@pytest.mark.parametrize("status", [Shipment.Status.RELEASED, Shipment.Status.SHIPPED, Shipment.Status.DELIVERED])
def test_a_released_note_prints_without_any_mark(cast, shipment, status):
    Shipment.objects.filter(pk=shipment.pk).update(status=status)
    text = pdf_text(documents.outbound_note_pdf(fresh(shipment)))
    assert "出货单" in text and shipment.number in text
    assert not [str(m.label) for m in Watermark if str(m.label) in text]


def test_a_voided_note_is_409_and_its_page_has_no_download(cast, client_as, shipment):
    page_url = reverse("orders:shipment_detail", args=[shipment.pk])
    page = client_as(cast.clerk).get(page_url).content.decode()
    assert 'data-testid="download-pdf"' in page and 'data-testid="download-mark"' in page
    services.shipment_cancel(shipment=shipment, actor=cast.clerk, reason="客户改期")
    response = client_as(cast.clerk).get(reverse("orders:shipment_pdf", args=[shipment.pk]))
    assert response.status_code == 409 and "已作废，不能下载正式文件" in response.content.decode()
    page = client_as(cast.clerk).get(page_url).content.decode()
    assert 'data-testid="download-pdf"' not in page
