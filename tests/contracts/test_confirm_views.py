"""Dangerous actions on quotations and contracts ask first (templates/core/_confirm_reason.html): the button opens a modal
with the consequence and a required 原因 posting to the action's URL; an empty reason sent anyway is refused in Chinese and
nothing changes."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from contracts import services
from contracts.models import Contract, Quotation
from tests.contracts.conftest import decide, fresh, line

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def modal(page: str, confirm_id: str) -> str:
    """The markup of one confirmation modal on the page."""
    match = re.search(rf'<div class="modal fade" id="{confirm_id}".*?</form>', page, re.DOTALL)
    assert match, f"no modal #{confirm_id}"
    return match.group(0)


@pytest.fixture
def draft(quoting_alice, make_quotation):
    return make_quotation(quoting_alice)


@pytest.fixture
def contract(cast, customer, pump):
    return services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(pump)])


class TestQuotationPage:
    def test_void_opens_a_modal_asking_for_the_reason(self, client_as, quoting_alice, draft):
        page = html(client_as(quoting_alice).get(reverse("contracts:quotation_detail", args=[draft.pk])))
        # the button keeps its testid and opens the modal instead of posting
        assert re.search(r'<button type="button"[^>]*data-bs-target="#confirm-cancel" data-testid="action-cancel"', page)
        box = modal(page, "confirm-cancel")
        assert f'action="{reverse("contracts:quotation_action", args=[draft.pk, "cancel"])}"' in box
        assert f'作废：<span class="font-monospace">{draft.number}</span>' in box
        assert "报价单将作废且不能恢复" in box
        assert re.search(r'<label for="confirm-cancel-reason"[^>]*>原因', box)
        assert re.search(r'<textarea[^>]*name="reason"[^>]*required[^>]*data-testid="confirm-reason"', box)
        assert 'data-testid="confirm-submit"' in box and 'data-testid="confirm-dismiss"' in box
        # no one-click form is left for it
        assert 'data-testid="action-form-cancel"' not in page

    def test_withdraw_asks_for_confirmation_without_a_reason(self, client_as, quoting_alice, draft):
        services.quotation_submit(quotation=draft, actor=quoting_alice)
        page = html(client_as(quoting_alice).get(reverse("contracts:quotation_detail", args=[draft.pk])))
        box = modal(page, "confirm-withdraw")
        assert "撤回后本轮审批取消" in box and 'name="reason"' not in box
        assert f'action="{reverse("contracts:quotation_action", args=[draft.pk, "withdraw"])}"' in box
        # confirmed: back to draft
        response = client_as(quoting_alice).post(reverse("contracts:quotation_action", args=[draft.pk, "withdraw"]))
        assert response.status_code == 302 and fresh(draft).status == Quotation.Status.DRAFT

    def test_customer_rejection_asks_for_the_reason(self, cast, client_as, quoting_alice, draft):
        services.quotation_submit(quotation=draft, actor=quoting_alice)
        decide(draft, services.QUOTATION_KIND, cast.manager)
        services.quotation_send(quotation=draft, actor=quoting_alice)
        page = html(client_as(quoting_alice).get(reverse("contracts:quotation_detail", args=[draft.pk])))
        box = modal(page, "confirm-reject")
        assert "客户已拒绝" in box and 'data-testid="confirm-reason"' in box
        # buttons without consequences stay one click
        assert 'data-testid="action-form-accept"' in page

    def test_an_empty_reason_sent_anyway_is_refused_and_nothing_changes(self, client_as, quoting_alice, draft):
        url = reverse("contracts:quotation_action", args=[draft.pk, "cancel"])
        for reason in ("", "   "):
            response = client_as(quoting_alice).post(url, {"reason": reason})
            assert response.status_code == 400 and "请填写作废原因" in html(response)
            assert fresh(draft).status == Quotation.Status.DRAFT and not fresh(draft).close_reason
        response = client_as(quoting_alice).post(url, {"reason": "重复录入"})
        assert response.status_code == 302
        assert (fresh(draft).status, fresh(draft).close_reason) == (Quotation.Status.CANCELLED, "重复录入")

    def test_the_api_refuses_an_empty_void_reason_too(self, api_as, quoting_alice, draft):
        response = api_as(quoting_alice).post(f"/api/v1/quotations/{draft.pk}/cancel/", {"reason": ""}, format="json")
        assert response.status_code == 400 and response.json()["detail"] == "请填写作废原因。"
        assert fresh(draft).status == Quotation.Status.DRAFT


class TestContractPage:
    def test_void_opens_a_modal_asking_for_the_reason(self, cast, client_as, contract):
        page = html(client_as(cast.alice).get(reverse("contracts:contract_detail", args=[contract.pk])))
        assert re.search(r'data-bs-target="#confirm-cancel" data-testid="action-cancel"', page)
        box = modal(page, "confirm-cancel")
        assert "合同将作废且不能恢复" in box and 'data-testid="confirm-reason"' in box
        assert f'action="{reverse("contracts:contract_action", args=[contract.pk, "cancel"])}"' in box

    def test_terminate_opens_a_modal_asking_for_the_reason(self, cast, client_as, contract):
        Contract.objects.filter(pk=contract.pk).update(status=Contract.Status.SIGNED)
        page = html(client_as(cast.alice).get(reverse("contracts:contract_detail", args=[contract.pk])))
        box = modal(page, "confirm-terminate")
        assert "合同将提前终止且不能恢复" in box and 'data-testid="confirm-reason"' in box

    def test_an_empty_void_reason_is_refused_and_nothing_changes(self, cast, client_as, contract):
        url = reverse("contracts:contract_action", args=[contract.pk, "cancel"])
        response = client_as(cast.alice).post(url, {"reason": ""})
        assert response.status_code == 400 and "请填写作废原因" in html(response)
        assert fresh(contract).status == Contract.Status.DRAFT and not fresh(contract).close_reason
        assert client_as(cast.alice).post(url, {"reason": "客户取消项目"}).status_code == 302
        assert fresh(contract).status == Contract.Status.CANCELLED
