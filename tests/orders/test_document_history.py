"""Every document page shows its status, what the user may do next and its history (ARCHITECTURE.md rule 3): an outbound
note's history starts with who made it and with which lines; a payment's and an invoice's history (recorded, confirmed,
voided; requested, issued, cancelled) is on their pages and in the API's timeline; an emergency release shows what the
manager approves in 待我审批 (page and API)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from orders import services
from orders.models import InvoiceRequest, Payment, Shipment
from salesops.core.models import Event
from salesops.core.timeline import events_for

from .conftest import fresh, pass_inspection, pay, place

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def oldest_first(doc) -> list[Event]:
    return list(reversed(list(events_for(doc))))


def timeline_api(client, doc):
    ct = ContentType.objects.get_for_model(doc)
    return client.get(f"/api/v1/timeline/{ct.pk}/{doc.pk}/")


@pytest.fixture
def ready_order(cast, order):
    """The prepaid order (10 pumps, 11,300.00) placed, paid and all 10 pumps inspected and signed."""
    place(order, cast.clerk)
    pay(order, cast, "11300.00")
    pass_inspection(order, cast, "10")
    return fresh(order)


def delivered_order(cast, order, qty="10"):
    """The order with `qty` pumps shipped and signed for (so they may be invoiced)."""
    shipment = services.shipment_create(order=order, actor=cast.clerk, lines={order.lines.get().pk: qty})
    services.shipment_release(shipment=shipment, actor=cast.clerk)
    services.shipment_ship(shipment=shipment, actor=cast.warehouse, tracking_no="SF-1")
    services.shipment_deliver(shipment=shipment, actor=cast.clerk, delivered_on=None, signer="王经理")
    return fresh(order)


# --- outbound notes ---------------------------------------------------------------------------------------------------
class TestOutboundNoteHistory:
    def test_the_note_history_starts_with_who_made_it_and_its_lines(self, cast, ready_order, client_as, api_as):
        # given a placed, paid and inspected order; when the clerk makes a note of 4 pumps of lot L001 and releases it
        line = ready_order.lines.get()
        shipment = services.shipment_create(
            order=ready_order, actor=cast.clerk, lines={line.pk: {"quantity": "4", "lot_no": "L001"}}
        )
        services.shipment_release(shipment=shipment, actor=cast.clerk)
        # then its history starts with its creation by the clerk: the order, the amount and each line with its quantity
        created, released = oldest_first(shipment)
        assert (created.verb, created.actor, released.verb) == (Event.Verb.CREATED, cast.clerk, Event.Verb.STATUS)
        assert ready_order.number in created.text and "4,520.00" in created.text
        assert f"{line.name}" in created.text and "× 4" in created.text and "(L001)" in created.text
        # the page shows it (with the status and the next actions), and so does the API's timeline
        page = html(client_as(cast.clerk).get(reverse("orders:shipment_detail", args=[shipment.pk])))
        assert "制作出货单" in page and "× 4" in page and "待放行 → 已放行" in page
        events = timeline_api(api_as(cast.clerk), shipment).json()["results"]
        assert [e["verb"] for e in events] == ["status", "created"] and events[-1]["actor"] == cast.clerk.pk
        assert "(L001)" in events[-1]["message"]

    def test_a_refused_note_leaves_no_history(self, cast, ready_order):
        # when the note asks for more than passed inspection: nothing is written, neither the note nor an event
        before = Event.objects.count()
        with pytest.raises(Exception, match="本次最多可发"):
            services.shipment_create(order=ready_order, actor=cast.clerk, lines={ready_order.lines.get().pk: "11"})
        assert Event.objects.count() == before and not Shipment.objects.exists()


# --- payments ---------------------------------------------------------------------------------------------------------
class TestPaymentHistory:
    def record(self, cast, order, amount="1000.00", ref="BANK-H1"):
        return services.payment_record(
            actor=cast.clerk,
            customer=order.customer,
            data={"amount": amount, "bank_reference": ref},
            allocations={order.pk: amount},
        )

    def test_recorded_confirmed_and_voided_are_on_the_payment_history(self, cast, order):
        payment = self.record(cast, order)
        services.payment_confirm(payment=payment, actor=cast.finance)
        services.payment_void(payment=payment, actor=cast.finance, reason="重复登记")
        created, confirmed, voided = oldest_first(payment)
        assert (created.verb, created.actor) == (Event.Verb.CREATED, cast.clerk)
        assert "1,000.00" in created.text and "BANK-H1" in created.text and order.number in created.text
        assert (confirmed.actor, confirmed.from_status, confirmed.to_status) == (cast.finance, "recorded", "confirmed")
        assert (voided.actor, voided.to_status) == (cast.finance, "voided") and "重复登记" in voided.text

    def test_the_payment_page_shows_its_status_actions_and_history(self, cast, order, client_as):
        payment = self.record(cast, order)
        url = reverse("orders:payment_detail", args=[payment.pk])
        page = html(client_as(cast.finance).get(url))
        assert 'data-testid="timeline"' in page and "登记回款 1,000.00 元" in page
        assert f'data-testid="confirm-{payment.pk}"' in page and "待财务确认" in page
        client_as(cast.finance).post(reverse("orders:payment_confirm", args=[payment.pk]), {"next": url})
        page = html(client_as(cast.clerk).get(url))
        assert "待财务确认 → 财务已确认" in page and f'data-testid="confirm-{payment.pk}"' not in page
        # a comment on the payment's timeline is kept (the payment is a document the timeline knows)
        ct = ContentType.objects.get_for_model(Payment)
        r = client_as(cast.finance).post(
            reverse("core:comment_add", args=[ct.pk, payment.pk]), {"text": "已核对网银", "next": url}
        )
        assert r.status_code == 302 and "已核对网银" in html(client_as(cast.clerk).get(url))

    def test_the_api_timeline_of_a_payment_is_for_who_may_see_it(self, cast, order, api_as):
        payment = self.record(cast, order)
        services.payment_confirm(payment=payment, actor=cast.finance)
        events = timeline_api(api_as(cast.alice), payment).json()["results"]  # her customer's payment
        assert [e["verb"] for e in events] == ["status", "created"] and events[-1]["actor"] == cast.clerk.pk
        assert timeline_api(api_as(cast.carol), payment).status_code == 404  # not her customer
        assert timeline_api(api_as(cast.warehouse), payment).status_code == 404  # does not handle money


# --- invoices ---------------------------------------------------------------------------------------------------------
class TestInvoiceHistory:
    def test_requested_issued_and_cancelled_are_on_the_invoice_history(self, cast, ready_order):
        order = delivered_order(cast, ready_order)
        invoice = services.invoice_request(order=order, actor=cast.alice, amount="5000.00")
        services.invoice_issue(invoice=invoice, actor=cast.finance, numbers="00012345")
        services.invoice_cancel(invoice=invoice, actor=cast.finance, reason="抬头开错")
        requested, issued, cancelled = oldest_first(invoice)
        assert (requested.verb, requested.actor) == (Event.Verb.CREATED, cast.alice)
        assert "5,000.00" in requested.text and order.number in requested.text and invoice.title in requested.text
        assert (issued.actor, issued.to_status) == (cast.finance, "issued") and "00012345" in issued.text
        assert (cancelled.actor, cancelled.to_status) == (cast.finance, "cancelled") and "抬头开错" in cancelled.text

    def test_the_invoice_page_shows_its_status_actions_and_history(self, cast, ready_order, client_as):
        order = delivered_order(cast, ready_order)
        invoice = services.invoice_request(order=order, actor=cast.alice, amount="5000.00")
        url = reverse("orders:invoice_detail", args=[invoice.pk])
        finance = client_as(cast.finance)
        page = html(finance.get(url))
        assert "待开票" in page and 'data-testid="timeline"' in page and "申请开票" in page
        assert f'data-testid="issue-form-{invoice.pk}"' in page and 'data-testid="invoice-cancel"' in page
        # the list and the finance queue lead to it
        assert url in html(finance.get(reverse("orders:invoice_list")))
        assert url in html(finance.get(reverse("orders:finance_queue")))
        # the rep sees it without finance's buttons; who does not handle money (or may not see the order) does not
        rep = html(client_as(cast.alice).get(url))
        assert "申请开票" in rep and f'data-testid="issue-form-{invoice.pk}"' not in rep and "invoice-cancel" not in rep
        assert client_as(cast.warehouse).get(url).status_code == 404
        assert client_as(cast.carol).get(url).status_code == 404
        # issued from its page: back on its page, with the numbers in its history
        r = finance.post(reverse("orders:invoice_issue", args=[invoice.pk]), {"numbers": "00012345", "next": url})
        assert r.status_code == 302 and r["Location"] == url
        page = html(finance.get(url))
        assert fresh(invoice).status == InvoiceRequest.Status.ISSUED and "已开票：00012345" in page
        assert f'data-testid="issue-form-{invoice.pk}"' not in page and 'data-testid="invoice-cancel"' in page

    def test_the_api_timeline_of_an_invoice_is_for_who_may_see_it(self, cast, ready_order, api_as):
        order = delivered_order(cast, ready_order)
        invoice = services.invoice_request(order=order, actor=cast.clerk, amount="5000.00")
        services.invoice_issue(invoice=invoice, actor=cast.finance, numbers="00000001")
        events = timeline_api(api_as(cast.finance), invoice).json()["results"]
        assert [e["verb"] for e in events] == ["status", "created"] and events[-1]["actor"] == cast.clerk.pk
        assert timeline_api(api_as(cast.warehouse), invoice).status_code == 404
        assert timeline_api(api_as(cast.carol), invoice).status_code == 404


# --- emergency release in 待我审批 ------------------------------------------------------------------------------------
def test_the_manager_sees_what_an_emergency_release_releases_in_the_inbox(cast, order, client_as, api_as):
    # given a placed order; when the clerk asks to release 3 uninspected pumps of lot L009
    order = place(order, cast.clerk)
    line = order.lines.get()
    services.emergency_release_request(
        order=order, actor=cast.clerk, line_id=line.pk, quantity=D("3"), reason="客户停产待料", lot_no="L009"
    )
    expected = {
        "订单": order.number,
        "客户": order.customer.name,
        "品名": " ".join(p for p in (line.name, line.model) if p),
        "批号": "L009",
        "放行数量": f"3 {line.unit}",
        "紧急放行原因": "客户停产待料",
    }
    # then the manager's 待我审批 shows them, on the page and in the API
    (step,) = api_as(cast.manager).get("/api/v1/approval-steps/").json()["results"]
    assert {row["label"]: row["value"] for row in step["summary"]} == expected
    page = html(client_as(cast.manager).get(reverse("core:approvals_inbox")))
    assert 'data-testid="inbox-summary"' in page
    for label, value in expected.items():
        assert f'data-label="{label}">{value}</dd>' in page


def test_the_approvers_see_what_a_credit_exception_asks_for_in_the_inbox(cast, order, client_as, api_as):
    # given a placed prepaid order of 11,300.00 with nothing paid; when alice asks to ship it on credit
    order = place(order, cast.clerk)
    services.credit_exception_request(order=order, actor=cast.alice, amount=D("11300.00"), reason="老客户，月底付款")
    expected = {
        "订单": order.number,
        "客户": order.customer.name,
        "申请金额": "11,300.00",
        "理由": "老客户，月底付款",
        "发货前应付": "11,300.00",
        "已确认到账": "0.00",
    }
    # then the sales manager's 待我审批 shows them, on the page and in the API
    (step,) = api_as(cast.manager).get("/api/v1/approval-steps/").json()["results"]
    assert {row["label"]: row["value"] for row in step["summary"]} == expected
    page = html(client_as(cast.manager).get(reverse("core:approvals_inbox")))
    for label, value in expected.items():
        assert f'data-label="{label}">{value}</dd>' in page
