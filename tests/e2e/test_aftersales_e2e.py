"""In a real browser, each person in their own session:
1. after a delivery the callback appears in service's queue on its day; service records a score of 2 on the desk and opens
   a complaint in one click; QC investigates, records a corrective action, has it verified, answers and closes it;
2. a store's return request with a photo goes to the sales VP, is approved, received by the warehouse and refunded by
   finance — the credit note lowers the order's receivable exactly."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone
from PIL import Image

from aftersales.models import Callback, Complaint, ReturnRequest
from aftersales.services import callbacks
from orders import receivables as order_receivables
from tests.aftersales.conftest import deliver_order
from tests.aftersales.test_qa_rules import make_due
from tests.factories import ContactFactory, CustomerFactory, InvoiceTitleFactory, ProductFactory, ShipToAddressFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def submit_and_wait(page, selector):
    with page.expect_navigation():
        page.click(selector)


def customer_of_alice(cast, **kw):
    customer = CustomerFactory(owner=cast.alice, team=cast.east, **kw)
    ContactFactory(customer=customer, name="王经理", email="wang@customer.example", is_primary=True)
    ShipToAddressFactory(customer=customer, is_default=True)
    InvoiceTitleFactory(customer=customer, is_default=True)
    return customer


def test_a_low_score_callback_becomes_a_complaint_that_qc_closes(cast, page_as, live_server):
    # given 10 pumps delivered today to alice's customer (the hook scheduled the day-7 and day-30 callbacks)
    customer = customer_of_alice(cast, name="苏州精工机械有限公司")
    pump = ProductFactory(code="BP-100", name="增压泵", list_price=D("1130.00"))
    order, _shipment = deliver_order(cast, customer, pump)
    # when the morning of day 7 comes (the beat job; the callback is recorded from its due day on, so its day is today)
    make_due(Callback.objects.get(order=order, offset_days=7))
    assert callbacks.callbacks_queue_due() == 1

    # then the callback is in service's queue on the desk; service records a product score of 2
    service = page_as("service")
    service.goto(f"{live_server.url}/aftersales/")
    form = f"[data-testid='quick-record-{order.number}']"
    service.select_option(f"{form} select[name=channel]", "phone")
    service.select_option(f"{form} select[name=score_product]", "2")
    service.select_option(f"{form} select[name=score_delivery]", "4")
    service.select_option(f"{form} select[name=score_service]", "4")
    service.fill(f"{form} textarea[name=notes]", "泵体外壳有裂纹")
    submit_and_wait(service, f"{form} [data-testid='quick-record-{order.number}-submit']")
    cb = Callback.objects.get(order=order, offset_days=7)
    assert cb.status == Callback.Status.DONE and cb.score_product == 2

    # and opens a complaint from it in one click
    service.goto(f"{live_server.url}/aftersales/callbacks/{cb.pk}/")
    assert service.locator("[data-testid=follow-up-hint]").is_visible()
    submit_and_wait(service, "[data-testid=action-open_complaint-submit]")
    complaint = Complaint.objects.get()
    assert (
        complaint.source_callback == cb
        and "泵体外壳有裂纹" in service.locator("[data-testid=complaint-description]").inner_text()
    )

    # when QC investigates, records the root cause and a corrective action, finishes and verifies it, answers and closes
    qc = page_as("qc")
    url = f"{live_server.url}/aftersales/complaints/{complaint.pk}/"
    qc.goto(url)
    submit_and_wait(qc, "[data-testid=action-investigate-submit]")
    qc.fill("[data-testid=action-record_cause] textarea[name=root_cause]", "外壳铸件批次气孔")
    submit_and_wait(qc, "[data-testid=action-record_cause-submit]")
    qc.select_option("[data-testid=action-add_action] select[name=kind]", "corrective")
    qc.fill("[data-testid=action-add_action] textarea[name=description]", "更换该批次外壳")
    qc.select_option("[data-testid=action-add_action] select[name=owner]", str(cast.qc.pk))
    due = timezone.localdate() + timedelta(days=30)  # within a year (aftersales.rules.future_day_refusal)
    qc.fill("[data-testid=action-add_action] input[name=due_on]", due.isoformat())
    submit_and_wait(qc, "[data-testid=action-add_action-submit]")
    qc.fill("[data-testid=capa-finish-corrective] textarea[name=result]", "已更换 10 台外壳")
    submit_and_wait(qc, "[data-testid=capa-finish-corrective-submit]")
    qc.fill("[data-testid=capa-verify-corrective] textarea[name=verification]", "抽检无裂纹")
    submit_and_wait(qc, "[data-testid=capa-verify-corrective-submit]")
    qc.fill("[data-testid=action-answer] textarea[name=answer]", "已查明为铸件气孔，已免费更换外壳。")
    submit_and_wait(qc, "[data-testid=action-answer-submit]")
    # the answer goes to the leadership (the VP) before the complaint may close (seed 001 §3.3)
    submit_and_wait(qc, "[data-testid=action-submit_answer-submit]")
    vp = page_as("vp")
    vp.goto(url)
    submit_and_wait(vp, "[data-testid=approval-submit]")  # 同意 is the default decision
    qc.goto(url)
    submit_and_wait(qc, "[data-testid=action-close-submit]")

    # then the complaint is closed, with the action verified
    complaint = Complaint.objects.get()
    assert complaint.status == Complaint.Status.CLOSED and complaint.actions.get().status == "verified"
    assert qc.locator("[data-testid=status-badge]").first.get_attribute("data-status") == "closed"


def test_a_stores_return_with_a_photo_is_approved_received_and_refunded(cast, page_as, live_server, tmp_path):
    # given a franchise store of alice on credit terms with 5 pumps delivered (5,650.00), nothing paid yet
    store = customer_of_alice(cast, name="杭州华泰工业专卖店", type="franchise_store", payment_terms="credit", credit_days=30)
    pump = ProductFactory(code="BP-100", name="增压泵", list_price=D("1130.00"))
    order, _shipment = deliver_order(cast, store, pump, qty="5", paid=False)
    line = order.lines.get()
    photo = tmp_path / "broken.jpg"
    Image.new("RGB", (640, 480), (180, 40, 40)).save(photo, "JPEG")

    # when alice asks for a return of 2 from the order page, with a photo, and submits it to the VP
    alice = page_as("alice")
    alice.goto(f"{live_server.url}/orders/{order.pk}/")
    submit_and_wait(alice, "[data-testid=panel-rma-create]")
    alice.select_option("select[name=kind]", "return")
    alice.fill("textarea[name=reason]", "运输途中外壳破损")
    alice.fill(f"input[name=qty_{line.pk}]", "2")
    submit_and_wait(alice, "[data-testid=form-submit]")
    rma = ReturnRequest.objects.get()
    alice.set_input_files("[data-testid=action-add_photo] input[name=photo]", str(photo))
    submit_and_wait(alice, "[data-testid=action-add_photo-submit]")
    assert alice.locator("[data-testid=rma-photo]").count() == 1
    submit_and_wait(alice, "[data-testid=action-submit-submit]")
    assert ReturnRequest.objects.get().status == ReturnRequest.Status.SUBMITTED

    # and the VP approves it, the warehouse counts the goods into stock, finance refunds
    vp = page_as("vp")
    vp.goto(f"{live_server.url}/aftersales/returns/{rma.pk}/")
    submit_and_wait(vp, "[data-testid=approval-submit]")
    assert ReturnRequest.objects.get().status == ReturnRequest.Status.APPROVED
    warehouse = page_as("warehouse")
    warehouse.goto(f"{live_server.url}/aftersales/returns/{rma.pk}/")
    warehouse.select_option(f"[data-testid=action-receive] select[name=disposition_{rma.lines.get().pk}]", "stock")
    submit_and_wait(warehouse, "[data-testid=action-receive-submit]")
    assert ReturnRequest.objects.get().status == ReturnRequest.Status.RECEIVED
    finance = page_as("finance")
    finance.goto(f"{live_server.url}/aftersales/returns/{rma.pk}/")
    submit_and_wait(finance, "[data-testid=action-refund-submit]")

    # then the request is closed with a credit note of 2 × 1,130.00, and the receivable is 5,650.00 − 2,260.00
    rma = ReturnRequest.objects.get()
    assert rma.status == ReturnRequest.Status.CLOSED and rma.credit_note.amount == D("2260.00")
    assert "2,260.00" in finance.locator("[data-testid=rma-credit-note]").inner_text()
    open_amount = sum((r.open for r in order_receivables.receivables(cast.finance) if r.order.pk == order.pk), D("0"))
    assert open_amount == D("3390.00")


def test_the_callback_pages_record_form_shows_its_choices_whole_on_a_laptop(cast, page_as, live_server):
    """On a 1366 px laptop (and a 1024 px one) the 记录回访 form of a callback's page shows each select's choices whole
    (“已联系上”, not “已联系.”), nothing past the screen's edge."""
    customer = customer_of_alice(cast, name="苏州精工机械有限公司")
    pump = ProductFactory(code="BP-100", name="增压泵", list_price=D("1130.00"))
    order, _shipment = deliver_order(cast, customer, pump)
    cb = make_due(Callback.objects.get(order=order, offset_days=7), queue=True)  # its day has come: it may be recorded

    service = page_as("service")
    for width in (1366, 1024):
        service.set_viewport_size({"width": width, "height": 768})
        service.goto(f"{live_server.url}/aftersales/callbacks/{cb.pk}/")
        assert cut_selects(service) == [], width
        scroll, client = service.evaluate("[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
        assert scroll <= client, width
    assert service.select_option("[data-testid=action-record] select[name=reached]", "1") == ["1"]


def cut_selects(page):
    """The choices of the record form's selects that are wider than the room inside their box: (name, text, needed, room)."""
    return page.evaluate(
        """() => [...document.querySelectorAll("[data-testid=action-record] select")].flatMap(s => {
            const css = getComputedStyle(s), ctx = document.createElement("canvas").getContext("2d");
            ctx.font = css.font;
            const room = Math.floor(s.clientWidth - parseFloat(css.paddingLeft) - parseFloat(css.paddingRight));
            return [...s.options].map(o => [s.name, o.text, Math.ceil(ctx.measureText(o.text).width), room]);
        }).filter(([name, text, needed, room]) => needed > room)"""
    )
