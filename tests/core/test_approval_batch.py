"""批量同意 in 待我审批: a manager approves many routine steps at once — each step on its own (approvals.approval_decide in
its own transaction), so a step refused (decided meanwhile, not theirs, not yet its turn, a document whose handler refuses
now, one they may not know of) leaves that step and its document as they were and does not undo the others."""

from __future__ import annotations

from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from contracts import services
from contracts.models import Contract, Quotation
from salesops.core import approvals, batch
from salesops.core.approvals import StepSpec
from salesops.core.errors import Conflict, DomainError
from salesops.core.models import ApprovalRequest, ApprovalStep, Event
from tests.contracts.conftest import fill_review, line
from tests.factories import CustomerFactory, ProductFactory, TeamFactory, UserFactory

from .conftest import KIND, run_in_threads, step_of

pytestmark = pytest.mark.django_db

INBOX = reverse("core:approvals_inbox")
BATCH = reverse("core:approvals_approve_many")
Status = ApprovalStep.Status


def pending_step(doc, kind) -> ApprovalStep:
    """The one step of `doc`'s pending round now waiting (the manager's, for a quotation or a standard contract)."""
    request = approvals.requests_for(doc, kind).get(status=ApprovalRequest.Status.PENDING)
    return request.steps.get(status=Status.PENDING)


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def approvals_taken(doc) -> int:
    """How many times `doc` became approved (its status events)."""
    return Event.objects.filter(
        target_type=ContentType.objects.get_for_model(doc), target_id=doc.pk, to_status="approved"
    ).count()


def by_id(outcomes):
    return {o.pk: o for o in outcomes}


@pytest.fixture
def goods(cast):
    """alice (allowed to quote), her customer, a standard pump and a custom valve never produced (as tests/contracts)."""
    cast.alice.profile.may_quote = True
    cast.alice.profile.save()
    return SimpleNamespace(
        customer=CustomerFactory(owner=cast.alice, team=cast.east, name="苏州精工机械有限公司"),
        pump=ProductFactory(
            code="BP-100", name="增压泵", list_price=D("1130.00"), standard_cost=D("700.00"), monthly_capacity=D("1000")
        ),
        valve=ProductFactory(
            code="CV-900", name="定制阀门", kind="custom", ever_produced=False, list_price=D("0"), standard_cost=D("0")
        ),
    )


def submitted_quotation(cast, goods, **line_fields):
    q = services.quotation_create(actor=cast.alice, customer=goods.customer, data={}, lines=[line(goods.pump, **line_fields)])
    return services.quotation_submit(quotation=q, actor=cast.alice)


@pytest.fixture
def quotation(cast, goods):
    """alice's quotation at 10 % off list, in review: the sales manager's step waits."""
    return submitted_quotation(cast, goods, discount_rate="0.10")


@pytest.fixture
def second_quotation(cast, goods):
    return submitted_quotation(cast, goods, quantity="3", discount_rate="0.05")


@pytest.fixture
def contract(cast, goods):
    """alice's standard contract in review: the sales manager's step waits."""
    c = services.contract_create(actor=cast.alice, customer=goods.customer, data={}, lines=[line(goods.pump)])
    fill_review(c, cast.alice)
    return services.contract_submit(contract=c, actor=cast.alice)


@pytest.fixture
def special_contract(cast, goods):
    """A special contract (a custom product never produced): the departments review first, the manager later."""
    lines = [line(goods.pump), line(goods.valve, quantity="2", unit_price="5000")]
    c = services.contract_create(actor=cast.alice, customer=goods.customer, data={}, lines=lines)
    fill_review(c, cast.alice)
    return services.contract_submit(contract=c, actor=cast.alice)


@pytest.fixture
def colleague(db):
    """A second sales manager: either may decide the manager's steps."""
    return UserFactory(username="mgr2", first_name="王", last_name="", roles=["sales_manager"])


# --- the service --------------------------------------------------------------------------------------------------
class TestApproveMany:
    def test_steps_of_different_documents_are_approved_at_once_each_with_its_effect(self, cast, quotation, contract):
        # given a quotation's discount review and a contract's approval both waiting for the manager
        q_step, c_step = pending_step(quotation, services.QUOTATION_KIND), pending_step(contract, services.CONTRACT_KIND)

        # when the manager approves both in one batch with one comment
        outcomes = approvals.approval_decide_many(step_ids=[q_step.pk, c_step.pk], actor=cast.manager, comment=" 常规，同意 ")

        # then both are approved, in the order sent, and each document took its approval's effect
        assert [(o.pk, o.done, o.detail) for o in outcomes] == [(q_step.pk, True, ""), (c_step.pk, True, "")]
        assert fresh(quotation).status == Quotation.Status.APPROVED and fresh(quotation).approved_at is not None
        assert fresh(contract).status == Contract.Status.APPROVED
        for step in (fresh(q_step), fresh(c_step)):
            assert step.status == Status.APPROVED and step.decided_by == cast.manager and step.comment == "常规，同意"
        assert {o.title for o in outcomes} == {q_step.request.title_text, c_step.request.title_text}
        # one decision each on the timeline, and the inbox is empty
        assert Event.objects.filter(verb=Event.Verb.APPROVAL, message__contains="常规，同意").count() == 2
        assert not approvals.steps_waiting_for(cast.manager).exists()

    def test_a_step_decided_by_someone_else_in_between_is_reported_and_the_others_land(
        self, cast, monkeypatch, quotation, second_quotation, contract, colleague
    ):
        # given three steps waiting for the managers; while the batch works on the first, a colleague approves the contract
        q_step = pending_step(quotation, services.QUOTATION_KIND)
        c_step = pending_step(contract, services.CONTRACT_KIND)
        q2_step = pending_step(second_quotation, services.QUOTATION_KIND)
        real_decide = approvals.approval_decide

        def decide_and_colleague_meanwhile(**kwargs):
            step = real_decide(**kwargs)
            if kwargs["step_id"] == q_step.pk:
                real_decide(step_id=c_step.pk, actor=colleague, decision="approve", comment="我来批")
            return step

        monkeypatch.setattr(approvals, "approval_decide", decide_and_colleague_meanwhile)

        # when the manager's batch comes to the contract
        outcomes = by_id(approvals.approval_decide_many(step_ids=[q_step.pk, c_step.pk, q2_step.pk], actor=cast.manager))

        # then the contract's step is reported as decided by the colleague, and the quotations before and after it landed
        assert outcomes[q_step.pk].done and outcomes[q2_step.pk].done
        failed = outcomes[c_step.pk]
        assert not failed.done and failed.code == "conflict"
        assert "已由 王 于" in failed.detail and "不能重复处理" in failed.detail
        assert failed.title == c_step.request.title_text
        assert fresh(c_step).decided_by == colleague and fresh(c_step).comment == "我来批"
        assert fresh(quotation).status == fresh(second_quotation).status == Quotation.Status.APPROVED
        assert fresh(contract).status == Contract.Status.APPROVED
        assert approvals_taken(contract) == 1

    def test_a_step_of_another_approver_or_not_yet_its_turn_is_refused_and_left_as_it_was(
        self, cast, quotation, special_contract
    ):
        # given a special contract: the technical review (a reviewer's) now, the manager's step only after the departments
        request = approvals.requests_for(special_contract, services.CONTRACT_KIND).get()
        technical = request.steps.get(code="review_technical")
        managers_later = request.steps.get(code="sales_manager")
        q_step = pending_step(quotation, services.QUOTATION_KIND)

        outcomes = by_id(
            approvals.approval_decide_many(step_ids=[technical.pk, managers_later.pk, q_step.pk], actor=cast.manager)
        )

        assert outcomes[technical.pk].code == "forbidden" and "不是分配给您的审批步骤" in outcomes[technical.pk].detail
        assert outcomes[managers_later.pk].code == "conflict" and "还没有轮到" in outcomes[managers_later.pk].detail
        assert outcomes[q_step.pk].done
        assert fresh(technical).status == Status.PENDING and fresh(managers_later).status == Status.WAITING
        assert fresh(special_contract).status == Contract.Status.IN_REVIEW

    def test_a_withdrawn_document_is_reported_not_approved(self, cast, quotation, contract):
        # given alice took her quotation back from review after the manager opened the inbox
        q_step, c_step = pending_step(quotation, services.QUOTATION_KIND), pending_step(contract, services.CONTRACT_KIND)
        services.quotation_withdraw(quotation=quotation, actor=cast.alice)

        outcomes = by_id(approvals.approval_decide_many(step_ids=[q_step.pk, c_step.pk], actor=cast.manager))

        assert outcomes[q_step.pk].code == "conflict" and "本轮审批已结束" in outcomes[q_step.pk].detail
        assert outcomes[c_step.pk].done
        assert fresh(quotation).status == Quotation.Status.DRAFT

    def test_a_handler_refusing_the_approval_now_leaves_that_step_and_document_untouched(self, cast, outcomes_recorder):
        # given two one-step rounds of the test kind; its owner refuses to approve the second document now
        first, second = TeamFactory(name="甲组"), TeamFactory(name="乙组")
        route = [StepSpec(code="manager", label="销售部经理审批", stage=1, role="sales_manager")]
        steps = [
            step_of(
                approvals.approval_start(target=t, kind=KIND, steps=route, actor=cast.alice, title=f"测试单据 {t.name}"),
                "manager",
            )
            for t in (first, second)
        ]
        outcomes_recorder.refuse[second.pk] = "乙组的单据已变化，不能再批准；请驳回。"

        outcomes = approvals.approval_decide_many(step_ids=[s.pk for s in reversed(steps)], actor=cast.manager)

        # then the refusal is reported with the owner's reason, and nothing of it was written: step, round, timeline
        refused, approved = outcomes
        assert (refused.pk, refused.done, refused.code) == (steps[1].pk, False, "conflict")
        assert refused.detail == "乙组的单据已变化，不能再批准；请驳回。" and refused.title == "测试单据 乙组"
        assert fresh(steps[1]).status == Status.PENDING and fresh(steps[1]).decided_by is None
        assert fresh(steps[1].request).status == ApprovalRequest.Status.PENDING
        assert not Event.objects.filter(target_id=second.pk, message__startswith="销售部经理审批：").exists()
        # and the other document was approved
        assert approved.done and outcomes_recorder.calls == [(steps[0].request_id, "approved")]

    def test_only_approve_with_the_comment_optional(self, cast, quotation):
        q_step = pending_step(quotation, services.QUOTATION_KIND)
        (outcome,) = approvals.approval_decide_many(step_ids=[q_step.pk], actor=cast.manager)
        assert outcome.done and fresh(q_step).status == Status.APPROVED and fresh(q_step).comment == ""

    def test_duplicates_count_once(self, cast, quotation):
        q_step = pending_step(quotation, services.QUOTATION_KIND)
        outcomes = approvals.approval_decide_many(step_ids=[q_step.pk, str(q_step.pk), q_step.pk], actor=cast.manager)
        assert [(o.pk, o.done) for o in outcomes] == [(q_step.pk, True)]
        label = fresh(q_step).label_text
        assert Event.objects.filter(verb=Event.Verb.APPROVAL, message__startswith=f"{label}：").count() == 1

    def test_the_batch_size_is_limited_and_a_bad_batch_decides_nothing(self, cast, quotation):
        q_step = pending_step(quotation, services.QUOTATION_KIND)
        too_many = [q_step.pk, *range(10_000_000, 10_000_000 + batch.MAX)]
        with pytest.raises(DomainError, match="一次最多批量同意 100 项，您选择了 101 项"):
            approvals.approval_decide_many(step_ids=too_many, actor=cast.manager)
        for bad, message in (
            ([], "请选择要同意的审批"),
            (None, "请选择要同意的审批"),
            ([q_step.pk, "abc"], "审批步骤编号必须是正整数"),
            ([q_step.pk, 0], "审批步骤编号必须是正整数"),
            ([q_step.pk, "１２"], "审批步骤编号必须是正整数"),
            ([q_step.pk, True], "审批步骤编号必须是正整数"),
            ([q_step.pk, 2**63], "审批步骤编号必须是正整数"),
        ):
            with pytest.raises(DomainError, match=message):
                approvals.approval_decide_many(step_ids=bad, actor=cast.manager)
        assert fresh(q_step).status == Status.PENDING
        # exactly the limit is fine: the unknown ones are reported, the real one approved
        outcomes = approvals.approval_decide_many(step_ids=too_many[: batch.MAX], actor=cast.manager)
        assert len(outcomes) == batch.MAX and sum(o.done for o in outcomes) == 1

    def test_a_step_the_user_may_not_know_of_reads_like_one_that_does_not_exist(self, cast, quotation):
        # given carol (a rep of another team), who may not see alice's quotation
        q_step = pending_step(quotation, services.QUOTATION_KIND)

        outcomes = approvals.approval_decide_many(step_ids=[q_step.pk, 987654321], actor=cast.carol)

        # then both are "does not exist or not yours to see", naming nothing, and the quotation's step is untouched
        assert [(o.done, o.code, o.detail, o.title) for o in outcomes] == [
            (False, "not_found", "审批步骤不存在或无权查看。", ""),
            (False, "not_found", "审批步骤不存在或无权查看。", ""),
        ]
        assert fresh(q_step).status == Status.PENDING and fresh(quotation).status == Quotation.Status.IN_REVIEW


@pytest.fixture
def outcomes_recorder():
    """The test kind's outcome handler: records (request id, outcome); refuses with a Conflict for a target in `refuse`."""

    class Recorder:
        calls: list = []
        refuse: dict = {}

        def __call__(self, request, outcome, actor):
            if request.target_id in self.refuse:
                raise Conflict(self.refuse[request.target_id])
            self.calls.append((request.pk, str(outcome)))

    recorder = Recorder()
    recorder.calls, recorder.refuse = [], {}
    approvals.register_outcome_handler(KIND, recorder, label="测试评审")
    yield recorder
    approvals._HANDLERS.pop(KIND, None)
    approvals._KIND_LABELS.pop(KIND, None)


# --- the inbox page -----------------------------------------------------------------------------------------------
def message_of(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


class TestInboxPage:
    def test_each_row_the_user_may_decide_has_a_checkbox_and_the_page_a_batch_form(self, cast, client_as, quotation, contract):
        q_step, c_step = pending_step(quotation, services.QUOTATION_KIND), pending_step(contract, services.CONTRACT_KIND)
        html = client_as(cast.manager).get(INBOX, {"kind": services.QUOTATION_KIND}).content.decode()
        form = html.split('data-testid="batch-approve-form"')[1].split("</form>")[0]
        assert 'name="csrfmiddlewaretoken"' in form and 'name="comment"' in form and 'data-testid="batch-approve"' in form
        assert f'action="{BATCH}?kind={services.QUOTATION_KIND}"' in html
        assert 'data-testid="batch-select-all"' in html and "全部选择" in html
        assert html.count('data-testid="batch-select"') == 1
        assert f'name="step_ids" value="{q_step.pk}" form="batch-approve-form"' in html
        assert f'value="{c_step.pk}"' not in html  # filtered out: not on this page
        assert f'<input type="hidden" name="page_step_ids" value="{q_step.pk}">' in html

    def test_a_row_the_user_may_not_decide_has_no_checkbox(self, cast, client_as, monkeypatch, quotation, contract):
        q_step, c_step = pending_step(quotation, services.QUOTATION_KIND), pending_step(contract, services.CONTRACT_KIND)
        real_can_decide = approvals.can_decide
        monkeypatch.setattr(approvals, "can_decide", lambda step, user: step.pk != c_step.pk and real_can_decide(step, user))
        html = client_as(cast.manager).get(INBOX).content.decode()
        assert html.count('data-testid="inbox-step"') == 2 and html.count('data-testid="batch-select"') == 1
        assert f'name="step_ids" value="{q_step.pk}"' in html and f'name="step_ids" value="{c_step.pk}"' not in html
        assert f'name="page_step_ids" value="{c_step.pk}"' not in html

    def test_no_batch_form_without_a_step_to_decide_nor_on_the_decided_tab(self, cast, client_as, quotation):
        assert 'data-testid="batch-approve-form"' not in client_as(cast.bob).get(INBOX).content.decode()
        approvals.approval_decide_many(step_ids=[pending_step(quotation, services.QUOTATION_KIND).pk], actor=cast.manager)
        done = client_as(cast.manager).get(INBOX, {"tab": "done"}).content.decode()
        assert 'data-testid="done-step"' in done and 'data-testid="batch-approve-form"' not in done
        assert 'data-testid="batch-select"' not in done

    def test_the_post_approves_and_comes_back_with_the_same_query_string_and_one_message(
        self, cast, client_as, quotation, second_quotation, special_contract
    ):
        q_step, q2_step = (
            pending_step(quotation, services.QUOTATION_KIND),
            pending_step(second_quotation, services.QUOTATION_KIND),
        )
        technical = approvals.requests_for(special_contract).get().steps.get(code="review_technical")
        client = client_as(cast.manager)
        query = f"kind={services.QUOTATION_KIND}&q=&page=2&page_size=10"

        response = client.post(
            f"{BATCH}?{query}",
            {"step_ids": [q_step.pk, technical.pk, q2_step.pk], "comment": "同意", "confirmed": "1"},
        )

        assert response.status_code == 302 and response["Location"] == f"{INBOX}?{query}"
        text = message_of(response)
        title = technical.request.title_text
        assert text == f"已同意 2 项；1 项未处理：{title}：“技术部评审”不是分配给您的审批步骤。"
        assert fresh(quotation).status == fresh(second_quotation).status == Quotation.Status.APPROVED
        assert fresh(q_step).comment == "同意" and fresh(technical).status == Status.PENDING
        # the page it comes back to (past the last page now: the nearest one) shows the message once
        page = client.get(response["Location"])
        assert page.status_code == 200 and page.content.decode().count("已同意 2 项") == 1

    def test_all_approved_is_a_success_and_nothing_approved_an_error_naming_no_hidden_document(self, cast, client_as, quotation):
        q_step = pending_step(quotation, services.QUOTATION_KIND)
        carol = client_as(cast.carol)
        response = carol.post(BATCH, {"step_ids": [q_step.pk], "confirmed": "1"})
        assert response["Location"] == INBOX
        messages = list(get_messages(response.wsgi_request))
        assert [m.level_tag for m in messages] == ["error"]
        assert str(messages[0]) == f"已同意 0 项；1 项未处理：#{q_step.pk}：审批步骤不存在或无权查看。"
        assert quotation.number not in str(messages[0])

        manager = client_as(cast.manager)
        response = manager.post(BATCH, {"step_ids": [q_step.pk], "confirmed": "1"})
        messages = list(get_messages(response.wsgi_request))
        assert [(m.level_tag, str(m)) for m in messages] == [("success", "已同意 1 项。")]

    def test_select_all_takes_every_row_of_the_page(self, cast, client_as, quotation, contract):
        ids = [pending_step(quotation, services.QUOTATION_KIND).pk, pending_step(contract, services.CONTRACT_KIND).pk]
        client = client_as(cast.manager)
        response = client.post(BATCH, {"select_all": "1", "page_step_ids": ids, "confirmed": "1"})
        assert response.status_code == 302 and message_of(response) == "已同意 2 项。"
        assert fresh(quotation).status == Quotation.Status.APPROVED and fresh(contract).status == Contract.Status.APPROVED

    def test_without_javascript_the_confirmation_is_a_page_and_nothing_is_decided_before_it(
        self, cast, client_as, quotation, contract
    ):
        q_step, c_step = pending_step(quotation, services.QUOTATION_KIND), pending_step(contract, services.CONTRACT_KIND)
        client = client_as(cast.manager)

        response = client.post(f"{BATCH}?tab=waiting&page=1", {"step_ids": [q_step.pk, c_step.pk, 987654321], "comment": "好"})

        assert response.status_code == 200
        html = response.content.decode()
        assert "确定同意所选的 3 项审批？" in html
        assert q_step.request.title_text in html and c_step.request.title_text in html
        assert 'data-testid="batch-confirm-others"' in html and "另有 1 项" in html
        assert f'action="{BATCH}?tab=waiting&amp;page=1"' in html and 'name="confirmed" value="1"' in html
        assert 'value="好"' in html and f'href="{INBOX}?tab=waiting&amp;page=1"' in html
        assert fresh(q_step).status == fresh(c_step).status == Status.PENDING

        # confirming it posts the same form
        response = client.post(
            f"{BATCH}?tab=waiting&page=1", {"step_ids": [q_step.pk, c_step.pk, 987654321], "comment": "好", "confirmed": "1"}
        )
        assert response["Location"] == f"{INBOX}?tab=waiting&page=1"
        assert message_of(response) == "已同意 2 项；1 项未处理：#987654321：审批步骤不存在或无权查看。"

    def test_a_bad_batch_is_a_message_on_the_inbox(self, cast, client_as, quotation):
        client = client_as(cast.manager)
        response = client.post(f"{BATCH}?overdue=1", {"comment": "同意", "confirmed": "1"})
        assert response["Location"] == f"{INBOX}?overdue=1" and message_of(response) == "请选择要同意的审批。"
        assert client.get(response["Location"]).content.decode().count("请选择要同意的审批。") == 1  # shown, then gone
        response = client.post(BATCH, {"step_ids": [str(n) for n in range(1, 102)], "confirmed": "1"})
        assert message_of(response) == "一次最多批量同意 100 项，您选择了 101 项；请分批处理。"
        response = client.post(BATCH, {"step_ids": ["1; drop"], "confirmed": "1"})
        assert message_of(response).endswith("审批步骤编号必须是正整数。")
        assert fresh(pending_step(quotation, services.QUOTATION_KIND)).status == Status.PENDING

    def test_post_only_login_and_csrf(self, cast, client, quotation):
        q_step = pending_step(quotation, services.QUOTATION_KIND)
        response = client.post(BATCH, {"step_ids": [q_step.pk], "confirmed": "1"})
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        guarded = Client(enforce_csrf_checks=True)
        guarded.force_login(cast.manager)
        assert guarded.get(BATCH).status_code == 405
        assert guarded.post(BATCH, {"step_ids": [q_step.pk], "confirmed": "1"}).status_code == 403
        assert fresh(q_step).status == Status.PENDING


# --- the API ------------------------------------------------------------------------------------------------------
DECIDE_MANY = "/api/v1/approval-steps/decide-many/"


class TestApi:
    def test_approves_and_reports_each_failure(self, cast, api_as, quotation, contract, special_contract):
        q_step, c_step = pending_step(quotation, services.QUOTATION_KIND), pending_step(contract, services.CONTRACT_KIND)
        technical = approvals.requests_for(special_contract).get().steps.get(code="review_technical")

        response = api_as(cast.manager).post(
            DECIDE_MANY,
            {"step_ids": [q_step.pk, technical.pk, c_step.pk, 987654321, q_step.pk], "comment": "同意"},
            format="json",
        )

        assert response.status_code == 200, response.content
        assert response.json() == {
            "approved": [q_step.pk, c_step.pk],
            "failed": [
                {"step_id": technical.pk, "code": "forbidden", "detail": "“技术部评审”不是分配给您的审批步骤。"},
                {"step_id": 987654321, "code": "not_found", "detail": "审批步骤不存在或无权查看。"},
            ],
        }
        assert fresh(quotation).status == Quotation.Status.APPROVED and fresh(contract).status == Contract.Status.APPROVED

    def test_a_second_batch_hears_already_decided(self, cast, api_as, quotation, colleague):
        q_step = pending_step(quotation, services.QUOTATION_KIND)
        assert api_as(colleague).post(DECIDE_MANY, {"step_ids": [q_step.pk]}, format="json").json()["approved"] == [q_step.pk]
        body = api_as(cast.manager).post(DECIDE_MANY, {"step_ids": [q_step.pk]}, format="json").json()
        assert body["approved"] == [] and body["failed"][0]["code"] == "conflict" and "已由 王" in body["failed"][0]["detail"]

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            ({"step_ids": []}, "审批步骤ID（step_ids）：请选择要同意的审批。"),
            ({}, "审批步骤ID（step_ids）："),
            ({"step_ids": "12"}, "审批步骤ID（step_ids）：请以列表提交审批步骤ID。"),
            ({"step_ids": [1, "abc"]}, "审批步骤ID（step_ids）：第 2 行："),
            ({"step_ids": [1, 0]}, "审批步骤ID（step_ids）：第 2 行："),
            ({"step_ids": [1, 1.5]}, "审批步骤ID（step_ids）：第 2 行："),
            ({"step_ids": list(range(1, 102))}, "审批步骤ID（step_ids）：一次最多批量同意 100 项；请分批处理。"),
            ({"step_ids": [1], "comment": "x" * 2001}, "审批意见（comment）："),
        ],
    )
    def test_a_bad_body_is_400_in_chinese(self, cast, api_as, quotation, body, message):
        response = api_as(cast.manager).post(DECIDE_MANY, body, format="json")
        assert response.status_code == 400, response.content
        assert response.json()["code"] == "invalid" and response.json()["detail"].startswith(message)
        assert fresh(pending_step(quotation, services.QUOTATION_KIND)).status == Status.PENDING

    def test_needs_a_login(self, api, quotation):
        response = api.post(DECIDE_MANY, {"step_ids": [1]}, format="json")
        assert response.status_code == 403 and response.json()["code"] == "not_authenticated"

    def test_the_schema_documents_it(self, openapi):
        operation = openapi["paths"][DECIDE_MANY]["post"]
        body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        request_schema = openapi["components"]["schemas"][body]
        assert request_schema["properties"]["step_ids"]["maxItems"] == batch.MAX
        assert request_schema["required"] == ["step_ids"]
        answer = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        assert set(openapi["components"]["schemas"][answer]["properties"]) == {"approved", "failed"}
        assert "批量同意" in operation["description"] and "400" in operation["responses"]


# --- PostgreSQL: two batches at once ------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_batches_at_once_over_the_same_steps_decide_each_step_once(
    on_postgres, cast, quotation, second_quotation, contract, colleague
):
    # given three documents waiting for the sales managers
    steps = [
        pending_step(quotation, services.QUOTATION_KIND).pk,
        pending_step(contract, services.CONTRACT_KIND).pk,
        pending_step(second_quotation, services.QUOTATION_KIND).pk,
    ]
    managers = [cast.manager, colleague]

    # when both managers approve all of them at the same moment, in opposite orders
    results = run_in_threads(
        2, lambda i: approvals.approval_decide_many(step_ids=steps if i == 0 else steps[::-1], actor=managers[i])
    )

    # then every step was decided exactly once: one batch approved it, the other heard it was already decided
    assert all(isinstance(r, list) for r in results), results
    for step_id in steps:
        got = [next(o for o in batch if o.pk == step_id) for batch in results]
        assert sorted(o.done for o in got) == [False, True], got
        loser = next(o for o in got if not o.done)
        assert loser.code == "conflict" and "不能重复处理" in loser.detail
        winner = managers[[o.done for o in got].index(True)]
        assert ApprovalStep.objects.get(pk=step_id).decided_by == winner
    # and each document took its approval once
    assert fresh(quotation).status == fresh(second_quotation).status == Quotation.Status.APPROVED
    assert fresh(contract).status == Contract.Status.APPROVED
    assert approvals_taken(quotation) == approvals_taken(second_quotation) == approvals_taken(contract) == 1
    assert ApprovalRequest.objects.filter(status=ApprovalRequest.Status.APPROVED).count() == 3
