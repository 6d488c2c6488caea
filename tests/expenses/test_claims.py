"""费用报销 (seed 004: 销售内勤…负责销售费用报销的审核…有权拒绝不符合公司规定的报销申请): the rules of a line and a claim; a
claim written, submitted, checked by the clerk, approved (the sales manager; above the threshold also the sales VP)
and paid by finance; sent back by the clerk or an approver; who reads and does what, by page and API; the export; two
people at once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from expenses import permissions, rules, selectors
from expenses import services as svc
from expenses.models import ExpenseClaim
from salesops.core import approvals
from salesops.core.approvals import steps_waiting_for
from salesops.core.errors import Conflict, DomainError, Forbidden
from salesops.core.models import ApprovalRequest, ApprovalStep, Event, Notification, Threshold
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

S = ExpenseClaim.Status
TODAY = timezone.localdate()


def line(days=3, category=rules.Category.TRANSPORT, amount="120.00", description="高铁"):
    return {"spent_on": TODAY - timedelta(days=days), "category": category, "amount": D(amount), "description": description}


def drafted(user, *lines, **data) -> ExpenseClaim:
    return svc.claim_create(actor=user, data={"title": "客户拜访差旅", **data}, lines=list(lines) or [line()])


def submitted(user, *lines, **data) -> ExpenseClaim:
    return svc.claim_submit(claim=drafted(user, *lines, **data), actor=user)


def verified(cast, *lines, **data) -> ExpenseClaim:
    return svc.claim_verify(claim=submitted(cast.alice, *lines, **data), actor=cast.clerk)


def decide(claim, actor, decision="approve", comment=""):
    request = approvals.requests_for(claim, rules.KIND).get(status=ApprovalRequest.Status.PENDING)
    step = request.steps.filter(status="pending").order_by("stage").first()
    approvals.approval_decide(step_id=step.pk, actor=actor, decision=decision, comment=comment)
    return ExpenseClaim.objects.get(pk=claim.pk)


# --- rules -----------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "change, message",
    [
        ({"category": "fuel"}, "请选择费用类别"),
        ({"spent_on": None}, "请填写费用发生日期"),
        ({"spent_on": TODAY + timedelta(days=1)}, "不能晚于今天"),
        ({"spent_on": TODAY - timedelta(days=91)}, "超过报销时效（90 天）"),
        ({"amount": D("0")}, "金额应大于 0"),
        ({"amount": D("12.345")}, "最多两位小数"),
        ({"amount": D("1000000")}, "不超过 1,000,000 元"),
        ({"category": rules.Category.OTHER, "description": " "}, "请写明用途"),
    ],
)
def test_a_line_outside_the_rules_is_refused_with_its_reason(change, message):
    row = {**line(), **change}
    with pytest.raises(ValueError, match=message):
        rules.check_line(**row, today=TODAY, max_age_days=90)


def test_a_claim_needs_a_line_and_entertainment_needs_its_customer_and_a_large_claim_goes_to_the_vp_too():
    with pytest.raises(ValueError, match="至少要有一行"):
        rules.check_claim(categories=[], has_customer=False)
    with pytest.raises(ValueError, match="招待的客户"):
        rules.check_claim(categories=["transport", "entertainment"], has_customer=False)
    rules.check_claim(categories=["entertainment"], has_customer=True)
    assert [s.role for s in rules.route(D("5000"), D("5000"))] == ["sales_manager"]
    assert [s.role for s in rules.route(D("5000.01"), D("5000"))] == ["sales_manager", "sales_vp"]


# --- writing ---------------------------------------------------------------------------------------------------------------
def test_a_rep_writes_a_numbered_draft_whose_total_follows_its_lines(cast):
    claim = drafted(cast.alice, line(amount="286.00"), line(category=rules.Category.TRAVEL, amount="420.50"))

    assert claim.number.startswith(f"BX-{TODAY:%Y%m}-") and claim.status == S.DRAFT
    assert (claim.claimant, claim.team, claim.total) == (cast.alice, cast.east, D("706.50"))
    updated = svc.claim_update(claim=claim, actor=cast.alice, data={"title": "苏州差旅"}, lines=[line(amount="99.90")])
    assert (updated.title, updated.total, updated.lines.count()) == ("苏州差旅", D("99.90"), 1)
    assert Event.objects.filter(target_id=claim.pk, target_type__model="expenseclaim", message__contains="99.90").exists()


def test_a_wrong_line_or_customer_is_refused_and_nothing_is_saved(cast):
    with pytest.raises(DomainError, match="第 2 行：金额应大于 0"):
        drafted(cast.alice, line(), line(amount="-5"))
    with pytest.raises(DomainError, match="请填写报销事由"):
        svc.claim_create(actor=cast.alice, data={"title": " "}, lines=[line()])
    carols = CustomerFactory(owner=cast.carol, team=cast.south)
    with pytest.raises(DomainError, match="不是您可以选择的客户"):
        drafted(cast.alice, customer=carols.pk)
    with pytest.raises(Forbidden):
        drafted(cast.finance)
    assert not ExpenseClaim.objects.exists()


def test_submitting_checks_the_claim_as_a_whole_and_tells_the_clerk(cast):
    customer = CustomerFactory(owner=cast.alice, team=cast.east)
    claim = drafted(cast.alice, line(category=rules.Category.ENTERTAINMENT, amount="800"))
    with pytest.raises(DomainError, match="招待的客户"):
        svc.claim_submit(claim=claim, actor=cast.alice)
    empty = drafted(cast.alice)
    empty.lines.all().delete()
    with pytest.raises(DomainError, match="至少要有一行"):
        svc.claim_submit(claim=empty, actor=cast.alice)
    claim = svc.claim_update(
        claim=claim, actor=cast.alice, data={"title": "招待", "customer": customer.pk}, lines=[line(category="entertainment")]
    )
    with pytest.raises(Forbidden):
        svc.claim_submit(claim=claim, actor=cast.bob)

    done = svc.claim_submit(claim=claim, actor=cast.alice)

    assert done.status == S.SUBMITTED and done.submitted_at is not None
    assert Notification.objects.filter(recipient=cast.clerk, title__contains=done.number).exists()
    with pytest.raises(Conflict, match="不能修改"):
        svc.claim_update(claim=done, actor=cast.alice, data={"title": "改"})


def test_a_line_past_the_claim_period_by_the_time_it_is_submitted_is_refused(cast):
    claim = drafted(cast.alice, line(days=80))
    Threshold.objects.update_or_create(code="expense_max_age_days", defaults={"name": "报销时效", "value": D(30)})
    with pytest.raises(DomainError, match="超过报销时效（30 天）"):
        svc.claim_submit(claim=claim, actor=cast.alice)
    assert ExpenseClaim.objects.get(pk=claim.pk).status == S.DRAFT


# --- the clerk, the approvers, finance ---------------------------------------------------------------------------------------
def test_the_clerk_checks_the_manager_approves_and_finance_pays(cast):
    claim = svc.claim_verify(claim=submitted(cast.alice), actor=cast.clerk)
    assert (claim.status, claim.checked_by) == (S.CHECKED, cast.clerk)
    summary = dict(selectors.claim_summary(claim, cast.manager))
    assert summary["报销金额"] == "120.00" and summary["费用构成"] == "交通费 120.00"

    approved = decide(claim, cast.manager)

    assert approved.status == S.APPROVED and approved.approved_at is not None
    assert Notification.objects.filter(recipient=cast.finance, title__contains="请付款").exists()
    with pytest.raises(DomainError, match="付款凭证号"):
        svc.claim_pay(claim=approved, actor=cast.finance, reference=" ")
    with pytest.raises(DomainError, match="不能晚于今天"):
        svc.claim_pay(claim=approved, actor=cast.finance, reference="记-1", paid_on=TODAY + timedelta(days=1))
    with pytest.raises(Forbidden):
        svc.claim_pay(claim=approved, actor=cast.clerk, reference="记-1")
    paid = svc.claim_pay(claim=approved, actor=cast.finance, reference="记-1187")
    assert (paid.status, paid.paid_on, paid.payment_ref, paid.paid_by) == (S.PAID, TODAY, "记-1187", cast.finance)
    assert Notification.objects.filter(recipient=cast.alice, title__contains="已付款").exists()
    with pytest.raises(Conflict):
        svc.claim_pay(claim=paid, actor=cast.finance, reference="记-1188")


def test_a_claim_above_the_vp_amount_needs_the_vp_after_the_manager(cast):
    claim = verified(cast, line(category=rules.Category.EXHIBITION, amount="6000"))
    after_manager = decide(claim, cast.manager)
    assert after_manager.status == S.CHECKED
    assert decide(after_manager, cast.vp).status == S.APPROVED


def test_a_sales_managers_own_claim_goes_to_the_vp_and_he_cannot_approve_it(cast, api_as):
    claim = svc.claim_verify(claim=submitted(cast.manager), actor=cast.clerk)
    step = ApprovalStep.objects.get(request__target_id=claim.pk, status=ApprovalStep.Status.PENDING)
    assert (step.code, step.assignee_role) == ("sales_vp", "sales_vp")
    assert not steps_waiting_for(cast.manager).filter(pk=step.pk).exists()
    assert api_as(cast.manager).post(f"/api/v1/approval-steps/{step.pk}/decide/", {"decision": "approve"}).status_code == 403
    assert decide(claim, cast.vp).status == S.APPROVED


def test_whose_document_it_is_never_approves_it_even_when_someone_else_submitted_it(cast, api_as):
    # a claim is started by the clerk's check: the claimant is the document's own person, refused like the submitter
    claim = svc.claim_verify(claim=submitted(cast.alice), actor=cast.clerk)
    request = ApprovalStep.objects.get(request__target_id=claim.pk, status=ApprovalStep.Status.PENDING).request
    assert (request.requested_by, request.owner) == (cast.clerk, cast.alice)
    ApprovalStep.objects.filter(request=request).update(assignee_user=cast.alice)  # even named on the step
    step = ApprovalStep.objects.get(request=request)
    assert not steps_waiting_for(cast.alice).exists()
    with pytest.raises(Forbidden, match="不能审批自己的单据"):
        approvals.approval_decide(step_id=step.pk, actor=cast.alice, decision="approve")
    assert api_as(cast.alice).post(f"/api/v1/approval-steps/{step.pk}/decide/", {"decision": "approve"}).status_code == 403
    claim.refresh_from_db()
    assert claim.status == S.CHECKED


def test_the_clerk_or_an_approver_sends_it_back_and_the_claimant_corrects_and_submits_again(cast):
    claim = submitted(cast.alice)
    with pytest.raises(DomainError, match="退回原因"):
        svc.claim_send_back(claim=claim, actor=cast.clerk, reason="")
    back = svc.claim_send_back(claim=claim, actor=cast.clerk, reason="缺少高铁票")
    assert (back.status, back.return_reason) == (S.RETURNED, "缺少高铁票")
    assert Notification.objects.filter(recipient=cast.alice, title__contains="被退回").exists()

    again = svc.claim_submit(claim=svc.claim_update(claim=back, actor=cast.alice, data={"title": "补票"}), actor=cast.alice)
    refused = decide(svc.claim_verify(claim=again, actor=cast.clerk), cast.manager, "reject", "招待标准超标")
    assert (refused.status, refused.return_reason) == (S.RETURNED, "招待标准超标")
    cancelled = svc.claim_cancel(claim=refused, actor=cast.alice)
    assert cancelled.status == S.CANCELLED


def test_nobody_checks_their_own_claim_and_only_a_clerk_checks(cast):
    own = submitted(cast.clerk)
    with pytest.raises(Forbidden, match="不能审核自己的"):
        svc.claim_verify(claim=own, actor=cast.clerk)
    theirs = submitted(cast.alice)
    for outsider in (cast.bob, cast.lena, cast.manager, cast.finance):
        with pytest.raises(Forbidden):
            svc.claim_verify(claim=theirs, actor=outsider)
    with pytest.raises(Forbidden):
        svc.claim_cancel(claim=drafted(cast.alice), actor=cast.bob)
    with pytest.raises(Conflict):
        svc.claim_cancel(claim=theirs, actor=cast.alice)  # submitted: withdrawn only once sent back


# --- who reads what ------------------------------------------------------------------------------------------------------------
def test_each_role_reads_the_claims_it_should_and_no_rep_another_reps(cast):
    alices = submitted(cast.alice)
    carols = submitted(cast.carol)
    bobs_draft = drafted(cast.bob)

    def seen(user):
        return set(selectors.claims_for(user).values_list("pk", flat=True))

    everyone = {alices.pk, carols.pk}
    assert seen(cast.alice) == {alices.pk}
    assert seen(cast.bob) == {bobs_draft.pk}
    assert seen(cast.lena) == {alices.pk}  # the team's, once submitted
    for reader in (cast.clerk, cast.finance, cast.manager, cast.vp, cast.gm, cast.admin):
        assert seen(reader) == everyone, reader
    for outsider in (cast.warehouse, cast.qc, cast.service):
        assert seen(outsider) == set()


def test_the_allowed_actions_follow_the_state_and_the_person(cast):
    claim = drafted(cast.alice)
    assert permissions.claim_allowed_actions(claim, cast.alice) == ["edit", "submit", "cancel"]
    claim = svc.claim_submit(claim=claim, actor=cast.alice)
    assert permissions.claim_allowed_actions(claim, cast.alice) == []
    assert permissions.claim_allowed_actions(claim, cast.clerk) == ["verify", "send_back"]
    claim = decide(svc.claim_verify(claim=claim, actor=cast.clerk), cast.manager)
    assert permissions.claim_allowed_actions(claim, cast.finance) == ["pay"]
    assert permissions.claim_allowed_actions(claim, cast.manager) == []


# --- pages -------------------------------------------------------------------------------------------------------------------
def _form(title="客户拜访", customer="", rows=(("2", "transport", "120.00", "高铁"),)):
    data = {"title": title, "customer": customer, "lines-TOTAL_FORMS": str(len(rows)), "lines-INITIAL_FORMS": "0"}
    for i, (days, category, amount, text) in enumerate(rows):
        data |= {
            f"lines-{i}-spent_on": (TODAY - timedelta(days=int(days))).isoformat(),
            f"lines-{i}-category": category,
            f"lines-{i}-amount": amount,
            f"lines-{i}-description": text,
        }
    return data


def test_a_rep_claims_on_the_page_the_clerk_checks_there_and_finance_pays_there(cast, client_as):
    her = client_as(cast.alice)
    assert her.get(reverse("expenses:claim_create")).status_code == 200
    bad = her.post(reverse("expenses:claim_create"), _form(rows=(("2", "transport", "-3", ""),)))
    assert bad.status_code == 400 and "金额" in bad.content.decode() and not ExpenseClaim.objects.exists()
    saved = her.post(
        reverse("expenses:claim_create"),
        _form(rows=(("2", "transport", "120.00", "高铁"), ("1", "travel", "380", "住宿"))) | {"hand_in": "1"},
    )
    claim = ExpenseClaim.objects.get()
    assert saved.status_code == 302 and (claim.status, claim.total) == (S.SUBMITTED, D("500.00"))

    clerk = client_as(cast.clerk)
    page = clerk.get(claim.get_absolute_url()).content.decode()
    assert 'data-testid="action-verify"' in page and "伍佰元整" in page and "住宿" in page
    clerk.post(reverse("expenses:claim_action", args=[claim.pk, "verify"]))
    decide(claim, cast.manager)
    assert client_as(cast.finance).get(reverse("expenses:claim_pay", args=[claim.pk])).status_code == 200
    paid = client_as(cast.finance).post(reverse("expenses:claim_pay", args=[claim.pk]), {"reference": "记-9", "paid_on": ""})
    assert paid.status_code == 302 and ExpenseClaim.objects.get().status == S.PAID

    listed = clerk.get(reverse("expenses:claim_list"), {"status": "paid", "category": "travel"}).content.decode()
    assert claim.number in listed
    assert claim.number not in clerk.get(reverse("expenses:claim_list"), {"q": "没有这样的"}).content.decode()


def test_the_claimant_edits_a_claim_sent_back_and_reads_why(cast, client_as):
    claim = svc.claim_send_back(claim=submitted(cast.alice), actor=cast.clerk, reason="缺少发票")
    her = client_as(cast.alice)
    form = her.get(reverse("expenses:claim_edit", args=[claim.pk])).content.decode()
    assert "缺少发票" in form and 'value="120.00"' in form
    her.post(reverse("expenses:claim_edit", args=[claim.pk]), _form(title="补发票", rows=(("2", "transport", "150", "高铁"),)))
    fresh = ExpenseClaim.objects.get(pk=claim.pk)
    assert (fresh.title, fresh.total, fresh.status) == ("补发票", D("150.00"), S.RETURNED)


def test_the_pages_refuse_whom_they_should(cast, client_as):
    claim = submitted(cast.alice)
    assert client_as(cast.bob).get(claim.get_absolute_url()).status_code == 404  # another rep's
    assert client_as(cast.carol).get(reverse("expenses:claim_edit", args=[claim.pk])).status_code == 404
    assert client_as(cast.alice).get(reverse("expenses:claim_edit", args=[claim.pk])).status_code == 403  # submitted
    assert client_as(cast.warehouse).get(reverse("expenses:claim_list")).status_code == 403
    assert client_as(cast.finance).get(reverse("expenses:claim_create")).status_code == 403
    assert client_as(cast.clerk).get(reverse("expenses:claim_pay", args=[claim.pk])).status_code == 403
    refused = client_as(cast.lena).post(reverse("expenses:claim_action", args=[claim.pk, "verify"]), follow=True)
    assert "只有销售内勤可以审核报销单" in refused.content.decode()
    assert ExpenseClaim.objects.get(pk=claim.pk).status == S.SUBMITTED


def test_the_home_page_shows_the_claims_waiting_for_each(cast, client_as):
    submitted(cast.alice)
    paid_one = verified(cast)
    decide(paid_one, cast.manager)
    svc.claim_send_back(claim=submitted(cast.bob), actor=cast.clerk, reason="票据不清")
    assert 'data-testid="todo-expense-verify"' in client_as(cast.clerk).get("/").content.decode()
    assert 'data-testid="todo-expense-pay"' in client_as(cast.finance).get("/").content.decode()
    bob = client_as(cast.bob).get("/").content.decode()
    assert 'data-testid="todo-expense-returned"' in bob and f"claimant={cast.bob.pk}" in bob


def test_the_export_has_a_column_for_each_category(cast, client_as):
    from tests.core.test_exports import sheet_of

    submitted(cast.alice, line(amount="100"), line(category=rules.Category.TRAVEL, amount="250.5"), line(amount="20"))
    ws = sheet_of(client_as(cast.clerk).get(reverse("core:list_export", args=["expense-claims"])))
    header = [c.value for c in ws[1]]
    row = dict(zip(header, next(ws.iter_rows(min_row=2, values_only=True)), strict=False))
    assert row["报销金额"] == 370.5 and row["交通费"] == 120 and row["差旅住宿"] == 250.5 and row["业务招待"] is None


# --- the API ---------------------------------------------------------------------------------------------------------------------
def test_the_api_runs_a_claim_from_writing_to_payment(cast, api_as):
    her = api_as(cast.alice)
    body = {"title": "差旅", "lines": [{"spent_on": str(TODAY), "category": "transport", "amount": "88.00"}]}
    assert api_as(cast.finance).post("/api/v1/expense-claims/", body, format="json").status_code == 403
    bad = her.post("/api/v1/expense-claims/", {**body, "lines": [{**body["lines"][0], "category": "fuel"}]}, format="json")
    assert bad.status_code == 400
    late = her.post("/api/v1/expense-claims/", {**body, "lines": [{**body["lines"][0], "spent_on": "2020-01-01"}]}, format="json")
    assert late.status_code == 400 and "报销时效" in str(late.json())
    created = her.post("/api/v1/expense-claims/", body, format="json")
    assert created.status_code == 201 and created.json()["allowed_actions"] == ["edit", "submit", "cancel"]
    pk = created.json()["id"]
    patched = her.patch(f"/api/v1/expense-claims/{pk}/", {"lines": [{**body["lines"][0], "amount": "99.50"}]}, format="json")
    assert patched.json()["total"] == "99.50" and patched.json()["title"] == "差旅"
    assert api_as(cast.bob).get(f"/api/v1/expense-claims/{pk}/").status_code == 404
    assert api_as(cast.clerk).get(f"/api/v1/expense-claims/{pk}/").status_code == 404  # a draft is hers alone
    assert her.post(f"/api/v1/expense-claims/{pk}/submit/").json()["status"] == "submitted"
    clerk = api_as(cast.clerk)
    assert clerk.post(f"/api/v1/expense-claims/{pk}/send-back/", {"reason": ""}, format="json").status_code == 400
    assert api_as(cast.lena).post(f"/api/v1/expense-claims/{pk}/verify/").status_code == 403
    assert clerk.post(f"/api/v1/expense-claims/{pk}/verify/").json()["status"] == "checked"
    step = api_as(cast.manager).get("/api/v1/approval-steps/").json()["results"][0]
    assert {"label": "报销金额", "value": "99.50"} in step["summary"]
    api_as(cast.manager).post(f"/api/v1/approval-steps/{step['id']}/decide/", {"decision": "approve"}, format="json")
    paid = api_as(cast.finance).post(f"/api/v1/expense-claims/{pk}/pay/", {"reference": "记-3"}, format="json")
    assert paid.status_code == 200 and paid.json()["status"] == "paid" and paid.json()["paid_on"] == str(TODAY)
    listed = api_as(cast.finance).get("/api/v1/expense-claims/", {"status": "paid"}).json()
    assert listed["count"] == 1 and listed["results"][0]["claimant_name"] == "alice"
    assert her.post(f"/api/v1/expense-claims/{pk}/cancel/").status_code == 409


# --- two at once -------------------------------------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_check_and_a_return_at_once_give_one_outcome(on_postgres, cast):
    from tests.core.conftest import run_in_threads

    claim = submitted(cast.alice)

    def act(i):
        if i % 2:
            return svc.claim_verify(claim=claim, actor=cast.clerk)
        return svc.claim_send_back(claim=claim, actor=cast.clerk, reason="票据不清")

    results = run_in_threads(4, act)

    done = [r for r in results if isinstance(r, ExpenseClaim)]
    assert len(done) == 1 and all(isinstance(r, Conflict) for r in results if r not in done), results
    assert ExpenseClaim.objects.get(pk=claim.pk).status == done[0].status
    assert ApprovalRequest.objects.filter(kind=rules.KIND).count() == (1 if done[0].status == S.CHECKED else 0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_payments_at_once_pay_once(on_postgres, cast):
    from tests.core.conftest import run_in_threads

    claim = decide(verified(cast), cast.manager)

    results = run_in_threads(3, lambda i: svc.claim_pay(claim=claim, actor=cast.finance, reference=f"记-{i}"))

    done = [r for r in results if isinstance(r, ExpenseClaim)]
    assert len(done) == 1 and all(isinstance(r, Conflict) for r in results if r not in done), results
    assert ExpenseClaim.objects.get(pk=claim.pk).payment_ref == done[0].payment_ref


def test_the_pages_are_in_english_for_an_english_reader(cast, client_as):
    claim = submitted(cast.alice)
    clerk = client_as(cast.clerk)
    clerk.cookies["django_language"] = "en"
    listed = clerk.get(reverse("expenses:claim_list")).content.decode()
    detail = clerk.get(claim.get_absolute_url()).content.decode()
    for english in ("Expense claims", "Claim no.", "Amount claimed"):
        assert english in listed, english
    for english in ("Awaiting the clerk&#x27;s check", "Transport", "Date spent", "Upload the receipts as attachments"):
        assert english in detail, english


def test_the_customer_page_shows_the_claims_naming_the_customer_to_whoever_reads_them(cast, client_as):
    customer = CustomerFactory(owner=cast.carol, team=cast.south)
    quiet = CustomerFactory(owner=cast.carol, team=cast.south)
    claim = submitted(cast.carol, line(category=rules.Category.ENTERTAINMENT, amount="880"), customer=customer.pk)
    decide(svc.claim_verify(claim=claim, actor=cast.clerk), cast.manager)
    submitted(cast.carol, line(category=rules.Category.ENTERTAINMENT, amount="120"), customer=customer.pk)

    page = client_as(cast.manager).get(customer.get_absolute_url()).content.decode()
    assert 'data-testid="expenses-panel"' in page and claim.number in page
    assert "880.00" in page.split('data-testid="panel-expenses-agreed"')[1][:200]  # the approved one only
    assert 'data-testid="expenses-panel"' not in client_as(cast.manager).get(quiet.get_absolute_url()).content.decode()
    listed = client_as(cast.manager).get(reverse("expenses:claim_list"), {"customer": customer.pk}).content.decode()
    assert listed.count('data-testid="claim-row"') == 2
