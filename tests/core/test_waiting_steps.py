"""待我审批 (approvals.steps_waiting_for): exactly the steps each user must act on now, for every kind of assignee
(a named user, a role, a department reviewer), never a step of the user's own request or of a request that has ended,
oldest first — decided on the step's own columns with one anti-join to its request (issue 12), never a join."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from salesops.core import approvals
from salesops.core.approvals import StepSpec
from salesops.core.models import ApprovalRequest, ApprovalStep
from salesops.core.roles import user_roles
from tests.factories import UserFactory

from .conftest import KIND, special_route

pytestmark = pytest.mark.django_db

Status = ApprovalStep.Status


def waiting(user) -> list[tuple[str, str]]:
    """(request title, step code) of the user's inbox, in its order."""
    return [(s.request.title, s.code) for s in approvals.steps_waiting_for(user)]


def joined(user) -> list[int]:
    """The inbox as it was written before issue 12 (the steps joined to their requests): the reference."""
    return list(
        ApprovalStep.objects.filter(status=Status.PENDING, request__status=ApprovalRequest.Status.PENDING)
        .filter(Q(assignee_user=user) | Q(assignee_user__isnull=True, assignee_role__in=list(user_roles(user))))
        .exclude(request__requested_by=user)
        .order_by("activated_at", "id")
        .values_list("id", flat=True)
    )


@pytest.fixture
def inbox(cast, outcomes):
    """Four documents under approval (the teams stand in for documents), so step ids and request ids differ:
    - 特殊合同: alice's special route (three department reviews pending, the tiers waiting);
    - 经理自提: the manager's own request, a manager step;
    - 指名: alice's request with a step named for the VP though its role is sales_manager, and a manager step;
    - 已结束: alice's request whose manager step is still pending although the request ended (a guard: the engine
      cancels the open steps of an ended request)."""
    sales = cast.east.department
    docs = [cast.east, cast.south, *(type(cast.east).objects.create(name=f"文档{i}", department=sales) for i in range(2))]

    def start(doc, title, steps, actor):
        return approvals.approval_start(target=doc, kind=KIND, steps=steps, actor=actor, title=title)

    special = start(docs[0], "特殊合同", special_route(), cast.alice)
    own = start(docs[1], "经理自提", [StepSpec(code="manager", label="经理", stage=1, role="sales_manager")], cast.manager)
    named = start(
        docs[2],
        "指名",
        [
            StepSpec(code="named", label="指名副总", stage=1, role="sales_manager", user_id=cast.vp.pk),
            StepSpec(code="manager", label="经理", stage=1, role="sales_manager"),
        ],
        cast.alice,
    )
    ended = start(docs[3], "已结束", [StepSpec(code="manager", label="经理", stage=1, role="sales_manager")], cast.alice)
    ApprovalRequest.objects.filter(pk=ended.pk).update(status=ApprovalRequest.Status.APPROVED)
    # oldest first, whatever the ids: the named request's steps arrived before the others
    ApprovalStep.objects.filter(request=named).update(activated_at=timezone.now() - timedelta(hours=5))
    ApprovalStep.objects.filter(request=named, code="manager").update(activated_at=timezone.now() - timedelta(hours=6))
    return {"special": special, "own": own, "named": named, "ended": ended}


def test_a_role_step_is_for_every_holder_of_the_role_but_not_on_their_own_request(cast, inbox):
    # the manager: the role steps of alice's requests, oldest first; not the own request, not the ended one, not the
    # step named for the VP
    assert waiting(cast.manager) == [("指名", "manager")]
    # another sales manager sees the manager's own request too (it is not theirs)
    other = UserFactory(username="manager2", roles=["sales_manager"], profile={})
    assert waiting(other) == [("指名", "manager"), ("经理自提", "manager")]


def test_a_named_step_is_for_that_user_only_whatever_its_role(cast, inbox):
    assert waiting(cast.vp) == [("指名", "named")]
    assert ("指名", "named") not in waiting(cast.manager)


def test_department_reviews_go_to_each_departments_reviewers_and_later_stages_wait(cast, inbox):
    assert waiting(cast.rev_technical) == [("特殊合同", "technical")]
    assert waiting(cast.rev_production) == [("特殊合同", "production")]
    assert waiting(cast.rev_quality) == [("特殊合同", "quality")]
    assert waiting(cast.gm) == [] and waiting(cast.rev_finance) == []  # the GM's stage waits; no finance review here
    assert waiting(cast.alice) == [] and waiting(cast.clerk) == []


def test_a_decided_step_leaves_the_inbox_and_the_next_stage_arrives(cast, inbox):
    special = inbox["special"]
    for code, who in (("technical", cast.rev_technical), ("production", cast.rev_production), ("quality", cast.rev_quality)):
        approvals.approval_decide(step_id=special.steps.get(code=code).pk, actor=who, decision="approve")
    assert waiting(cast.rev_technical) == []
    assert waiting(cast.manager) == [("指名", "manager"), ("特殊合同", "manager")]


def test_a_step_of_an_ended_request_is_not_waiting_even_if_still_marked_pending(cast, inbox):
    step = inbox["ended"].steps.get()
    assert step.status == Status.PENDING
    other = UserFactory(username="manager2", roles=["sales_manager"], profile={})
    assert ("已结束", "manager") not in waiting(cast.manager) + waiting(other)


def test_the_rows_are_those_of_the_steps_joined_to_their_requests_for_every_user(cast, inbox):
    for user in vars(cast).values():
        if hasattr(user, "username"):
            assert [s.pk for s in approvals.steps_waiting_for(user)] == joined(user), user.username
            assert approvals.steps_waiting_for(user).count() == len(joined(user)), user.username


def test_the_count_reads_the_steps_alone_with_one_anti_join_to_the_requests(cast, inbox):
    with CaptureQueriesContext(connection) as ctx:
        assert approvals.steps_waiting_for(cast.manager).count() == 1
    (sql,) = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"]]
    assert "JOIN" not in sql.upper() and "NOT (EXISTS" in sql.upper()
