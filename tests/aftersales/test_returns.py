"""Returns, exchanges and repairs (RMA): quantities never above what was delivered across requests, photos (images only,
size-limited, no path tricks, thumbnails), VP (and GM) approval, receiving only after approval, and the three outcomes —
repaired and sent back, exchanged through a replacement order, refunded through a credit note that lowers the receivable
exactly to the fen."""

import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from aftersales.models import ReturnPhoto, ReturnRequest
from aftersales.services import returns as svc
from orders import receivables as order_receivables
from orders import services as order_services
from orders.models import CreditNote, SalesOrder
from orders.selectors import order_credited, order_outstanding
from orders.services import credit_note_create
from salesops.core import approvals
from salesops.core.errors import Conflict, DomainError, Forbidden, NotFound
from salesops.core.models import ApprovalRequest, Threshold
from tests.aftersales.conftest import deliver_order
from tests.factories import CustomerFactory, InvoiceTitleFactory, ShipToAddressFactory
from tests.orders.conftest import pass_inspection, pay, place

pytestmark = pytest.mark.django_db


def image(name="goods.jpg", fmt="JPEG", size=(800, 600)):
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, fmt)
    return SimpleUploadedFile(name, buf.getvalue(), content_type=f"image/{fmt.lower()}")


def request(order, actor, qty="3", kind="return"):
    return svc.rma_create(
        actor=actor,
        order=order,
        kind=kind,
        reason="外壳破裂",
        lines=[{"order_line": order.lines.get().pk, "quantity": qty, "lot_no": "L001"}],
    )


def decide(rma, actor, decision="approve", comment=""):
    req = approvals.requests_for(rma, svc.RMA_KIND).filter(status=ApprovalRequest.Status.PENDING).get()
    step = req.steps.get(stage=req.current_stage)
    approvals.approval_decide(step_id=step.pk, actor=actor, decision=decision, comment=comment)
    return ReturnRequest.objects.get(pk=rma.pk)


def receive_all(rma, actor, disposition="stock"):
    lines = {ln.pk: {"received_quantity": ln.quantity, "disposition": disposition} for ln in rma.lines.all()}
    return svc.rma_receive(rma=rma, actor=actor, lines=lines)


@pytest.fixture
def store(cast):
    store = CustomerFactory(owner=cast.alice, team=cast.east, name="杭州华泰工业专卖店", type="franchise_store")
    ShipToAddressFactory(customer=store, is_default=True)
    InvoiceTitleFactory(customer=store, is_default=True)
    return store


class TestQuantities:
    def test_never_more_than_delivered_across_several_requests(self, cast, delivered):
        order, _shipment = delivered  # 10 delivered
        request(order, cast.alice, "4")
        request(order, cast.service, "6")
        with pytest.raises(DomainError, match="超过可退换修数量 0"):
            request(order, cast.clerk, "1")
        assert ReturnRequest.objects.count() == 2

    def test_a_rejected_or_cancelled_request_frees_its_quantity(self, cast, delivered):
        order, _shipment = delivered
        first = request(order, cast.alice, "10")
        svc.rma_submit(rma=first, actor=cast.alice)
        decide(first, cast.vp, "reject", "超过质保期")
        second = request(order, cast.alice, "10")
        svc.rma_cancel(rma=second, actor=cast.alice, reason="客户不退了")
        assert request(order, cast.alice, "10").lines.get().quantity == D("10")

    def test_undelivered_goods_and_invisible_orders_are_refused(self, cast, customer, pump, carol_delivered):
        order = order_services.order_create(
            actor=cast.clerk, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": "5"}]
        )
        with pytest.raises(DomainError, match="已签收 0"):
            request(order, cast.alice, "1")
        with pytest.raises(NotFound):
            request(carol_delivered[0], cast.alice, "1")  # carol's customer's order does not exist for alice
        with pytest.raises(Forbidden):
            request(order, cast.warehouse, "1")


class TestPhotos:
    def test_a_jpeg_is_kept_with_a_thumbnail(self, cast, delivered):
        rma = request(delivered[0], cast.alice)
        photo = svc.rma_photo_add(rma=rma, actor=cast.alice, upload=image())
        assert (photo.width, photo.height) == (800, 600) and photo.attachment.kind == "photo"
        with Image.open(photo.thumbnail.open("rb")) as thumb:
            assert max(thumb.size) <= 320
        assert (
            svc.rma_photo_add(rma=rma, actor=cast.alice, upload=image("detail.png", "PNG")).attachment.content_type == "image/png"
        )

    @pytest.mark.parametrize(
        "upload, message",
        [
            (SimpleUploadedFile("invoice.pdf", b"%PDF-1.4\n%%EOF\n"), "只能上传照片"),
            (SimpleUploadedFile("fake.jpg", b"<html><script>alert(1)</script></html>"), "无法识别的图片"),
            (SimpleUploadedFile("shell.php", b"<?php system($_GET['c']); ?>"), "只能上传照片"),
            (SimpleUploadedFile("..\\..\\settings.jpg", b"\xff\xd8\xff"), "不合法"),
            (SimpleUploadedFile(".hidden.jpg", b"\xff\xd8\xff"), "不合法"),
            (image("really-a-png.jpg", "PNG"), "不是 JPG 图片"),
        ],
    )
    def test_non_images_and_path_tricks_are_refused_with_a_clear_message(self, cast, delivered, upload, message):
        rma = request(delivered[0], cast.alice)
        with pytest.raises(DomainError, match=message):
            svc.rma_photo_add(rma=rma, actor=cast.alice, upload=upload)
        assert not ReturnPhoto.objects.exists()

    def test_oversize_photos_are_refused(self, cast, delivered):
        Threshold.objects.filter(code="rma_photo_max_mb").update(value=D("0.01"))
        rma = request(delivered[0], cast.alice)
        with pytest.raises(DomainError, match="照片过大.*上限为 0.01 MB"):
            svc.rma_photo_add(rma=rma, actor=cast.alice, upload=image(size=(2000, 2000)))

    def test_no_photos_once_submitted(self, cast, delivered):
        rma = request(delivered[0], cast.alice)
        svc.rma_submit(rma=rma, actor=cast.alice)
        with pytest.raises(Forbidden):
            svc.rma_photo_add(rma=rma, actor=cast.alice, upload=image())


class TestApprovalAndReceiving:
    def test_a_store_request_needs_a_photo_then_goes_to_the_vp(self, cast, store, pump):
        order, _shipment = deliver_order(cast, store, pump, qty="5")
        rma = request(order, cast.alice, "2", kind="exchange")
        with pytest.raises(DomainError, match="需附照片"):
            svc.rma_submit(rma=rma, actor=cast.alice)
        svc.rma_photo_add(rma=rma, actor=cast.alice, upload=image())
        rma = svc.rma_submit(rma=rma, actor=cast.alice)
        steps = approvals.requests_for(rma, svc.RMA_KIND).get().steps.all()
        assert rma.status == ReturnRequest.Status.SUBMITTED and [s.assignee_role for s in steps] == ["sales_vp"]

    def test_above_the_threshold_the_gm_approves_too(self, cast, delivered):
        Threshold.objects.filter(code="rma_gm_amount").update(value=D("3000"))
        rma = svc.rma_submit(rma=request(delivered[0], cast.alice, "3"), actor=cast.alice)  # 3,390.00
        assert decide(rma, cast.vp).status == ReturnRequest.Status.SUBMITTED
        assert decide(rma, cast.gm).status == ReturnRequest.Status.APPROVED

    def test_goods_are_not_received_before_approval(self, cast, delivered):
        rma = request(delivered[0], cast.alice)
        with pytest.raises(Conflict, match="尚未经销售副总批准"):
            receive_all(rma, cast.warehouse)
        svc.rma_submit(rma=rma, actor=cast.alice)
        with pytest.raises(Conflict, match="尚未经销售副总批准"):
            receive_all(rma, cast.warehouse)

    def test_refused_with_a_reason(self, cast, delivered):
        rma = svc.rma_submit(rma=request(delivered[0], cast.alice), actor=cast.alice)
        with pytest.raises(DomainError, match="必须填写意见"):
            decide(rma, cast.vp, "reject")
        rma = decide(rma, cast.vp, "reject", "照片看不出质量问题")
        assert rma.status == ReturnRequest.Status.REJECTED and rma.reject_reason == "照片看不出质量问题"

    def test_the_warehouse_counts_tags_and_routes_the_goods(self, cast, delivered):
        rma = decide(svc.rma_submit(rma=request(delivered[0], cast.alice, "3"), actor=cast.alice), cast.vp)
        line = rma.lines.get()
        with pytest.raises(Forbidden):
            receive_all(rma, cast.clerk)
        with pytest.raises(DomainError, match="差异说明"):
            svc.rma_receive(rma=rma, actor=cast.warehouse, lines={line.pk: {"received_quantity": "2", "disposition": "repair"}})
        rma = svc.rma_receive(
            rma=rma,
            actor=cast.warehouse,
            lines={line.pk: {"received_quantity": "2", "disposition": "repair", "note": "少到 1 台"}},
        )
        line = rma.lines.get()
        assert rma.status == ReturnRequest.Status.RECEIVED and line.received_quantity == D("2") and line.difference == D("-1")
        assert line.tag == f"{rma.number}-01" and line.disposition == "repair"
        with pytest.raises(Conflict):
            receive_all(rma, cast.warehouse)


class TestOutcomes:
    def approved_and_received(self, cast, order, qty="3", kind="return"):
        rma = decide(svc.rma_submit(rma=request(order, cast.alice, qty, kind), actor=cast.alice), cast.vp)
        return receive_all(rma, cast.warehouse)

    def test_a_refund_lowers_the_receivable_exactly_to_the_fen(self, cast, pump):
        # given a credit-terms customer with 10 pumps delivered (11,300.00) and 3,000.00 paid
        credit = CustomerFactory(owner=cast.alice, team=cast.east, payment_terms="credit", credit_days=30)
        ShipToAddressFactory(customer=credit, is_default=True)
        InvoiceTitleFactory(customer=credit, is_default=True)
        order, _shipment = deliver_order(cast, credit, pump, paid=False)
        pay(order, cast, "3000.00", ref="PART-1")

        def open_amount():
            return sum((r.open for r in order_receivables.receivables(cast.finance) if r.order.pk == order.pk), D("0"))

        assert open_amount() == D("8300.00")
        # when 3 pumps come back and are refunded at the price paid
        rma = self.approved_and_received(cast, order, "3")
        with pytest.raises(Forbidden):
            svc.rma_refund(rma=rma, actor=cast.warehouse)
        with pytest.raises(DomainError, match="超过实收货物金额 3390.00"):
            svc.rma_refund(rma=rma, actor=cast.finance, amount="3390.01")
        rma = svc.rma_refund(rma=rma, actor=cast.finance)
        # then a credit note of 3,390.00 lowers the receivable and what the order still owes to 4,910.00
        assert rma.status == ReturnRequest.Status.CLOSED and rma.outcome == "refunded" and rma.credit_note.amount == D("3390.00")
        assert rma.credit_note.reference == rma.number and rma.credit_note.order == order
        assert open_amount() == D("4910.00") and order_outstanding(order) == D("4910.00")

    def test_an_exchange_makes_a_replacement_order_at_no_charge(self, cast, delivered):
        order, _shipment = delivered
        rma = self.approved_and_received(cast, order, "2", kind="exchange")
        with pytest.raises(Forbidden):
            svc.rma_exchange(rma=rma, actor=cast.service)  # orders are the clerk's
        rma = svc.rma_exchange(rma=rma, actor=cast.clerk, note="同型号换新")
        replacement = rma.replacement_order
        assert rma.outcome == "exchanged" and replacement.customer == order.customer and replacement.amount_incl == D("0.00")
        assert [(ln.product_id, ln.quantity) for ln in replacement.lines.all()] == [(order.lines.get().product_id, D("2"))]
        assert replacement.status == SalesOrder.Status.RECEIVED  # it goes through verification, the gate and shipping

    def test_a_repair_is_sent_back(self, cast, delivered):
        rma = self.approved_and_received(cast, delivered[0], "1", kind="repair")
        with pytest.raises(DomainError, match="运单号"):
            svc.rma_repair_return(rma=rma, actor=cast.service, carrier="顺丰", tracking_no="")
        rma = svc.rma_repair_return(rma=rma, actor=cast.service, carrier="顺丰", tracking_no="SF100200300")
        assert (rma.status, rma.outcome, rma.return_tracking_no) == (ReturnRequest.Status.CLOSED, "repaired", "SF100200300")

    def test_a_submitted_request_cancelled_withdraws_its_approval(self, cast, delivered):
        rma = svc.rma_submit(rma=request(delivered[0], cast.alice), actor=cast.alice)
        svc.rma_cancel(rma=rma, actor=cast.alice, reason="客户改为维修")
        assert approvals.requests_for(rma, svc.RMA_KIND).get().status == ApprovalRequest.Status.CANCELLED


class TestCreditNotes:
    def test_exact_to_the_fen_and_never_above_what_was_shipped(self, cast, delivered):
        order, _shipment = delivered  # shipped 11,300.00
        with pytest.raises(DomainError, match="精确到分"):
            credit_note_create(order=order, actor=cast.finance, amount="10.005", reason="折让")
        with pytest.raises(Forbidden):
            credit_note_create(order=order, actor=cast.alice, amount="10", reason="折让")
        credit_note_create(order=order, actor=cast.finance, amount="11299.99", reason="质量折让")
        with pytest.raises(DomainError, match="可冲减金额 0.01"):
            credit_note_create(order=order, actor=cast.clerk, amount="0.02", reason="再折让")
        note = credit_note_create(order=order, actor=cast.clerk, amount="0.01", reason="尾差")
        assert note.number.startswith("DX-") and order_credited(order) == D("11300.00") and CreditNote.objects.count() == 2


def test_an_exchange_for_a_customer_in_another_currency_keeps_the_orders_rate(cast, pump):
    # given a USD customer's order (rate 7.1) of 10 pumps delivered, 2 of them returned for exchange
    usd = CustomerFactory(owner=cast.alice, team=cast.east, currency="USD", payment_terms="credit", credit_days=30)
    ShipToAddressFactory(customer=usd, is_default=True)
    InvoiceTitleFactory(customer=usd, is_default=True)
    order = order_services.order_create(
        actor=cast.clerk, customer=usd, data={"exchange_rate": "7.1"}, lines=[{"product": pump.pk, "quantity": "10"}]
    )
    order = place(order, cast.clerk)
    pass_inspection(order, cast, "10")
    shipment = order_services.shipment_create(order=order, actor=cast.clerk, lines={order.lines.get().pk: "10"})
    order_services.shipment_release(shipment=shipment, actor=cast.clerk)
    order_services.shipment_ship(shipment=shipment, actor=cast.warehouse, tracking_no="SF-1")
    order_services.shipment_deliver(shipment=shipment, actor=cast.clerk, delivered_on=None, signer="Mr. Wang")
    rma = receive_all(
        decide(svc.rma_submit(rma=request(order, cast.alice, "2", "exchange"), actor=cast.alice), cast.vp), cast.warehouse
    )
    # when the clerk exchanges them, the replacement order (at no charge) is in the order's currency and rate
    replacement = svc.rma_exchange(rma=rma, actor=cast.clerk).replacement_order
    assert (replacement.currency, replacement.exchange_rate, replacement.amount_incl) == ("USD", D("7.1000"), D("0.00"))
