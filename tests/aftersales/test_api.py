"""/api/v1/ of the after-sales floor: the same services and scoping as the pages, transitions as POSTs, errors as
{"code", "detail"} (400 / 403 / 404 / 409), allowed actions in every detail, all of it in the OpenAPI schema."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from aftersales.models import Callback, Complaint, ReturnPhoto, ServiceTicket
from aftersales.services import tickets
from tests.aftersales.conftest import approve_answer
from tests.aftersales.test_qa_rules import make_due

pytestmark = pytest.mark.django_db


def jpeg(name):
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (0, 0, 0)).save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


class TestCallbacks:
    def test_record_via_the_api_then_a_second_record_is_a_409(self, cast, api_as, delivered):
        cb = make_due(Callback.objects.get(order=delivered[0], offset_days=7))
        api = api_as(cast.service)
        listed = api.get("/api/v1/callbacks/", {"status": "scheduled"}).json()
        assert listed["count"] == 2
        body = {
            "channel": "wechat",
            "reached": True,
            "score_product": 5,
            "score_delivery": 5,
            "score_service": 2,
            "notes": "回复慢",
        }
        done = api.post(f"/api/v1/callbacks/{cb.pk}/record/", body, format="json")
        assert done.status_code == 200 and done.json()["status"] == "done" and "open_complaint" in done.json()["allowed_actions"]
        again = api.post(f"/api/v1/callbacks/{cb.pk}/record/", body, format="json")
        assert again.status_code == 409 and again.json()["code"] == "conflict" and "已回访" in again.json()["detail"]
        linked = api.post(f"/api/v1/callbacks/{cb.pk}/open-complaint/")
        assert linked.status_code == 201 and linked.json()["number"].startswith("TS")
        assert api.get(f"/api/v1/callbacks/{cb.pk}/").json()["complaint"] == linked.json()["id"]

    def test_opening_a_complaint_or_a_ticket_answers_the_created_document_and_its_location(self, cast, api_as, delivered):
        # QA: both answered 201 with the callback's body and no Location: a client could not tell what was created
        order = delivered[0]
        low, problem = (make_due(Callback.objects.get(order=order, offset_days=days)) for days in (7, 30))
        api = api_as(cast.service)
        for cb, quality in ((low, False), (problem, True)):
            body = {"channel": "phone", "reached": True, "score_product": 2, "score_delivery": 5, "score_service": 5}
            r = api.post(f"/api/v1/callbacks/{cb.pk}/record/", {**body, "quality_problem": quality}, format="json")
            assert r.status_code == 200
        for cb, action, endpoint in ((low, "open-complaint", "complaints"), (problem, "open-ticket", "service-tickets")):
            r = api.post(f"/api/v1/callbacks/{cb.pk}/{action}/")
            created = r.json()
            assert r.status_code == 201 and r["Location"] == f"http://testserver/api/v1/{endpoint}/{created['id']}/"
            # the body is the created document's detail, the same as GET on the Location
            shown = api.get(r["Location"]).json()
            assert set(created) == set(shown) and (created["id"], created["number"]) == (shown["id"], shown["number"])
            assert created["customer"] == order.customer_id and created["source_callback"] == cb.pk

    def test_bad_scores_are_a_400_with_the_field(self, cast, api_as, delivered):
        cb = Callback.objects.get(order=delivered[0], offset_days=7)
        bad = api_as(cast.service).post(
            f"/api/v1/callbacks/{cb.pk}/record/", {"channel": "phone", "reached": True, "score_product": 9}, format="json"
        )
        assert bad.status_code == 400 and bad.json()["code"] == "invalid" and "score_product" in bad.json()["detail"]

    def test_the_desk_and_the_statistics(self, cast, api_as, delivered):
        assert api_as(cast.alice).get("/api/v1/service-desk/").status_code == 403
        desk = api_as(cast.service).get("/api/v1/service-desk/").json()
        assert set(desk["counts"]) == {"mine", "team", "breaching", "callbacks", "escalated"}
        assert api_as(cast.manager).get("/api/v1/service-stats/", {"year": 2026, "month": 13}).status_code == 400


class TestTickets:
    def test_create_and_walk_a_ticket(self, cast, api_as, customer):
        api = api_as(cast.service)
        created = api.post(
            "/api/v1/service-tickets/",
            {
                "customer": customer.pk,
                "ticket_type": "training",
                "priority": "low",
                "subject": "操作培训",
                "engineer": cast.service.pk,
            },
            format="json",
        )
        assert (
            created.status_code == 201 and created.json()["status"] == "assigned" and created.json()["number"].startswith("FW-")
        )
        pk = created.json()["id"]
        assert api.post(f"/api/v1/service-tickets/{pk}/start/").json()["status"] == "in_progress"
        logged = api.post(
            f"/api/v1/service-tickets/{pk}/communications/", {"kind": "mail_out", "summary": "发送培训资料"}, format="json"
        )
        assert logged.status_code == 201 and logged.json()["communications"][0]["kind"] == "mail_out"
        assert api.post(f"/api/v1/service-tickets/{pk}/resolve/", {"resolution": ""}, format="json").status_code == 400
        resolved = api.post(f"/api/v1/service-tickets/{pk}/resolve/", {"resolution": "培训完成"}, format="json").json()
        assert resolved["status"] == "resolved" and "reopen" in resolved["allowed_actions"]

    def test_a_rep_reaching_another_reps_customers_ticket_gets_404(self, cast, api_as, carol_delivered):
        order, _shipment = carol_delivered
        ticket = tickets.ticket_create(
            actor=cast.service, customer=order.customer, data={"ticket_type": "repair", "subject": "x"}
        )
        alice = api_as(cast.alice)
        for method, url in (
            ("get", f"/api/v1/service-tickets/{ticket.pk}/"),
            ("post", f"/api/v1/service-tickets/{ticket.pk}/start/"),
        ):
            response = getattr(alice, method)(url)
            assert response.status_code == 404 and response.json()["code"] == "not_found"
        assert alice.get("/api/v1/service-tickets/").json()["count"] == 0
        assert api_as(cast.carol).get(f"/api/v1/service-tickets/{ticket.pk}/").status_code == 200

    def test_forbidden_is_403_for_what_the_user_sees(self, cast, api_as, customer):
        ticket = tickets.ticket_create(actor=cast.alice, customer=customer, data={"ticket_type": "repair", "subject": "x"})
        refused = api_as(cast.alice).post(
            f"/api/v1/service-tickets/{ticket.pk}/assign/", {"engineer": cast.service.pk}, format="json"
        )
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
        assert ServiceTicket.objects.get().status == ServiceTicket.Status.OPEN


class TestComplaintsAndReturns:
    def test_complaint_with_capa_through_the_api(self, cast, api_as, customer):
        api, qc = api_as(cast.service), api_as(cast.qc)
        pk = api.post("/api/v1/complaints/", {"customer": customer.pk, "description": "漏液"}, format="json").json()["id"]
        qc.post(f"/api/v1/complaints/{pk}/investigate/")
        qc.post(f"/api/v1/complaints/{pk}/root-cause/", {"root_cause": "阀门老化"}, format="json")
        detail = qc.post(
            f"/api/v1/complaints/{pk}/actions/",
            {
                "kind": "corrective",
                "description": "更换阀门",
                "owner": cast.qc.pk,
                "due_on": str(date.today() + timedelta(days=30)),
            },
            format="json",
        ).json()
        action = detail["actions"][0]["id"]
        assert qc.post(f"/api/v1/complaints/{pk}/close/").status_code == 409
        qc.post(f"/api/v1/corrective-actions/{action}/finish/", {"result": "已更换"}, format="json")
        qc.post(f"/api/v1/corrective-actions/{action}/verify/", {"effective": True, "verification": "无泄漏"}, format="json")
        qc.post(f"/api/v1/complaints/{pk}/answer/", {"answer": "已处理"}, format="json")
        approve_answer(Complaint.objects.get(pk=pk), cast)
        closed = qc.post(f"/api/v1/complaints/{pk}/close/").json()
        assert closed["status"] == "closed" and closed["close_blockers"] == []

    def test_return_with_a_photo_and_a_refused_upload(self, cast, api_as, delivered):
        order, _shipment = delivered
        api = api_as(cast.alice)
        line = order.lines.get().pk
        over = api.post(
            "/api/v1/returns/",
            {"order": order.pk, "kind": "return", "reason": "破损", "lines": [{"order_line": line, "quantity": "11"}]},
            format="json",
        )
        assert over.status_code == 400 and "超过可退换修数量" in over.json()["detail"]
        pk = api.post(
            "/api/v1/returns/",
            {"order": order.pk, "kind": "return", "reason": "破损", "lines": [{"order_line": line, "quantity": "2"}]},
            format="json",
        ).json()["id"]
        # a name with a path in it arrives as its last part only (Django's upload handling) and is stored inside the request's folder
        stored = api.post(f"/api/v1/returns/{pk}/photos/", {"photo": jpeg("../../../etc/passwd.jpg")}, format="multipart")
        assert stored.status_code == 201 and stored.json()["photos"][0]["name"] == "passwd.jpg"
        assert "/etc/" not in ReturnPhoto.objects.get().attachment.file.name
        refused = api.post(f"/api/v1/returns/{pk}/photos/", {"photo": SimpleUploadedFile("a.svg", b"<svg/>")}, format="multipart")
        assert refused.status_code == 400 and "只能上传照片" in refused.json()["detail"]
        assert api.post(f"/api/v1/returns/{pk}/receive/", {"lines": []}, format="json").status_code == 409


def test_everything_is_in_the_openapi_schema(openapi):
    paths = openapi["paths"]
    for path in (
        "/api/v1/callbacks/{id}/record/",
        "/api/v1/service-desk/",
        "/api/v1/service-stats/",
        "/api/v1/service-tickets/{id}/resolve/",
        "/api/v1/complaints/{id}/root-cause/",
        "/api/v1/corrective-actions/{id}/verify/",
        "/api/v1/returns/{id}/refund/",
        "/api/v1/service-plans/{id}/submit/",
    ):
        assert path in paths, path


def test_opening_a_complaint_or_a_ticket_is_documented_as_the_created_document_with_its_location(openapi):
    for path, component in (
        ("/api/v1/callbacks/{id}/open-complaint/", "ComplaintDetail"),
        ("/api/v1/callbacks/{id}/open-ticket/", "TicketDetail"),
    ):
        created = openapi["paths"][path]["post"]["responses"]["201"]
        assert created["content"]["application/json"]["schema"]["$ref"].endswith(f"/{component}"), created
        assert "Location" in created["headers"], created
