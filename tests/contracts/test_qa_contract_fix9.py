"""QA's contract-side findings: 生成合同 not offered once the quotation has its contract, a link to it instead (F23);
only who submitted a document or its rep withdraws it from review, the history names who did and the rep is told (F7);
goods reviewers, who see no prices, neither list nor download a contract's files (F20); labels and plain numbers, not
codes and trailing zeros, in the differences from the quotation, a kept version and a change request (F9/F15)."""

from __future__ import annotations

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contracts import permissions, services
from contracts.models import Contract, Quotation
from salesops.core import approvals
from salesops.core.models import ApprovalRequest, Attachment, Event, Notification
from tests.contracts.conftest import decide, fill_review, fresh, line

pytestmark = pytest.mark.django_db

QUOTATIONS = "/api/v1/quotations/"
CONTRACTS = "/api/v1/contracts/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def scan():
    return SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf")


@pytest.fixture
def signed(cast, customer, pump):
    """alice's contract of 10 pumps, 定金 30 %, signed with its scan."""
    c = services.contract_create(
        actor=cast.alice, customer=customer, data={"payment_terms": "deposit", "deposit_rate": "0.30"}, lines=[line(pump)]
    )
    fill_review(c, cast.alice)
    services.contract_submit(contract=c, actor=cast.alice)
    decide(c, services.CONTRACT_KIND, cast.manager)
    return services.contract_sign(contract=c, actor=cast.alice, signed_on=None, scan=scan())


# --- F23: 生成合同 once ---------------------------------------------------------------------------------------------
def test_create_contract_is_offered_until_the_quotation_has_its_contract(cast, client_as, api_as, accepted_quotation):
    q = accepted_quotation
    url = reverse("contracts:quotation_detail", args=[q.pk])
    assert "create_contract" in permissions.quotation_allowed_actions(q, cast.alice)
    assert 'data-testid="action-create_contract"' in page(client_as(cast.alice), url)
    # when its contract is made
    contract = services.contract_create_from_quotation(quotation=q, actor=cast.alice)
    # then neither the page nor the API offers it again; the page links to the contract instead
    body = page(client_as(cast.alice), url)
    assert 'data-testid="action-create_contract"' not in body
    link = re.search(r'<a [^>]*data-testid="action-open-contract"[^>]*>', body).group(0)
    assert reverse("contracts:contract_detail", args=[contract.pk]) in link
    assert "create_contract" not in api_as(cast.alice).get(f"{QUOTATIONS}{q.pk}/").json()["allowed_actions"]
    # and once that contract is cancelled a new one may be made
    services.contract_cancel(contract=contract, actor=cast.alice, reason="客户改单")
    assert "create_contract" in api_as(cast.alice).get(f"{QUOTATIONS}{q.pk}/").json()["allowed_actions"]
    assert 'data-testid="action-open-contract"' not in page(client_as(cast.alice), url)


# --- F7: who withdraws from review ------------------------------------------------------------------------------------
@pytest.fixture
def in_review(cast, quoting_alice, make_quotation):
    q = make_quotation(quoting_alice)
    return services.quotation_submit(quotation=q, actor=quoting_alice)


@pytest.mark.parametrize("who", ["vp", "clerk", "manager"])
def test_others_may_not_withdraw_a_reps_quotation(cast, api_as, client_as, in_review, who):
    user = getattr(cast, who)
    # neither offered on the page and API …
    assert "withdraw" not in permissions.quotation_allowed_actions(fresh(in_review), user)
    assert "withdraw" not in api_as(user).get(f"{QUOTATIONS}{in_review.pk}/").json()["allowed_actions"]
    assert 'data-testid="action-withdraw"' not in page(
        client_as(user), reverse("contracts:quotation_detail", args=[in_review.pk])
    )
    # … nor done: a 403 in Chinese, the quotation stays in review and its pending step stays
    r = api_as(user).post(f"{QUOTATIONS}{in_review.pk}/withdraw/")
    assert r.status_code == 403 and "只有提交人" in r.json()["detail"], r.json()
    assert fresh(in_review).status == Quotation.Status.IN_REVIEW
    assert approvals.requests_for(in_review, "quotation_review").get().status == ApprovalRequest.Status.PENDING


def test_the_submitter_withdraws_and_the_history_says_so(cast, api_as, in_review):
    assert "withdraw" in api_as(cast.alice).get(f"{QUOTATIONS}{in_review.pk}/").json()["allowed_actions"]
    body = api_as(cast.alice).post(f"{QUOTATIONS}{in_review.pk}/withdraw/").json()
    assert body["status"] == "draft"
    event = Event.objects.filter(msgid__startswith="撤销审批").latest("pk")
    assert event.params["reason"] == "提交人 alice 撤回"
    assert not Notification.objects.filter(recipient=cast.alice, title__contains="撤回审核").exists()  # her own act


def test_a_clerk_who_submitted_withdraws_and_the_rep_is_told(cast, customer, pump):
    q = services.quotation_create(actor=cast.clerk, customer=customer, data={}, lines=[line(pump)])
    Quotation.objects.filter(pk=q.pk).update(owner=cast.alice)  # the clerk quoted for alice's customer, credited to her
    q = services.quotation_submit(quotation=fresh(q), actor=cast.clerk)
    if q.status != Quotation.Status.IN_REVIEW:
        pytest.skip("the clerk's quotation needed no review")
    assert fresh(q).owner == cast.alice
    assert "withdraw" in permissions.quotation_allowed_actions(fresh(q), cast.clerk)
    services.quotation_withdraw(quotation=fresh(q), actor=cast.clerk)
    told = Notification.objects.get(recipient=cast.alice, title__contains="撤回审核")
    assert "clerk" in told.title and q.number in told.title


def test_contracts_follow_the_same_rule(cast, api_as, customer, pump):
    c = services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(pump)])
    fill_review(c, cast.alice)
    c = services.contract_submit(contract=c, actor=cast.alice)
    r = api_as(cast.vp).post(f"{CONTRACTS}{c.pk}/withdraw/")
    assert r.status_code == 403 and "只有提交人" in r.json()["detail"]
    assert "withdraw" not in api_as(cast.clerk).get(f"{CONTRACTS}{c.pk}/").json()["allowed_actions"]
    assert fresh(c).status == Contract.Status.IN_REVIEW
    assert api_as(cast.alice).post(f"{CONTRACTS}{c.pk}/withdraw/").status_code == 200
    assert fresh(c).status == Contract.Status.DRAFT


# --- F20: a contract's files only for who sees its prices -------------------------------------------------------------
def test_a_goods_reviewer_neither_lists_nor_downloads_the_signed_scan(cast, client_as, api_as, signed):
    attachment = Attachment.objects.get(kind=Attachment.Kind.SIGNED_CONTRACT)
    ct = ContentType.objects.get_for_model(Contract).pk
    detail = reverse("contracts:contract_detail", args=[signed.pk])
    download = reverse("core:attachment_download", args=[attachment.pk])
    listing = f"/api/v1/timeline/{ct}/{signed.pk}/attachments/"
    api_download = f"/api/v1/attachments/{attachment.pk}/download/"
    # the technical reviewer reads the contract without prices, and now without its files
    body = page(client_as(cast.rev_technical), detail)
    assert download not in body
    assert client_as(cast.rev_technical).get(download).status_code == 404
    assert api_as(cast.rev_technical).get(listing).json() == []
    assert api_as(cast.rev_technical).get(api_download).status_code == 404
    # the finance reviewer (who judges prices) and the rep do read them
    for user in (cast.rev_finance, cast.alice):
        assert download in page(client_as(user), detail)
        assert client_as(user).get(download).status_code == 200
        assert [a["id"] for a in api_as(user).get(listing).json()] == [attachment.pk]
        assert api_as(user).get(api_download).status_code == 200


# --- F9/F15: labels and plain numbers ---------------------------------------------------------------------------------
def test_the_differences_from_the_quotation_show_the_payment_terms_labels(cast, client_as, api_as, accepted_quotation):
    contract = services.contract_create_from_quotation(quotation=accepted_quotation, actor=cast.alice)
    services.contract_update(contract=contract, actor=cast.alice, data={"payment_terms": "credit", "credit_days": 30})
    body = page(client_as(cast.alice), reverse("contracts:contract_detail", args=[contract.pk]))
    rows = re.findall(r'<tr data-testid="difference-row">(.*?)</tr>', body, re.DOTALL)
    cells = [re.findall(r"<td>(.*?)</td>", row) for row in rows]
    assert ["合同条款", "付款方式", "款到发货", "信用账期"] in cells, cells
    differences = api_as(cast.alice).get(f"{CONTRACTS}{contract.pk}/").json()["differences"]
    assert {"field": "付款方式", "quoted": "款到发货", "contracted": "信用账期"}.items() <= next(
        d for d in differences if d["field"] == "付款方式"
    ).items()


def test_a_kept_version_shows_the_payment_terms_label(cast, client_as, signed):
    change = services.contract_change_request(
        contract=signed, actor=cast.alice, reason="补充条款", header={"other_terms": "包装加固"}, lines={}
    )
    for who in (cast.manager, cast.vp, cast.gm):
        if fresh(change).status == "in_review":
            decide(signed, services.CHANGE_KIND, who)
    assert fresh(change).status == "approved"
    body = page(client_as(cast.alice), reverse("contracts:contract_version", args=[signed.pk, 1]))
    terms = re.search(r'data-testid="version-payment-terms">(.*?)</dd>', body).group(1)
    assert terms.startswith("定金") and "deposit" not in body


def test_a_change_request_shows_both_quantities_alike(cast, client_as, signed):
    line_id = signed.lines.get().pk
    services.contract_change_request(
        contract=signed,
        actor=cast.alice,
        reason="客户追加",
        header={"payment_terms": "credit", "credit_days": 30},
        lines={line_id: {"quantity": "12"}},
    )
    body = page(client_as(cast.alice), reverse("contracts:contract_detail", args=[signed.pk]))
    rows = [re.findall(r"<td>(.*?)</td>", r) for r in re.findall(r'data-testid="change-detail">(.*?)</tr>', body, re.DOTALL)]
    assert ["增压泵", "数量", "10", "12"] in rows, rows
    assert ["合同条款", "付款方式", "定金+余款", "信用账期"] in rows, rows
