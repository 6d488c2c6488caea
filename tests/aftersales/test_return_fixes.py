"""Returns (退/换/修) after the QA pass on the demo: nobody approves their own request (the VP's own goes to the GM) and every
step says why it is on the route; a request is closed only the way it was approved (退货 → refund, 换货 → exchange, 维修 →
sent back); an approved request whose goods never came may be withdrawn; the receiving form shows its errors at the
fields; a line occupies what was received once counted; the history keeps what was counted; a second or racing outcome
hears the state (409), not a wrong role (403)."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from aftersales import permissions, rules, selectors
from aftersales.models import ReturnRequest
from aftersales.services import returns as svc
from orders.models import CreditNote
from salesops.core import approvals
from salesops.core.errors import Conflict, DomainError, Forbidden
from salesops.core.eventtext import render_event
from salesops.core.models import ApprovalRequest, Event, Notification, Threshold
from tests.aftersales.test_returns import decide, receive_all, request
from tests.core.conftest import run_in_threads

pytestmark = pytest.mark.django_db


def pending_steps(rma):
    req = approvals.requests_for(rma, svc.RMA_KIND).get(status=ApprovalRequest.Status.PENDING)
    return list(req.steps.order_by("stage"))


def approved(cast, order, qty="2", kind="return", by=None):
    by = by or cast.alice
    return decide(svc.rma_submit(rma=request(order, by, qty, kind), actor=by), cast.vp)


def received(cast, order, qty="2", kind="return"):
    return receive_all(approved(cast, order, qty, kind), cast.warehouse)


def inbox(user):
    return [s.request.target_id for s in approvals.steps_waiting_for(user)]


# --- 4. nobody approves their own request ------------------------------------------------------------------------------
class TestOwnRequests:
    def test_the_vps_own_request_goes_to_the_gm(self, cast, delivered):
        # given the VP's own request below the GM threshold (3 pumps, 3,390.00)
        rma = svc.rma_submit(rma=request(delivered[0], cast.vp, "3"), actor=cast.vp)
        # then the route is the GM's, in the GM's inbox and nobody else's
        assert [(s.code, s.assignee_role) for s in pending_steps(rma)] == [("gm", "gm")]
        assert rma.pk in inbox(cast.gm) and rma.pk not in inbox(cast.vp) and rma.pk not in inbox(cast.admin)
        # when the GM approves, the goods may come back
        assert decide(rma, cast.gm).status == ReturnRequest.Status.APPROVED

    def test_the_vps_request_submitted_by_the_clerk_still_skips_the_vp(self, cast, delivered):
        rma = svc.rma_submit(rma=request(delivered[0], cast.vp, "1"), actor=cast.clerk)
        step = pending_steps(rma)[0]
        assert step.assignee_role == "gm" and rma.pk not in inbox(cast.vp)
        assert approvals.requests_for(rma, svc.RMA_KIND).get().owner == cast.vp

    def test_a_reps_request_submitted_by_the_vp_goes_to_the_gm(self, cast, delivered):
        # the VP submitted it: the engine would refuse the VP's decision, so the route skips the VP
        rma = svc.rma_submit(rma=request(delivered[0], cast.alice, "1"), actor=cast.vp)
        assert [s.assignee_role for s in pending_steps(rma)] == ["gm"]
        assert decide(rma, cast.gm).status == ReturnRequest.Status.APPROVED

    def test_the_gms_own_request_above_the_threshold_is_approved_by_the_vp_alone(self, cast, delivered):
        Threshold.objects.filter(code="rma_gm_amount").update(value=D("3000"))
        rma = svc.rma_submit(rma=request(delivered[0], cast.gm, "3"), actor=cast.gm)  # 3,390.00 > 3,000
        assert [s.assignee_role for s in pending_steps(rma)] == ["sales_vp"]
        assert decide(rma, cast.vp).status == ReturnRequest.Status.APPROVED

    def test_nobody_left_to_approve_is_refused_with_a_reason(self, cast, delivered):
        rma = request(delivered[0], cast.vp, "1")
        with pytest.raises(DomainError, match="无人可以审批"):
            svc.rma_submit(rma=rma, actor=cast.gm)
        assert ReturnRequest.objects.get(pk=rma.pk).status == ReturnRequest.Status.DRAFT
        assert not approvals.requests_for(rma, svc.RMA_KIND).exists()

    def test_the_route_rule(self):
        def route(amount, own=()):
            return [s.role for s in rules.rma_route(amount=D(amount), gm_amount=D(20000), own_roles=own)]

        assert route("100") == ["sales_vp"] and route("20000.01") == ["sales_vp", "gm"]
        assert route("100", {"sales_vp"}) == ["gm"] and route("20000.01", {"sales_vp"}) == ["gm"]
        assert route("100", {"gm"}) == ["sales_vp"] and route("20000.01", {"gm"}) == ["sales_vp"]
        assert route("100", {"sales_vp", "gm"}) == [] and route("100", {"admin", "sales_manager"}) == ["sales_vp"]


# --- 18. every step says why it is on the route -------------------------------------------------------------------------
class TestStepReasons:
    def test_each_step_carries_its_reason_shown_on_the_page(self, cast, client_as, delivered):
        Threshold.objects.filter(code="rma_gm_amount").update(value=D("3000"))
        rma = svc.rma_submit(rma=request(delivered[0], cast.alice, "3"), actor=cast.alice)  # 3,390.00
        vp, gm = pending_steps(rma)
        assert vp.reason_text == "退换修须报销售副总同意"
        assert gm.reason_text == "金额 3,390.00 元超过 3,000.00 元"
        html = client_as(cast.alice).get(rma.get_absolute_url()).content.decode()
        assert html.count('data-testid="approval-reason"') == 2 and "金额 3,390.00 元超过 3,000.00 元" in html

    def test_the_vps_own_request_says_why_the_gm_approves_it(self, cast, delivered):
        rma = svc.rma_submit(rma=request(delivered[0], cast.vp, "1"), actor=cast.vp)
        assert pending_steps(rma)[0].reason_text == "申请人是销售副总，本人不能审批，报总经理审批"


# --- 5. the outcome is the kind approved ------------------------------------------------------------------------------
class TestOutcomeFollowsTheKind:
    @pytest.mark.parametrize(
        "kind, allowed",
        [("return", "refund"), ("exchange", "exchange"), ("repair", "repair_return")],
    )
    def test_only_the_approved_way_is_offered(self, cast, delivered, kind, allowed):
        rma = received(cast, delivered[0], "1", kind)
        for name in ("clerk", "finance", "warehouse", "service", "manager", "vp"):
            offered = {a for a in permissions.rma_allowed_actions(rma, getattr(cast, name)) if a in svc.OUTCOME_ACTIONS}
            assert offered <= {allowed}, (name, offered)
        assert allowed in permissions.rma_allowed_actions(rma, cast.clerk)

    def test_a_return_received_into_stock_is_not_closed_as_repaired(self, cast, api_as, client_as, delivered):
        rma = received(cast, delivered[0], "2", "return")
        with pytest.raises(Conflict, match="批准的是退货，只能办理退款，不能登记修复寄回"):
            svc.rma_repair_return(rma=rma, actor=cast.warehouse, carrier="顺丰", tracking_no="SF1")
        with pytest.raises(Conflict, match="批准的是退货"):
            svc.rma_exchange(rma=rma, actor=cast.clerk)
        api = api_as(cast.warehouse).post(
            f"/api/v1/returns/{rma.pk}/repair-return/", {"carrier": "顺丰", "tracking_no": "SF1"}, format="json"
        )
        assert api.status_code == 409 and "只能办理退款" in api.json()["detail"]
        page = client_as(cast.warehouse).post(
            reverse("aftersales:rma_action", args=[rma.pk, "repair_return"]), {"carrier": "顺丰", "tracking_no": "SF1"}
        )
        assert page.status_code == 409 and "只能办理退款" in page.content.decode()
        assert api_as(cast.clerk).get(f"/api/v1/returns/{rma.pk}/").json()["allowed_actions"] == ["refund"]
        html = client_as(cast.clerk).get(rma.get_absolute_url()).content.decode()
        assert 'data-testid="action-refund"' in html and 'data-testid="action-exchange"' not in html
        assert 'data-testid="action-repair_return"' not in html
        assert ReturnRequest.objects.get(pk=rma.pk).status == ReturnRequest.Status.RECEIVED
        assert svc.rma_refund(rma=rma, actor=cast.finance).outcome == ReturnRequest.Outcome.REFUNDED

    def test_a_repair_sent_to_the_repair_shop_is_not_refunded(self, cast, api_as, delivered):
        rma = received(cast, delivered[0], "1", "repair")
        with pytest.raises(Conflict, match="批准的是维修，只能登记修复寄回，不能办理退款"):
            svc.rma_refund(rma=rma, actor=cast.finance)
        assert api_as(cast.finance).post(f"/api/v1/returns/{rma.pk}/refund/", {}, format="json").status_code == 409
        assert not CreditNote.objects.exists()
        done = svc.rma_repair_return(rma=rma, actor=cast.warehouse, carrier="顺丰", tracking_no="SF1")
        assert done.outcome == ReturnRequest.Outcome.REPAIRED

    def test_an_exchange_is_not_refunded(self, cast, delivered):
        rma = received(cast, delivered[0], "1", "exchange")
        with pytest.raises(Conflict, match="批准的是换货"):
            svc.rma_refund(rma=rma, actor=cast.clerk)
        assert svc.rma_exchange(rma=rma, actor=cast.clerk).outcome == ReturnRequest.Outcome.EXCHANGED

    def test_a_repair_starts_for_the_repair_shop_on_the_receiving_form(self, cast, client_as, delivered):
        repair = approved(cast, delivered[0], "1", "repair")
        html = client_as(cast.warehouse).get(repair.get_absolute_url()).content.decode()
        line = repair.lines.get()
        assert '<option value="repair" selected>' in html.split(f'name="disposition_{line.pk}"')[1].split("</select>")[0]


# --- 6. an approved request whose goods never came is withdrawn --------------------------------------------------------
class TestCancelApproved:
    def test_the_requester_withdraws_it_and_the_quantity_is_freed(self, cast, delivered):
        order, _shipment = delivered
        rma = approved(cast, order, "10")
        with pytest.raises(DomainError, match="超过可退换修数量 0"):
            request(order, cast.alice, "1")
        with pytest.raises(DomainError, match="撤销原因"):
            svc.rma_cancel(rma=rma, actor=cast.alice, reason=" ")
        with pytest.raises(Forbidden):
            svc.rma_cancel(rma=rma, actor=cast.warehouse, reason="客户不退了")
        done = svc.rma_cancel(rma=rma, actor=cast.alice, reason="客户决定不退了")
        assert done.status == ReturnRequest.Status.CANCELLED and done.cancel_reason == "客户决定不退了"
        assert not selectors.returns_to_receive(cast.warehouse).exists()
        assert request(order, cast.alice, "10").lines.get().quantity == D("10")
        event = Event.objects.filter(target_id=rma.pk, to_status="cancelled").get()
        assert render_event(event) == "撤销：客户决定不退了" and event.from_status == "approved"
        told = Notification.objects.filter(title__contains=f"退换修 {rma.number} 已撤销")
        assert set(told.values_list("recipient__username", flat=True)) == {"warehouse"}
        assert told.get().body == "客户决定不退了"

    def test_the_clerk_or_a_manager_withdraws_it_and_the_requester_is_told(self, cast, delivered):
        rma = approved(cast, delivered[0], "1")
        svc.rma_cancel(rma=rma, actor=cast.clerk, reason="客户联系不上")
        told = Notification.objects.filter(title__contains="已撤销").values_list("recipient__username", flat=True)
        assert set(told) == {"warehouse", "alice"}
        other = approved(cast, delivered[0], "1")
        assert svc.rma_cancel(rma=other, actor=cast.manager, reason="重复申请").status == ReturnRequest.Status.CANCELLED

    def test_not_once_the_goods_are_received(self, cast, delivered):
        rma = received(cast, delivered[0], "1")
        with pytest.raises(Conflict, match="当前状态为“已收货”，不能执行“撤销”"):
            svc.rma_cancel(rma=rma, actor=cast.alice, reason="改主意了")

    def test_page_and_api(self, cast, api_as, client_as, delivered):
        rma = approved(cast, delivered[0], "1")
        assert 'data-testid="action-cancel"' in client_as(cast.alice).get(rma.get_absolute_url()).content.decode()
        assert 'data-testid="action-cancel"' not in client_as(cast.warehouse).get(rma.get_absolute_url()).content.decode()
        assert "cancel" in api_as(cast.clerk).get(f"/api/v1/returns/{rma.pk}/").json()["allowed_actions"]
        page = client_as(cast.alice).post(reverse("aftersales:rma_action", args=[rma.pk, "cancel"]), {"reason": "不退了"})
        assert page.status_code == 302 and ReturnRequest.objects.get(pk=rma.pk).status == ReturnRequest.Status.CANCELLED
        other = approved(cast, delivered[0], "1")
        assert (
            api_as(cast.warehouse).post(f"/api/v1/returns/{other.pk}/cancel/", {"reason": "x"}, format="json").status_code == 403
        )
        done = api_as(cast.alice).post(f"/api/v1/returns/{other.pk}/cancel/", {"reason": "不退了"}, format="json")
        assert done.status_code == 200 and done.json()["status"] == "cancelled"
        again = api_as(cast.alice).post(f"/api/v1/returns/{other.pk}/cancel/", {"reason": "不退了"}, format="json")
        assert again.status_code == 409

    @pytest.mark.parametrize(
        "who, allowed",
        [
            ("alice", True),
            ("clerk", True),
            ("service", True),
            ("manager", True),
            ("vp", True),
            ("warehouse", False),
            ("finance", False),
            ("bob", False),
            ("qc", False),
        ],
    )
    def test_who_may_withdraw_an_approved_request(self, cast, delivered, who, allowed):
        rma = approved(cast, delivered[0], "1")
        assert ("cancel" in permissions.rma_allowed_actions(rma, getattr(cast, who))) is allowed


# --- 7. the receiving form says what is wrong, at the field -------------------------------------------------------------
class TestReceivingForm:
    @pytest.mark.parametrize(
        "field, value, message",
        [
            ("received", "-1", "实收数量不能小于 0。"),
            ("received", "", "请填写实收数量（没有收到填 0）。"),
            ("received", "abc", "实收数量须为数字"),
            ("received", "1.0001", "实收数量最多保留 3 位小数。"),
            ("received", "3", "实收数量不能超过申请数量 2。"),
            ("disposition", "xx", "请选择去向（入库、转维修车间或报废）。"),
            ("note", "长" * 400, "差异说明不能超过 300 个字（现有 400 个）。"),
        ],
    )
    def test_a_bad_line_value_is_shown_at_its_field(self, cast, client_as, delivered, field, value, message):
        rma = approved(cast, delivered[0], "2")
        pk = rma.lines.get().pk
        data = {f"received_{pk}": "2", f"disposition_{pk}": "stock", f"note_{pk}": "", f"{field}_{pk}": value}
        response = client_as(cast.warehouse).post(reverse("aftersales:rma_action", args=[rma.pk, "receive"]), data)
        html = response.content.decode()
        assert response.status_code == 400
        assert f'aria-describedby="id_{field}_{pk}_error"' in html
        error = html.split(f'id="id_{field}_{pk}_error"')[1].split("</div></div>")[0]
        assert message in error
        assert 'data-testid="form-errors"' in html and "请更正下面标出的错误" in html
        assert ReturnRequest.objects.get(pk=rma.pk).status == ReturnRequest.Status.APPROVED

    def test_a_too_long_receiving_note_is_shown_at_its_field(self, cast, client_as, delivered):
        rma = approved(cast, delivered[0], "2")
        pk = rma.lines.get().pk
        data = {f"received_{pk}": "2", f"disposition_{pk}": "stock", "note": "长" * 400}
        html = client_as(cast.warehouse).post(reverse("aftersales:rma_action", args=[rma.pk, "receive"]), data).content.decode()
        assert 'aria-describedby="id_note_error"' in html and 'id="id_note_error"' in html and "收货说明不能超过 300 个字" in html

    def test_a_difference_without_a_note_is_shown_at_the_note(self, cast, client_as, delivered):
        rma = approved(cast, delivered[0], "2")
        pk = rma.lines.get().pk
        data = {f"received_{pk}": "1", f"disposition_{pk}": "stock", f"note_{pk}": ""}
        response = client_as(cast.warehouse).post(reverse("aftersales:rma_action", args=[rma.pk, "receive"]), data)
        assert response.status_code == 400 and f'id="id_note_{pk}_error"' in response.content.decode()

    def test_the_service_refuses_more_than_three_decimals_and_nothing_at_all(self, cast, delivered):
        rma = approved(cast, delivered[0], "2")
        pk = rma.lines.get().pk
        with pytest.raises(DomainError, match="实收数量"):
            svc.rma_receive(
                rma=rma, actor=cast.warehouse, lines={pk: {"received_quantity": "1.0001", "disposition": "stock", "note": "x"}}
            )
        with pytest.raises(DomainError, match="请撤销申请"):
            svc.rma_receive(
                rma=rma, actor=cast.warehouse, lines={pk: {"received_quantity": "0", "disposition": "stock", "note": "没到"}}
            )
        assert ReturnRequest.objects.get(pk=rma.pk).status == ReturnRequest.Status.APPROVED


# --- 8 and 9. what was received: the quantity it occupies and the history --------------------------------------------
class TestWhatWasReceived:
    def count_one_of_two(self, cast, order, note=""):
        rma = approved(cast, order, "2")
        pk = rma.lines.get().pk
        return svc.rma_receive(
            rma=rma,
            actor=cast.warehouse,
            lines={pk: {"received_quantity": "1", "disposition": "stock", "note": "一台外壳完好，客户留用"}},
            note=note,
        )

    def test_once_counted_a_request_occupies_what_was_received(self, cast, delivered):
        order, _shipment = delivered  # 10 delivered
        request(order, cast.alice, "7")
        rma = self.count_one_of_two(cast, order)
        assert request(order, cast.alice, "1").lines.get().quantity == D("1")  # 10 - 7 - 1 received - 1
        svc.rma_refund(rma=rma, actor=cast.finance)
        with pytest.raises(DomainError, match=r"超过可退换修数量 1（已签收 10，其他申请已占用 9）"):
            request(order, cast.alice, "2")
        assert request(order, cast.alice, "1")

    def test_the_history_keeps_the_counted_lines_and_the_note(self, cast, client_as, delivered):
        rma = self.count_one_of_two(cast, delivered[0], note="包装破损")
        event = Event.objects.get(target_id=rma.pk, to_status="received")
        text = render_event(event)
        assert text == "清点收货：增压泵 2 → 1（一台外壳完好，客户留用），入库；收货说明：包装破损"
        assert event.msgid == "清点收货：%(lines)s；收货说明：%(note)s"  # stored as a sentence, shown in the reader's language
        html = client_as(cast.alice).get(rma.get_absolute_url()).content.decode()
        assert "增压泵 2 → 1（一台外壳完好，客户留用），入库" in html
        told = Notification.objects.get(recipient=cast.alice, title__contains="已到厂清点")
        assert told.body == "清点结果：增压泵 2 → 1（一台外壳完好，客户留用），入库"

    def test_a_full_count_is_in_the_history_too(self, cast, delivered):
        rma = received(cast, delivered[0], "2")
        text = render_event(Event.objects.get(target_id=rma.pk, to_status="received"))
        assert text == "清点收货：增压泵 × 2，入库"


# --- 10. a second or racing outcome hears the state --------------------------------------------------------------------
class TestSecondClicks:
    def test_a_second_refund_is_a_conflict_not_a_wrong_role(self, cast, api_as, delivered):
        rma = received(cast, delivered[0], "1")
        api = api_as(cast.finance)
        assert api.post(f"/api/v1/returns/{rma.pk}/refund/", {}, format="json").status_code == 200
        again = api.post(f"/api/v1/returns/{rma.pk}/refund/", {}, format="json")
        assert again.status_code == 409 and again.json()["detail"] == f"{rma.number}当前状态为“已办结”，不能办理退款。"
        exchange = api_as(cast.clerk).post(f"/api/v1/returns/{rma.pk}/exchange/", {}, format="json")
        assert exchange.status_code == 409 and "当前状态为“已办结”，不能办理换货" in exchange.json()["detail"]
        back = api_as(cast.warehouse).post(
            f"/api/v1/returns/{rma.pk}/repair-return/", {"carrier": "顺丰", "tracking_no": "SF1"}, format="json"
        )
        assert back.status_code == 409 and "不能登记修复寄回" in back.json()["detail"]
        assert CreditNote.objects.count() == 1

    def test_without_the_role_it_is_still_a_403(self, cast, delivered):
        rma = received(cast, delivered[0], "1")
        with pytest.raises(Forbidden, match="只有销售内勤、财务和经理可以办理退款"):
            svc.rma_refund(rma=rma, actor=cast.warehouse)
        svc.rma_refund(rma=rma, actor=cast.finance)
        with pytest.raises(Forbidden):
            svc.rma_exchange(rma=rma, actor=cast.finance)

    def test_not_yet_received_is_a_conflict_too(self, cast, delivered):
        rma = approved(cast, delivered[0], "1")
        with pytest.raises(Conflict, match="当前状态为“已批准”，不能办理退款"):
            svc.rma_refund(rma=rma, actor=cast.finance)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_racing_refunds_give_one_credit_note_and_a_conflict(on_postgres, cast, delivered):
    rma = received(cast, delivered[0], "1")

    results = run_in_threads(3, lambda i: svc.rma_refund(rma=rma, actor=[cast.finance, cast.clerk, cast.manager][i]))

    assert sum(isinstance(r, ReturnRequest) for r in results) == 1, results
    assert all(isinstance(r, Conflict) for r in results if not isinstance(r, ReturnRequest)), results
    assert CreditNote.objects.count() == 1
