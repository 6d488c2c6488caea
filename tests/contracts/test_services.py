"""contracts.services: quotations (who may quote, totals, review routes, states, versions, expiry) and contracts
(from a quotation, classification, review form, general/special routes, return and resubmit, signing, change requests)."""

import re
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contracts import permissions, selectors, services
from contracts.models import Contract, ContractChange, ContractVersion, Quotation
from salesops.core import approvals
from salesops.core.errors import Conflict, DomainError, Forbidden, NotFound
from salesops.core.models import ApprovalRequest, Notification, Threshold
from salesops.core.timeline import events_for
from tests.contracts.conftest import decide, fill_review, fresh, line
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def scan():
    return SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf")


class TestWhoMayQuote:
    @pytest.mark.parametrize("who", ["alice", "lena", "finance", "rev_technical"])
    def test_others_are_refused_clearly(self, cast, customer, pump, who):
        with pytest.raises(Forbidden, match="没有报价权限"):
            services.quotation_create(actor=getattr(cast, who), customer=customer, data={}, lines=[line(pump)])
        assert not Quotation.objects.exists()

    @pytest.mark.parametrize("who", ["clerk", "manager", "vp", "gm"])
    def test_clerks_and_managers_may(self, cast, customer, pump, who):
        q = services.quotation_create(actor=getattr(cast, who), customer=customer, data={}, lines=[line(pump)])
        assert q.number.startswith("QT-") and q.owner == cast.alice  # credited to the customer's rep

    def test_a_granted_rep_may_and_owns_it(self, quoting_alice, make_quotation):
        assert make_quotation(quoting_alice).owner == quoting_alice

    def test_a_granted_rep_cannot_quote_for_another_reps_customer(self, cast, quoting_alice, carol_customer, pump):
        with pytest.raises(NotFound):
            services.quotation_create(actor=quoting_alice, customer=carol_customer, data={}, lines=[line(pump)])


class TestQuotationLinesAndTotals:
    def test_catalog_line_takes_price_tax_and_cost_from_the_product(self, cast, make_quotation):
        q = make_quotation(cast.clerk)
        ln = q.lines.get()
        assert (ln.name, ln.unit_price, ln.list_price, ln.tax_rate, ln.unit_cost) == (
            "增压泵",
            D("1130.00"),
            D("1130.00"),
            D("0.1300"),
            D("700.00"),
        )
        assert (q.amount_incl, q.amount_excl, q.tax_amount) == (D("11300.00"), D("10000.00"), D("1300.00"))

    def test_mixed_tax_rates_add_up_to_the_fen(self, cast, make_quotation, pump):
        q = make_quotation(
            cast.clerk,
            lines=[
                line(pump, quantity="3", unit_price="99.99"),
                line(None, name="安装服务", quantity="1", unit_price="1000.01", tax_rate="0.06"),
                line(None, name="运输", quantity="2.5", unit_price="33.33", tax_rate="0.09", discount_rate="0.05"),
            ],
        )
        amounts = [(ln.amount_incl, ln.amount_excl, ln.tax) for ln in q.lines.order_by("line_no")]
        assert amounts == [
            (D("299.97"), D("265.46"), D("34.51")),
            (D("1000.01"), D("943.41"), D("56.60")),
            (D("79.16"), D("72.62"), D("6.54")),
        ]
        assert q.amount_incl == D("1379.14") and q.amount_excl == D("1281.49") and q.tax_amount == D("97.65")
        assert q.amount_excl + q.tax_amount == q.amount_incl

    @pytest.mark.parametrize(
        "row,message",
        [
            ({"quantity": "0"}, "数量必须大于 0"),
            ({"quantity": "1.5"}, "数量 1.5 不是整数：单位“台”按整数计量"),
            ({"quantity": "abc"}, "不是有效的数字"),
            ({"unit_price": "-1"}, "不能为负数"),
            ({"discount_rate": "1.2"}, "折扣率应在 0 到 1 之间"),
            ({"tax_rate": "0.2"}, "税率应在 0% 到 17% 之间"),
        ],
    )
    def test_bad_lines_are_refused_and_nothing_is_saved(self, cast, make_quotation, pump, row, message):
        with pytest.raises(DomainError, match=message):
            make_quotation(cast.clerk, lines=[line(pump, **row)])
        assert not Quotation.objects.exists()

    def test_units_of_measure_take_decimals_and_pieces_do_not(self, cast, make_quotation, pump):
        # a free line in 米 takes 2.5; the pump (台) typed as 3.0 is 3; a free line in 套 refuses 0.5
        q = make_quotation(
            cast.clerk,
            lines=[line(pump, quantity="3.0"), line(None, name="控制电缆", unit="米", quantity="2.5", unit_price="12")],
        )
        assert [ln.quantity for ln in q.lines.order_by("line_no")] == [D(3), D("2.5")]
        with pytest.raises(DomainError, match="第 1 行（安装辅材）：数量 0.5 不是整数：单位“套”按整数计量"):
            make_quotation(cast.clerk, lines=[line(None, name="安装辅材", unit="套", quantity="0.5", unit_price="80")])

    def test_a_free_line_needs_a_name_and_a_price(self, cast, make_quotation):
        with pytest.raises(DomainError, match="请选择产品或填写品名"):
            make_quotation(cast.clerk, lines=[line(None, unit_price="5")])
        with pytest.raises(DomainError, match="非目录产品请填写含税单价"):
            make_quotation(cast.clerk, lines=[line(None, name="特制件")])

    def test_validity_before_the_quote_date_is_refused(self, cast, make_quotation):
        today = timezone.localdate()
        with pytest.raises(DomainError, match="有效期"):
            make_quotation(cast.clerk, valid_until=today - timedelta(days=1))


class TestQuotationReview:
    def test_within_limits_the_sales_head_approves(self, cast, quoting_alice, make_quotation):
        q = services.quotation_submit(quotation=make_quotation(quoting_alice), actor=quoting_alice)
        assert q.status == Quotation.Status.IN_REVIEW and q.approval_route == "销售负责人审批"
        decide(q, services.QUOTATION_KIND, cast.manager)
        q = fresh(q)
        assert q.status == Quotation.Status.APPROVED and q.approved_at

    def test_discount_beyond_the_managers_limit_goes_on_to_the_vp(self, cast, quoting_alice, make_quotation, pump):
        q = make_quotation(quoting_alice, lines=[line(pump, unit_price="950.00")])  # 15.9 % below list
        services.quotation_submit(quotation=q, actor=quoting_alice)
        decide(q, services.QUOTATION_KIND, cast.manager)
        assert fresh(q).status == Quotation.Status.IN_REVIEW
        decide(q, services.QUOTATION_KIND, cast.vp)
        assert fresh(q).status == Quotation.Status.APPROVED

    def test_amount_above_the_gm_threshold_needs_the_gm(self, cast, quoting_alice, make_quotation, pump):
        Threshold.objects.filter(code="quotation_gm_amount").update(value=D("10000"))
        q = services.quotation_submit(quotation=make_quotation(quoting_alice), actor=quoting_alice)
        assert q.approval_route == "销售负责人审批 → 销售副总审批 → 总经理审批"

    def test_rejection_returns_it_to_draft_with_the_reason(self, cast, quoting_alice, make_quotation):
        q = services.quotation_submit(quotation=make_quotation(quoting_alice), actor=quoting_alice)
        decide(q, services.QUOTATION_KIND, cast.manager, "reject", "价格太低")
        q = fresh(q)
        assert q.status == Quotation.Status.DRAFT
        assert Notification.objects.filter(recipient=quoting_alice, body__contains="价格太低").exists()
        services.quotation_submit(quotation=q, actor=quoting_alice)  # a new round
        assert approvals.requests_for(q, services.QUOTATION_KIND).count() == 2

    def test_the_gm_quoting_within_everything_is_approved_at_once(self, cast, make_quotation):
        q = services.quotation_submit(quotation=make_quotation(cast.gm), actor=cast.gm)
        assert q.status == Quotation.Status.APPROVED

    def test_submitting_twice_is_a_conflict(self, quoting_alice, make_quotation):
        q = make_quotation(quoting_alice)
        services.quotation_submit(quotation=q, actor=quoting_alice)
        with pytest.raises(Conflict):
            services.quotation_submit(quotation=q, actor=quoting_alice)

    def test_withdraw_cancels_the_round(self, quoting_alice, make_quotation):
        q = services.quotation_submit(quotation=make_quotation(quoting_alice), actor=quoting_alice)
        q = services.quotation_withdraw(quotation=q, actor=quoting_alice)
        assert q.status == Quotation.Status.DRAFT
        assert approvals.requests_for(q).get().status == ApprovalRequest.Status.CANCELLED

    def test_the_rep_cannot_approve_her_own(self, cast, quoting_alice, make_quotation):
        q = services.quotation_submit(quotation=make_quotation(quoting_alice), actor=quoting_alice)
        step = approvals.requests_for(q).get().steps.get()
        with pytest.raises(Forbidden):
            approvals.approval_decide(step_id=step.pk, actor=quoting_alice, decision="approve")


class TestQuotationLifecycle:
    def test_send_accept(self, cast, accepted_quotation):
        assert accepted_quotation.status == Quotation.Status.ACCEPTED and accepted_quotation.sent_at

    def test_customer_rejection_needs_a_reason(self, cast, quoting_alice, make_quotation):
        q = services.quotation_submit(quotation=make_quotation(quoting_alice), actor=quoting_alice)
        decide(q, services.QUOTATION_KIND, cast.manager)
        services.quotation_send(quotation=q, actor=quoting_alice)
        with pytest.raises(DomainError):
            services.quotation_reject(quotation=q, actor=quoting_alice, reason=" ")
        q = services.quotation_reject(quotation=q, actor=quoting_alice, reason="选择了竞争对手")
        assert q.status == Quotation.Status.REJECTED and q.close_reason == "选择了竞争对手"

    def test_a_submitted_quotation_cannot_be_edited_in_place(self, quoting_alice, make_quotation):
        q = services.quotation_submit(quotation=make_quotation(quoting_alice), actor=quoting_alice)
        with pytest.raises(Conflict, match="修订"):
            services.quotation_update(quotation=q, actor=quoting_alice, data={"project_name": "改"})

    def test_revising_makes_v2_and_keeps_v1(self, cast, quoting_alice, make_quotation, pump):
        q = services.quotation_submit(quotation=make_quotation(quoting_alice), actor=quoting_alice)
        decide(q, services.QUOTATION_KIND, cast.manager)
        v2 = services.quotation_revise(quotation=q, actor=quoting_alice)
        assert (v2.number, v2.version, v2.status, v2.previous_id) == (q.number, 2, Quotation.Status.DRAFT, q.pk)
        assert str(v2) == f"{q.number} v2" and v2.lines.count() == 1
        services.quotation_update(quotation=v2, actor=quoting_alice, data={}, lines=[line(pump, quantity="20")])
        v1 = fresh(q)
        assert v1.status == Quotation.Status.SUPERSEDED and v1.lines.get().quantity == D("10")
        assert fresh(v2).amount_incl == D("22600.00")

    def test_expiry_task_expires_only_overdue_approved_or_sent_and_is_idempotent(self, cast, quoting_alice, make_quotation):
        today = timezone.localdate()
        q = services.quotation_submit(quotation=make_quotation(quoting_alice, valid_until=today), actor=quoting_alice)
        decide(q, services.QUOTATION_KIND, cast.manager)
        draft = make_quotation(quoting_alice, valid_until=today)
        assert services.quotations_expire(today=today) == 0
        assert services.quotations_expire(today=today + timedelta(days=1)) == 1
        assert services.quotations_expire(today=today + timedelta(days=1)) == 0
        assert fresh(q).status == Quotation.Status.EXPIRED and fresh(draft).status == Quotation.Status.DRAFT
        assert Notification.objects.filter(recipient=quoting_alice, title__contains="已过期").count() == 1

    def test_allowed_actions_follow_status_and_role(self, cast, quoting_alice, make_quotation):
        q = make_quotation(quoting_alice)
        assert permissions.quotation_allowed_actions(q, quoting_alice) == ["edit", "submit", "cancel"]
        assert permissions.quotation_allowed_actions(q, cast.bob) == []
        assert permissions.quotation_allowed_actions(q, cast.finance) == []


class TestContractFromQuotation:
    def test_lines_and_terms_are_copied(self, cast, quoting_alice, accepted_quotation):
        c = services.contract_create_from_quotation(quotation=accepted_quotation, actor=quoting_alice)
        assert c.number.startswith("HT-") and c.quotation == accepted_quotation and c.owner == quoting_alice
        assert [(ln.name, ln.quantity, ln.unit_price) for ln in c.lines.all()] == [("增压泵", D("10.000"), D("1130.00"))]
        assert c.amount_incl == accepted_quotation.amount_incl
        assert selectors.contract_differences(c) == []
        assert c.classification == Contract.Classification.GENERAL

    def test_only_once_and_only_from_accepted(self, cast, quoting_alice, accepted_quotation, make_quotation):
        services.contract_create_from_quotation(quotation=accepted_quotation, actor=quoting_alice)
        with pytest.raises(Conflict, match="已生成合同"):
            services.contract_create_from_quotation(quotation=accepted_quotation, actor=quoting_alice)
        with pytest.raises(Conflict, match="客户已接受"):
            services.contract_create_from_quotation(quotation=make_quotation(quoting_alice), actor=quoting_alice)

    def test_differences_need_the_review_box_and_the_sales_head_first(self, cast, quoting_alice, accepted_quotation, pump):
        c = services.contract_create_from_quotation(quotation=accepted_quotation, actor=quoting_alice)
        row = {"product": pump.pk, "quantity": "12", "unit_price": "1130.00", "quotation_line": accepted_quotation.lines.get().pk}
        c = services.contract_update(contract=c, actor=quoting_alice, data={}, lines=[row])
        assert [d.field for d in selectors.contract_differences(c)] == ["数量"]
        fill_review(c, quoting_alice)
        with pytest.raises(DomainError, match="与报价的差异已解决"):
            services.contract_submit(contract=c, actor=quoting_alice)
        fill_review(c, quoting_alice, quotation_differences_resolved=True)
        c = services.contract_submit(contract=c, actor=quoting_alice)
        steps = approvals.requests_for(c).get().steps.order_by("stage")
        assert [s.code for s in steps] == ["quotation_deviation", "sales_manager"]


@pytest.fixture
def general_contract(cast, customer, pump):
    c = services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(pump)])
    fill_review(c, cast.alice)
    return c


@pytest.fixture
def special_contract(cast, customer, pump, new_valve):
    c = services.contract_create(
        actor=cast.alice,
        customer=customer,
        data={},
        lines=[line(pump), line(new_valve, quantity="2", unit_price="5000")],
    )
    fill_review(c, cast.alice)
    return c


class TestContractReview:
    def test_a_rep_creates_for_her_own_customer_only(self, cast, carol_customer, pump):
        with pytest.raises(NotFound):
            services.contract_create(actor=cast.alice, customer=carol_customer, data={}, lines=[line(pump)])

    def test_the_review_form_must_be_filled(self, cast, customer, pump):
        c = services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(pump)])
        with pytest.raises(DomainError, match="顾客明示的要求、已确认有能力满足要求"):
            services.contract_submit(contract=c, actor=cast.alice)
        assert fresh(c).status == Contract.Status.DRAFT

    def test_general_contract_is_approved_by_the_sales_manager(self, cast, general_contract):
        c = services.contract_submit(contract=general_contract, actor=cast.alice)
        assert [s.code for s in approvals.requests_for(c).get().steps.all()] == ["sales_manager"]
        decide(c, services.CONTRACT_KIND, cast.manager)
        c = fresh(c)
        assert c.status == Contract.Status.APPROVED and c.approved_at

    def test_special_contract_departments_then_tiers(self, cast, special_contract):
        c = special_contract
        assert c.classification == Contract.Classification.SPECIAL
        assert [r["code"] for r in c.classification_reasons] == ["new_product"]
        services.contract_submit(contract=c, actor=cast.alice)
        # the manager cannot act before the departments
        step = approvals.requests_for(c).get().steps.get(code="sales_manager")
        with pytest.raises(Conflict, match="还没有轮到"):
            approvals.approval_decide(step_id=step.pk, actor=cast.manager, decision="approve")
        # a reviewer acts only on their own department's step
        tech_step = approvals.requests_for(c).get().steps.get(code="review_technical")
        with pytest.raises(Forbidden):
            approvals.approval_decide(step_id=tech_step.pk, actor=cast.rev_quality, decision="approve")
        decide(c, services.CONTRACT_KIND, cast.rev_technical)
        decide(c, services.CONTRACT_KIND, cast.rev_production, "approve_with_conditions", "交期需 45 天")
        decide(c, services.CONTRACT_KIND, cast.rev_quality)
        with pytest.raises(Conflict, match="已由"):
            approvals.approval_decide(step_id=tech_step.pk, actor=cast.rev_technical, decision="approve")
        for who in (cast.manager, cast.vp, cast.gm):
            decide(c, services.CONTRACT_KIND, who)
        assert fresh(c).status == Contract.Status.APPROVED

    def test_rejection_returns_it_with_reasons_and_resubmission_is_a_new_round(self, cast, special_contract):
        c = services.contract_submit(contract=special_contract, actor=cast.alice)
        decide(c, services.CONTRACT_KIND, cast.rev_technical, "reject", "无法满足耐压 40MPa")
        c = fresh(c)
        assert c.status == Contract.Status.RETURNED and c.is_editable
        assert any("无法满足耐压 40MPa" in e.message for e in events_for(c) if e.to_status == "returned")
        services.contract_submit(contract=c, actor=cast.alice)
        rounds = list(approvals.requests_for(c, services.CONTRACT_KIND))
        assert [r.round for r in rounds] == [2, 1] and rounds[1].status == ApprovalRequest.Status.REJECTED

    def test_manager_may_upgrade_to_special_with_a_reason_and_no_one_downgrades(self, cast, general_contract):
        with pytest.raises(Forbidden):
            services.contract_upgrade(contract=general_contract, actor=cast.alice, reason="风险")
        with pytest.raises(DomainError):
            services.contract_upgrade(contract=general_contract, actor=cast.manager, reason="")
        c = services.contract_upgrade(contract=general_contract, actor=cast.manager, reason="客户资信存疑")
        assert c.is_special
        c = services.contract_update(contract=c, actor=cast.alice, data={"project_name": "一期"})
        assert c.is_special and selectors.contract_reason_codes(c) == ["manual"]
        services.contract_submit(contract=c, actor=cast.alice)
        codes = {s.code for s in approvals.requests_for(c).get().steps.all()}
        assert {"review_technical", "review_finance", "review_warehouse", "gm"} <= codes

    def test_rules_made_special_stays_special(self, cast, special_contract, pump):
        assert "upgrade" not in permissions.contract_allowed_actions(special_contract, cast.manager)
        c = services.contract_update(contract=special_contract, actor=cast.alice, data={"project_name": "改名"})
        assert c.is_special

    def test_credit_exposure_makes_a_contract_special(self, cast, customer, pump):
        customer.payment_terms, customer.credit_limit = "credit", D("20000")
        customer.save()
        c = services.contract_create(actor=cast.alice, customer=customer, data={"payment_terms": "credit"}, lines=[line(pump)])
        assert c.classification == Contract.Classification.GENERAL
        c2 = services.contract_create(actor=cast.alice, customer=customer, data={"payment_terms": "credit"}, lines=[line(pump)])
        fill_review(c, cast.alice)
        services.contract_submit(contract=c, actor=cast.alice)
        decide(c, services.CONTRACT_KIND, cast.manager)  # c is now open exposure: 11,300
        c2 = services.contract_update(contract=c2, actor=cast.alice, data={})
        assert [r["code"] for r in c2.classification_reasons] == ["credit_exceeded"]


@pytest.fixture
def signed_contract(cast, general_contract):
    c = services.contract_submit(contract=general_contract, actor=cast.alice)
    decide(c, services.CONTRACT_KIND, cast.manager)
    return services.contract_sign(contract=c, actor=cast.alice, signed_on=timezone.localdate(), scan=scan())


class TestAfterApproval:
    def test_signing_needs_the_scan(self, cast, general_contract):
        c = services.contract_submit(contract=general_contract, actor=cast.alice)
        decide(c, services.CONTRACT_KIND, cast.manager)
        with pytest.raises(DomainError, match="扫描件"):
            services.contract_sign(contract=c, actor=cast.alice, signed_on=None)
        c = services.contract_sign(contract=c, actor=cast.alice, signed_on=None, scan=scan())
        assert c.status == Contract.Status.SIGNED and c.signed_by == cast.alice

    def test_signing_before_the_contract_date_or_in_the_future_is_refused(self, cast, general_contract):
        # given an approved contract dated 10 days ago
        today = timezone.localdate()
        general_contract.contract_date = today - timedelta(days=10)
        general_contract.save(update_fields=["contract_date"])
        c = services.contract_submit(contract=general_contract, actor=cast.alice)
        decide(c, services.CONTRACT_KIND, cast.manager)
        # when alice signs it before its date or tomorrow, then she is told why and nothing changes
        for signed_on, message in (
            (today - timedelta(days=11), f"签订日期不能早于合同日期（{today - timedelta(days=10)}）"),
            (today + timedelta(days=1), "签订日期不能晚于今天"),
        ):
            with pytest.raises(DomainError, match=message):
                services.contract_sign(contract=c, actor=cast.alice, signed_on=signed_on, scan=scan())
            assert fresh(c).status == Contract.Status.APPROVED and fresh(c).signed_on is None
        # the contract's own date is fine
        c = services.contract_sign(contract=c, actor=cast.alice, signed_on=today - timedelta(days=10), scan=scan())
        assert c.status == Contract.Status.SIGNED and c.signed_on == today - timedelta(days=10)

    def test_activate_complete_and_terminate(self, cast, signed_contract):
        c = services.contract_activate(contract=signed_contract, actor=cast.clerk)
        with pytest.raises(DomainError):
            services.contract_terminate(contract=c, actor=cast.alice, reason="")
        c = services.contract_complete(contract=c, actor=cast.alice)
        assert c.status == Contract.Status.COMPLETED
        with pytest.raises(Conflict):
            services.contract_terminate(contract=c, actor=cast.alice, reason="客户破产")

    def test_another_rep_cannot_act(self, cast, signed_contract):
        with pytest.raises(Forbidden):
            services.contract_activate(contract=signed_contract, actor=cast.bob)


class TestChangeRequest:
    def test_quantity_change_is_reviewed_by_production_and_procurement_and_makes_v2(self, cast, signed_contract):
        c = signed_contract
        line_id = c.lines.get().pk
        change = services.contract_change_request(
            contract=c, actor=cast.alice, reason="客户追加", header={}, lines={line_id: {"quantity": "15"}}
        )
        assert change.departments == ["production", "procurement"]
        assert fresh(c).lines.get().quantity == D("10")  # not changed until approved
        assert "request_change" not in permissions.contract_allowed_actions(fresh(c), cast.alice)
        for who in (cast.rev_production, cast.rev_procurement, cast.manager):
            decide(c, services.CHANGE_KIND, who)
        c = fresh(c)
        assert c.version == 2 and c.lines.get().quantity == D("15") and c.amount_incl == D("16950.00")
        assert fresh(change).status == ContractChange.Status.APPROVED
        old = ContractVersion.objects.get(contract=c, version=1)
        assert old.snapshot["lines"][0]["quantity"] == "10.000" and old.snapshot["header"]["amount_incl"] == "11300.00"
        # everyone who acted on v1 is told
        told = set(Notification.objects.filter(title__contains="合同已变更").values_list("recipient__username", flat=True))
        assert {"alice", "manager"} <= told

    def test_price_change_goes_to_finance_and_a_rejection_changes_nothing(self, cast, signed_contract):
        c = signed_contract
        line_id = c.lines.get().pk
        services.contract_change_request(
            contract=c, actor=cast.alice, reason="让价", header={}, lines={line_id: {"unit_price": "1000"}}
        )
        decide(c, services.CHANGE_KIND, cast.rev_finance, "reject", "低于成本线")
        c = fresh(c)
        assert c.version == 1 and c.lines.get().unit_price == D("1130.00")
        assert c.changes.get().status == ContractChange.Status.REJECTED

    def test_nothing_changed_or_not_signed_is_refused(self, cast, signed_contract, customer, pump):
        with pytest.raises(DomainError, match="没有任何变更"):
            services.contract_change_request(
                contract=signed_contract, actor=cast.alice, reason="x", header={"quality_terms": ""}, lines={}
            )
        draft = services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(pump)])
        with pytest.raises(Conflict, match="只有已签订或执行中的合同可以变更"):
            services.contract_change_request(contract=draft, actor=cast.alice, reason="x", header={"other_terms": "y"}, lines={})

    def test_header_change_of_free_text_goes_to_the_manager_only(self, cast, signed_contract):
        services.contract_change_request(
            contract=signed_contract, actor=cast.alice, reason="补充条款", header={"other_terms": "包装用木箱"}, lines={}
        )
        steps = approvals.requests_for(signed_contract, services.CHANGE_KIND).get().steps.all()
        assert [s.code for s in steps] == ["sales_manager"]
        decide(signed_contract, services.CHANGE_KIND, cast.manager)
        assert fresh(signed_contract).other_terms == "包装用木箱"


class TestChangeRequestValues:
    """QA on the demo: a change asked for 付款方式 "weird", a 500 % deposit, 40,000 credit days, a negative price or a
    delivery date in the past was accepted and, approved, written into the contract; a date "garbage" was a 500."""

    @pytest.mark.parametrize(
        ("header", "message"),
        [
            ({"payment_terms": "weird"}, "付款方式“weird”不是可选的值，可选：prepaid（款到发货）"),
            ({"payment_terms": ""}, "请填写付款方式。"),
            ({"deposit_rate": "5"}, "定金比例不能大于 1（填写的是 5）"),
            ({"deposit_rate": "-0.1"}, "定金比例不能小于 0"),
            ({"deposit_rate": "abc"}, "定金比例“abc”不是有效的数字"),
            ({"credit_days": "40000"}, "账期(天)应为 0 到 3650 的整数，填写的是 40000"),
            ({"credit_days": "30.5"}, "账期(天)应为 0 到 3650 的整数"),
            ({"credit_days": -1}, "账期(天)应为 0 到 3650 的整数"),
            ({"delivery_date": "garbage"}, "承诺交货日期“garbage”不是有效的日期"),
            ({"delivery_date": "2020-01-01"}, "承诺交货日期不能早于今天"),
            ({"payment_terms_text": "x" * 301}, "付款条件说明最多 300 个字"),
            ({"other_terms": ["a"]}, "其他条款应填写文字"),
        ],
    )
    def test_a_wrong_header_value_is_refused_naming_the_field(self, cast, signed_contract, header, message):
        with pytest.raises(DomainError, match=re.escape(message)):
            services.contract_change_request(contract=signed_contract, actor=cast.alice, reason="调整", header=header, lines={})
        assert not ContractChange.objects.exists() and fresh(signed_contract).version == 1

    @pytest.mark.parametrize(
        ("values", "message"),
        [
            ({"unit_price": "-5"}, "增压泵：含税单价不能小于 0（填写的是 -5）"),
            ({"unit_price": "1e9"}, "增压泵：含税单价“1e9”不是有效的数字"),
            ({"quantity": "0"}, "增压泵：数量必须大于 0"),
            ({"discount_rate": "1"}, "增压泵：折扣率应小于 1"),
            ({"discount_percent": "150"}, "折扣(%)不能大于 100"),
            ({"delivery_date": "2020-01-01"}, "增压泵：交货日期不能早于今天"),
            ({"delivery_date": "garbage"}, "增压泵：交货日期“garbage”不是有效的日期"),
        ],
    )
    def test_a_wrong_line_value_is_refused_naming_the_line_and_field(self, cast, signed_contract, values, message):
        line_id = signed_contract.lines.get().pk
        with pytest.raises(DomainError, match=re.escape(message)):
            services.contract_change_request(
                contract=signed_contract, actor=cast.alice, reason="调整", header={}, lines={line_id: values}
            )
        with pytest.raises(DomainError, match="合同明细不存在"):
            services.contract_change_request(
                contract=signed_contract, actor=cast.alice, reason="调整", header={}, lines={"abc": {"quantity": "2"}}
            )
        assert not ContractChange.objects.exists()

    def test_right_values_pass_and_an_unchanged_past_date_is_no_change(self, cast, signed_contract):
        c = signed_contract
        ln = c.lines.get()
        past = timezone.localdate() - timedelta(days=3)
        type(ln).objects.filter(pk=ln.pk).update(delivery_date=past)
        soon = timezone.localdate() + timedelta(days=30)
        change = services.contract_change_request(
            contract=c,
            actor=cast.alice,
            reason="改为定金",
            header={"payment_terms": "deposit", "deposit_rate": "0.3", "credit_days": 30, "delivery_date": str(soon)},
            lines={ln.pk: {"delivery_date": str(past), "unit_price": "1000"}},
        )
        assert change.header_changes["deposit_rate"] == ["0.0000", "0.3"] and change.header_changes["credit_days"] == [0, 30]
        assert change.line_changes == [{"line_id": ln.pk, "name": "增压泵", "unit_price": ["1130.00", "1000"]}]
        for who in (cast.rev_finance, cast.rev_production, cast.rev_warehouse, cast.manager):
            decide(c, services.CHANGE_KIND, who)
        c = fresh(c)
        assert (c.payment_terms, c.deposit_rate, c.credit_days, c.delivery_date) == ("deposit", D("0.3"), 30, soon)

    def test_a_wrong_value_kept_in_an_older_change_is_not_applied(self, cast, signed_contract):
        # given a change in review that holds a 500 % deposit (asked for before the values were checked)
        change = services.contract_change_request(
            contract=signed_contract, actor=cast.alice, reason="定金", header={"deposit_rate": "0.3"}, lines={}
        )
        ContractChange.objects.filter(pk=change.pk).update(header_changes={"deposit_rate": ["0.0000", "5"]})
        decide(signed_contract, services.CHANGE_KIND, cast.rev_finance)
        # when the manager approves it: 409 naming the field, the contract unchanged; rejecting it still works
        with pytest.raises(Conflict, match=re.escape("该变更申请不能生效：定金比例不能大于 1（填写的是 5）。请驳回该变更申请。")):
            decide(signed_contract, services.CHANGE_KIND, cast.manager)
        assert fresh(signed_contract).deposit_rate == D("0") and fresh(signed_contract).version == 1
        decide(signed_contract, services.CHANGE_KIND, cast.manager, "reject", "定金比例有误")
        assert fresh(change).status == ContractChange.Status.REJECTED


def test_capacity_counts_against_product(cast, customer):
    small = ProductFactory(code="SM-1", name="小批量件", monthly_capacity=D("5"))
    c = services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(small, quantity="6")])
    assert [r["code"] for r in c.classification_reasons] == ["over_capacity"]


class TestOwnerCredit:
    def test_a_rep_cannot_credit_her_document_to_another_rep(self, cast, quoting_alice, make_quotation):
        q = make_quotation(quoting_alice)
        with pytest.raises(Forbidden, match="只有销售内勤和经理"):
            services.quotation_update(quotation=q, actor=quoting_alice, data={"owner": cast.bob})
        assert fresh(q).owner == quoting_alice

    def test_a_clerk_may_credit_it_to_another_rep(self, cast, quoting_alice, make_quotation):
        q = services.quotation_update(quotation=make_quotation(quoting_alice), actor=cast.clerk, data={"owner": cast.bob})
        assert q.owner == cast.bob


def test_a_customer_handed_to_another_rep_takes_its_open_quotations_and_unsigned_contracts(
    cast, customer, pump, quoting_alice, make_quotation, client_as, api_as
):
    from customers import services as customer_services
    from salesops.core.models import Event

    draft_quote = make_quotation(quoting_alice)
    draft_contract = services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(pump)])
    signed = services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(pump)])
    Contract.objects.filter(pk=signed.pk).update(status=Contract.Status.SIGNED)

    customer_services.customer_reassign(customer=customer, actor=cast.lena, new_owner=cast.bob, reason="alice 调岗")

    assert fresh(draft_quote).owner == cast.bob and fresh(draft_contract).owner == cast.bob
    assert fresh(signed).owner == cast.alice  # a signed contract keeps the rep who won it
    assert Event.objects.filter(verb="assigned", target_id=draft_contract.pk, message__contains="随客户转给").exists()
    # alice neither reads nor acts on the customer's open deals any more; bob does
    assert client_as(cast.alice).get(f"/sales/quotations/{draft_quote.pk}/").status_code == 404
    assert api_as(cast.alice).post(f"/api/v1/quotations/{draft_quote.pk}/submit/").status_code == 404
    assert api_as(cast.alice).get(f"/api/v1/contracts/{draft_contract.pk}/").status_code == 404
    assert api_as(cast.bob).get(f"/api/v1/contracts/{draft_contract.pk}/").status_code == 200


def test_a_quotation_the_clerk_writes_for_the_sales_manager_skips_the_manager_who_may_not_approve_it(cast, make_quotation):
    # the customer handed to the manager: the clerk quotes for him (the document's owner)
    q = make_quotation(cast.clerk, owner=cast.manager)
    assert q.owner == cast.manager
    assert [s.code for s in selectors.quotation_route_for(q, cast.clerk)] == [
        s.code for s in selectors.quotation_route_for(q, cast.manager)
    ]
    assert "sales_manager" not in [s.code for s in selectors.quotation_route_for(q, cast.clerk)]
    done = services.quotation_submit(quotation=q, actor=cast.clerk)
    pending = ApprovalRequest.objects.filter(target_id=q.pk, status=ApprovalRequest.Status.PENDING).first()
    assert pending is None or not pending.steps.filter(assignee_role="sales_manager").exists()
    assert done.status in (Quotation.Status.APPROVED, Quotation.Status.IN_REVIEW)
