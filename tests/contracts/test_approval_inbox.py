"""Approvals show what is approved (issue 13, item 6): inbox rows carry the amount, the deepest discount and the
margin (each to whom may see it) and why the route reached this person; the decision is taken on the document."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from contracts import selectors, services
from salesops.core.models import ApprovalStep

from .conftest import fill_review, line

INBOX = reverse("core:approvals_inbox")


def summary_of(html: str) -> str:
    return html.split('data-testid="inbox-summary"')[1].split("</dl>")[0] if 'data-testid="inbox-summary"' in html else ""


def test_quotation_in_the_managers_inbox_shows_amount_discount_margin_and_why(
    cast, client_as, quoting_alice, make_quotation, pump
):
    q = make_quotation(quoting_alice, lines=[line(pump, discount_rate="0.10")])
    services.quotation_submit(quotation=q, actor=quoting_alice)
    html = client_as(cast.manager).get(INBOX).content.decode()
    summary = summary_of(html)
    assert "CNY 10,170.00" in summary and "10%" in summary and "毛利率" in summary
    assert "每份单据都由销售负责人审核" in html.split('data-testid="inbox-reason"')[1]
    step = ApprovalStep.objects.get(request__kind=services.QUOTATION_KIND, status="pending")
    assert f"#approval-step-{step.pk}" in html and 'data-testid="approval-decide-form"' not in html
    # the document page holds the decision form at that step, with the same reason
    page = client_as(cast.manager).get(reverse("contracts:quotation_detail", args=[q.pk])).content.decode()
    assert f'id="approval-step-{step.pk}"' in page and 'data-testid="approval-decide-form"' in page
    assert "每份单据都由销售负责人审核" in page


def test_a_reviewer_sees_why_but_not_the_prices_and_the_reason_speaks_the_readers_language(
    cast, client_as, api_as, customer, pump, new_valve
):
    c = services.contract_create(
        actor=cast.alice, customer=customer, data={}, lines=[line(pump), line(new_valve, quantity="2", unit_price="5000")]
    )
    fill_review(c, cast.alice)
    services.contract_submit(contract=c, actor=cast.alice)
    html = client_as(cast.rev_technical).get(INBOX).content.decode()
    assert "特殊合同须经相关部门评审" in html
    assert "合同类别" in summary_of(html) and "CNY" not in summary_of(html) and "毛利率" not in summary_of(html)
    body = api_as(cast.rev_technical).get("/api/v1/approval-steps/").json()
    row = body["results"][0] if isinstance(body, dict) else body[0]
    labels = {item["label"] for item in row["summary"]}
    assert row["reason"] == "特殊合同须经相关部门评审" and "金额" not in labels and "合同类别" in labels
    with translation.override("en"):
        step = ApprovalStep.objects.get(request__kind=services.CONTRACT_KIND, code="review_technical")
        assert step.reason_text == "A special contract is reviewed by the departments concerned"
    # the GM's step, further on, says why the GM is asked
    gm = ApprovalStep.objects.get(request__kind=services.CONTRACT_KIND, code="gm")
    assert gm.reason_text == "特殊合同须总经理批准"


def test_the_summary_gives_each_reader_their_figures(cast, customer, pump, new_valve):
    c = services.contract_create(
        actor=cast.manager, customer=customer, data={}, lines=[line(new_valve, quantity="2", unit_price="5000", unit_cost="3000")]
    )
    labels = {who: dict(selectors.approval_summary(c, getattr(cast, who))) for who in ("rev_finance", "rev_production", "vp")}
    assert labels["rev_finance"]["毛利率"] == "40%" and labels["rev_finance"]["金额"] == "CNY 10,000.00"
    assert set(labels["rev_production"]) == {"合同类别"}
    assert {"金额", "毛利率", "合同类别"} <= set(labels["vp"])


def test_submitting_before_the_review_sheet_is_filled_leads_to_the_review_sheet(cast, client_as, customer, pump):
    c = services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(pump)])
    client = client_as(cast.alice)
    page = client.get(reverse("contracts:contract_detail", args=[c.pk])).content.decode()
    assert 'data-testid="review-missing-link"' in page and "顾客明示的要求" in page
    response = client.post(reverse("contracts:contract_action", args=[c.pk, "submit"]))
    assert response.status_code == 302 and response["Location"] == reverse("contracts:contract_review", args=[c.pk])
    c.refresh_from_db()
    assert c.status == "draft"
    fill_review(c, cast.alice)
    assert 'data-testid="review-missing"' not in client.get(reverse("contracts:contract_detail", args=[c.pk])).content.decode()
