"""QA on the demo: contract change requests and quotations.

- a change cut a line's quantity below what orders had already taken of it;
- a change to a deeper discount skipped the discount tiers and the special-contract controls (low margin);
- the conditions of 有条件同意 were lost on the way to the rep and to the contract made from the quotation;
- a free-text service line (安装调试服务) made a contract special as a new product;
- a quotation dated in 2030 was accepted; the route line read 「提交后将由 … 审核」.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from contracts import forms, rules, services
from contracts.models import Contract, ContractChange
from orders import services as order_services
from salesops.core import approvals
from salesops.core.errors import Conflict, DomainError
from salesops.core.models import Notification

from .conftest import decide, fill_review, fresh, line


def sign(cast, contract):
    fill_review(contract, cast.alice)
    services.contract_submit(contract=contract, actor=cast.alice)
    decide(contract, services.CONTRACT_KIND, cast.manager)
    scan = SimpleUploadedFile("signed.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    return services.contract_sign(contract=contract, actor=cast.alice, signed_on=timezone.localdate(), scan=scan)


@pytest.fixture
def signed_at(cast, customer, pump):
    """A signed general contract of 10 pumps (list 1130.00, cost 700.00) at the given discount (percent)."""

    def make(discount="0"):
        c = services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(pump, discount_percent=discount)])
        assert c.classification == Contract.Classification.GENERAL
        return sign(cast, c)

    return make


def route_codes(contract):
    request = approvals.requests_for(contract, services.CHANGE_KIND).first()
    return [s.code for s in request.steps.order_by("stage", "id")]


class TestQuantityBelowOrdered:
    def test_a_change_below_the_ordered_quantity_is_refused_naming_line_and_quantities(self, cast, signed_at):
        # given a signed contract of 10 pumps, 8 of them already on an order
        c = signed_at()
        cl = c.lines.get()
        order_services.order_create_from_contract(contract=c, actor=cast.clerk, data={}, lines={cl.pk: "8"})
        # when alice asks to cut the line to 5
        with pytest.raises(DomainError, match="增压泵：订单已下 8，数量不能改为 5"):
            services.contract_change_request(
                contract=c, actor=cast.alice, reason="客户减量", header={}, lines={cl.pk: {"quantity": "5"}}
            )
        # then nothing was asked for; down to what is ordered is fine
        assert not c.changes.exists()
        change = services.contract_change_request(
            contract=c, actor=cast.alice, reason="客户减量", header={}, lines={cl.pk: {"quantity": "8"}}
        )
        assert change.line_changes[0]["quantity"] == ["10.000", "8"]

    def test_an_order_taken_meanwhile_stops_the_change_when_it_is_applied(self, cast, signed_at):
        # given a change from 10 to 9 asked for while 8 are ordered
        c = signed_at()
        cl = c.lines.get()
        order_services.order_create_from_contract(contract=c, actor=cast.clerk, data={}, lines={cl.pk: "8"})
        services.contract_change_request(contract=c, actor=cast.alice, reason="减量", header={}, lines={cl.pk: {"quantity": "9"}})
        # and the last 2 ordered meanwhile
        order_services.order_create_from_contract(contract=c, actor=cast.clerk, data={}, lines={cl.pk: "2"})
        for who in (cast.rev_production, cast.rev_procurement):
            decide(c, services.CHANGE_KIND, who)
        # when the manager approves it, then it does not take effect and says why
        with pytest.raises(Conflict, match="订单已下 10，数量不能改为 9"):
            decide(c, services.CHANGE_KIND, cast.manager)
        c = fresh(c)
        assert c.version == 1 and c.lines.get().quantity == D("10")
        assert c.changes.get().status == ContractChange.Status.IN_REVIEW


class TestChangeControls:
    def test_a_deeper_discount_beyond_the_managers_limit_goes_to_the_vp(self, cast, signed_at):
        # given a general contract at 12 % off (the manager may allow 15 %)
        c = signed_at("12")
        # when the discount is changed to 20 %
        change = services.contract_change_request(
            contract=c, actor=cast.alice, reason="让价", header={}, lines={c.lines.get().pk: {"discount_percent": "20"}}
        )
        # then finance reviews, the manager and the VP approve; still a general contract
        assert route_codes(c) == ["review_finance", "sales_manager", "sales_vp"]
        assert change.classification == Contract.Classification.GENERAL
        # and the approvers' inbox shows the contract as the change makes it: 20 % off, 9,040.00 (not 12 %, 9,944.00)
        from contracts.selectors import approval_summary

        summary = dict(approval_summary(change, cast.vp))
        assert summary["最大折扣"] == "20%" and summary["金额"] == "CNY 9,040.00", summary
        assert summary["合同类别"] == "一般合同"

    def test_a_discount_making_a_negative_margin_makes_the_new_version_special(self, cast, signed_at):
        # given a general contract at 5 % off
        c = signed_at("5")
        lines = {c.lines.get().pk: {"discount_percent": "45"}}
        # when alice previews, then asks for, a change to 45 % off (below cost)
        preview = services.contract_change_preview(contract=c, actor=cast.alice, header={}, lines=lines)
        change = services.contract_change_request(contract=c, actor=cast.alice, reason="大客户让价", header={}, lines=lines)
        # then the new version is special for its low margin and goes finance → manager → VP → GM, as the preview said
        assert preview.special and [r["code"] for r in preview.reasons] == [rules.Reason.LOW_MARGIN]
        assert route_codes(c) == ["review_finance", "sales_manager", "sales_vp", "gm"]
        assert [s.code for s in preview.steps] == route_codes(c)
        assert change.classification == Contract.Classification.SPECIAL
        assert [r["code"] for r in change.classification_reasons] == [rules.Reason.LOW_MARGIN]
        # and once approved, v2 is a special contract with its reason
        for who in (cast.rev_finance, cast.manager, cast.vp, cast.gm):
            decide(c, services.CHANGE_KIND, who)
        c = fresh(c)
        assert c.version == 2 and c.classification == Contract.Classification.SPECIAL
        assert [r["code"] for r in c.classification_reasons] == [rules.Reason.LOW_MARGIN]

    def test_the_change_page_previews_class_reasons_and_route_without_asking(self, cast, client_as, signed_at):
        # given the change form of a contract at 5 % off
        c = signed_at("5")
        url = reverse("contracts:contract_change", args=[c.pk])
        page = client_as(cast.alice).get(url)
        data = {k: v for k, v in _initial_post(page).items()}
        data.update({"lines-0-discount_percent": "45", "preview": "1", "reason": ""})
        # when alice previews a 45 % discount
        response = client_as(cast.alice).post(url, data)
        # then the page shows 特殊合同, the low margin and the route, and nothing was asked for
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-testid="change-outcome"' in html and "特殊合同" in html and "毛利低于正常毛利率" in html
        assert "提交后依次经过：财务部评审 → 销售负责人审批 → 销售副总审批 → 总经理审批" in html
        assert not c.changes.exists()


def _initial_post(page) -> dict:
    """The change form's fields as the page fills them (prefilled with the contract's values)."""
    form, formset = page.context["form"], page.context["formset"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is not None:
            data[name] = value
    data.update({f"lines-{k}": v for k, v in formset.management_form.initial.items()})
    for index, f in enumerate(formset.forms):
        for name, value in f.initial.items():
            if value is not None:
                data[f"lines-{index}-{name}"] = value
    return data


class TestConditions:
    def test_conditions_reach_the_rep_and_the_contract_made_from_the_quotation(
        self, cast, client_as, quoting_alice, make_quotation
    ):
        # given a quotation the manager approved with the condition 须预付50%
        q = make_quotation(quoting_alice)
        services.quotation_submit(quotation=q, actor=quoting_alice)
        decide(q, services.QUOTATION_KIND, cast.manager, "approve_with_conditions", "须预付50%")
        # then alice's notification lists the condition
        told = Notification.objects.get(recipient=quoting_alice, title__startswith="审批已通过")
        assert "须预付50%" in told.body and "销售负责人审批" in told.body
        # when the customer accepts and a contract is made from it
        services.quotation_send(quotation=q, actor=quoting_alice)
        services.quotation_accept(quotation=q, actor=quoting_alice)
        c = services.contract_create_from_quotation(quotation=q, actor=quoting_alice)
        # then its review sheet's 评审说明 starts with the condition and its page shows it
        assert "须预付50%" in c.review.notes and q.number in c.review.notes
        html = client_as(quoting_alice).get(reverse("contracts:contract_detail", args=[c.pk])).content.decode()
        assert 'data-testid="quotation-condition"' in html and "须预付50%" in html
        # and once the contract is signed the banner (起草合同时须落实) is gone: what was agreed is the contract
        signed = sign(cast, c)
        assert signed.status == Contract.Status.SIGNED
        html = client_as(quoting_alice).get(reverse("contracts:contract_detail", args=[signed.pk])).content.decode()
        assert 'data-testid="quotation-conditions"' not in html

    def test_the_owner_hears_the_conditions_when_a_clerk_submitted(self, cast, customer, pump):
        # given alice's customer's quotation drafted and submitted by the clerk, approved with a condition
        q = services.quotation_create(actor=cast.clerk, customer=customer, data={}, lines=[line(pump)])
        services.quotation_submit(quotation=q, actor=cast.clerk)
        decide(q, services.QUOTATION_KIND, cast.manager, "approve_with_conditions", "须预付50%")
        # then its owner is told it was approved, with the condition (the clerk hears it from the engine)
        owner = fresh(q).owner
        assert owner != cast.clerk
        told = Notification.objects.get(recipient=owner, title__startswith="报价单审核通过")
        assert "须预付50%" in told.body

    def test_no_condition_no_note(self, cast, accepted_quotation, quoting_alice):
        c = services.contract_create_from_quotation(quotation=accepted_quotation, actor=quoting_alice)
        assert c.review.notes == ""


class TestServiceLines:
    def test_a_free_line_marked_service_does_not_make_the_contract_special(self, cast, customer, pump):
        service = {"name": "安装调试服务", "quantity": "1", "unit_price": "2000", "unit": "项"}
        # given a contract with the service line marked 服务/费用项, and one with it unmarked
        marked = services.contract_create(
            actor=cast.alice, customer=customer, data={}, lines=[line(pump), {**service, "is_service": True}]
        )
        unmarked = services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(pump), service])
        # then only the unmarked one is special as a new product
        assert marked.classification == Contract.Classification.GENERAL and marked.lines.get(line_no=2).is_service
        assert unmarked.classification == Contract.Classification.SPECIAL
        assert [r["code"] for r in unmarked.classification_reasons] == [rules.Reason.NEW_PRODUCT]

    def test_a_catalogue_product_cannot_be_marked_service(self, cast, customer, pump):
        with pytest.raises(DomainError, match="目录产品不能标记为服务/费用项"):
            services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(pump, is_service=True)])

    def test_the_mark_goes_from_quotation_to_contract_and_through_the_form(self, cast, quoting_alice, make_quotation):
        # given a quotation with a marked service line, accepted
        q = make_quotation(
            quoting_alice, lines=[{"name": "安装调试服务", "quantity": "1", "unit_price": "2000", "is_service": True}]
        )
        assert q.lines.get().is_service
        services.quotation_submit(quotation=q, actor=quoting_alice)
        decide(q, services.QUOTATION_KIND, cast.manager)
        services.quotation_send(quotation=q, actor=quoting_alice)
        services.quotation_accept(quotation=q, actor=quoting_alice)
        # when the contract is made from it, then the line stays a service and the contract general
        c = services.contract_create_from_quotation(quotation=q, actor=quoting_alice)
        assert c.lines.get().is_service and c.classification == Contract.Classification.GENERAL
        # and the line form passes the ticked box to the service
        f = forms.LineForm({"name": "运费", "quantity": "1", "unit_price": "50", "is_service": "on"}, user=cast.alice)
        assert f.is_valid(), f.errors
        assert f.row()["is_service"] is True


class TestSmallOnes:
    def test_a_quote_date_after_today_is_refused(self, quoting_alice, make_quotation):
        later = timezone.localdate() + timedelta(days=1)
        with pytest.raises(DomainError, match="报价日期不能晚于今天"):
            make_quotation(quoting_alice, quote_date=later, valid_until=later + timedelta(days=30))

    def test_the_route_line_reads_well(self, cast, client_as, customer, pump):
        c = services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(pump)])
        html = client_as(cast.alice).get(reverse("contracts:contract_detail", args=[c.pk])).content.decode()
        assert "提交后依次经过：销售负责人审批" in html and "提交后将由" not in html
