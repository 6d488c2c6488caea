"""The after-sales pages: the service desk with quick entry, list pages with the shared filter bar, detail pages with the
user's allowed actions and the timeline, the customer and order panels, 404 for what a user may not see."""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from aftersales.models import Callback, Complaint, ReturnRequest, ServicePlan, ServiceTicket
from aftersales.services import callbacks, complaints, returns, tickets
from salesops.core.exports import export_named, export_rows
from salesops.core.pages import QUEUE_ROWS
from tests.aftersales.test_qa_rules import make_due

pytestmark = pytest.mark.django_db


def jpeg(name="goods.jpg"):
    buf = io.BytesIO()
    Image.new("RGB", (400, 300), (10, 120, 200)).save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


class TestDesk:
    def test_due_callbacks_appear_in_services_queue_with_a_quick_entry_form(self, cast, client_as, delivered):
        order, shipment = delivered
        callbacks.callbacks_queue_due(today=shipment.delivered_on + timedelta(days=7))
        page = client_as(cast.service).get(reverse("aftersales:desk"))
        assert page.status_code == 200
        html = page.content.decode()
        assert f'data-order="{order.number}"' in html and f"quick-record-{order.number}" in html
        assert "?queue=callbacks" in html
        due = client_as(cast.service).get(reverse("aftersales:callback_list"), {"queue": "callbacks"}).context["page"]
        assert [cb.order for cb in due] == [order]

    def test_quick_entry_records_and_returns_to_the_desk(self, cast, client_as, delivered):
        order, _shipment = delivered
        cb = make_due(Callback.objects.get(order=order, offset_days=7))
        url = reverse("aftersales:callback_action", args=[cb.pk, "record"])
        data = {
            "channel": "phone",
            "reached": "1",
            "score_product": "5",
            "score_delivery": "4",
            "score_service": "5",
            "next": reverse("aftersales:desk"),
        }
        response = client_as(cast.service).post(url, data)
        assert response.status_code == 302 and response["Location"] == reverse("aftersales:desk")
        assert Callback.objects.get(pk=cb.pk).status == Callback.Status.DONE

    def test_a_missing_score_shows_the_callback_again_with_the_message(self, cast, client_as, delivered):
        cb = Callback.objects.get(order=delivered[0], offset_days=7)
        url = reverse("aftersales:callback_action", args=[cb.pk, "record"])
        response = client_as(cast.service).post(url, {"channel": "phone", "reached": "1", "score_product": "5"})
        assert response.status_code == 400 and "请为交付打分" in response.content.decode()

    def test_each_section_shows_its_first_rows_and_links_to_exactly_its_rows(self, cast, client_as, api_as, customer):
        """As on the other work pages: a section's first QUEUE_ROWS rows, its exact count, and a link to the ticket list
        filtered by the queue, which lists that section's rows and no other (and exports them)."""
        new = [
            tickets.ticket_create(actor=cast.service, customer=customer, data={"ticket_type": "repair", "subject": f"异响 {k}"})
            for k in range(QUEUE_ROWS + 2)
        ]
        mine = tickets.ticket_create(
            actor=cast.service, customer=customer, data={"ticket_type": "repair", "subject": "我的", "engineer": cast.service}
        )
        html = client_as(cast.service).get(reverse("aftersales:desk")).content.decode()
        team = html[html.index('data-testid="desk-team"') : html.index('data-testid="desk-breaching"')]
        assert team.count('data-testid="ticket-row"') == QUEUE_ROWS
        assert f'data-testid="count-team">{QUEUE_ROWS + 2}<' in html
        assert f"显示前 {QUEUE_ROWS} 条，在列表中查看全部 {QUEUE_ROWS + 2} 条" in team and "?queue=team" in team
        listed = client_as(cast.service).get(reverse("aftersales:ticket_list"), {"queue": "team", "page_size": 100})
        assert {t.pk for t in listed.context["page"]} == {t.pk for t in new}
        mine_list = client_as(cast.service).get(reverse("aftersales:ticket_list"), {"queue": "mine"})
        assert [t.pk for t in mine_list.context["page"]] == [mine.pk]
        assert [
            t.pk for t in client_as(cast.manager).get(reverse("aftersales:ticket_list"), {"queue": "mine"}).context["page"]
        ] == []
        api = api_as(cast.service).get("/api/v1/service-tickets/", {"queue": "mine"}).json()
        assert [row["id"] for row in api["results"]] == [mine.pk]
        exported = export_rows(export_named("tickets"), actor=cast.service, params={"queue": "mine"})
        assert [t.pk for t in exported] == [mine.pk]

    def test_the_desk_is_for_service_and_managers(self, cast, client_as):
        assert client_as(cast.alice).get(reverse("aftersales:desk")).status_code == 403
        assert client_as(cast.manager).get(reverse("aftersales:desk")).status_code == 200


class TestDocumentPages:
    def test_callback_to_complaint_in_one_click(self, cast, client_as, delivered):
        cb = callbacks.callback_record(
            callback=make_due(Callback.objects.get(order=delivered[0], offset_days=7)),
            actor=cast.service,
            channel="phone",
            reached=True,
            score_product=2,
            score_delivery=4,
            score_service=4,
            notes="外观划伤",
        )
        page = client_as(cast.service).get(reverse("aftersales:callback_detail", args=[cb.pk]))
        assert 'data-testid="follow-up-hint"' in page.content.decode()
        response = client_as(cast.service).post(reverse("aftersales:callback_action", args=[cb.pk, "open_complaint"]))
        complaint = Complaint.objects.get()
        assert response.status_code == 302 and response["Location"] == complaint.get_absolute_url()
        assert client_as(cast.qc).get(complaint.get_absolute_url()).status_code == 200

    def test_the_record_forms_word_choices_get_columns_as_wide_as_their_words(self, cast, client_as, delivered):
        # given a callback to record; when service opens it, then 回访方式 and 是否联系上 are sized to their longest choice
        # on a wide screen (never squeezed into equal shares, “已联系上” cut to “已联系.” at 1366 px — tests/e2e measures it)
        cb = make_due(Callback.objects.get(order=delivered[0], offset_days=7))
        html = client_as(cast.service).get(reverse("aftersales:callback_detail", args=[cb.pk])).content.decode()
        record = html.split('data-testid="action-record"', 1)[1].split("</form>", 1)[0]
        for name in ("channel", "reached"):
            assert re.search(rf'<div class="col-sm-6 col-lg-auto">\s*<label[^>]*for="id_{name}"', record), name
        assert "已联系上" in record

    def test_ticket_create_detail_and_a_refused_action(self, cast, client_as, customer):
        client = client_as(cast.service)
        form = client.get(reverse("aftersales:ticket_create") + f"?customer={customer.pk}")
        assert form.status_code == 200
        response = client.post(
            reverse("aftersales:ticket_create"),
            {
                "customer": customer.pk,
                "ticket_type": "commissioning",
                "priority": "high",
                "subject": "新机开通",
                "engineer": cast.service.pk,
            },
        )
        ticket = ServiceTicket.objects.get()
        assert response.status_code == 302 and ticket.status == ServiceTicket.Status.ASSIGNED
        page = client.get(ticket.get_absolute_url()).content.decode()
        assert 'data-testid="sla-panel"' in page and 'data-testid="action-start"' in page and "timeline" in page
        tickets.ticket_start(ticket=ticket, actor=cast.service)
        refused = client.post(reverse("aftersales:ticket_action", args=[ticket.pk, "resolve"]), {"resolution": " "})
        assert refused.status_code == 400
        forbidden = client_as(cast.bob).post(
            reverse("aftersales:ticket_action", args=[ticket.pk, "resolve"]), {"resolution": "x"}
        )
        assert forbidden.status_code in (403, 404)

    def test_a_rep_never_sees_another_reps_customers_documents(self, cast, client_as, carol_delivered):
        order, _shipment = carol_delivered
        ticket = tickets.ticket_create(actor=cast.carol, customer=order.customer, data={"ticket_type": "repair", "subject": "x"})
        complaint = complaints.complaint_create(actor=cast.carol, customer=order.customer, data={"description": "x"})
        rma = returns.rma_create(
            actor=cast.carol,
            order=order,
            kind="repair",
            reason="x",
            lines=[{"order_line": order.lines.get().pk, "quantity": "1"}],
        )
        cb = Callback.objects.filter(order=order).first()
        alice = client_as(cast.alice)
        for url in (ticket.get_absolute_url(), complaint.get_absolute_url(), rma.get_absolute_url(), cb.get_absolute_url()):
            assert alice.get(url).status_code == 404, url
        assert (
            alice.post(
                reverse("aftersales:ticket_action", args=[ticket.pk, "log"]), {"kind": "visit", "summary": "x"}
            ).status_code
            == 404
        )
        assert client_as(cast.carol).get(ticket.get_absolute_url()).status_code == 200

    def test_rma_request_from_the_order_with_a_photo(self, cast, client_as, delivered):
        order, _shipment = delivered
        client = client_as(cast.alice)
        pick = client.get(reverse("aftersales:rma_create") + f"?number={order.number.lower()}")
        assert pick.status_code == 302 and pick["Location"].endswith(f"?order={order.pk}")
        line = order.lines.get()
        response = client.post(
            reverse("aftersales:rma_create"), {"order": order.pk, "kind": "return", "reason": "破损", f"qty_{line.pk}": "11"}
        )
        assert response.status_code == 400 and "超过可退换修数量" in response.content.decode()
        client.post(
            reverse("aftersales:rma_create"), {"order": order.pk, "kind": "return", "reason": "破损", f"qty_{line.pk}": "2"}
        )
        rma = ReturnRequest.objects.get()
        upload = client.post(reverse("aftersales:rma_action", args=[rma.pk, "add_photo"]), {"photo": jpeg()})
        assert upload.status_code == 302
        photo = rma.photos.get()
        thumb = client.get(reverse("aftersales:rma_photo", args=[photo.pk, "thumb"]))
        assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
        assert client_as(cast.carol).get(reverse("aftersales:rma_photo", args=[photo.pk, "thumb"])).status_code == 404
        bad = client.post(
            reverse("aftersales:rma_action", args=[rma.pk, "add_photo"]), {"photo": SimpleUploadedFile("a.exe", b"MZ\x90")}
        )
        assert bad.status_code == 400 and "只能上传照片" in bad.content.decode()

    def test_lists_use_the_shared_filter_bar_with_the_api_parameter_names(self, cast, client_as, delivered):
        client = client_as(cast.service)
        for name, query in (
            ("callback_list", "status=scheduled"),
            ("ticket_list", "priority=high"),
            ("complaint_list", "severity=major"),
            ("rma_list", "kind=return"),
        ):
            page = client.get(reverse(f"aftersales:{name}") + "?" + query)
            assert page.status_code == 200 and 'data-testid="list-filters"' in page.content.decode()
        rows = (
            client.get(reverse("aftersales:callback_list") + "?status=scheduled")
            .content.decode()
            .count('data-testid="callback-row"')
        )
        assert rows == 2

    def test_plan_pages_and_statistics(self, cast, client_as):
        client = client_as(cast.service)
        response = client.post(
            reverse("aftersales:plan_create"),
            {
                "year": "2027",
                "title": "2027 年度计划",
                "goals": "满意度 4.5",
                "content": "走访与培训",
                "items-TOTAL_FORMS": "1",
                "items-INITIAL_FORMS": "0",
                "items-0-month": "3",
                "items-0-activity": "重点客户走访",
                "items-0-target": "20 家",
            },
        )
        plan = ServicePlan.objects.get()
        assert response.status_code == 302 and plan.items.get().activity == "重点客户走访"
        assert client.post(reverse("aftersales:plan_submit", args=[plan.pk])).status_code == 302
        assert ServicePlan.objects.get().status == ServicePlan.Status.SUBMITTED
        # a second 2027 plan while the first is in review: the form says why (409), nothing saved
        again = client.post(
            reverse("aftersales:plan_create"),
            {
                "year": "2027",
                "title": "另一份",
                "goals": "g",
                "content": "c",
                "items-TOTAL_FORMS": "0",
                "items-INITIAL_FORMS": "0",
            },
        )
        assert again.status_code == 409 and "2027 年度已有审批中的售后服务计划“2027 年度计划”" in again.content.decode()
        assert ServicePlan.objects.count() == 1
        assert client_as(cast.alice).get(reverse("aftersales:plan_list")).status_code == 403
        assert client.get(reverse("aftersales:stats") + "?year=2026&month=11").status_code == 200


class TestPanels:
    def test_customer_and_order_pages_show_their_after_sales_documents(self, cast, client_as, delivered):
        order, _shipment = delivered
        rma = returns.rma_create(
            actor=cast.alice,
            order=order,
            kind="repair",
            reason="异响",
            lines=[{"order_line": order.lines.get().pk, "quantity": "1"}],
        )
        client = client_as(cast.alice)
        order_page = client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()
        assert (
            'data-testid="aftersales-panel"' in order_page
            and rma.number in order_page
            and 'data-testid="panel-rma-create"' in order_page
        )
        customer_page = client.get(order.customer.get_absolute_url()).content.decode()
        assert customer_page.count('data-testid="panel-callback"') == 2 and rma.number in customer_page


class TestComplaintPage:
    @pytest.fixture
    def in_actions(self, cast, customer):
        """A complaint with its root cause and one corrective action owned by the warehouse (not done yet)."""
        c = complaints.complaint_create(actor=cast.service, customer=customer, data={"description": "泵体渗水"})
        c = complaints.complaint_investigate(complaint=c, actor=cast.qc)
        c = complaints.complaint_record_cause(complaint=c, actor=cast.qc, root_cause="密封圈批次不良")
        complaints.action_add(
            complaint=c,
            actor=cast.qc,
            kind="corrective",
            description="召回更换密封圈",
            owner=cast.warehouse,
            due_on=timezone.localdate() + timedelta(days=7),
        )
        return c

    def test_a_refused_close_says_why_once(self, cast, client_as, in_actions):
        response = client_as(cast.qc).post(reverse("aftersales:complaint_action", args=[in_actions.pk, "close"]))
        page = response.content.decode()
        assert response.status_code == 409 and page.count("还不能关闭投诉") == 1
        assert page.count('data-testid="form-errors"') == 1 and 'data-testid="close-blockers"' not in page
        # a fresh page lists what is missing, once
        page = client_as(cast.qc).get(in_actions.get_absolute_url()).content.decode()
        assert page.count('data-testid="close-blockers"') == 1 and "还不能关闭投诉" not in page

    def test_no_action_is_said_only_to_who_really_has_none(self, cast, client_as, in_actions):
        owner = client_as(cast.warehouse).get(in_actions.get_absolute_url()).content.decode()
        assert 'data-testid="capa-finish-corrective"' in owner and 'data-testid="no-actions"' not in owner
        reader = client_as(cast.service).get(in_actions.get_absolute_url()).content.decode()
        assert 'data-testid="no-actions"' in reader and 'data-testid="capa-finish-corrective"' not in reader
