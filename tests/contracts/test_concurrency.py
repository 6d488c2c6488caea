"""Two people acting on one quotation or contract at once produce exactly one effect (PostgreSQL, real threads)."""

from decimal import Decimal as D

import pytest

from contracts import services
from contracts.models import Contract, ContractChange, Quotation
from salesops.core import approvals
from salesops.core.errors import Conflict
from salesops.core.models import ApprovalRequest, ApprovalStep, Event
from tests.contracts.conftest import fill_review, line
from tests.core.conftest import run_in_threads
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def outcome(results, kind):
    won = [r for r in results if isinstance(r, kind)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    return won, conflicts


@pytest.fixture
def special(cast, customer, pump, new_valve):
    c = services.contract_create(
        actor=cast.alice, customer=customer, data={}, lines=[line(pump), line(new_valve, quantity="2", unit_price="5000")]
    )
    fill_review(c, cast.alice)
    return c


def test_20_reviewers_approving_the_same_department_step_record_one_decision(on_postgres, cast, special):
    # given a special contract in review and 20 technical reviewers
    reviewers = [UserFactory(username=f"tech{i}", roles=["reviewer_technical"]) for i in range(20)]
    services.contract_submit(contract=special, actor=cast.alice)
    step_id = approvals.requests_for(special).get().steps.get(code="review_technical").pk

    # when they all approve at the same moment
    results = run_in_threads(20, lambda i: approvals.approval_decide(step_id=step_id, actor=reviewers[i], decision="approve"))

    # then one decision is recorded and the others are told it is already decided
    won, conflicts = outcome(results, ApprovalStep)
    assert len(won) == 1 and len(conflicts) == 19, results
    assert all("已由" in str(c) for c in conflicts)
    assert Event.objects.filter(verb=Event.Verb.APPROVAL, message__startswith="技术部评审：").count() == 1


def test_20_gms_approving_the_last_step_approve_the_contract_once(on_postgres, cast, special):
    # given every step but the GM's is approved
    gms = [UserFactory(username=f"gm{i}", roles=["gm"]) for i in range(20)]
    services.contract_submit(contract=special, actor=cast.alice)
    request = approvals.requests_for(special).get()
    for code, who in [
        ("review_technical", cast.rev_technical),
        ("review_production", cast.rev_production),
        ("review_quality", cast.rev_quality),
        ("sales_manager", cast.manager),
        ("sales_vp", cast.vp),
    ]:
        approvals.approval_decide(step_id=request.steps.get(code=code).pk, actor=who, decision="approve")
    gm_step = request.steps.get(code="gm").pk

    results = run_in_threads(20, lambda i: approvals.approval_decide(step_id=gm_step, actor=gms[i], decision="approve"))

    won, conflicts = outcome(results, ApprovalStep)
    assert len(won) == 1 and len(conflicts) == 19, results
    assert Contract.objects.get(pk=special.pk).status == Contract.Status.APPROVED
    assert Event.objects.filter(to_status=Contract.Status.APPROVED).count() == 1


def test_20_simultaneous_contract_submissions_open_one_round(on_postgres, cast, special):
    results = run_in_threads(20, lambda i: services.contract_submit(contract=special, actor=cast.alice))

    won, conflicts = outcome(results, Contract)
    assert len(won) == 1 and len(conflicts) == 19, results
    assert ApprovalRequest.objects.filter(kind=services.CONTRACT_KIND).count() == 1
    assert Event.objects.filter(to_status=Contract.Status.IN_REVIEW).count() == 1


def test_20_simultaneous_quotation_submissions_open_one_round(on_postgres, cast, quoting_alice, make_quotation):
    q = make_quotation(quoting_alice)

    results = run_in_threads(20, lambda i: services.quotation_submit(quotation=q, actor=quoting_alice))

    won, conflicts = outcome(results, Quotation)
    assert len(won) == 1 and len(conflicts) == 19, results
    assert ApprovalRequest.objects.filter(kind=services.QUOTATION_KIND).count() == 1


def test_10_simultaneous_change_requests_leave_one(on_postgres, cast, customer, pump):
    c = services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(pump)])
    fill_review(c, cast.alice)
    services.contract_submit(contract=c, actor=cast.alice)
    approvals.approval_decide(step_id=approvals.requests_for(c).get().steps.get().pk, actor=cast.manager, decision="approve")
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.contract_sign(contract=c, actor=cast.alice, signed_on=None, scan=SimpleUploadedFile("s.pdf", b"%PDF-1.4\n%%EOF\n"))
    line_id = c.lines.get().pk

    results = run_in_threads(
        10,
        lambda i: services.contract_change_request(
            contract=c, actor=cast.alice, reason=f"追加{i}", header={}, lines={line_id: {"quantity": str(11 + i)}}
        ),
    )

    won, conflicts = outcome(results, ContractChange)
    assert len(won) == 1 and len(conflicts) == 9, results
    assert ContractChange.objects.filter(contract=c).count() == 1
    assert Contract.objects.get(pk=c.pk).lines.get().quantity == D("10")


# --- one lock order (ARCHITECTURE.md rule 11): a withdrawal racing a decision never deadlocks -------------------------
ROUNDS = 50  # per race; the rounds take turns through the services, the API (a client per thread) and the pages


def layer(i):
    return ("service", "api", "page")[i % 3]


def api_client(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


def page_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def no_deadlock(caplog):
    """A deadlock would be absorbed by the retry (salesops.core.locking logs each one): the race must have none."""
    assert not [r.getMessage() for r in caplog.records if r.name == "salesops.core.locking"]


def effect(result, ok_type, *, page=False):
    """'won', 'refused' (a 409) or the unexpected result itself (a 500, a deadlock, another error); a page's answer is
    judged by page_effect."""
    if page and getattr(result, "status_code", 500) < 500:
        return page_effect(result)
    if isinstance(result, ok_type) or getattr(result, "status_code", None) == 200:
        return "won"
    if isinstance(result, Conflict) or getattr(result, "status_code", None) == 409:
        return "refused"
    return result


def page_effect(response):
    """A page's answer: 'won' when it redirects with a success message, 'refused' when it shows an error (a message on
    the page it returns to, or the form again with 400/409)."""
    from django.contrib.messages import get_messages

    tags = {message.level_tag for message in get_messages(response.wsgi_request)}
    if response.status_code == 302 and tags == {"success"}:
        return "won"
    if "error" in tags or response.status_code in (400, 409):
        return "refused"
    return response


def race(withdraw, decide):
    """Run the withdrawal and the decision in two threads released together; returns [withdraw result, decide result]."""
    return run_in_threads(2, lambda t: [withdraw, decide][t]())


def quotation_round(i, q, step, owner, manager, payload):
    if layer(i) == "api":
        return race(
            lambda: api_client(owner).post(f"/api/v1/quotations/{q.pk}/withdraw/"),
            lambda: api_client(manager).post(f"/api/v1/approval-steps/{step.pk}/decide/", payload, format="json"),
        )
    if layer(i) == "page":
        owner_page, manager_page = page_client(owner), page_client(manager)
        return race(
            lambda: owner_page.post(f"/sales/quotations/{q.pk}/withdraw/", {"reason": ""}),
            lambda: manager_page.post(f"/core/approvals/steps/{step.pk}/decide/", payload),
        )
    return race(
        lambda: services.quotation_withdraw(quotation=q, actor=owner),
        lambda: approvals.approval_decide(step_id=step.pk, actor=manager, **payload),
    )


def change_round(i, change, step, owner, manager):
    if layer(i) == "api":
        return race(
            lambda: api_client(owner).post(f"/api/v1/contract-changes/{change.pk}/withdraw/"),
            lambda: api_client(manager).post(f"/api/v1/approval-steps/{step.pk}/decide/", {"decision": "approve"}, format="json"),
        )
    if layer(i) == "page":
        owner_page, manager_page = page_client(owner), page_client(manager)
        return race(
            lambda: owner_page.post(f"/sales/contracts/{change.contract_id}/change/withdraw/", {"reason": ""}),
            lambda: manager_page.post(f"/core/approvals/steps/{step.pk}/decide/", {"decision": "approve"}),
        )
    return race(
        lambda: services.contract_change_withdraw(change=change, actor=owner),
        lambda: approvals.approval_decide(step_id=step.pk, actor=manager, decision="approve"),
    )


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_withdrawing_a_quotation_while_the_manager_decides_has_exactly_one_effect(
    on_postgres, cast, quoting_alice, make_quotation, decision, caplog
):
    from tests.contracts.conftest import waiting_step

    decided = {"approve": (Quotation.Status.APPROVED, ApprovalRequest.Status.APPROVED)}.get(
        decision, (Quotation.Status.DRAFT, ApprovalRequest.Status.REJECTED)
    )
    for i in range(ROUNDS):
        q = services.quotation_submit(quotation=make_quotation(quoting_alice), actor=quoting_alice)
        step = waiting_step(q, services.QUOTATION_KIND, cast.manager)
        payload = {"decision": decision, "comment": "" if decision == "approve" else "价格太低"}

        results = quotation_round(i, q, step, quoting_alice, cast.manager, payload)

        page = layer(i) == "page"
        effects = [effect(results[0], Quotation, page=page), effect(results[1], ApprovalStep, page=page)]
        assert sorted(effects, key=str) == ["refused", "won"], (i, results)
        q.refresh_from_db()
        request = approvals.requests_for(q, services.QUOTATION_KIND).get()
        if effects[0] == "won":
            assert (q.status, request.status) == (Quotation.Status.DRAFT, ApprovalRequest.Status.CANCELLED), i
        else:
            assert (q.status, request.status) == decided, i
    no_deadlock(caplog)


def test_withdrawing_a_change_while_it_is_reviewed_has_exactly_one_effect(on_postgres, cast, customer, pump, caplog):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(pump)])
    fill_review(c, cast.alice)
    services.contract_submit(contract=c, actor=cast.alice)
    approvals.approval_decide(step_id=approvals.requests_for(c).get().steps.get().pk, actor=cast.manager, decision="approve")
    services.contract_sign(contract=c, actor=cast.alice, signed_on=None, scan=SimpleUploadedFile("s.pdf", b"%PDF-1.4\n%%EOF\n"))

    applied = 0
    for i in range(ROUNDS):
        change = services.contract_change_request(
            contract=c, actor=cast.alice, reason=f"补充条款{i}", header={"other_terms": f"包装{i}"}, lines={}
        )
        step = approvals.requests_for(c, services.CHANGE_KIND).get(status=ApprovalRequest.Status.PENDING).steps.get()

        results = change_round(i, change, step, cast.alice, cast.manager)

        page = layer(i) == "page"
        effects = [effect(results[0], ContractChange, page=page), effect(results[1], ApprovalStep, page=page)]
        assert sorted(effects, key=str) == ["refused", "won"], (i, results)
        change.refresh_from_db()
        contract = Contract.objects.get(pk=c.pk)
        if effects[0] == "won":
            assert change.status == ContractChange.Status.WITHDRAWN, i
        else:
            applied += 1
            assert change.status == ContractChange.Status.APPROVED and contract.other_terms == f"包装{i}", i
        assert contract.version == 1 + applied, i
    no_deadlock(caplog)
