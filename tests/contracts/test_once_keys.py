"""A resent 新建报价单 / 新建合同 (the browser's resend, a reload of the answer to the POST, a retry after a network error) or
an API POST with the same Idempotency-Key made a second document. Now each create is one document per submission
(salesops.core.once, ARCHITECTURE.md rule 1): the page's hidden once_key, the API's Idempotency-Key header."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse

from contracts import services
from contracts.models import Contract, Quotation
from salesops.core.errors import Conflict, DomainError
from salesops.core.models import Event
from salesops.core.once import Replayed
from tests.contracts.conftest import decide, line
from tests.contracts.test_views import contract_header, header_data, lines_data

pytestmark = pytest.mark.django_db

KEY = re.compile(r'name="once_key" value="([0-9a-f-]{36})"')


def key_in(html: str) -> str:
    return KEY.search(html).group(1)


def said(response) -> str:
    """The last message the page shows (the first answer's message may be still waiting: it was not followed)."""
    return [str(m) for m in response.context["messages"]][-1]


# --- the pages: the same form twice makes one document; the second answer goes to it, saying so ---------------------
class TestResentPages:
    def test_a_quotation(self, client_as, quoting_alice, customer, pump):
        # given the new-quotation page drawn once
        client = client_as(quoting_alice)
        url = reverse("contracts:quotation_create")
        key = key_in(client.get(url, {"customer": customer.pk}).content.decode())
        form = {**header_data(customer), **lines_data({"product": pump.pk, "quantity": "10"}), "once_key": key}
        # when it is posted twice
        first = client.post(url, form)
        again = client.post(url, form, follow=True)
        # then there is one quotation and the second answer goes to it, saying so
        q = Quotation.objects.get()
        assert first.status_code == 302 and first.url == reverse("contracts:quotation_detail", args=[q.pk])
        assert again.redirect_chain[-1][0] == reverse("contracts:quotation_detail", args=[q.pk])
        assert said(again) == f"这份报价单已经提交过，已保存为报价单 {q.number}，没有重复新建。"
        assert q.once_key == uuid.UUID(key) and q.lines.count() == 1
        # the form drawn again is another submission
        assert key_in(client.get(url).content.decode()) != key

    def test_a_contract(self, cast, client_as, customer, pump):
        client = client_as(cast.alice)
        url = reverse("contracts:contract_create")
        key = key_in(client.get(url, {"customer": customer.pk}).content.decode())
        form = {**contract_header(customer), **lines_data({"product": pump.pk, "quantity": "10"}), "once_key": key}
        first = client.post(url, form)
        again = client.post(url, form, follow=True)
        c = Contract.objects.get()
        assert first.status_code == 302 and first.url == reverse("contracts:contract_detail", args=[c.pk])
        assert again.redirect_chain[-1][0] == reverse("contracts:contract_detail", args=[c.pk])
        assert said(again) == f"这份合同已经提交过，已保存为合同 {c.number}，没有重复新建。"
        assert c.once_key == uuid.UUID(key) and c.lines.count() == 1
        assert key_in(client.get(url).content.decode()) != key

    def test_a_form_that_failed_keeps_its_key_and_saves_once(self, client_as, quoting_alice, customer, pump):
        """The page re-drawn after an error carries the key it was posted with: correcting it and saving is the same
        submission, so a resend of the corrected form still makes nothing."""
        client = client_as(quoting_alice)
        url = reverse("contracts:quotation_create")
        key = key_in(client.get(url).content.decode())
        failed = client.post(url, {**header_data(customer), **lines_data({"product": pump.pk, "quantity": "0"}), "once_key": key})
        assert failed.status_code == 400 and key_in(failed.content.decode()) == key
        form = {**header_data(customer), **lines_data({"product": pump.pk, "quantity": "10"}), "once_key": key}
        client.post(url, form)
        client.post(url, form)
        assert Quotation.objects.count() == 1

    def test_the_edit_pages_have_no_key(self, cast, client_as, quoting_alice, make_quotation, customer, pump):
        q = make_quotation(quoting_alice)
        assert (
            'name="once_key"'
            not in client_as(quoting_alice).get(reverse("contracts:quotation_edit", args=[q.pk])).content.decode()
        )
        c = services.contract_create(actor=cast.alice, customer=customer, data={}, lines=[line(pump)])
        assert (
            'name="once_key"' not in client_as(cast.alice).get(reverse("contracts:contract_edit", args=[c.pk])).content.decode()
        )


# --- the API: the same Idempotency-Key twice is 201 then 200 with the same document; someone else's key is refused ----
def post(api, url, body, key=None):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api.post(url, body, format="json", **extra)


def check_replay(first, again, other):
    assert (first.status_code, again.status_code) == (201, 200), (first.json(), again.json())
    assert first.json()["id"] == again.json()["id"] and first.json()["number"] == again.json()["number"]
    assert other.status_code == 400 and "提交编号已被使用" in other.json()["detail"], other.json()


class TestApiReplays:
    def test_quotations(self, cast, api_as, quoting_alice, customer, pump):
        key, url, body = str(uuid.uuid4()), "/api/v1/quotations/", {"customer": customer.pk, "lines": [line(pump)]}
        first, again = post(api_as(quoting_alice), url, body, key), post(api_as(quoting_alice), url, body, key)
        other = post(api_as(cast.manager), url, body, key)
        check_replay(first, again, other)
        assert Quotation.objects.count() == 1
        # no key: every POST is a new quotation, as before; a key that is no UUID is refused
        assert post(api_as(quoting_alice), url, body).status_code == 201
        assert post(api_as(quoting_alice), url, body, "x").status_code == 400 and Quotation.objects.count() == 2

    def test_contracts(self, cast, api_as, customer, pump):
        key, url, body = str(uuid.uuid4()), "/api/v1/contracts/", {"customer": customer.pk, "lines": [line(pump)]}
        first, again = post(api_as(cast.alice), url, body, key), post(api_as(cast.alice), url, body, key)
        other = post(api_as(cast.manager), url, body, key)
        check_replay(first, again, other)
        assert Contract.objects.count() == 1 and Contract.objects.get().created_by == cast.alice


# --- the services: a replay raises Replayed with the first document and writes nothing (no second event either) ------
def test_a_replayed_contract_writes_no_second_event(cast, customer, pump):
    key = uuid.uuid4()
    first = services.contract_create(actor=cast.alice, customer=customer, data={"once_key": key}, lines=[line(pump)])
    events = Event.objects.count()
    with pytest.raises(Replayed) as replay:
        services.contract_create(actor=cast.alice, customer=customer, data={"once_key": key}, lines=[line(pump)])
    assert replay.value.obj == first and Contract.objects.count() == 1 and Event.objects.count() == events


def test_someone_elses_key_never_reaches_their_document(cast, quoting_alice, customer, pump):
    key = uuid.uuid4()
    services.quotation_create(actor=quoting_alice, customer=customer, data={"once_key": key}, lines=[line(pump)])
    with pytest.raises(DomainError, match="提交编号已被使用") as refused:
        services.quotation_create(actor=cast.manager, customer=customer, data={"once_key": key}, lines=[line(pump)])
    assert not isinstance(refused.value, Conflict) and Quotation.objects.count() == 1


# --- the same key with another request: refused (409), nothing made — never the first document for a second request --
class TestKeyWithAnotherRequest:
    def test_the_api_answers_201_then_200_then_409(self, api_as, quoting_alice, customer, pump):
        # given a quotation made with a key, and the same request sent again
        key, url = str(uuid.uuid4()), "/api/v1/quotations/"
        body = {"customer": customer.pk, "lines": [line(pump)]}
        first, again = post(api_as(quoting_alice), url, body, key), post(api_as(quoting_alice), url, body, key)
        assert (first.status_code, again.status_code) == (201, 200) and first.json()["id"] == again.json()["id"]
        # when the key comes with other lines
        other = post(api_as(quoting_alice), url, {**body, "lines": [line(pump, quantity="11")]}, key)
        # then it is refused and no second quotation is made
        assert other.status_code == 409, other.json()
        assert other.json()["detail"] == "该提交编号已用于另一份不同的内容，请刷新页面后重新提交。"
        assert Quotation.objects.count() == 1 and Quotation.objects.get().lines.get().quantity == 10

    def test_a_resent_form_with_changed_data_is_refused_on_the_page(self, client_as, quoting_alice, customer, pump):
        # given the new-quotation page drawn once and saved
        client = client_as(quoting_alice)
        url = reverse("contracts:quotation_create")
        key = key_in(client.get(url, {"customer": customer.pk}).content.decode())
        form = {**header_data(customer), **lines_data({"product": pump.pk, "quantity": "10"}), "once_key": key}
        assert client.post(url, form).status_code == 302
        # when the same form comes back with another quantity (Back, change, 保存)
        changed = client.post(url, {**form, **lines_data({"product": pump.pk, "quantity": "12"})})
        # then the page says so (409) and nothing more is made
        assert changed.status_code == 409
        assert "该提交编号已用于另一份不同的内容，请刷新页面后重新提交。" in changed.content.decode()
        assert Quotation.objects.count() == 1 and Quotation.objects.get().lines.get().quantity == 10


# --- 生成合同: a resent button goes to the contract it made, instead of 「该报价单已生成合同」 -------------------------------
def accepted(cast, quoting_alice, make_quotation):
    q = make_quotation(quoting_alice)
    services.quotation_submit(quotation=q, actor=quoting_alice)
    decide(q, services.QUOTATION_KIND, cast.manager)
    services.quotation_send(quotation=q, actor=quoting_alice)
    return services.quotation_accept(quotation=q, actor=quoting_alice)


class TestContractFromQuotation:
    def test_the_page_button_sent_again_goes_to_its_contract(self, client_as, quoting_alice, accepted_quotation):
        # given the accepted quotation's page, whose 生成合同 button carries a key
        client = client_as(quoting_alice)
        page = client.get(reverse("contracts:quotation_detail", args=[accepted_quotation.pk])).content.decode()
        key = key_in(page.split('data-testid="action-form-create_contract"', 1)[1])
        url = reverse("contracts:quotation_action", args=[accepted_quotation.pk, "create_contract"])
        # when it is posted twice
        first = client.post(url, {"once_key": key})
        again = client.post(url, {"once_key": key}, follow=True)
        # then one contract, and the second answer goes to it saying so (not 「该报价单已生成合同」, 409)
        c = Contract.objects.get()
        assert first.status_code == 302 and first.url == reverse("contracts:contract_detail", args=[c.pk])
        assert again.redirect_chain[-1][0] == reverse("contracts:contract_detail", args=[c.pk])
        assert said(again) == f"这份合同已经提交过，已保存为合同 {c.number}，没有重复新建。"
        assert c.quotation == accepted_quotation and c.once_key == uuid.UUID(key)
        # a new click (another key) is still refused: one contract per quotation
        refused = client.post(url, {"once_key": str(uuid.uuid4())})
        assert refused.status_code == 409 and Contract.objects.count() == 1

    def test_the_api_answers_201_then_200_then_409(self, cast, api_as, quoting_alice, make_quotation, accepted_quotation):
        key, url = str(uuid.uuid4()), f"/api/v1/quotations/{accepted_quotation.pk}/create-contract/"
        first, again = post(api_as(quoting_alice), url, {}, key), post(api_as(quoting_alice), url, {}, key)
        assert (first.status_code, again.status_code) == (201, 200), (first.json(), again.json())
        assert first.json()["id"] == again.json()["id"] and Contract.objects.count() == 1
        # without the key the quotation's contract is there already: 409, as before
        assert post(api_as(quoting_alice), url, {}).status_code == 409
        # the same key on another quotation is another request: refused, nothing made
        other = accepted(cast, quoting_alice, make_quotation)
        reused = post(api_as(quoting_alice), f"/api/v1/quotations/{other.pk}/create-contract/", {}, key)
        assert reused.status_code == 409 and "该提交编号已用于另一份不同的内容" in reused.json()["detail"]
        assert Contract.objects.count() == 1 and not other.contracts.exists()
        # someone else's key is refused
        assert post(api_as(cast.manager), url, {}, key).status_code == 400
