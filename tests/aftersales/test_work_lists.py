"""The after-sales work of the people the notifications alone used to point to (friction QA, session 14):
我的整改措施 for whoever owns a corrective action (page, API, menu), QC's complaint queues on the complaint list, the
warehouse's approved returns waiting to be received on its work page, and an average of 0.00 h shown as 0.00."""

from __future__ import annotations

from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.models import CorrectiveAction, ReturnRequest
from aftersales.services import complaints as svc
from aftersales.services import returns as rma_svc
from aftersales.services import tickets
from salesops.core import approvals
from salesops.core.models import ApprovalRequest
from salesops.core.navigation import menu_for
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def complaint_with_actions(cast, customer, *owners_days):
    """A complaint under 整改中 with one corrective action per (owner, days until due)."""
    c = svc.complaint_create(actor=cast.service, customer=customer, data={"description": "泵体渗水"})
    c = svc.complaint_investigate(complaint=c, actor=cast.qc)
    c = svc.complaint_record_cause(complaint=c, actor=cast.qc, root_cause="密封圈批次不良")
    actions = [
        svc.action_add(
            complaint=c,
            actor=cast.qc,
            kind="corrective",
            description=f"召回更换密封圈 {i}",
            owner=owner,
            due_on=timezone.localdate() + timedelta(days=days),
        )
        for i, (owner, days) in enumerate(owners_days)
    ]
    return c, actions


def make_overdue(action, days=3):
    CorrectiveAction.objects.filter(pk=action.pk).update(due_on=timezone.localdate() - timedelta(days=days))


def menu_testids(user) -> set[str]:
    return {link.testid for entry in menu_for(user) for link in entry.links}


class TestMyActions:
    def test_the_owner_lists_own_open_actions_overdue_marked_and_leading_to_the_complaint(self, cast, client_as, customer):
        """Given rev_production owns two open actions (one overdue) and one finished, and QC owns another,
        when rev_production opens 我的整改措施, then only their two open ones show, the overdue one first and marked."""
        c, (late, soon, done, qcs) = complaint_with_actions(
            cast, customer, (cast.rev_production, 5), (cast.rev_production, 9), (cast.rev_production, 2), (cast.qc, 1)
        )
        make_overdue(late)
        svc.action_finish(action=done, actor=cast.rev_production, result="已更换")
        page = client_as(cast.rev_production).get(reverse("aftersales:my_actions"))
        assert page.status_code == 200
        assert [a.pk for a in page.context["page"]] == [late.pk, soon.pk]
        html = page.content.decode()
        assert html.count('data-testid="my-action-overdue"') == 1
        assert reverse("aftersales:complaint_detail", args=[c.pk]) in html
        # searched and filtered like every list; a bad value is a 400 naming it
        assert [
            a.pk
            for a in client_as(cast.rev_production).get(reverse("aftersales:my_actions"), {"overdue": "true"}).context["page"]
        ] == [late.pk]
        assert [
            a.pk for a in client_as(cast.rev_production).get(reverse("aftersales:my_actions"), {"q": c.number}).context["page"]
        ] == [late.pk, soon.pk]
        assert (
            list(client_as(cast.rev_production).get(reverse("aftersales:my_actions"), {"q": "不存在的词"}).context["page"]) == []
        )
        assert client_as(cast.rev_production).get(reverse("aftersales:my_actions"), {"overdue": "maybe"}).status_code == 400
        # QC and a manager see their own here, never another's
        assert [a.pk for a in client_as(cast.qc).get(reverse("aftersales:my_actions")).context["page"]] == [qcs.pk]
        assert list(client_as(cast.manager).get(reverse("aftersales:my_actions")).context["page"]) == []

    def test_the_api_lists_only_ones_own_with_filters_search_and_pages(self, cast, api_as, customer):
        c, (late, soon, qcs) = complaint_with_actions(
            cast, customer, (cast.rev_production, 5), (cast.rev_production, 9), (cast.qc, 1)
        )
        make_overdue(late)
        api = api_as(cast.rev_production)
        body = api.get("/api/v1/my-corrective-actions/").json()
        assert body["count"] == 2 and [r["id"] for r in body["results"]] == [late.pk, soon.pk]
        first = body["results"][0]
        assert first["complaint"] == c.pk and first["complaint_number"] == c.number and first["customer_name"] == customer.name
        assert first["overdue"] is True and body["results"][1]["overdue"] is False and first["status"] == "open"
        assert [r["id"] for r in api.get("/api/v1/my-corrective-actions/", {"overdue": "false"}).json()["results"]] == [soon.pk]
        assert api.get("/api/v1/my-corrective-actions/", {"q": customer.name}).json()["count"] == 2
        paged = api.get("/api/v1/my-corrective-actions/", {"page_size": 1, "page": 2}).json()
        assert paged["count"] == 2 and [r["id"] for r in paged["results"]] == [soon.pk]
        refused = api.get("/api/v1/my-corrective-actions/", {"kind": "nonsense"})
        assert refused.status_code == 400
        # nobody reads another's: QC gets its own, the manager nothing, nobody logged in a 401/403
        assert [r["id"] for r in api_as(cast.qc).get("/api/v1/my-corrective-actions/").json()["results"]] == [qcs.pk]
        assert api_as(cast.manager).get("/api/v1/my-corrective-actions/").json()["count"] == 0
        assert api_as(cast.alice).get("/api/v1/my-corrective-actions/", {"complaint": c.pk}).json()["count"] == 0

    def test_the_lean_rows_answer_what_the_serializer_does(self, cast, api_as, customer, monkeypatch):
        """The list reads its rows with values() (core.api.ListRowsMixin): the same answer as DRF's serializer."""
        from salesops.core.api import ListRowsMixin

        _c, (late, _soon) = complaint_with_actions(cast, customer, (cast.rev_production, 5), (cast.rev_production, 9))
        make_overdue(late)
        api = api_as(cast.rev_production)
        for url in ("/api/v1/my-corrective-actions/", "/api/v1/my-corrective-actions/?page_size=1&page=2"):
            lean = api.get(url).json()
            with monkeypatch.context() as m:
                m.setattr(ListRowsMixin, "list", lambda self, request, *a, **k: super(ListRowsMixin, self).list(request, *a, **k))
                full = api.get(url).json()
            assert lean == full and lean["results"]

    def test_anonymous_is_sent_to_log_in(self, client, api):
        assert client.get(reverse("aftersales:my_actions")).status_code == 302
        assert api.get("/api/v1/my-corrective-actions/").status_code in (401, 403)

    def test_every_staff_member_reaches_it_from_the_menu(self, cast):
        """A department reviewer (no other after-sales page) has the 售后 menu with this one link."""
        for user in (cast.rev_production, cast.rev_technical, cast.qc, cast.alice, cast.warehouse):
            assert "nav-my-actions" in menu_testids(user), user.username
        assert {"nav-my-actions"} == {
            link.testid for entry in menu_for(cast.rev_production) if entry.key == "aftersales" for link in entry.links
        }

    def test_documented_in_the_schema(self, openapi):
        assert "get" in openapi["paths"]["/api/v1/my-corrective-actions/"]
        params = {p["name"] for p in openapi["paths"]["/api/v1/my-corrective-actions/"]["get"]["parameters"]}
        assert {"q", "kind", "overdue", "complaint", "page"} <= params


class TestComplaintQueues:
    def test_the_complaint_list_filters_what_qc_investigates_and_verifies(self, cast, client_as, api_as, customer):
        fresh = svc.complaint_create(actor=cast.service, customer=customer, data={"description": "噪音大"})
        verifying, (finished,) = complaint_with_actions(cast, customer, (cast.rev_production, 3))
        waiting, _actions = complaint_with_actions(cast, customer, (cast.rev_production, 3))
        svc.action_finish(action=finished, actor=cast.rev_production, result="已更换")
        url = reverse("aftersales:complaint_list")
        assert [c.pk for c in client_as(cast.qc).get(url, {"queue": "to_investigate"}).context["page"]] == [fresh.pk]
        assert [c.pk for c in client_as(cast.qc).get(url, {"queue": "to_verify"}).context["page"]] == [verifying.pk]
        assert client_as(cast.qc).get(url, {"queue": "other"}).status_code == 400
        rows = api_as(cast.qc).get("/api/v1/complaints/", {"queue": "to_verify"}).json()["results"]
        assert [r["id"] for r in rows] == [verifying.pk] and waiting.pk not in [r["id"] for r in rows]

    def test_a_rep_sees_only_own_customers_in_a_queue(self, cast, client_as, customer):
        carols = CustomerFactory(owner=cast.carol, team=cast.south)
        svc.complaint_create(actor=cast.service, customer=carols, data={"description": "漏油"})
        mine = svc.complaint_create(actor=cast.service, customer=customer, data={"description": "噪音大"})
        page = client_as(cast.alice).get(reverse("aftersales:complaint_list"), {"queue": "to_investigate"})
        assert [c.pk for c in page.context["page"]] == [mine.pk]


def approved_return(cast, order, qty="2"):
    rma = rma_svc.rma_create(
        actor=cast.alice,
        order=order,
        kind="return",
        reason="外壳破裂",
        lines=[{"order_line": order.lines.get().pk, "quantity": qty, "lot_no": "L001"}],
    )
    rma = rma_svc.rma_submit(rma=rma, actor=cast.alice)
    req = approvals.requests_for(rma, rma_svc.RMA_KIND).filter(status=ApprovalRequest.Status.PENDING).get()
    approvals.approval_decide(step_id=req.steps.get(stage=req.current_stage).pk, actor=cast.vp, decision="approve", comment="")
    return ReturnRequest.objects.get(pk=rma.pk)


class TestWarehouseReturns:
    def test_the_work_page_queues_approved_returns_to_receive(self, cast, client_as, delivered):
        """Given an approved return and a submitted one, the warehouse's work page shows the approved one with its count
        and a link to the returns list filtered to the same rows; once received it leaves the queue."""
        order, _shipment = delivered
        approved = approved_return(cast, order, "2")
        submitted = rma_svc.rma_submit(
            rma=rma_svc.rma_create(
                actor=cast.alice,
                order=order,
                kind="repair",
                reason="异响",
                lines=[{"order_line": order.lines.get().pk, "quantity": "1"}],
            ),
            actor=cast.alice,
        )
        assert approved.status == ReturnRequest.Status.APPROVED and submitted.status == ReturnRequest.Status.SUBMITTED
        html = client_as(cast.warehouse).get(reverse("orders:warehouse_queue")).content.decode()
        assert 'data-testid="queue-returns_to_receive"' in html
        assert f'data-number="{approved.number}"' in html and f'data-number="{submitted.number}"' not in html
        assert 'data-testid="count-returns_to_receive">1<' in html
        link = f"{reverse('aftersales:rma_list')}?status=approved"
        assert f'href="{link}"' in html
        listed = client_as(cast.warehouse).get(reverse("aftersales:rma_list"), {"status": "approved"}).context["page"]
        assert [r.pk for r in listed] == [approved.pk]
        line = approved.lines.get()
        rma_svc.rma_receive(
            rma=approved, actor=cast.warehouse, lines={line.pk: {"received_quantity": line.quantity, "disposition": "stock"}}
        )
        html = client_as(cast.warehouse).get(reverse("orders:warehouse_queue")).content.decode()
        assert f'data-number="{approved.number}"' not in html and 'data-testid="count-returns_to_receive">0<' in html

    def test_who_opens_the_work_page_and_who_gets_403(self, cast, client_as, delivered):
        approved = approved_return(cast, delivered[0])
        for user in (cast.warehouse, cast.qc, cast.manager):
            assert f'data-number="{approved.number}"' in client_as(user).get(reverse("orders:warehouse_queue")).content.decode()
        for user in (cast.alice, cast.service):
            page = client_as(user).get(reverse("orders:warehouse_queue"))
            assert page.status_code == 403 and approved.number not in page.content.decode()


class TestStatsZero:
    def test_an_average_of_zero_hours_shows_as_0_00(self, cast, client_as, customer):
        """A ticket answered and resolved the moment it was opened: averages of 0.00 h, not "—"."""
        moment = datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday, in working time
        with mock.patch("django.utils.timezone.now", return_value=moment):
            ticket = tickets.ticket_create(
                actor=cast.service,
                customer=customer,
                data={"ticket_type": "repair", "subject": "当场解决", "engineer": cast.service},
            )
            tickets.ticket_start(ticket=ticket, actor=cast.service)
            tickets.ticket_resolve(ticket=ticket, actor=cast.service, resolution="复位")
        page = client_as(cast.service).get(reverse("aftersales:stats"), {"year": 2026, "month": 11})
        (row,) = page.context["rows"]
        assert str(row.avg_first_response_hours) == "0.00" and str(row.avg_resolution_hours) == "0.00"
        cells = page.content.decode().split('data-testid="stats-row"')[1].split("</tr>")[0]
        assert cells.count('<td class="num">0.00</td>') == 2, cells
