"""The permission matrix of the after-sales actions (aftersales.permissions, asked by pages, API and services alike) and the
visibility rule (a rep sees only own customers' documents; a team lead the team's; service, QC, warehouse see all)."""

import pytest
from django.utils import timezone

from aftersales import permissions, selectors
from aftersales.models import Callback
from aftersales.services import complaints, returns, tickets
from tests.aftersales.test_qa_rules import make_due
from tests.aftersales.test_returns import decide, receive_all

pytestmark = pytest.mark.django_db
ROLES = ["service", "manager", "vp", "alice", "bob", "lena", "clerk", "qc", "warehouse", "finance"]


def who_may(check, doc, cast, action):
    return {name for name in ROLES if action in check(doc, getattr(cast, name))}


@pytest.fixture
def docs(cast, delivered):
    order, _shipment = delivered
    ticket = tickets.ticket_create(actor=cast.alice, customer=order.customer, data={"ticket_type": "repair", "subject": "异响"})
    ticket = tickets.ticket_assign(ticket=ticket, actor=cast.service, engineer=cast.service)
    complaint = complaints.complaint_create(actor=cast.alice, customer=order.customer, data={"description": "异响"})
    rma = returns.rma_create(
        actor=cast.alice, order=order, kind="return", reason="异响", lines=[{"order_line": order.lines.get().pk, "quantity": "1"}]
    )
    return {
        "order": order,
        "ticket": ticket,
        "complaint": complaint,
        "rma": rma,
        "day7": make_due(Callback.objects.get(order=order, offset_days=7)),  # recorded from their due day on
        "day30": make_due(Callback.objects.get(order=order, offset_days=30)),
    }


CALLBACK_MATRIX = [
    ("day7", "record", {"service", "manager", "vp"}),
    ("day30", "record", {"service", "manager", "vp", "alice"}),  # the day-30 callback is the order's rep's
    ("day7", "reassign", {"service", "manager", "vp"}),
    ("day7", "cancel", {"service", "manager", "vp"}),
]
TICKET_MATRIX = [
    ("assign", {"service", "manager", "vp"}),
    ("start", {"service", "manager", "vp"}),  # the engineer (service) or the desk
    ("cancel", {"service", "manager", "vp", "alice"}),  # alice registered it
    ("log", {"service", "manager", "vp", "alice"}),  # alice is also the customer's rep
    ("add_part", {"service", "manager", "vp"}),
]
# the complaint's matrix, state by state and with the GM and the other reps: COMPLAINT_STATE_MATRIX below
RMA_MATRIX = [
    ("draft", "submit", {"alice", "service", "manager", "vp", "clerk"}),
    ("draft", "add_photo", {"alice", "service", "manager", "vp", "clerk"}),
    ("approved", "receive", {"warehouse"}),
    ("approved", "cancel", {"alice", "service", "manager", "vp", "clerk"}),  # the goods have not arrived yet
    ("received", "refund", {"clerk", "finance", "manager", "vp"}),
    ("received", "exchange", {"clerk", "manager", "vp"}),
    ("received", "repair_return", {"service", "warehouse", "clerk", "manager", "vp"}),
]


@pytest.mark.parametrize("doc, action, allowed", CALLBACK_MATRIX)
def test_callback_actions(cast, docs, doc, action, allowed):
    assert who_may(permissions.callback_allowed_actions, docs[doc], cast, action) == allowed


@pytest.mark.parametrize("action, allowed", TICKET_MATRIX)
def test_ticket_actions(cast, docs, action, allowed):
    assert who_may(permissions.ticket_allowed_actions, docs["ticket"], cast, action) == allowed


@pytest.mark.parametrize("state, action, allowed", RMA_MATRIX)
def test_return_actions(cast, docs, state, action, allowed):
    rma = docs["rma"]  # a return (退货): refunded; an exchange or a repair is closed only its own way
    kind = {"exchange": "exchange", "repair_return": "repair"}.get(action)
    if kind:
        order = docs["order"]
        lines = [{"order_line": order.lines.get().pk, "quantity": "1"}]
        rma = returns.rma_create(actor=cast.alice, order=order, kind=kind, reason="异响", lines=lines)
    if state in ("approved", "received"):
        rma = decide(returns.rma_submit(rma=rma, actor=cast.alice), cast.vp)
    if state == "received":
        rma = receive_all(rma, cast.warehouse)
    assert who_may(permissions.rma_allowed_actions, rma, cast, action) == allowed


def test_visibility_follows_the_customer(cast, docs):
    """alice owns the customer; lena leads her team; bob (same team) and carol see none of it; the back office sees all."""
    for name, expected in (("alice", 1), ("lena", 1), ("bob", 0), ("carol", 0), ("service", 1), ("qc", 1), ("warehouse", 1)):
        user = getattr(cast, name)
        seen = (
            selectors.ticket_list_for(user).count(),
            selectors.complaint_list_for(user).count(),
            selectors.rma_list_for(user).count(),
            selectors.callback_list_for(user).filter(offset_days=7).count(),
        )
        assert seen == (expected,) * 4, name


def test_an_action_owner_sees_the_complaint_they_work_on(cast, docs):
    complaint = complaints.complaint_investigate(complaint=docs["complaint"], actor=cast.qc)
    complaint = complaints.complaint_record_cause(complaint=complaint, actor=cast.qc, root_cause="装配不良")
    assert not selectors.complaint_list_for(cast.bob).exists()
    complaints.action_add(
        complaint=complaint, actor=cast.qc, kind="corrective", description="返修", owner=cast.bob, due_on=timezone.localdate()
    )
    assert selectors.complaint_list_for(cast.bob).get() == complaint


# --- the complaint's actions, state by state, for everyone who meets it ---------------------------------------------------
# alice owns the customer and registered the complaint; bob (her team) and carol (another team) are other reps, who do not
# see it at all (404, test_the_complaint_page_offers_each_reader_their_own_actions); lena leads alice's team; the warehouse
# owns its corrective action. QC investigates, writes the root cause and the answer, plans and verifies the actions and
# closes it — and so may the managers (sales manager, VP, GM); the sales VP approves the answer (rules.complaint_answer_route).
COMPLAINT_ROLES = ["alice", "bob", "carol", "lena", "clerk", "service", "qc", "warehouse", "manager", "vp", "gm"]
COMPLAINT_ACTIONS = ["investigate", "record_cause", "add_action", "answer", "submit_answer", "decide_answer", "close", "cancel"]
QC_WORK = {"qc", "manager", "vp", "gm"}
COMPLAINT_STATE_MATRIX = {
    "registered": {"investigate": QC_WORK, "cancel": {"alice", "service", "manager", "vp", "gm"}},
    "investigating": {"record_cause": QC_WORK},
    "actions": {"record_cause": QC_WORK, "add_action": QC_WORK, "answer": QC_WORK, "close": QC_WORK},  # nothing to submit
    # QC's answer: QC and the managers submit it (the VP's submission goes to the GM, the GM's to the VP)
    "answered": {a: QC_WORK for a in ("record_cause", "add_action", "answer", "submit_answer", "close")},
    # submitted by QC: the VP alone decides; the root cause and the answer wait for the decision
    "pending": {"add_action": QC_WORK, "close": QC_WORK, "decide_answer": {"vp"}},
    "approved": {a: QC_WORK for a in ("record_cause", "add_action", "answer", "close")},  # not submitted twice
    "closed": {},
}
CAPA_STATE_MATRIX = {
    "open": {"finish": {"warehouse", *QC_WORK}},  # its owner, or QC
    "done": {"verify": QC_WORK, "send_back": QC_WORK},  # never its owner
    "verified": {},
}


def complaint_in(state: str, cast, customer):
    """alice's complaint walked to `state`, its one corrective action (owned by the warehouse) open until "closed"."""
    from aftersales.models import Complaint

    c = complaints.complaint_create(actor=cast.alice, customer=customer, data={"description": "泵体渗水"})
    if state == "registered":
        return c
    c = complaints.complaint_investigate(complaint=c, actor=cast.qc)
    if state == "investigating":
        return c
    c = complaints.complaint_record_cause(complaint=c, actor=cast.qc, root_cause="密封圈批次不良")
    a = complaints.action_add(
        complaint=c, actor=cast.qc, kind="corrective", description="召回更换", owner=cast.warehouse, due_on=timezone.localdate()
    )
    if state == "actions":
        return c
    complaints.complaint_answer(complaint=c, actor=cast.qc, answer="已更换")
    if state != "answered":
        complaints.complaint_submit_answer(complaint=c, actor=cast.qc)
    if state in ("approved", "closed"):
        from aftersales.permissions import complaint_answer_step
        from salesops.core import approvals

        step = complaint_answer_step(Complaint.objects.get(pk=c.pk))
        approvals.approval_decide(step_id=step.pk, actor=cast.vp, decision="approve")
    if state == "closed":
        a = complaints.action_finish(action=a, actor=cast.warehouse, result="已更换 10 台")
        complaints.action_verify(action=a, actor=cast.qc, effective=True, verification="有效")
        complaints.complaint_close(complaint=c, actor=cast.qc)
    return Complaint.objects.get(pk=c.pk)


def everyone_may(check, doc, cast) -> dict[str, set]:
    """{action: who may} over COMPLAINT_ROLES."""
    out: dict[str, set] = {}
    for name in COMPLAINT_ROLES:
        for action in check(doc, getattr(cast, name)):
            out.setdefault(action, set()).add(name)
    return out


@pytest.mark.parametrize("state", list(COMPLAINT_STATE_MATRIX))
def test_complaint_actions_by_state(cast, customer, state):
    c = complaint_in(state, cast, customer)
    assert everyone_may(permissions.complaint_allowed_actions, c, cast) == COMPLAINT_STATE_MATRIX[state]


@pytest.mark.parametrize("state", list(CAPA_STATE_MATRIX))
def test_corrective_action_actions_by_state(cast, customer, state):
    c = complaint_in("actions", cast, customer)
    a = c.actions.get()
    if state != "open":
        a = complaints.action_finish(action=a, actor=cast.warehouse, result="已更换")
    if state == "verified":
        a = complaints.action_verify(action=a, actor=cast.qc, effective=True, verification="有效")
    a.refresh_from_db()
    assert everyone_may(permissions.action_allowed_actions, a, cast) == CAPA_STATE_MATRIX[state]


PAGE_BUTTONS = {  # the page's form of each action (the decision is the approvals engine's form, on the VP's step)
    **{action: f'data-testid="action-{action}"' for action in COMPLAINT_ACTIONS if action != "decide_answer"},
    "decide_answer": 'data-testid="approval-decide-form"',
}


@pytest.mark.parametrize("state", ["registered", "answered", "pending"])
@pytest.mark.parametrize("who", COMPLAINT_ROLES)
def test_the_complaint_page_offers_each_reader_their_own_actions(cast, customer, client_as, api_as, state, who):
    """The page draws exactly the forms of the reader's allowed actions (and the API lists the same), a CAPA owner's 完成
    on their action, and the history to whoever sees the complaint; the other reps do not see it at all."""
    c = complaint_in(state, cast, customer)
    user = getattr(cast, who)
    response = client_as(user).get(c.get_absolute_url())
    api = api_as(user).get(f"/api/v1/complaints/{c.pk}/")
    if who in ("bob", "carol"):
        assert response.status_code == api.status_code == 404
        return
    assert response.status_code == 200
    page = response.content.decode()
    allowed = permissions.complaint_allowed_actions(c, user)
    assert set(allowed) == {a for a, names in COMPLAINT_STATE_MATRIX[state].items() if who in names}
    assert api.json()["allowed_actions"] == allowed
    assert f'data-allowed-actions="{" ".join(allowed)}"' in page
    for action, button in PAGE_BUTTONS.items():
        assert (button in page) is (action in allowed), action
    finishes = state != "registered" and who in CAPA_STATE_MATRIX["open"]["finish"]
    assert ('data-testid="capa-finish-corrective"' in page) is finishes
    assert ('data-testid="no-actions"' in page) is (not allowed and not finishes)
    history = page[page.index('data-testid="timeline"') :]
    assert "登记投诉（一般）" in history  # the history, from its registration on
