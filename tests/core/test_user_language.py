"""Each user's language (个人资料 → 语言, or the top bar's switch, which keeps it): pages follow it from the sign-in on, in
any browser, and what the system tells them — notifications on the page and in the API, their e-mail copies, the daily
digest — reads in the recipient's language, whichever language the person who caused it was using (ARCHITECTURE.md
rule 12). Text a user typed stays as typed."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext_lazy

from customers.models import Customer
from salesops.core.models import Notification, OutboxMessage, StaffProfile
from salesops.core.notifications import notify
from salesops.core.timeline import choice

from .test_views import messages_of

pytestmark = pytest.mark.django_db
PROFILE, NOTIFICATIONS = "/accounts/profile/", "/core/notifications/"


def choose(user, language: str) -> None:
    StaffProfile.objects.update_or_create(user=user, defaults={"language": language})


def in_english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def returned(number: str = "HT-202612-0001", **kwargs):
    """A message as a service sends one: a sentence of ours with its number, and a reason the user typed."""
    return notify(
        title=gettext_lazy("合同被退回：%(number)s"),
        body="价格需要重新确认",
        params={"number": number},
        url="/sales/contracts/1/",
        **kwargs,
    )


class TestNotificationsInTheReadersLanguage:
    def test_a_message_caused_in_english_reads_in_chinese_for_a_chinese_reader_and_in_english_for_an_english_one(
        self, cast, client_as, api_as
    ):
        # when a manager using the English pages sends a contract back to alice and bob
        with translation.override("en"):
            returned(recipients=[cast.alice, cast.bob])
        # then it is kept as the sentence and its number, its source text in Chinese
        n = Notification.objects.get(recipient=cast.alice)
        assert (n.title, n.title_msgid, n.params) == (
            "合同被退回：HT-202612-0001",
            "合同被退回：%(number)s",
            {"number": "HT-202612-0001"},
        )
        # alice reads Chinese, on the page and through the API
        assert "合同被退回：HT-202612-0001" in client_as(cast.alice).get(NOTIFICATIONS).content.decode()
        row = api_as(cast.alice).get("/api/v1/notifications/").json()["results"][0]
        assert (row["title"], row["body"]) == ("合同被退回：HT-202612-0001", "价格需要重新确认")
        # bob, on the English pages, reads English; the reason he was given stays as it was typed
        page = in_english(client_as(cast.bob)).get(NOTIFICATIONS).content.decode()
        assert "Contract returned: HT-202612-0001" in page and "合同被退回" not in page and "价格需要重新确认" in page
        row = api_as(cast.bob).get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
        assert (row["title"], row["body"]) == ("Contract returned: HT-202612-0001", "价格需要重新确认")

    def test_each_e_mail_copy_is_in_its_recipients_language(self, cast, mailoutbox, django_capture_on_commit_callbacks):
        choose(cast.bob, "en")
        with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
            returned(recipients=[cast.alice, cast.bob])
        mails = {m.to[0]: m for m in mailoutbox}
        alice, bob = mails["alice@example.com"], mails["bob@example.com"]
        assert alice.subject == "合同被退回：HT-202612-0001"
        assert alice.body.startswith("alice 您好：") and "查看详情：" in alice.body and "请勿直接回复" in alice.body
        assert bob.subject == "Contract returned: HT-202612-0001"
        assert bob.body.startswith("Dear bob,") and "价格需要重新确认" in bob.body and "Details: http" in bob.body
        assert "您好" not in bob.body and "查看详情" not in bob.body

    def test_a_choice_in_a_message_is_shown_as_its_label_in_the_readers_language(self, cast, client_as):
        notify(
            recipients=[cast.alice],
            title=gettext_lazy("客户“%(name)s”已转给 %(new)s"),
            params={"name": "苏州恒通", "new": choice(Customer(status=Customer.Status.ACTIVE), "status")},
        )
        n = Notification.objects.get()
        assert n.params["new"] == {"_c": "customers.Customer.status", "v": "active"}
        with translation.override("zh-hans"):
            chinese = n.title_text
        with translation.override("en"):
            english = n.title_text
        assert chinese == "客户“苏州恒通”已转给 正式客户"
        assert english == "Customer “苏州恒通” has been transferred to Formal customer"

    def test_a_message_given_as_plain_text_is_shown_as_given(self, cast, client_as):
        notify(recipients=[cast.alice], title="王经理：明天上午十点开会", body="带上样品")
        n = Notification.objects.get()
        assert (n.title_msgid, n.body_msgid, n.params) == ("", "", {})
        with translation.override("en"):
            assert (n.title_text, n.body_text) == ("王经理：明天上午十点开会", "带上样品")

    def test_the_daily_digest_comes_in_each_readers_language(self, cast, django_capture_on_commit_callbacks):
        from datetime import date

        from reports.services.digest import digest_send

        choose(cast.gm, "en")
        with django_capture_on_commit_callbacks(execute=True):
            digest_send(day=date(2026, 11, 30))
        manager, gm = (Notification.objects.get(recipient=u) for u in (cast.manager, cast.gm))
        assert manager.title == "日报 2026-11-30" and "今日接单额" in manager.body
        assert gm.title == "Daily digest 2026-11-30" and "今日接单额" not in gm.body
        assert OutboxMessage.objects.get(recipient="gm@example.com").subject == "Daily digest 2026-11-30"


class TestTheUsersLanguage:
    def test_chosen_on_the_profile_it_is_kept_and_the_pages_switch_to_it(self, cast, client_as):
        client = client_as(cast.alice)
        assert client.get(PROFILE).context["form"]["language"].value() == ""
        r = client.post(PROFILE, {"name": "alice", "email": "alice@example.com", "phone": "", "language": "en"}, follow=True)
        assert StaffProfile.objects.get(user=cast.alice).language == "en"
        assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
        assert "Profile saved." in messages_of(r) and r.context["LANGUAGE_CODE"] == "en"

    def test_an_unknown_language_is_refused_and_changes_nothing(self, cast, client_as, api_as):
        r = client_as(cast.alice).post(PROFILE, {"name": "新名字", "email": "", "phone": "", "language": "fr"})
        assert r.status_code == 400 and "language" in r.context["form"].errors
        r = api_as(cast.alice).patch("/api/v1/me/", {"language": "fr", "name": "新名字"}, format="json")
        assert r.status_code == 400 and set(r.json()["errors"]) == {"language"}
        alice = StaffProfile.objects.filter(user=cast.alice).first()
        assert (alice.language if alice else "") == "" and cast.alice.__class__.objects.get(
            pk=cast.alice.pk
        ).first_name == "alice"

    def test_the_api_reads_and_sets_it(self, cast, api_as):
        api = api_as(cast.bob)
        assert api.get("/api/v1/me/").json()["language"] == ""
        r = api.patch("/api/v1/me/", {"language": "en"}, format="json")
        assert r.status_code == 200 and r.json()["language"] == "en"
        assert StaffProfile.objects.get(user=cast.bob).language == "en"
        r = api.patch("/api/v1/me/", {"language": ""}, format="json")
        assert r.status_code == 200 and StaffProfile.objects.get(user=cast.bob).language == ""

    def test_the_top_bar_switch_keeps_the_choice_and_the_next_sign_in_in_another_browser_uses_it(self, cast, client_as):
        client = client_as(cast.carol)
        r = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        assert r.status_code == 302 and client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
        assert StaffProfile.objects.get(user=cast.carol).language == "en"
        # a new browser, whose own language is Chinese: after signing in it shows English
        other = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        r = other.post("/accounts/login/", {"username": "carol", "password": "pass12345"})
        assert r.status_code == 302 and other.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
        assert other.get("/").context["LANGUAGE_CODE"] == "en"

    def test_a_user_who_chose_nothing_keeps_the_browsers_language_after_signing_in(self, cast):
        browser = Client()
        browser.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        r = browser.post("/accounts/login/", {"username": "alice", "password": "pass12345"})
        assert r.status_code == 302 and browser.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
        assert browser.get("/").context["LANGUAGE_CODE"] == "en"

    def test_switching_without_signing_in_changes_only_the_browser(self, cast):
        browser = Client()
        r = browser.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
        assert r.status_code == 302 and browser.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
        assert not StaffProfile.objects.exclude(language="").exists()


class TestApprovalsInTheReadersLanguage:
    """An approval's title and step names are kept as their sentences (msgid and parameters), like notifications: a
    contract submitted by a rep using the English pages reads in Chinese for a Chinese reviewer, in English for an
    English one — in the inbox, its API and the notification that it waits."""

    @pytest.fixture
    def special_contract(self, cast):
        from contracts import services
        from tests.contracts.conftest import fill_review
        from tests.factories import ContactFactory, CustomerFactory, ProductFactory

        customer = CustomerFactory(owner=cast.alice, team=cast.east, name="苏州精工机械有限公司")
        ContactFactory(customer=customer, name="王经理")
        valve = ProductFactory(code="CV-900", name="定制阀门", kind="custom", ever_produced=False, list_price="0")
        contract = services.contract_create(
            actor=cast.alice,
            customer=customer,
            data={"payment_terms": "prepaid"},
            lines=[{"product": valve.pk, "quantity": "2", "unit_price": "2260.00"}],
        )
        fill_review(contract, cast.alice)
        with translation.override("en"):
            services.contract_submit(contract=contract, actor=cast.alice)
        return contract

    def test_title_and_steps_are_stored_as_sentences_and_read_in_each_language(self, cast, client_as, api_as, special_contract):
        from salesops.core.models import ApprovalRequest, ApprovalStep

        number = special_contract.number
        request = ApprovalRequest.objects.get()
        # kept in Chinese (search, admin) whatever the submitter's language, with its sentence
        assert request.title == f"特殊合同 {number}（苏州精工机械有限公司）"
        assert request.title_msgid == "%(cls)s %(number)s（%(customer)s）"
        assert ApprovalStep.objects.get(code="review_technical").label == "技术部评审"
        # the Chinese reviewer reads Chinese on the page, in the API and in the notification
        page = client_as(cast.rev_technical).get("/core/approvals/").content.decode()
        assert f"特殊合同 {number}（苏州精工机械有限公司）" in page and "技术部评审" in page
        row = api_as(cast.rev_technical).get("/api/v1/approval-steps/").json()["results"][0]
        assert (row["title"], row["label"]) == (f"特殊合同 {number}（苏州精工机械有限公司）", "技术部评审")
        told = Notification.objects.get(recipient=cast.rev_technical)
        assert told.title_text == f"待您审批：特殊合同 {number}（苏州精工机械有限公司） — 技术部评审"
        # an English reviewer reads English
        choose(cast.rev_quality, "en")
        page = in_english(client_as(cast.rev_quality)).get("/core/approvals/").content.decode()
        assert f"Special contract {number} (苏州精工机械有限公司)" in page and "Quality inspection department review" in page
        with translation.override("en"):
            told = Notification.objects.get(recipient=cast.rev_quality)
            assert (
                told.title_text
                == f"Awaiting your approval: Special contract {number} (苏州精工机械有限公司) — Quality inspection department review"
            )

    def test_a_quotations_route_reads_in_each_language(self, cast, client_as, api_as):
        from contracts import services
        from tests.factories import ContactFactory, CustomerFactory, ProductFactory

        customer = CustomerFactory(owner=cast.alice, team=cast.east, name="苏州精工机械有限公司")
        ContactFactory(customer=customer, name="王经理")
        pump = ProductFactory(code="BP-100", name="增压泵", list_price="1130.00", standard_cost="700.00")
        quotation = services.quotation_create(
            actor=cast.clerk, customer=customer, data={}, lines=[{"product": pump.pk, "quantity": "10"}]
        )
        with translation.override("en"):
            services.quotation_submit(quotation=quotation, actor=cast.clerk)
        quotation.refresh_from_db()
        assert quotation.approval_route == "销售负责人审批"  # the steps' msgids, whoever submitted
        page = client_as(cast.manager).get(f"/sales/quotations/{quotation.pk}/").content.decode()
        assert "销售负责人审批" in page
        answer = api_as(cast.alice).get(f"/api/v1/quotations/{quotation.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
        assert answer["approval_route"] == "Sales head approval"
        assert answer["approvals"][0]["steps"][0]["label"] == "Sales head approval"
        assert answer["approvals"][0]["steps"][0]["reason"]


class TestHistoryInTheReadersLanguage:
    def test_a_review_sheet_filled_on_the_english_pages_reads_in_chinese(self, cast):
        """The review sheet's fields are not the contract's: their labels and yes/no were shown as the writer stored them."""
        from contracts import services
        from salesops.core.eventtext import render_changes
        from salesops.core.models import Event
        from tests.factories import ContactFactory, CustomerFactory, ProductFactory

        customer = CustomerFactory(owner=cast.alice, team=cast.east, name="苏州精工机械有限公司")
        ContactFactory(customer=customer, name="王经理")
        pump = ProductFactory(code="BP-100", name="增压泵", list_price="1130.00", standard_cost="700.00")
        contract = services.contract_create(
            actor=cast.alice, customer=customer, data={"payment_terms": "prepaid"}, lines=[{"product": pump.pk, "quantity": "1"}]
        )
        with translation.override("en"):
            services.contract_review_update(contract=contract, actor=cast.alice, data={"capability_confirmed": True})
        event = Event.objects.filter(msgid="填写合同评审单").latest("id")
        assert [(c["label"], c["old"], c["new"]) for c in event.changes] == [("已确认有能力满足要求", "否", "是")]
        assert [(c["label"], c["old"], c["new"]) for c in render_changes(event)] == [("已确认有能力满足要求", "否", "是")]
        with translation.override("en"):
            ((label, old, new),) = [(c["label"], c["old"], c["new"]) for c in render_changes(event)]
        assert (old, new) == ("No", "Yes") and "否" not in label and label


def test_every_route_says_why_each_step(cast):
    from decimal import Decimal

    from expenses.rules import route as claim_route
    from plans.rules import route as plan_route

    for steps in (
        claim_route(Decimal("9000"), Decimal("5000")),
        claim_route(Decimal("100"), Decimal("5000"), by_manager=True),
        plan_route("company"),
        plan_route("rep"),
    ):
        assert steps and all(s.reason for s in steps)
