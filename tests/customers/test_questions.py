"""技术咨询 (seed 003, 产品报价、投标的流程 C: 技术部…协助和支持): a rep asks the technical department about an opportunity,
the department answers, the rep asks again or withdraws; who sees and does what (by page and by API); two answers at
once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from customers import selectors, services
from customers.models import TechnicalQuestion
from salesops.core.errors import Conflict, DomainError, Forbidden
from salesops.core.models import Event, Notification
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

S = TechnicalQuestion.Status
TODAY = timezone.localdate()
API = "/api/v1/technical-questions/"


def _ask(opp, actor, **kw):
    data = {"subject": "扬程能否达到 80 米", "question": "客户要求 BP-100 在 80 米扬程下流量不低于 20 m³/h", **kw}
    return services.question_ask(actor=actor, opportunity=opp, data=data)


@pytest.fixture
def opp(cast):
    customer = CustomerFactory(owner=cast.alice, team=cast.east)
    return services.opportunity_create(
        actor=cast.alice,
        customer=customer,
        data={"title": "泵站改造", "needs": "十台增压泵", "amount": D("90000"), "expected_close": TODAY + timedelta(days=30)},
    )


def test_a_rep_asks_and_the_technical_department_is_told_and_sees_it(cast, opp):
    q = _ask(opp, cast.alice, needed_by=TODAY + timedelta(days=3))

    assert q.number.startswith("JZ-") and q.status == S.OPEN and q.asked_by == cast.alice
    told = Notification.objects.get(recipient=cast.rev_technical)
    assert q.number in told.title and opp.customer.name in told.title and told.url == q.get_absolute_url()
    assert Event.objects.filter(target_id=opp.pk, target_type__model="opportunity", message__contains=q.number).exists()

    def seen(user):
        return list(selectors.question_list_for(user).values_list("pk", flat=True))

    assert seen(cast.rev_technical) == seen(cast.alice) == seen(cast.lena) == seen(cast.manager) == [q.pk]
    assert seen(cast.carol) == seen(cast.bob) == seen(cast.finance) == seen(cast.rev_production) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"subject": " "}, "请填写主题"),
        ({"question": ""}, "请填写要咨询的问题"),
        ({"needed_by": TODAY - timedelta(days=1)}, "希望答复日期不能早于今天"),
    ],
)
def test_bad_questions_are_refused_in_chinese_and_nothing_is_saved(cast, opp, data, message):
    with pytest.raises(DomainError, match=message):
        _ask(opp, cast.alice, **data)
    assert not TechnicalQuestion.objects.exists()


def test_a_closed_opportunity_takes_no_question(cast, opp):
    services.opportunity_lose(opportunity=opp, actor=cast.alice, reason="客户取消")
    with pytest.raises(DomainError, match="已结束（输单），不能再咨询"):
        _ask(opp, cast.alice)
    reopened = services.opportunity_reopen(opportunity=opp, actor=cast.alice, reason="再跟")
    with pytest.raises(Forbidden):  # open again, but not carol's to work
        _ask(reopened, cast.carol)
    assert _ask(reopened, cast.alice).status == S.OPEN


def test_the_department_answers_the_rep_asks_again_and_it_is_answered_again(cast, opp):
    q = _ask(opp, cast.lena)  # her lead asks: both are told of the answer
    with pytest.raises(Forbidden):
        services.question_answer(question=q, actor=cast.manager, answer="可以")

    answered = services.question_answer(question=q, actor=cast.rev_technical, answer="BP-100 在 80 米扬程下流量 22 m³/h")

    assert (answered.status, answered.answered_by) == (S.ANSWERED, cast.rev_technical)
    assert {n.recipient.username for n in Notification.objects.filter(title__contains="技术部已答复")} == {"alice", "lena"}
    with pytest.raises(Conflict):
        services.question_answer(question=q, actor=cast.rev_technical, answer="再答")

    again = services.question_follow_up(question=answered, actor=cast.alice, text="介质含少量颗粒，是否需要换叶轮？")

    assert again.status == S.OPEN and "追问（alice" in again.question and "颗粒" in again.question
    assert Notification.objects.filter(recipient=cast.rev_technical, title__contains="有追问").exists()
    final = services.question_answer(question=again, actor=cast.rev_technical, answer="建议换耐磨叶轮")
    assert final.answer == "建议换耐磨叶轮" and final.status == S.ANSWERED


def test_an_open_question_is_withdrawn_by_the_sales_side_only(cast, opp):
    q = _ask(opp, cast.alice)
    with pytest.raises(Forbidden):
        services.question_withdraw(question=q, actor=cast.rev_technical)

    withdrawn = services.question_withdraw(question=q, actor=cast.clerk, reason="客户已自行确认")

    assert withdrawn.status == S.WITHDRAWN
    assert services.question_allowed_actions(withdrawn, cast.alice) == []
    assert services.question_allowed_actions(withdrawn, cast.rev_technical) == []


@pytest.mark.parametrize(
    ("who", "asks", "reads", "answers"),
    [
        ("alice", 201, 200, 403),
        ("lena", 201, 200, 403),
        ("clerk", 201, 200, 403),
        ("manager", 201, 200, 403),
        ("bob", 400, 404, 404),  # another rep's opportunity: not his to see
        ("carol", 400, 404, 404),
        ("rev_technical", 400, 200, 200),  # sees every question, not the opportunities themselves
        ("rev_quality", 400, 404, 404),
        ("finance", 400, 404, 404),
        ("service", 400, 404, 404),
    ],
)
def test_each_role_against_each_question_action(cast, opp, api_as, who, asks, reads, answers):
    q = _ask(opp, cast.alice)
    client = api_as(getattr(cast, who))

    asked = client.post(API, {"opportunity": opp.pk, "subject": "材质", "question": "外壳能否用 316 不锈钢"}, format="json")
    read = client.get(f"{API}{q.pk}/")
    answered = client.post(f"{API}{q.pk}/answer/", {"answer": "可以，加价 15%"}, format="json")

    assert (asked.status_code, read.status_code, answered.status_code) == (asks, reads, answers)
    assert TechnicalQuestion.objects.get(pk=q.pk).status == (S.ANSWERED if answers == 200 else S.OPEN)


def test_the_api_lists_filters_follows_up_and_withdraws(cast, opp, api_as):
    rep = api_as(cast.alice)
    made = rep.post(
        API, {"opportunity": opp.pk, "subject": "认证", "question": "是否有 CE 认证", "needed_by": str(TODAY)}, format="json"
    )
    assert made.status_code == 201 and made.json()["allowed_actions"] == ["withdraw"]
    pk = made.json()["id"]
    tech = api_as(cast.rev_technical)
    assert [r["id"] for r in tech.get(API, {"status": "open", "q": "认证"}).json()["results"]] == [pk]
    assert tech.post(f"{API}{pk}/answer/", {"answer": ""}, format="json").status_code == 400
    assert tech.post(f"{API}{pk}/answer/", {"answer": "有"}, format="json").json()["status"] == "answered"
    followed = rep.post(f"{API}{pk}/follow-up/", {"text": "证书编号？"}, format="json")
    assert followed.status_code == 200 and followed.json()["status"] == "open"
    assert rep.post(f"{API}{pk}/withdraw/", {}, format="json").json()["status"] == "withdrawn"
    assert rep.post(f"{API}{pk}/withdraw/", {}, format="json").status_code == 409
    assert [r["id"] for r in rep.get(API, {"opportunity": opp.pk}).json()["results"]] == [pk]


def test_the_rep_asks_on_the_page_and_the_technical_department_answers_there(cast, opp, client_as):
    rep = client_as(cast.alice)
    page = rep.get(opp.get_absolute_url()).content.decode()
    assert 'data-testid="question-create"' in page
    url = reverse("customers:question_create") + f"?opportunity={opp.pk}"
    assert rep.post(url, {"subject": "", "question": "x"}).status_code == 400
    made = rep.post(url, {"subject": "防护等级", "question": "户外安装，需要 IP65 吗？"})
    q = TechnicalQuestion.objects.get()
    assert made.status_code == 302 and made.url == q.get_absolute_url()
    assert 'data-testid="opportunity-question"' in rep.get(opp.get_absolute_url()).content.decode()

    tech = client_as(cast.rev_technical)
    assert 'data-testid="nav-questions"' in tech.get("/").content.decode()
    listing = tech.get(reverse("customers:question_list"), {"status": "open"}).content.decode()
    assert q.number in listing and "防护等级" in listing
    detail = tech.get(q.get_absolute_url()).content.decode()
    assert 'data-testid="action-answer"' in detail and "户外安装" in detail and opp.customer.name in detail
    done = tech.post(reverse("customers:question_answer", args=[q.pk]), {"text": "需要 IP65，标配即满足"})
    assert done.status_code == 302 and TechnicalQuestion.objects.get().status == S.ANSWERED
    assert "标配即满足" in rep.get(q.get_absolute_url()).content.decode()

    assert client_as(cast.carol).get(q.get_absolute_url()).status_code == 404
    assert client_as(cast.finance).get(reverse("customers:question_list")).status_code == 403
    assert client_as(cast.carol).get(url).status_code == 404


def test_the_technical_departments_home_page_lists_the_questions_wanted_soonest_first(cast, opp, client_as):
    later = _ask(opp, cast.alice, subject="材质", needed_by=TODAY + timedelta(days=9))
    undated = _ask(opp, cast.alice, subject="认证")
    soon = _ask(opp, cast.alice, subject="扬程", needed_by=TODAY + timedelta(days=1))
    services.question_answer(question=_ask(opp, cast.alice, subject="已答"), actor=cast.rev_technical, answer="好")

    assert list(selectors.questions_to_answer()) == [soon, later, undated]
    TechnicalQuestion.objects.filter(pk=soon.pk).update(needed_by=TODAY - timedelta(days=1))  # now past its date
    assert TechnicalQuestion.objects.get(pk=soon.pk).is_overdue and not later.is_overdue and not undated.is_overdue
    home = client_as(cast.rev_technical).get("/").content.decode()
    assert 'data-testid="todo-questions"' in home and "?status=open" in home
    assert home.index("扬程") < home.index("材质") < home.index("认证") and "已答" not in home
    assert 'text-danger fw-bold">' + (TODAY - timedelta(days=1)).strftime("%m-%d") in home  # the overdue one marked
    listing = client_as(cast.rev_technical).get(reverse("customers:question_list")).content.decode()
    assert listing.count("text-danger fw-bold") == 1
    assert 'data-testid="todo-questions"' not in client_as(cast.alice).get("/").content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_answers_at_once_give_one(on_postgres, cast):
    from tests.core.conftest import run_in_threads

    customer = CustomerFactory(owner=cast.alice, team=cast.east)
    opp = services.opportunity_create(
        actor=cast.alice,
        customer=customer,
        data={"title": "泵站", "needs": "泵", "amount": D("1000"), "expected_close": TODAY + timedelta(days=9)},
    )
    q = _ask(opp, cast.alice)

    results = run_in_threads(4, lambda i: services.question_answer(question=q, actor=cast.rev_technical, answer=f"答复 {i}"))

    done = [r for r in results if isinstance(r, TechnicalQuestion)]
    assert len(done) == 1 and all(isinstance(r, Conflict) for r in results if r not in done), results
    assert TechnicalQuestion.objects.get(pk=q.pk).answer == done[0].answer
