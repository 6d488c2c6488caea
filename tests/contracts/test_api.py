"""/api/v1/ of quotations, contracts and change requests: the services behind it, approvals through the kernel's decide
endpoint, errors as {"code", "detail"} in Chinese, money as strings, and who sees / does what (404 vs 403)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contracts import services
from contracts.models import Contract, ContractChange, Quotation
from salesops.core.models import Attachment
from tests.contracts.conftest import fill_review, fresh, line

pytestmark = pytest.mark.django_db

QUOTATIONS = "/api/v1/quotations/"
CONTRACTS = "/api/v1/contracts/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def scan():
    return SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf")


def ok(response, status=200):
    assert response.status_code == status, response.json()
    return response.json()


def approve_as(api_as, url, kind, *users, decision="approve", comment=""):
    """Each user, in turn, reads the document and decides the step of the pending round of `kind` now waiting for them."""
    for user in users:
        client = api_as(user)
        body = ok(client.get(url))
        pending = next(r for r in body["approvals"] if r["kind"] == kind and r["status"] == "pending")
        step = next(s for s in pending["steps"] if s["can_decide"])
        ok(client.post(f"/api/v1/approval-steps/{step['id']}/decide/", {"decision": decision, "comment": comment}, format="json"))


@pytest.fixture
def quotation(quoting_alice, make_quotation):
    return make_quotation(quoting_alice)


@pytest.fixture
def draft_contract(cast, customer, pump):
    c = services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(pump)])
    fill_review(c, cast.alice)
    return c


class TestQuotationFlow:
    def test_create_submit_approve_send_accept_and_create_contract(self, cast, api_as, quoting_alice, customer, pump):
        # given alice may quote; when she creates a quotation for her customer over HTTP
        alice = api_as(quoting_alice)
        contact = customer.contacts.get()
        body = ok(
            alice.post(
                QUOTATIONS,
                {
                    "customer": customer.pk,
                    "contact": contact.pk,
                    "project_name": "二期改造",
                    "lines": [line(pump), line(None, name="安装服务", quantity="1", unit_price="1000.01", tax_rate="0.06")],
                },
                format="json",
            ),
            201,
        )
        # then it is a draft with exact totals as strings
        url = f"{QUOTATIONS}{body['id']}/"
        assert body["status"] == "draft" and body["status_display"] == "草稿" and body["owner"] == cast.alice.pk
        assert body["display_number"] == body["number"] and body["number"].startswith("QT-")
        assert (body["amount_incl"], body["amount_excl"], body["tax_amount"]) == ("12300.01", "10943.41", "1356.60")
        assert [ln["quantity"] for ln in body["lines"]] == ["10.000", "1.000"]
        assert body["lines"][0]["unit_price"] == "1130.00" and "unit_cost" not in body["lines"][0]  # a rep sees no costs
        assert body["allowed_actions"] == ["edit", "submit", "cancel"]
        assert [v["version"] for v in body["versions"]] == [1] and body["approvals"] == []

        # when she submits, the sales manager approves through the kernel's decide endpoint
        body = ok(alice.post(f"{url}submit/"))
        assert body["status"] == "in_review" and body["approval_route"]
        round1 = body["approvals"][0]
        assert (round1["kind"], round1["round"], round1["status"]) == ("quotation_review", 1, "pending")
        assert [(s["code"], s["status"], s["can_decide"]) for s in round1["steps"]] == [("sales_manager", "pending", False)]
        approve_as(api_as, url, "quotation_review", cast.manager, comment="同意")
        body = ok(alice.get(url))
        assert body["status"] == "approved"
        step = body["approvals"][0]["steps"][0]
        assert step["decided_by"] == cast.manager.pk and step["comment"] == "同意" and step["decided_at"]

        # then she sends it, the customer accepts, and a contract is made from it
        assert ok(alice.post(f"{url}send/"))["status"] == "sent"
        body = ok(alice.post(f"{url}accept/"))
        assert body["status"] == "accepted" and "create_contract" in body["allowed_actions"]
        contract = ok(alice.post(f"{url}create-contract/"), 201)
        assert contract["quotation"] == body["id"] and contract["status"] == "draft" and contract["differences"] == []
        assert contract["quotation_number"] == body["number"] and contract["amount_incl"] == "12300.01"
        assert [ln["quantity"] for ln in contract["lines"]] == ["10.000", "1.000"]
        # and only once
        again = alice.post(f"{url}create-contract/")
        assert again.status_code == 409 and contract["number"] in again.json()["detail"]

    def test_reject_needs_a_reason_and_cancel_keeps_it(self, cast, api_as, quoting_alice, quotation):
        alice = api_as(quoting_alice)
        url = f"{QUOTATIONS}{quotation.pk}/"
        ok(alice.post(f"{url}submit/"))
        approve_as(api_as, url, "quotation_review", cast.manager)
        ok(alice.post(f"{url}send/"))
        r = alice.post(f"{url}reject/", {}, format="json")
        assert r.status_code == 400 and "reason" in r.json()["errors"]
        r = alice.post(f"{url}reject/", {"reason": " "}, format="json")
        assert r.status_code == 400 and "请填写客户拒绝的原因" in r.json()["detail"]
        body = ok(alice.post(f"{url}reject/", {"reason": "价格太高"}, format="json"))
        assert body["status"] == "rejected" and body["close_reason"] == "价格太高"

        other = services.quotation_create(
            actor=quoting_alice, customer=quotation.customer, data={}, lines=[line(None, name="x", unit_price="1")]
        )
        body = ok(alice.post(f"{QUOTATIONS}{other.pk}/cancel/", {"reason": "重复录入"}, format="json"))
        assert body["status"] == "cancelled" and body["close_reason"] == "重复录入"

    def test_revise_returns_the_new_version_201_and_keeps_the_old(self, cast, api_as, quoting_alice, quotation):
        alice = api_as(quoting_alice)
        url = f"{QUOTATIONS}{quotation.pk}/"
        ok(alice.post(f"{url}submit/"))
        approve_as(api_as, url, "quotation_review", cast.manager)
        new = ok(alice.post(f"{url}revise/"), 201)
        assert new["id"] != quotation.pk and new["version"] == 2 and new["display_number"] == f"{quotation.number} v2"
        assert new["status"] == "draft" and [v["version"] for v in new["versions"]] == [2, 1]
        assert ok(alice.get(url))["status"] == "superseded"

    def test_patch_edits_a_draft_lines_optional_and_409_once_submitted(self, api_as, quoting_alice, quotation, pump):
        alice = api_as(quoting_alice)
        url = f"{QUOTATIONS}{quotation.pk}/"
        body = ok(alice.patch(url, {"project_name": "改名"}, format="json"))
        assert body["project_name"] == "改名" and body["amount_incl"] == "11300.00"  # lines untouched
        body = ok(alice.put(url, {"lines": [line(pump, quantity="2")]}, format="json"))
        assert body["amount_incl"] == "2260.00" and body["project_name"] == "改名"
        ok(alice.post(f"{url}submit/"))
        r = alice.patch(url, {"project_name": "再改"}, format="json")
        assert r.status_code == 409 and r.json()["code"] == "conflict" and "修订" in r.json()["detail"]

    def test_submitting_twice_is_a_409_in_chinese(self, api_as, quoting_alice, quotation):
        alice = api_as(quoting_alice)
        ok(alice.post(f"{QUOTATIONS}{quotation.pk}/submit/"))
        r = alice.post(f"{QUOTATIONS}{quotation.pk}/submit/")
        assert r.status_code == 409
        assert r.json()["code"] == "conflict" and "当前状态为“审核中”，不能执行“提交审核”" in r.json()["detail"]

    def test_quantity_zero_is_a_400_naming_the_line_and_nothing_is_saved(self, api_as, quoting_alice, customer, pump):
        r = api_as(quoting_alice).post(
            QUOTATIONS, {"customer": customer.pk, "lines": [line(pump), line(pump, quantity="0")]}, format="json"
        )
        assert r.status_code == 400
        assert r.json()["code"] == "invalid" and r.json()["detail"] == "第 2 行（增压泵）：数量必须大于 0。"
        assert not Quotation.objects.exists()

    def test_malformed_input_is_a_400_too(self, api_as, quoting_alice, customer):
        r = api_as(quoting_alice).post(QUOTATIONS, {"customer": customer.pk, "lines": [{"quantity": "abc"}]}, format="json")
        assert r.status_code == 400 and r.json()["code"] == "invalid" and "quantity" in r.json()["detail"]
        # the message names the field by its label and name, in the row that has the error (a valid row is {})
        r = api_as(quoting_alice).post(
            QUOTATIONS, {"customer": customer.pk, "lines": [{"quantity": "1"}, {"quantity": "abc"}]}, format="json"
        )
        assert r.status_code == 400 and r.json()["detail"] == "明细（lines）：第 2 行：数量（quantity）：请填写合法的数字。"

    def test_a_rep_not_allowed_to_quote_gets_403(self, cast, api_as, customer, pump):
        r = api_as(cast.alice).post(QUOTATIONS, {"customer": customer.pk, "lines": [line(pump)]}, format="json")
        assert r.status_code == 403
        assert r.json()["code"] == "forbidden" and "没有报价权限" in r.json()["detail"]

    def test_an_invisible_customer_is_a_404(self, api_as, quoting_alice, carol_customer, pump):
        r = api_as(quoting_alice).post(QUOTATIONS, {"customer": carol_customer.pk, "lines": [line(pump)]}, format="json")
        assert r.status_code == 404 and r.json()["code"] == "not_found"

    def test_list_filters_search_and_ordering(self, cast, api_as, quoting_alice, make_quotation, pump):
        small = make_quotation(quoting_alice, lines=[line(pump, quantity="1")], project_name="小单")
        big = make_quotation(quoting_alice, project_name="大单")
        services.quotation_submit(quotation=big, actor=quoting_alice)
        client = api_as(quoting_alice)

        def ids(**params):
            return [q["id"] for q in ok(client.get(QUOTATIONS, params))["results"]]

        assert ids(ordering="amount_incl") == [small.pk, big.pk] and ids(ordering="-amount_incl") == [big.pk, small.pk]
        assert ids(status="in_review") == [big.pk]
        assert ids(q="大单") == [big.pk] and ids(q=small.number) == [small.pk]
        assert ids(customer=small.customer_id, owner=cast.alice.pk, ordering="number") == [small.pk, big.pk]
        today = timezone.localdate()
        assert ids(quote_date_from=today.isoformat(), quote_date_to=today.isoformat(), ordering="number") == [small.pk, big.pk]
        assert ids(valid_until_to=(today + timedelta(days=1)).isoformat()) == []
        body = ok(client.get(QUOTATIONS))
        assert body["count"] == 2 and isinstance(body["results"][0]["amount_incl"], str)


class TestListFilters:
    @pytest.mark.parametrize(
        "url,params,field",
        [
            (QUOTATIONS, {"quote_date_from": "2024-13-01"}, "quote_date_from"),
            (QUOTATIONS, {"status": "approved-ish"}, "status"),
            (QUOTATIONS, {"ordering": "-secret_field"}, "ordering"),
            (QUOTATIONS, {"owner": "alice"}, "owner"),
            (CONTRACTS, {"classification": "urgent"}, "classification"),
            (CONTRACTS, {"contract_date_to": "yesterday"}, "contract_date_to"),
            ("/api/v1/contract-changes/", {"status": "pending"}, "status"),
            ("/api/v1/contract-changes/", {"ordering": "reason"}, "ordering"),
        ],
    )
    def test_invalid_filter_values_are_a_400_never_ignored(self, cast, api_as, url, params, field):
        r = api_as(cast.manager).get(url, params)
        assert r.status_code == 400 and r.json()["code"] == "invalid" and field in r.json()["errors"]

    def test_change_requests_are_ordered_by_the_filter_set(self, cast, api_as, draft_contract):
        assert ok(api_as(cast.alice).get("/api/v1/contract-changes/", {"ordering": "-created_at"}))["count"] == 0


class TestContractFlow:
    def test_special_contract_review_sign_activate_and_change_to_v2(self, cast, api_as, customer, pump, new_valve):
        # given alice's contract with a custom product never produced: it is special
        alice = api_as(cast.alice)
        body = ok(
            alice.post(
                CONTRACTS,
                {
                    "customer": customer.pk,
                    "project_name": "阀门定制",
                    "lines": [line(pump), line(new_valve, quantity="2", unit_price="5000")],
                },
                format="json",
            ),
            201,
        )
        url = f"{CONTRACTS}{body['id']}/"
        assert body["classification"] == "special" and body["classification_display"] == "特殊合同"
        assert body["classification_reasons"][0]["code"] == "new_product"
        assert body["classification_reasons"][0]["label"] == "新产品开发/定制品未生产过"
        assert body["amount_incl"] == "21300.00" and "cost_total" not in body
        assert body["review"]["capability_confirmed"] is False and body["allowed_actions"][:2] == ["edit", "submit"]

        # the review form must be filled first
        r = alice.post(f"{url}submit/")
        assert r.status_code == 400 and "请先完成合同评审单" in r.json()["detail"]
        review = ok(
            alice.patch(f"{url}review/", {"explicit_requirements": "按图纸生产", "capability_confirmed": True}, format="json")
        )
        assert review["capability_confirmed"] is True and review["explicit_requirements"] == "按图纸生产"

        # when she submits, three departments review, then the manager, the VP and the GM approve
        body = ok(alice.post(f"{url}submit/"))
        assert body["status"] == "in_review"
        steps = body["approvals"][0]["steps"]
        assert [s["code"] for s in steps] == [
            "review_technical",
            "review_production",
            "review_quality",
            "sales_manager",
            "sales_vp",
            "gm",
        ]
        approve_as(api_as, url, "contract_review", cast.rev_technical, cast.rev_production, cast.rev_quality)
        approve_as(api_as, url, "contract_review", cast.manager, cast.vp, cast.gm)
        body = ok(alice.get(url))
        assert body["status"] == "approved" and body["approvals"][0]["status"] == "approved"
        assert all(s["status"] == "approved" and s["decided_by"] for s in body["approvals"][0]["steps"])
        assert "sign" in body["allowed_actions"]

        # signing needs the scan, then takes the uploaded PDF
        r = alice.post(f"{url}sign/", {}, format="multipart")
        assert r.status_code == 400 and "扫描件" in r.json()["detail"]
        today = timezone.localdate()
        body = ok(alice.post(f"{url}sign/", {"signed_on": today.isoformat(), "scan": scan()}, format="multipart"))
        assert body["status"] == "signed" and body["signed_on"] == today.isoformat() and body["signed_by"] == cast.alice.pk
        assert Attachment.objects.filter(target_id=body["id"], kind=Attachment.Kind.SIGNED_CONTRACT).count() == 1
        body = ok(alice.post(f"{url}activate/"))
        assert body["status"] == "active" and "request_change" in body["allowed_actions"]

        # a change request: 201, reviewed by production, procurement and warehouse (the changed fields) and — the new
        # version is still special (new product) — technical and quality too, then manager → VP → GM; then v2 is visible
        pump_line = next(ln for ln in body["lines"] if ln["product"] == pump.pk)
        change = ok(
            alice.post(
                f"{url}change-request/",
                {
                    "reason": "客户追加",
                    "header": {"delivery_terms": "送货到厂"},
                    "lines": {str(pump_line["id"]): {"quantity": "15"}},
                },
                format="json",
            ),
            201,
        )
        assert change["status"] == "in_review" and change["from_version"] == 1
        assert change["departments"] == ["technical", "production", "quality", "procurement", "warehouse"]
        assert change["line_changes"][0]["quantity"] == ["10.000", "15"]
        reviewers = (cast.rev_technical, cast.rev_production, cast.rev_quality, cast.rev_procurement, cast.rev_warehouse)
        approve_as(api_as, url, "contract_change", *reviewers, cast.manager, cast.vp, cast.gm)
        body = ok(alice.get(url))
        assert body["version"] == 2 and body["delivery_terms"] == "送货到厂" and body["amount_incl"] == "26950.00"
        assert next(ln for ln in body["lines"] if ln["id"] == pump_line["id"])["quantity"] == "15.000"
        assert [(v["version"], v["snapshot"]["header"]["amount_incl"]) for v in body["versions"]] == [(1, "21300.00")]
        assert [(c["id"], c["status"]) for c in body["changes"]] == [(change["id"], "approved")]
        assert {r["kind"] for r in body["approvals"]} == {"contract_review", "contract_change"}

    def test_general_contract_upgrade_cancel_and_terminate(self, cast, api_as, draft_contract):
        url = f"{CONTRACTS}{draft_contract.pk}/"
        body = ok(api_as(cast.manager).get(url))
        assert body["classification"] == "general" and "upgrade" in body["allowed_actions"] and body["cost_total"] == "7000.00"
        r = api_as(cast.manager).post(f"{url}upgrade/", {}, format="json")
        assert r.status_code == 400 and list(r.json()["errors"]) == ["reason"]
        r = api_as(cast.manager).post(f"{url}upgrade/", {"reason": ""}, format="json")
        assert r.status_code == 400 and "升级" in r.json()["detail"]
        body = ok(api_as(cast.manager).post(f"{url}upgrade/", {"reason": "客户特殊"}, format="json"))
        assert body["classification"] == "special" and body["upgraded_by"] == cast.manager.pk
        assert body["classification_reasons"] == [{"code": "manual", "label": "经理手动升级为特殊合同", "detail": "客户特殊"}]
        assert api_as(cast.alice).post(f"{url}upgrade/", {"reason": "x"}, format="json").status_code == 403
        r = api_as(cast.alice).post(f"{url}terminate/", {"reason": "x"}, format="json")
        assert r.status_code == 409 and "不能执行“终止”" in r.json()["detail"]
        body = ok(api_as(cast.alice).post(f"{url}cancel/", {"reason": "客户取消"}, format="json"))
        assert body["status"] == "cancelled" and body["close_reason"] == "客户取消"

    def test_signing_date_before_the_contract_date_or_in_the_future_is_refused(self, cast, api_as, draft_contract):
        # given an approved contract dated today
        services.contract_submit(contract=draft_contract, actor=cast.alice)
        approve_as(api_as, f"{CONTRACTS}{draft_contract.pk}/", "contract_review", cast.manager)
        url, today = f"{CONTRACTS}{draft_contract.pk}/", timezone.localdate()
        # when alice signs it as of 2020-01-01 or tomorrow, then 400 with the reason and nothing changes
        for signed_on, message in (
            ("2020-01-01", f"签订日期不能早于合同日期（{today}）"),
            ((today + timedelta(days=1)).isoformat(), "签订日期不能晚于今天"),
        ):
            r = api_as(cast.alice).post(f"{url}sign/", {"signed_on": signed_on, "scan": scan()}, format="multipart")
            assert r.status_code == 400 and message in r.json()["detail"]
            assert fresh(draft_contract).status == Contract.Status.APPROVED
        assert not Attachment.objects.filter(target_id=draft_contract.pk, kind=Attachment.Kind.SIGNED_CONTRACT).exists()

    def test_edit_and_differences_from_the_quotation(self, cast, api_as, quoting_alice, accepted_quotation, pump):
        contract = services.contract_create_from_quotation(quotation=accepted_quotation, actor=quoting_alice)
        url = f"{CONTRACTS}{contract.pk}/"
        qline = accepted_quotation.lines.get()
        body = ok(
            api_as(cast.alice).patch(url, {"lines": [{**line(pump, quantity="12"), "quotation_line": qline.pk}]}, format="json")
        )
        # the line keeps its link to the quoted line, so the difference is the quantity, not a removed + added line
        assert [(d["where"], d["field"], d["quoted"], d["contracted"]) for d in body["differences"]] == [
            ("增压泵", "数量", "10", "12")
        ]
        assert body["lines"][0]["quotation_line"] == qline.pk
        body = ok(api_as(cast.alice).patch(url, {"lines": [line(pump, quantity="10")]}, format="json"))
        assert {d["field"] for d in body["differences"]} == {"新增明细", "删除明细"}  # a line sent without its link is new
        body = ok(api_as(cast.alice).patch(url, {"payment_terms": "credit", "credit_days": 30}, format="json"))
        assert body["payment_terms"] == "credit" and body["credit_days"] == 30
        assert any(d["field"] == "付款方式" for d in body["differences"])

    def test_change_request_withdraw_and_409_when_repeated(self, cast, api_as, draft_contract):
        alice = api_as(cast.alice)
        url = f"{CONTRACTS}{draft_contract.pk}/"
        r = alice.post(f"{url}change-request/", {"reason": "x", "header": {"other_terms": "y"}}, format="json")
        assert r.status_code == 409 and "只有已签订或执行中的合同可以变更" in r.json()["detail"]
        ok(alice.post(f"{url}submit/"))
        approve_as(api_as, url, "contract_review", cast.manager)
        ok(alice.post(f"{url}sign/", {"scan": scan()}, format="multipart"))
        r = alice.post(f"{url}change-request/", {"reason": "x"}, format="json")
        assert r.status_code == 400 and r.json()["detail"] == "没有任何变更内容。"
        change = ok(
            alice.post(f"{url}change-request/", {"reason": "补充条款", "header": {"other_terms": "包装加固"}}, format="json"), 201
        )
        assert ok(alice.get("/api/v1/contract-changes/", {"contract": draft_contract.pk}))["count"] == 1
        assert api_as(cast.bob).post(f"/api/v1/contract-changes/{change['id']}/withdraw/").status_code == 404
        assert ok(alice.get(f"/api/v1/contract-changes/{change['id']}/"))["allowed_actions"] == ["withdraw"]
        assert ok(api_as(cast.clerk).get(f"/api/v1/contract-changes/{change['id']}/"))["allowed_actions"] == []
        body = ok(alice.post(f"/api/v1/contract-changes/{change['id']}/withdraw/"))
        assert body["status"] == "withdrawn" and body["allowed_actions"] == []
        r = alice.post(f"/api/v1/contract-changes/{change['id']}/withdraw/")
        assert r.status_code == 409 and "不能撤回" in r.json()["detail"]
        assert ContractChange.objects.get().status == ContractChange.Status.WITHDRAWN
        assert fresh(draft_contract).version == 1

    def test_change_request_values_are_checked_like_a_new_contracts(self, cast, api_as, draft_contract):
        # given alice's signed contract (10 pumps at 1,130.00, 款到发货)
        alice = api_as(cast.alice)
        url = f"{CONTRACTS}{draft_contract.pk}/"
        ok(alice.post(f"{url}submit/"))
        approve_as(api_as, url, "contract_review", cast.manager)
        ok(alice.post(f"{url}sign/", {"scan": scan()}, format="multipart"))
        line_id = str(draft_contract.lines.get().pk)
        # when she asks for a change with a wrong value: 400 naming the field in Chinese, nothing saved (was 201, or a 500)
        for header, lines, message in [
            ({"payment_terms": "weird"}, {}, "付款方式“weird”不是可选的值"),
            ({"deposit_rate": "5"}, {}, "定金比例不能大于 1（填写的是 5）"),
            ({"credit_days": "40000"}, {}, "账期(天)应为 0 到 3650 的整数，填写的是 40000"),
            ({"delivery_date": "garbage"}, {}, "承诺交货日期“garbage”不是有效的日期"),
            ({}, {line_id: {"unit_price": "-5"}}, "增压泵：含税单价不能小于 0"),
            ({}, {line_id: {"delivery_date": "2020-01-01"}}, "增压泵：交货日期不能早于今天"),
        ]:
            r = alice.post(f"{url}change-request/", {"reason": "调整", "header": header, "lines": lines}, format="json")
            assert r.status_code == 400 and message in r.json()["detail"], (header, lines, r.json())
        assert not ContractChange.objects.exists()
        # a right one still passes
        r = alice.post(
            f"{url}change-request/",
            {"reason": "改定金", "header": {"payment_terms": "deposit", "deposit_rate": "0.3"}},
            format="json",
        )
        assert ok(r, 201)["header_changes"]["deposit_rate"] == ["0.0000", "0.3"]

    def test_list_filters_and_ordering(self, cast, api_as, draft_contract, customer, new_valve):
        special = services.contract_create(
            actor=cast.alice,
            customer=customer,
            data={"project_name": "定制"},
            lines=[line(new_valve, quantity="1", unit_price="1")],
        )
        client = api_as(cast.alice)

        def ids(**params):
            return [c["id"] for c in ok(client.get(CONTRACTS, params))["results"]]

        assert ids(classification="special") == [special.pk] and ids(classification="general") == [draft_contract.pk]
        assert ids(ordering="amount_incl") == [special.pk, draft_contract.pk]
        assert ids(q="定制") == [special.pk] and ids(status="draft", ordering="number") == [draft_contract.pk, special.pk]
        today = timezone.localdate().isoformat()
        assert ids(
            contract_date_from=today, contract_date_to=today, customer=customer.pk, owner=cast.alice.pk, ordering="number"
        ) == [
            draft_contract.pk,
            special.pk,
        ]


# --- who sees and does what -------------------------------------------------------------------------------------------
# (persona, sees quotations, may submit the quotation, sees contracts, may submit the contract)
MATRIX = [
    ("alice", True, True, True, True),  # the owner
    ("bob", False, False, False, False),  # same team, not the owner
    ("lena", True, False, True, False),  # team lead: sees the team's documents, does not work on them
    ("carol", False, False, False, False),  # other team
    ("clerk", True, True, True, True),
    ("manager", True, True, True, True),
    ("rev_technical", False, False, True, False),  # reviewers read every contract, no quotation
    ("finance", True, False, True, False),  # sees every customer (customers.selectors.sees_all_customers)
]


@pytest.mark.parametrize(("who", "sees", "acts"), [(m[0], m[1], m[2]) for m in MATRIX])
def test_quotation_permissions(cast, api_as, quotation, who, sees, acts):
    client = api_as(getattr(cast, who))
    url = f"{QUOTATIONS}{quotation.pk}/"
    listed = [q["id"] for q in ok(client.get(QUOTATIONS))["results"]]
    assert (quotation.pk in listed) is sees
    assert client.get(url).status_code == (200 if sees else 404)
    r = client.post(f"{url}submit/")
    assert r.status_code == (200 if acts else 403 if sees else 404), r.json()
    assert acts or r.json()["detail"]
    assert (fresh(quotation).status != Quotation.Status.DRAFT) is acts  # the manager's own is approved at once


@pytest.mark.parametrize(("who", "sees", "acts"), [(m[0], m[3], m[4]) for m in MATRIX])
def test_contract_permissions(cast, api_as, draft_contract, who, sees, acts):
    client = api_as(getattr(cast, who))
    url = f"{CONTRACTS}{draft_contract.pk}/"
    listed = [c["id"] for c in ok(client.get(CONTRACTS))["results"]]
    assert (draft_contract.pk in listed) is sees
    assert client.get(url).status_code == (200 if sees else 404)
    r = client.post(f"{url}submit/")
    assert r.status_code == (200 if acts else 403 if sees else 404), r.json()
    assert (
        fresh(draft_contract).status != Contract.Status.DRAFT if acts else fresh(draft_contract).status == Contract.Status.DRAFT
    )
    review = client.patch(f"{url}review/", {"notes": "x"}, format="json")
    assert review.status_code == (409 if acts else 403 if sees else 404)


def test_costs_are_shown_only_to_managers_and_finance(cast, api_as, quotation):
    url = f"{QUOTATIONS}{quotation.pk}/"
    assert "unit_cost" not in ok(api_as(cast.clerk).get(url))["lines"][0]
    assert ok(api_as(cast.finance).get(url))["lines"][0]["unit_cost"] == "700.00"


def test_the_schema_documents_the_contract_actions(openapi):
    # the whole document is validated by tests/orders/test_api.py::test_schema_validates
    for path in (
        "/api/v1/quotations/{id}/create-contract/",
        "/api/v1/contracts/{id}/change-request/",
        "/api/v1/contract-changes/{id}/withdraw/",
    ):
        assert path in openapi["paths"]
