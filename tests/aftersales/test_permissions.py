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
COMPLAINT_MATRIX = [
    ("investigate", {"qc", "manager", "vp"}),
    ("cancel", {"service", "manager", "vp", "alice"}),
]
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


@pytest.mark.parametrize("action, allowed", COMPLAINT_MATRIX)
def test_complaint_actions(cast, docs, action, allowed):
    assert who_may(permissions.complaint_allowed_actions, docs["complaint"], cast, action) == allowed


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
