"""HTML pages of quotations and contracts: scoped lists, 404 for invisible documents, formset posts with exact totals,
Chinese errors with nothing saved, buttons only for allowed actions, transitions, 409 on a repeated click, contract
classification and pending reviewers, review form, signing with a scan, change requests."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from contracts import services
from contracts.models import Contract, ContractChange, Quotation, QuotationLine
from salesops.core.money import plain
from tests.contracts.conftest import decide, fill_review, fresh, line

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def html(response) -> str:
    return response.content.decode()


def page_actions(page: str) -> set[str]:
    """The actions of a document page's buttons and links (data-testid="action-<name>", "request-change" as written)."""
    return {name.replace("-", "_") for name in re.findall(r'<(?:a|button)\b[^>]*data-testid="action-([\w-]+)"', page)}


def header_data(customer, **extra):
    today = timezone.localdate()
    data = {
        "customer": customer.pk,
        "contact": "",
        "project_name": "二期改造",
        "quote_date": today.isoformat(),
        "valid_until": (today + timedelta(days=30)).isoformat(),
        "currency": "CNY",
        "exchange_rate": "1",
        "payment_terms": "prepaid",
        "payment_terms_text": "",
        "delivery_terms": "",
        "other_terms": "",
        "notes": "",
    }
    data.update(extra)
    return data


def lines_data(*rows, initial=0):
    """The formset's management form and rows as posted by the browser (prefix "lines")."""
    data = {
        "lines-TOTAL_FORMS": str(len(rows)),
        "lines-INITIAL_FORMS": str(initial),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"lines-{i}-{key}"] = value
    return data


def contract_header(customer, **extra):
    data = {
        "customer": customer.pk,
        "contact": "",
        "customer_contract_no": "",
        "project_name": "",
        "contract_date": timezone.localdate().isoformat(),
        "delivery_date": "",
        "currency": "CNY",
        "exchange_rate": "1",
        "payment_terms": "prepaid",
        "deposit_rate": "0",
        "credit_days": "0",
        "payment_terms_text": "",
        "delivery_terms": "",
        "quality_terms": "",
        "other_terms": "",
    }
    data.update(extra)
    return data


@pytest.fixture
def draft(quoting_alice, make_quotation):
    return make_quotation(quoting_alice)


@pytest.fixture
def contract(cast, customer, pump):
    return services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(pump)])


@pytest.fixture
def signed(cast, contract):
    fill_review(contract, cast.alice)
    services.contract_submit(contract=contract, actor=cast.alice)
    decide(contract, services.CONTRACT_KIND, cast.manager)
    scan = SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf")
    return services.contract_sign(contract=contract, actor=cast.alice, signed_on=None, scan=scan)


# --- lists and visibility -----------------------------------------------------------------------------------------
class TestLists:
    def test_quotation_list_is_scoped_and_shows_create_for_quoters(self, cast, client_as, draft, carol_customer, pump):
        cast.carol.profile.may_quote = True
        cast.carol.profile.save()
        other = services.quotation_create(actor=cast.carol, customer=carol_customer, data={}, lines=[line(pump)])

        page = html(client_as(cast.alice).get(reverse("contracts:quotation_list")))
        assert f'data-quotation-id="{draft.pk}"' in page and f'data-quotation-id="{other.pk}"' not in page
        assert 'data-testid="quotation-create"' in page and "11,300.00" in page
        page = html(client_as(cast.bob).get(reverse("contracts:quotation_list")))
        assert 'data-testid="quotation-create"' not in page

    def test_search_status_and_date_filters(self, cast, client_as, quoting_alice, make_quotation):
        first = make_quotation(quoting_alice, project_name="老厂改造")
        second = make_quotation(quoting_alice, project_name="新厂房")
        services.quotation_submit(quotation=second, actor=quoting_alice)
        client = client_as(cast.alice)
        url = reverse("contracts:quotation_list")
        for params, wanted in (
            ({"q": "老厂"}, first),
            ({"status": "in_review"}, second),
            ({"q": second.number}, second),
        ):
            page = html(client.get(url, params))
            assert page.count('data-testid="quotation-row"') == 1 and f'data-quotation-id="{wanted.pk}"' in page, params
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        assert html(client.get(url, {"quote_date_from": tomorrow})).count('data-testid="quotation-row"') == 0
        assert (
            html(client.get(url, {"ordering": "-amount_incl", "quote_date_to": tomorrow})).count('data-testid="quotation-row"')
            == 2
        )

    def test_invalid_filter_values_are_shown_under_the_field_and_list_nothing(self, cast, client_as, draft, contract):
        # given alice sees a quotation and a contract
        client = client_as(cast.alice)
        for url, params in (
            (reverse("contracts:quotation_list"), {"quote_date_from": "2024-13-01"}),
            (reverse("contracts:quotation_list"), {"status": "approved-ish"}),
            (reverse("contracts:quotation_list"), {"ordering": "-secret_field"}),
            (reverse("contracts:contract_list"), {"classification": "urgent"}),
            (reverse("contracts:contract_list"), {"owner": "alice"}),
        ):
            # when a filter value is malformed or unknown
            response = client.get(url, params)
            page = html(response)
            # then the page says so (400) in the shared filter bar and lists nothing, rather than ignoring it
            assert response.status_code == 400, params
            assert 'data-testid="list-filters"' in page and 'data-testid="filter-errors"' in page, params
            assert 'data-testid="quotation-row"' not in page and 'data-testid="contract-row"' not in page, params

    def test_the_page_and_the_api_take_the_same_filter_parameters(
        self, cast, client_as, api_as, quoting_alice, make_quotation, customer, pump
    ):
        # given three quotations of alice, one valid only a week
        today = timezone.localdate()
        small = make_quotation(quoting_alice, lines=[line(pump, quantity="1")])
        big = make_quotation(quoting_alice, lines=[line(pump, quantity="50")])
        make_quotation(quoting_alice, valid_until=today + timedelta(days=7))
        params = {
            "valid_until_from": (today + timedelta(days=20)).isoformat(),
            "customer": customer.pk,
            "owner": cast.alice.pk,
            "ordering": "-amount_incl",
        }
        # when the page and the API are asked with the same parameters
        page = html(client_as(quoting_alice).get(reverse("contracts:quotation_list"), params))
        body = api_as(quoting_alice).get("/api/v1/quotations/", params).json()
        # then both list the same quotations in the same order
        on_page = [int(pk) for pk in re.findall(r'data-quotation-id="(\d+)"', page)]
        assert on_page == [row["id"] for row in body["results"]] == [big.pk, small.pk]

    def test_pagination(self, cast, client_as, quoting_alice, make_quotation):
        for _ in range(27):
            make_quotation(quoting_alice)
        client = client_as(cast.alice)
        assert html(client.get(reverse("contracts:quotation_list"))).count('data-testid="quotation-row"') == 25
        assert html(client.get(reverse("contracts:quotation_list"), {"page": 2})).count('data-testid="quotation-row"') == 2

    def test_contract_list_is_scoped_and_filters_by_class(self, cast, client_as, contract, customer, pump, new_valve):
        special = services.contract_create(
            actor=cast.alice, customer=customer, data={}, lines=[line(new_valve, quantity="1", unit_price="100")]
        )
        page = html(client_as(cast.alice).get(reverse("contracts:contract_list")))
        assert page.count('data-testid="contract-row"') == 2 and 'data-testid="contract-create"' in page
        page = html(client_as(cast.alice).get(reverse("contracts:contract_list"), {"classification": "special"}))
        assert page.count('data-testid="contract-row"') == 1 and f'data-contract-id="{special.pk}"' in page
        assert 'data-testid="contract-row"' not in html(client_as(cast.carol).get(reverse("contracts:contract_list")))
        # reviewers see every contract
        assert html(client_as(cast.rev_finance).get(reverse("contracts:contract_list"))).count('data-testid="contract-row"') == 2

    def test_invisible_documents_are_404(self, cast, client_as, draft, contract):
        client = client_as(cast.carol)
        for name, pk in (
            ("contracts:quotation_detail", draft.pk),
            ("contracts:quotation_edit", draft.pk),
            ("contracts:contract_detail", contract.pk),
            ("contracts:contract_edit", contract.pk),
            ("contracts:contract_change", contract.pk),
        ):
            assert client.get(reverse(name, args=[pk])).status_code == 404, name
        response = client.post(reverse("contracts:quotation_action", args=[draft.pk, "submit"]))
        assert response.status_code == 404 and fresh(draft).status == Quotation.Status.DRAFT

    def test_nav_menu(self, cast, client_as, quoting_alice):
        page = html(client_as(quoting_alice).get(reverse("contracts:contract_list")))
        assert 'data-testid="nav-quotations"' in page and 'data-testid="nav-quotation-create"' in page
        page = html(client_as(cast.bob).get(reverse("contracts:contract_list")))
        assert 'data-testid="nav-contracts"' in page and 'data-testid="nav-quotation-create"' not in page
        # a department reviewer judges contracts and reads no quotation: no 报价单 that always lists nothing
        page = html(client_as(cast.rev_technical).get(reverse("contracts:contract_list")))
        assert 'data-testid="nav-contracts"' in page and 'data-testid="nav-quotations"' not in page


# --- quotation forms ----------------------------------------------------------------------------------------------
class TestQuotationForm:
    def test_create_with_lines_exact_totals(self, cast, client_as, quoting_alice, customer, pump):
        client = client_as(quoting_alice)
        page = html(client.get(reverse("contracts:quotation_create"), {"customer": customer.pk}))
        assert 'data-testid="line-form"' in page and 'name="lines-TOTAL_FORMS"' in page

        data = {
            **header_data(customer),
            **lines_data(
                {"product": pump.pk, "quantity": "10"},
                {"name": "安装调试", "unit": "项", "quantity": "1", "unit_price": "500", "tax_percent": "6"},
                {},  # the empty extra row is ignored
            ),
        }
        response = client.post(reverse("contracts:quotation_create"), data)

        q = Quotation.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("contracts:quotation_detail", args=[q.pk])
        assert q.lines.count() == 2 and q.project_name == "二期改造"
        assert (q.amount_incl, q.tax_amount) == (D("11800.00"), D("1328.30"))
        assert q.lines.get(line_no=1).unit_price == D("1130.00")

    def test_bad_line_rerenders_with_the_chinese_message_and_saves_nothing(self, client_as, quoting_alice, customer, pump):
        data = {**header_data(customer), **lines_data({"product": pump.pk, "quantity": "0"})}
        response = client_as(quoting_alice).post(reverse("contracts:quotation_create"), data)
        assert response.status_code == 400
        # the message is on the quantity cell of the line
        assert re.search(r'data-testid="cell-error-quantity">数量必须大于 0', html(response))
        assert not Quotation.objects.exists() and not QuotationLine.objects.exists()

    def test_a_rep_who_may_not_quote_gets_403(self, cast, client_as, customer, pump):
        client = client_as(cast.alice)
        response = client.get(reverse("contracts:quotation_create"))
        assert response.status_code == 403 and "您没有报价权限" in html(response)
        response = client.post(reverse("contracts:quotation_create"), {**header_data(customer), **lines_data(line(pump))})
        assert response.status_code == 403 and "您没有报价权限" in html(response)
        assert not Quotation.objects.exists()

    def test_edit_keeps_unchanged_lines_and_deletes_marked_ones(self, client_as, quoting_alice, customer, pump, make_quotation):
        q = make_quotation(quoting_alice, lines=[line(pump), line(pump, quantity="2")])
        client = client_as(quoting_alice)
        page = html(client.get(reverse("contracts:quotation_edit", args=[q.pk])))
        assert page.count('data-testid="line-form"') == 4  # two lines, one empty row, the template row

        first, second = q.lines.all()
        rows = [
            {"product": pump.pk, "name": first.name, "unit": first.unit, "quantity": "10", "unit_price": "1130.00"},
            {"product": pump.pk, "name": second.name, "quantity": "2", "unit_price": "1130.00", "DELETE": "on"},
            {"name": "运费", "quantity": "1", "unit_price": "200"},
        ]
        response = client.post(
            reverse("contracts:quotation_edit", args=[q.pk]), {**header_data(customer), **lines_data(*rows, initial=2)}
        )
        assert response.status_code == 302
        q = fresh(q)
        assert [ln.name for ln in q.lines.all()] == ["增压泵", "运费"] and q.amount_incl == D("11500.00")

    def test_a_submitted_quotation_cannot_be_edited(self, client_as, quoting_alice, draft):
        services.quotation_submit(quotation=draft, actor=quoting_alice)
        response = client_as(quoting_alice).get(reverse("contracts:quotation_edit", args=[draft.pk]))
        assert response.status_code == 302


# --- quotation detail and actions ---------------------------------------------------------------------------------
class TestQuotationDetail:
    def test_detail_shows_lines_totals_route_and_buttons(self, client_as, quoting_alice, draft):
        page = html(client_as(quoting_alice).get(reverse("contracts:quotation_detail", args=[draft.pk])))
        assert "11,300.00" in page and "壹万壹仟叁佰元整" in page
        assert "提交后依次经过：" in page and 'data-testid="approval-route"' in page
        for testid in ("action-edit", "action-submit", "action-cancel", "download-pdf", "download-xlsx", "timeline"):
            assert f'data-testid="{testid}"' in page, testid
        assert 'data-testid="action-send"' not in page and 'data-testid="action-withdraw"' not in page

    def test_buttons_follow_the_allowed_actions(self, cast, client_as, draft):
        # bob (same team, not the owner) does not see alice's customers
        assert client_as(cast.bob).get(reverse("contracts:quotation_detail", args=[draft.pk])).status_code == 404
        # the team lead sees it but does not work on it: no buttons
        page = html(client_as(cast.lena).get(reverse("contracts:quotation_detail", args=[draft.pk])))
        assert 'data-testid="action-submit"' not in page and 'data-testid="action-edit"' not in page
        # managers work on every document
        page = html(client_as(cast.manager).get(reverse("contracts:quotation_detail", args=[draft.pk])))
        assert 'data-testid="action-submit"' in page
        # alice, once her right to quote is revoked, may not submit but may still cancel her draft
        cast.alice.profile.may_quote = False
        cast.alice.profile.save()
        page = html(client_as(cast.alice).get(reverse("contracts:quotation_detail", args=[draft.pk])))
        assert 'data-testid="action-submit"' not in page and 'data-testid="action-cancel"' in page

    @pytest.mark.parametrize("who", ["quoting_alice", "manager", "lena"])
    def test_the_buttons_are_the_allowed_actions_the_api_gives(self, cast, client_as, api_as, quoting_alice, draft, who):
        # given a draft quotation, seen by its owner, a manager and the team lead
        user = quoting_alice if who == "quoting_alice" else getattr(cast, who)
        # when each opens its page and asks the API
        page = html(client_as(user).get(reverse("contracts:quotation_detail", args=[draft.pk])))
        allowed = api_as(user).get(f"/api/v1/quotations/{draft.pk}/").json()["allowed_actions"]
        # then the page shows a button for exactly the actions the API allows (one source: contracts.permissions)
        assert page_actions(page) == set(allowed)

    def test_submit_then_repeated_submit_is_409(self, cast, client_as, quoting_alice, draft):
        client = client_as(quoting_alice)
        url = reverse("contracts:quotation_action", args=[draft.pk, "submit"])
        response = client.post(url)
        assert response.status_code == 302 and fresh(draft).status == Quotation.Status.IN_REVIEW

        response = client.post(url)
        assert response.status_code == 409 and "不能执行" in html(response)
        assert fresh(draft).status == Quotation.Status.IN_REVIEW

        page = html(client.get(reverse("contracts:quotation_detail", args=[draft.pk])))
        assert 'data-testid="action-withdraw"' in page and 'data-testid="approval-step"' in page
        page = html(client_as(cast.manager).get(reverse("contracts:quotation_detail", args=[draft.pk])))
        assert 'data-testid="approval-step"' in page

    def test_full_path_send_accept_and_create_contract(self, cast, client_as, quoting_alice, draft):
        client = client_as(quoting_alice)
        client.post(reverse("contracts:quotation_action", args=[draft.pk, "submit"]))
        decide(draft, services.QUOTATION_KIND, cast.manager)
        for action, status in (("send", Quotation.Status.SENT), ("accept", Quotation.Status.ACCEPTED)):
            assert client.post(reverse("contracts:quotation_action", args=[draft.pk, action])).status_code == 302
            assert fresh(draft).status == status
        page = html(client.get(reverse("contracts:quotation_detail", args=[draft.pk])))
        assert 'data-testid="action-create_contract"' in page
        response = client.post(reverse("contracts:quotation_action", args=[draft.pk, "create_contract"]))
        contract = Contract.objects.get()
        assert response["Location"] == reverse("contracts:contract_detail", args=[contract.pk]) and contract.quotation == draft

    def test_reject_needs_a_reason(self, cast, client_as, quoting_alice, draft):
        client = client_as(quoting_alice)
        client.post(reverse("contracts:quotation_action", args=[draft.pk, "submit"]))
        decide(draft, services.QUOTATION_KIND, cast.manager)
        client.post(reverse("contracts:quotation_action", args=[draft.pk, "send"]))
        response = client.post(reverse("contracts:quotation_action", args=[draft.pk, "reject"]), {"reason": ""})
        assert response.status_code == 400 and "请填写客户拒绝的原因" in html(response)
        assert fresh(draft).status == Quotation.Status.SENT
        client.post(reverse("contracts:quotation_action", args=[draft.pk, "reject"]), {"reason": "价格太高"})
        assert fresh(draft).status == Quotation.Status.REJECTED and fresh(draft).close_reason == "价格太高"

    def test_revise_redirects_to_the_new_version_listed_with_the_old(self, cast, client_as, quoting_alice, draft):
        client = client_as(quoting_alice)
        client.post(reverse("contracts:quotation_action", args=[draft.pk, "submit"]))
        decide(draft, services.QUOTATION_KIND, cast.manager)
        response = client.post(reverse("contracts:quotation_action", args=[draft.pk, "revise"]))
        new = Quotation.objects.get(version=2)
        assert response["Location"] == reverse("contracts:quotation_detail", args=[new.pk])
        page = html(client.get(response["Location"]))
        assert page.count('data-testid="version-row"') == 2

    def test_unknown_action_is_404(self, client_as, quoting_alice, draft):
        assert client_as(quoting_alice).post(reverse("contracts:quotation_action", args=[draft.pk, "approve"])).status_code == 404


# --- contracts ----------------------------------------------------------------------------------------------------
class TestContractForm:
    def test_direct_create_with_line_delivery_date(self, cast, client_as, customer, pump):
        page = html(client_as(cast.alice).get(reverse("contracts:contract_create"), {"customer": customer.pk}))
        assert 'data-testid="contract-form"' in page and 'name="lines-0-delivery_date"' in page
        delivery = (timezone.localdate() + timedelta(days=20)).isoformat()
        data = {
            **contract_header(customer, quality_terms="按国标验收"),
            **lines_data({"product": pump.pk, "quantity": "10", "delivery_date": delivery}),
        }
        response = client_as(cast.alice).post(reverse("contracts:contract_create") + f"?customer={customer.pk}", data)
        c = Contract.objects.get()
        assert response.status_code == 302 and c.amount_incl == D("11300.00") and c.quality_terms == "按国标验收"
        assert c.lines.get().delivery_date.isoformat() == delivery

    def test_rep_cannot_create_for_an_invisible_customer(self, cast, client_as, carol_customer, pump):
        response = client_as(cast.alice).post(
            reverse("contracts:contract_create"), {**contract_header(carol_customer), **lines_data(line(pump))}
        )
        assert response.status_code == 400 and not Contract.objects.exists()
        assert client_as(cast.alice).get(reverse("contracts:contract_create"), {"customer": carol_customer.pk}).status_code == 404

    def test_edit_keeps_the_quotation_line_link(self, cast, client_as, accepted_quotation, customer):
        c = services.contract_create_from_quotation(quotation=accepted_quotation, actor=cast.alice)
        ln = c.lines.get()
        client = client_as(cast.alice)
        page = html(client.get(reverse("contracts:contract_edit", args=[c.pk])))
        assert f'name="lines-0-quotation_line" value="{ln.quotation_line_id}"' in page
        row = {
            "product": ln.product_id,
            "name": ln.name,
            "quantity": "12",
            "unit_price": "1130.00",
            "quotation_line": ln.quotation_line_id,
        }
        response = client.post(
            reverse("contracts:contract_edit", args=[c.pk]), {**contract_header(customer), **lines_data(row, initial=1)}
        )
        assert response.status_code == 302
        assert fresh(c).lines.get().quotation_line_id == ln.quotation_line_id
        page = html(client.get(reverse("contracts:contract_detail", args=[c.pk])))
        # only the quantity differs (the line is matched to its quotation line, not "added")
        assert page.count('data-testid="difference-row"') == 1 and "新增明细" not in page


class TestContractDetail:
    @pytest.mark.parametrize("who", ["alice", "manager", "rev_technical"])
    def test_the_buttons_are_the_allowed_actions_the_api_gives(self, cast, client_as, api_as, contract, who):
        user = getattr(cast, who)
        page = html(client_as(user).get(reverse("contracts:contract_detail", args=[contract.pk])))
        allowed = api_as(user).get(f"/api/v1/contracts/{contract.pk}/").json()["allowed_actions"]
        assert page_actions(page) == set(allowed)
        assert ("upgrade" in allowed) == (who == "manager")

    def test_classification_reasons_and_pending_reviewers(self, cast, client_as, customer, pump, new_valve):
        c = services.contract_create(
            actor=cast.alice,
            customer=customer,
            data={},
            lines=[line(pump), line(new_valve, quantity="2", unit_price="5000")],
        )
        client = client_as(cast.alice)
        page = html(client.get(reverse("contracts:contract_detail", args=[c.pk])))
        assert 'data-classification="special"' in page and "新产品开发/定制品未生产过" in page and "定制阀门" in page
        fill_review(c, cast.alice)
        assert client.post(reverse("contracts:contract_action", args=[c.pk, "submit"])).status_code == 302
        page = html(client.get(reverse("contracts:contract_detail", args=[c.pk])))
        assert 'data-testid="pending-reviewers"' in page and page.count('data-testid="pending-reviewer"') == 3
        assert "技术" in page and 'data-testid="action-withdraw"' in page
        # a department reviewer sees the contract and a decide form on their own step
        page = html(client_as(cast.rev_technical).get(reverse("contracts:contract_detail", args=[c.pk])))
        assert 'data-testid="approval-step"' in page and 'data-testid="action-submit"' not in page

    def test_submit_without_review_form_is_refused_and_repeated_submit_is_409(self, cast, client_as, contract):
        client = client_as(cast.alice)
        url = reverse("contracts:contract_action", args=[contract.pk, "submit"])
        # not a dead end: the user is taken to the review sheet with what is missing, and nothing is submitted
        response = client.post(url, follow=True)
        assert response.redirect_chain[-1][0] == reverse("contracts:contract_review", args=[contract.pk])
        assert "请先完成合同评审单" in html(response) and fresh(contract).status == Contract.Status.DRAFT
        fill_review(contract, cast.alice)
        assert client.post(url).status_code == 302 and fresh(contract).status == Contract.Status.IN_REVIEW
        response = client.post(url)
        assert response.status_code == 409 and fresh(contract).status == Contract.Status.IN_REVIEW

    def test_review_form_save(self, cast, client_as, contract):
        client = client_as(cast.alice)
        assert 'data-testid="review-form"' in html(client.get(reverse("contracts:contract_review", args=[contract.pk])))
        response = client.post(
            reverse("contracts:contract_review", args=[contract.pk]),
            {"explicit_requirements": "按图纸生产", "capability_confirmed": "on"},
        )
        assert response.status_code == 302
        review = fresh(contract).review
        assert review.explicit_requirements == "按图纸生产" and review.capability_confirmed
        assert "按图纸生产" in html(client.get(reverse("contracts:contract_detail", args=[contract.pk])))
        # another rep of the team may see nothing; the team lead sees but may not fill it
        assert client_as(cast.lena).post(reverse("contracts:contract_review", args=[contract.pk]), {}).status_code == 403

    def test_upgrade_only_for_managers(self, cast, client_as, contract):
        page = html(client_as(cast.alice).get(reverse("contracts:contract_detail", args=[contract.pk])))
        assert 'data-testid="action-upgrade"' not in page
        client = client_as(cast.manager)
        assert 'data-testid="action-upgrade"' in html(client.get(reverse("contracts:contract_detail", args=[contract.pk])))
        client.post(reverse("contracts:contract_upgrade", args=[contract.pk]), {"reason": "新客户大额订单"})
        c = fresh(contract)
        assert c.is_special and c.upgrade_reason == "新客户大额订单"
        assert 'data-testid="upgrade-info"' in html(client.get(reverse("contracts:contract_detail", args=[c.pk])))

    def test_sign_with_an_uploaded_pdf_then_activate(self, cast, client_as, contract):
        fill_review(contract, cast.alice)
        services.contract_submit(contract=contract, actor=cast.alice)
        decide(contract, services.CONTRACT_KIND, cast.manager)
        client = client_as(cast.alice)
        page = html(client.get(reverse("contracts:contract_detail", args=[contract.pk])))
        assert 'data-testid="action-sign"' in page
        sign_page = client.get(reverse("contracts:contract_sign", args=[contract.pk]))
        assert 'enctype="multipart/form-data"' in html(sign_page)
        assert sign_page.context["form"].fields["scan"].required  # marked *, as the service requires it

        response = client.post(reverse("contracts:contract_sign", args=[contract.pk]), {"signed_on": ""})
        assert response.status_code == 400 and response.context["form"].errors["scan"] == ["请上传签字盖章的合同扫描件。"]

        scan = SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf")
        response = client.post(
            reverse("contracts:contract_sign", args=[contract.pk]),
            {"signed_on": timezone.localdate().isoformat(), "scan": scan},
        )
        assert response.status_code == 302 and fresh(contract).status == Contract.Status.SIGNED
        client.post(reverse("contracts:contract_action", args=[contract.pk, "activate"]))
        assert fresh(contract).status == Contract.Status.ACTIVE

    def test_signing_date_before_the_contract_date_is_refused(self, cast, client_as, contract):
        # given an approved contract dated today; when alice records it as signed on 2020-01-01
        fill_review(contract, cast.alice)
        services.contract_submit(contract=contract, actor=cast.alice)
        decide(contract, services.CONTRACT_KIND, cast.manager)
        scan = SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf")
        response = client_as(cast.alice).post(
            reverse("contracts:contract_sign", args=[contract.pk]), {"signed_on": "2020-01-01", "scan": scan}
        )
        # then the page says why and the contract is not signed
        expected = f"签订日期不能早于合同日期（{timezone.localdate()}）"
        assert response.status_code == 400 and expected in html(response)
        assert fresh(contract).status == Contract.Status.APPROVED and fresh(contract).signed_on is None

    def test_terminate_needs_a_reason(self, cast, client_as, signed):
        client = client_as(cast.alice)
        response = client.post(reverse("contracts:contract_action", args=[signed.pk, "terminate"]), {"reason": ""})
        assert response.status_code == 400 and fresh(signed).status == Contract.Status.SIGNED
        client.post(reverse("contracts:contract_action", args=[signed.pk, "terminate"]), {"reason": "客户破产"})
        assert fresh(signed).status == Contract.Status.TERMINATED


class TestChangeRequest:
    def test_change_form_sends_only_changed_values(self, cast, client_as, signed):
        client = client_as(cast.alice)
        assert 'data-testid="action-request-change"' in html(client.get(reverse("contracts:contract_detail", args=[signed.pk])))
        page = html(client.get(reverse("contracts:contract_change", args=[signed.pk])))
        assert 'data-testid="change-line-form"' in page
        ln = signed.lines.get()
        data = {
            "reason": "客户追加",
            "delivery_date": "",
            "payment_terms": signed.payment_terms,
            "deposit_rate": plain(signed.deposit_rate * 100),  # typed as a percentage
            "credit_days": str(signed.credit_days),
            "payment_terms_text": "",
            "delivery_terms": "",
            "quality_terms": "",
            "other_terms": "",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-MIN_NUM_FORMS": "0",
            "lines-MAX_NUM_FORMS": "1000",
            "lines-0-line_id": str(ln.pk),
            "lines-0-quantity": "15",
            "lines-0-unit_price": str(ln.unit_price),
            "lines-0-discount_percent": plain(ln.discount_rate * 100),  # typed as a percentage
            "lines-0-delivery_date": "",
        }
        response = client.post(reverse("contracts:contract_change", args=[signed.pk]), data)
        assert response.status_code == 302
        change = ContractChange.objects.get()
        assert change.header_changes == {} and change.line_changes == [
            {"line_id": ln.pk, "name": ln.name, "quantity": ["10.000", "15"]}
        ]
        assert change.departments == ["production", "procurement"]

        page = html(client.get(reverse("contracts:contract_detail", args=[signed.pk])))
        assert 'data-testid="pending-change"' in page and "客户追加" in page and 'data-testid="action-change-withdraw"' in page
        assert 'data-testid="action-request-change"' not in page

        client.post(reverse("contracts:contract_change_withdraw", args=[signed.pk]))
        assert fresh(change).status == ContractChange.Status.WITHDRAWN

    @staticmethod
    def unchanged_form(signed, reason: str) -> dict:
        """The change form of `signed` as it opens: its terms and its one line as they are, and a reason."""
        ln = signed.lines.get()
        return {
            "reason": reason,
            "payment_terms": signed.payment_terms,
            "deposit_rate": plain(signed.deposit_rate * 100),  # typed as a percentage
            "credit_days": str(signed.credit_days),
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "1",
            "lines-0-line_id": str(ln.pk),
            "lines-0-quantity": str(ln.quantity),
            "lines-0-unit_price": str(ln.unit_price),
            "lines-0-discount_percent": plain(ln.discount_rate * 100),  # typed as a percentage
        }

    def test_nothing_changed_is_refused(self, cast, client_as, signed):
        data = self.unchanged_form(signed, "试一下")
        response = client_as(cast.alice).post(reverse("contracts:contract_change", args=[signed.pk]), data)
        assert response.status_code == 400 and "没有任何变更内容" in html(response)
        assert not ContractChange.objects.exists()

    def test_wrong_values_are_refused_on_the_page_naming_the_field(self, cast, client_as, signed):
        base = self.unchanged_form(signed, "调整条款")
        client = client_as(cast.alice)
        url = reverse("contracts:contract_change", args=[signed.pk])
        # a 500 % deposit and 99,999 credit days: each field says what is wrong (the model's validators)
        page = client.post(url, {**base, "deposit_rate": "500", "credit_days": "99999"})
        text = html(page)
        assert page.status_code == 400 and 'id="error_1_id_deposit_rate"' in text and 'id="error_1_id_credit_days"' in text
        # a line delivery date in the past: the service's message
        page = client.post(url, {**base, "lines-0-delivery_date": "2020-01-01"})
        assert page.status_code == 400 and "增压泵：交货日期不能早于今天" in html(page)
        page = client.post(url, {**base, "payment_terms": "weird"})
        assert page.status_code == 400 and 'id="error_1_id_payment_terms"' in html(page)
        assert not ContractChange.objects.exists() and fresh(signed).deposit_rate == signed.deposit_rate

    def test_approved_change_makes_a_readable_version(self, cast, client_as, signed):
        services.contract_change_request(
            contract=signed, actor=cast.alice, reason="客户追加", header={}, lines={signed.lines.get().pk: {"quantity": "15"}}
        )
        for who in (cast.rev_production, cast.rev_procurement, cast.manager):
            decide(signed, services.CHANGE_KIND, who)
        client = client_as(cast.alice)
        page = html(client.get(reverse("contracts:contract_detail", args=[signed.pk])))
        assert 'data-testid="version-row"' in page
        page = html(client.get(reverse("contracts:contract_version", args=[signed.pk, 1])))
        assert "11,300.00" in page and 'data-testid="line-row"' in page


class TestCustomerPage:
    def test_customer_page_lists_the_visible_documents_with_create_buttons(self, cast, client_as, quoting_alice, draft, contract):
        page = html(client_as(quoting_alice).get(reverse("customers:detail", args=[draft.customer.pk])))
        assert 'data-testid="customer-documents"' in page and draft.number in page and contract.number in page
        assert 'data-testid="customer-quotation-create"' in page and 'data-testid="customer-contract-create"' in page
        # the team lead sees the customer and its documents but may not quote
        page = html(client_as(cast.lena).get(reverse("customers:detail", args=[draft.customer.pk])))
        assert draft.number in page and 'data-testid="customer-quotation-create"' not in page
