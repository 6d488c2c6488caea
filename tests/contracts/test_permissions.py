"""contracts.permissions: who may act on a change request, and how that shows in the contract's allowed actions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts import permissions, services
from tests.contracts.conftest import decide, fill_review, fresh, line

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def pending_change(cast, customer, pump):
    """A signed contract of alice with her change request in review."""
    contract = services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(pump)])
    fill_review(contract, cast.alice)
    services.contract_submit(contract=contract, actor=cast.alice)
    decide(contract, services.CONTRACT_KIND, cast.manager)
    scan = SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf")
    services.contract_sign(contract=contract, actor=cast.alice, signed_on=None, scan=scan)
    return services.contract_change_request(
        contract=contract, actor=cast.alice, reason="客户追加", header={}, lines={contract.lines.get().pk: {"quantity": "15"}}
    )


def test_the_requester_and_managers_may_withdraw_a_change_in_review(cast, pending_change):
    # given alice's change in review; then she and a manager may withdraw it, the clerk (who works on it) may not
    assert permissions.change_allowed_actions(pending_change, cast.alice) == ["withdraw"]
    assert permissions.change_allowed_actions(pending_change, cast.manager) == ["withdraw"]
    assert permissions.change_allowed_actions(pending_change, cast.clerk) == []
    # and the contract offers "withdraw_change" to the same people, never a second change meanwhile
    contract = fresh(pending_change.contract)
    assert "withdraw_change" in permissions.contract_allowed_actions(contract, cast.alice)
    clerk_actions = permissions.contract_allowed_actions(contract, cast.clerk)
    assert "withdraw_change" not in clerk_actions and "request_change" not in clerk_actions


def test_nobody_may_withdraw_a_change_no_longer_in_review(cast, pending_change):
    # when alice withdraws her change; then nobody may withdraw it again and the contract may be changed anew
    services.contract_change_withdraw(change=pending_change, actor=cast.alice)
    assert permissions.change_allowed_actions(fresh(pending_change), cast.alice) == []
    assert permissions.change_allowed_actions(fresh(pending_change), cast.manager) == []
    actions = permissions.contract_allowed_actions(fresh(pending_change.contract), cast.alice)
    assert "withdraw_change" not in actions and "request_change" in actions


def test_only_managers_may_upgrade_and_only_clerks_and_managers_reassign(cast):
    assert permissions.can_upgrade(cast.manager) and not permissions.can_upgrade(cast.clerk)
    assert permissions.can_reassign(cast.clerk) and permissions.can_reassign(cast.manager)
    assert not permissions.can_reassign(cast.alice) and not permissions.can_reassign(cast.lena)
