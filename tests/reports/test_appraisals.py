"""绩效考核 (seed 002 销售人员绩效考核方案, seed 004 内勤绩效考核): the scoring rules; the sales manager opens a round of a
period that has ended, the measured lines scored from the figures; scoring by hand (and by the team lead); sending,
confirming, objecting and re-confirming; leaving out; the GM's approval of the table; who reads whose; two people at
once."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from reports import appraisal_rules as rules
from reports import appraisal_selectors
from reports.models import Appraisal, AppraisalCriterion, AppraisalRound, AppraisalScore, SalesTarget
from reports.periods import Period
from reports.services import appraisals as svc
from salesops.core import approvals
from salesops.core.errors import Conflict, DomainError, Forbidden
from salesops.core.models import ApprovalRequest, Event, Notification
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

S = Appraisal.Status
TODAY = timezone.localdate()
LAST_QUARTER = Period.quarter(TODAY.year, (TODAY.month - 1) // 3 + 1).previous()


def opened(cast) -> AppraisalRound:
    return svc.round_open(actor=cast.manager, period_key=LAST_QUARTER.key)


def of(round_, user) -> Appraisal:
    return Appraisal.objects.get(round=round_, employee=user)


def scored(appraisal, actor, share=D("0.8")) -> Appraisal:
    """Every line left to the appraiser scored at `share` of its points."""
    lines = {s.pk: {"points": str((s.max_points * share).quantize(D("0.01")))} for s in appraisal.scores.all() if not s.measured}
    return svc.appraisal_score(appraisal=appraisal, actor=actor, scores=lines, comment="工作认真")


def confirm_all(round_, cast) -> AppraisalRound:
    """Every appraisal of the round scored, sent (if a draft) and confirmed by its person."""
    for appraisal in round_.appraisals.all():
        if appraisal.status == S.DRAFT:
            appraisal = svc.appraisal_send(appraisal=scored(appraisal, cast.manager), actor=cast.manager)
        svc.appraisal_confirm(appraisal=appraisal, actor=appraisal.employee)
    return round_


def confirmed_round(cast) -> AppraisalRound:
    return confirm_all(opened(cast), cast)


def alices_target(cast, **extra) -> SalesTarget:
    """alice's target of last quarter: 100,000 yuan (and `extra`, e.g. new_customers)."""
    return SalesTarget.objects.create(
        year=LAST_QUARTER.start.year,
        kind="quarter",
        number=(LAST_QUARTER.start.month - 1) // 3 + 1,
        level="rep",
        team=cast.east,
        rep=cast.alice,
        amount=D("100000"),
        updated_by=cast.manager,
        **extra,
    )


def gm_decides(round_, cast, decision="approve", comment=""):
    request = approvals.requests_for(round_, rules.ROUND_KIND).get(status=ApprovalRequest.Status.PENDING)
    step = request.steps.get()
    approvals.approval_decide(step_id=step.pk, actor=cast.gm, decision=decision, comment=comment)
    return AppraisalRound.objects.get(pk=round_.pk)


# --- rules ------------------------------------------------------------------------------------------------------------
def test_the_form_is_45_20_35_points_for_each_post_and_a_measured_line_scores_its_share():
    for post in ("seller", "clerk"):
        parts = {}
        for p, part, _name, _standard, points, _measure in rules.DEFAULT_CRITERIA:
            if p == post:
                parts[part] = parts.get(part, 0) + points
        assert parts == {"performance": 45, "attitude": 20, "ability": 35}
    assert AppraisalCriterion.objects.count() == len(rules.DEFAULT_CRITERIA)
    assert rules.points_for(D("0.8333"), D("25")) == D("20.83")
    assert rules.points_for(D("1.4"), D("25")) == D("25.00")  # at most its points
    assert rules.points_for(D("-0.2"), D("10")) == D("0.00")
    assert rules.points_for(None, D("10")) is None
    bands = {"a": D(90), "b": D(80), "c": D(60)}
    assert [rules.grade_for(D(t), **bands) for t in ("90", "89.99", "80", "60", "59.99")] == ["A", "B", "B", "C", "D"]


# --- opening a round --------------------------------------------------------------------------------------------------
def test_the_manager_opens_an_ended_quarter_once_with_an_appraisal_for_each_seller_and_clerk(cast):
    round_ = opened(cast)

    assert (round_.kind, round_.year, round_.status) == ("quarter", LAST_QUARTER.start.year, AppraisalRound.Status.OPEN)
    rows = {a.employee.username: (a.post, a.team, a.status) for a in round_.appraisals.all()}
    assert rows == {
        "lena": ("seller", cast.east, S.DRAFT),
        "alice": ("seller", cast.east, S.DRAFT),
        "bob": ("seller", cast.east, S.DRAFT),
        "carol": ("seller", cast.south, S.DRAFT),
        "clerk": ("clerk", None, S.DRAFT),
    }
    assert of(round_, cast.alice).scores.count() == 12 and of(round_, cast.clerk).scores.count() == 10
    with pytest.raises(Conflict, match="已经发起"):
        opened(cast)
    with pytest.raises(DomainError, match="还没有结束"):
        svc.round_open(actor=cast.manager, period_key=str(TODAY.year))
    with pytest.raises(DomainError, match="季度"):
        svc.round_open(actor=cast.manager, period_key="2025-03")
    for outsider in (cast.lena, cast.alice, cast.vp, cast.gm, cast.finance, cast.clerk):
        with pytest.raises(Forbidden, match="只有销售部经理"):
            svc.round_open(actor=outsider, period_key="2024")
    assert AppraisalRound.objects.count() == 1


def test_the_measured_lines_are_scored_from_the_period_and_a_line_without_a_figure_is_left_to_the_appraiser(cast):
    alices_target(cast, new_customers=4)
    customer = CustomerFactory(owner=cast.alice, team=cast.east)
    type(customer).objects.filter(pk=customer.pk).update(
        created_at=timezone.make_aware(
            timezone.datetime.combine(LAST_QUARTER.start + timedelta(days=3), timezone.datetime.min.time())
        )
    )

    alice = of(opened(cast), cast.alice)

    lines = {s.measure: (s.value, s.points) for s in alice.scores.all() if s.measure}
    assert lines == {
        "achievement": (D("0.0000"), D("0.00")),  # a target and no sales
        "new_customers": (D("0.2500"), D("1.25")),  # 1 of 4, of 5 points
        "collection": (None, None),  # nothing collected nor receivable: scored by hand
        "satisfaction": (None, None),
    }
    assert (alice.total, alice.grade) == (D("1.25"), "D")
    assert {s.measure for s in of(AppraisalRound.objects.get(), cast.clerk).scores.all() if s.measure} == {"order_accuracy"}


# --- scoring ----------------------------------------------------------------------------------------------------------
def test_the_manager_scores_the_lines_left_to_them_and_the_total_grade_and_history_follow(cast):
    alice = of(opened(cast), cast.alice)
    manual = [s for s in alice.scores.all() if not s.measured]

    done = svc.appraisal_score(
        appraisal=alice, actor=cast.manager, scores={s.pk: {"points": str(s.max_points)} for s in manual}, comment="优秀"
    )

    assert done.total == sum(s.max_points for s in manual) and done.grade == "A" and done.comment == "优秀"
    assert done.appraiser == cast.manager
    event = Event.objects.filter(target_id=alice.pk, target_type__model="appraisal", verb=Event.Verb.UPDATED).get()
    assert len(event.changes) == len(manual) + 1 and event.changes[0]["old"] == "—"
    from django.utils import translation

    from salesops.core.eventtext import render_changes

    with translation.override("en"):
        labels = [c["label"] for c in render_changes(event)]
    assert labels[-1] == "Comments and rewards/penalties" and labels[0] == manual[0].name  # a line's name is data


@pytest.mark.parametrize(
    ("points", "message"),
    [("6", "0 到 5 之间"), ("-1", "0 到 5 之间"), ("2.555", "两位小数"), ("abc", "应为数字")],
)
def test_a_wrong_score_is_refused_and_changes_nothing(cast, points, message):
    alice = of(opened(cast), cast.alice)
    discipline = alice.scores.get(name="纪律性")

    with pytest.raises(DomainError, match=message):
        svc.appraisal_score(appraisal=alice, actor=cast.manager, scores={discipline.pk: {"points": points}}, comment="x")

    assert AppraisalScore.objects.get(pk=discipline.pk).points is None
    assert Appraisal.objects.get(pk=alice.pk).comment == ""


def test_a_measured_line_keeps_the_points_of_its_figure(cast):
    alices_target(cast)
    alice = of(opened(cast), cast.alice)
    achievement = alice.scores.get(measure="achievement")

    with pytest.raises(DomainError, match="按考核期数据计分"):
        svc.appraisal_score(appraisal=alice, actor=cast.manager, scores={achievement.pk: {"points": "25"}})
    noted = svc.appraisal_score(
        appraisal=alice, actor=cast.manager, scores={achievement.pk: {"points": "0.00", "note": "新区域"}}
    )
    assert noted.scores.get(pk=achievement.pk).note == "新区域"


def test_the_team_lead_scores_their_teams_drafts_only_and_nobody_their_own(cast):
    round_ = opened(cast)
    one_line = lambda a: {a.scores.get(name="纪律性").pk: {"points": "4"}}

    assert (
        svc.appraisal_score(appraisal=of(round_, cast.alice), actor=cast.lena, scores=one_line(of(round_, cast.alice))).total == 4
    )
    for actor, whose in ((cast.lena, cast.carol), (cast.lena, cast.lena), (cast.alice, cast.alice), (cast.vp, cast.bob)):
        with pytest.raises(Forbidden):
            svc.appraisal_score(appraisal=of(round_, whose), actor=actor, scores=one_line(of(round_, whose)))
    with pytest.raises(Forbidden):
        svc.appraisal_send(appraisal=of(round_, cast.alice), actor=cast.lena)


# --- sending, confirming, objecting ------------------------------------------------------------------------------------
def test_an_appraisal_is_sent_when_every_line_is_scored_and_the_person_confirms_it(cast):
    alice = of(opened(cast), cast.alice)

    with pytest.raises(DomainError, match="还有考核项未评分"):
        svc.appraisal_send(appraisal=alice, actor=cast.manager)
    assert Appraisal.objects.get(pk=alice.pk).status == S.DRAFT

    sent = svc.appraisal_send(appraisal=scored(alice, cast.manager), actor=cast.manager)

    assert sent.status == S.SENT and sent.sent_at is not None
    assert Notification.objects.filter(recipient=cast.alice, title__contains="请确认您的").exists()
    for other in (cast.bob, cast.lena, cast.manager):
        with pytest.raises(Forbidden, match="只有被考核人本人"):
            svc.appraisal_confirm(appraisal=sent, actor=other)
    assert svc.appraisal_confirm(appraisal=sent, actor=cast.alice).status == S.CONFIRMED
    with pytest.raises(Conflict):
        svc.appraisal_object(appraisal=sent, actor=cast.alice, reason="晚了")


def test_an_objection_is_re_confirmed_by_the_manager_after_changing_the_scores_or_not(cast):
    alice = of(opened(cast), cast.alice)
    sent = svc.appraisal_send(appraisal=scored(alice, cast.manager), actor=cast.manager)

    with pytest.raises(DomainError, match="请填写异议内容"):
        svc.appraisal_object(appraisal=sent, actor=cast.alice, reason=" ")
    objected = svc.appraisal_object(appraisal=sent, actor=cast.alice, reason="团队协作分偏低")

    assert objected.status == S.OBJECTED and objected.objection == "团队协作分偏低"
    assert Notification.objects.filter(recipient=cast.manager, body="团队协作分偏低").exists()
    teamwork = objected.scores.get(name="团队协作")
    raised = svc.appraisal_score(appraisal=objected, actor=cast.manager, scores={teamwork.pk: {"points": "5"}})
    assert raised.total == sent.total + D("1.00")
    with pytest.raises(DomainError, match="请填写复核意见"):
        svc.appraisal_settle(appraisal=raised, actor=cast.manager, reply="")
    settled = svc.appraisal_settle(appraisal=raised, actor=cast.manager, reply="已上调团队协作分")
    assert (settled.status, settled.reply) == (S.SETTLED, "已上调团队协作分")
    assert Notification.objects.filter(recipient=cast.alice, title__contains="已复核").exists()


def test_one_left_out_is_not_scored_and_comes_back_when_included(cast):
    bob = of(opened(cast), cast.bob)

    with pytest.raises(DomainError, match="请填写不参与考核的原因"):
        svc.appraisal_exclude(appraisal=bob, actor=cast.manager, reason="")
    out = svc.appraisal_exclude(appraisal=bob, actor=cast.manager, reason="缺岗超过三分之一")

    assert (out.status, out.exclude_reason) == (S.EXCLUDED, "缺岗超过三分之一")
    with pytest.raises(Conflict):
        svc.appraisal_score(appraisal=out, actor=cast.manager, scores={}, comment="x")
    back = svc.appraisal_include(appraisal=out, actor=cast.manager)
    assert (back.status, back.exclude_reason) == (S.DRAFT, "")


# --- the GM's approval ------------------------------------------------------------------------------------------------
def test_the_round_goes_to_the_gm_when_everyone_has_confirmed_and_takes_effect_when_approved(cast):
    round_ = opened(cast)
    with pytest.raises(Conflict, match="还有 5 人的考核未确认"):
        svc.round_submit(round_=round_, actor=cast.manager)

    round_ = confirm_all(round_, cast)
    with pytest.raises(Forbidden):
        svc.round_submit(round_=round_, actor=cast.gm)
    submitted = svc.round_submit(round_=round_, actor=cast.manager)

    assert submitted.status == AppraisalRound.Status.SUBMITTED
    with pytest.raises(Conflict, match="考核表不能再改动"):
        svc.appraisal_reopen(appraisal=of(round_, cast.alice), actor=cast.manager, reason="改")
    summary = dict(appraisal_selectors.appraisal_round_summary(submitted, cast.gm))
    assert summary["参与考核"] == "5" and summary["不参与考核"] == "0"

    approved = gm_decides(round_, cast)

    assert approved.status == AppraisalRound.Status.APPROVED and approved.approved_at is not None
    assert Notification.objects.filter(recipient=cast.finance, title__contains="已生效").exists()
    assert Notification.objects.filter(recipient=cast.alice, title__contains="结果已生效").exists()


def test_the_gm_sends_the_table_back_and_the_manager_revises_and_sends_again(cast):
    round_ = confirmed_round(cast)
    svc.round_submit(round_=round_, actor=cast.manager)

    back = gm_decides(round_, cast, decision="reject", comment="华东组偏高")

    assert back.status == AppraisalRound.Status.OPEN
    assert Event.objects.filter(target_id=round_.pk, target_type__model="appraisalround", message__contains="华东组偏高").exists()
    reopened = svc.appraisal_reopen(appraisal=of(round_, cast.alice), actor=cast.manager, reason="总经理退回")
    assert reopened.status == S.DRAFT
    with pytest.raises(Conflict, match="alice"):
        svc.round_submit(round_=back, actor=cast.manager)


# --- who reads whose ----------------------------------------------------------------------------------------------------
def test_each_role_reads_the_appraisals_it_should_and_no_rep_another_reps(cast):
    round_ = opened(cast)
    svc.appraisal_send(appraisal=scored(of(round_, cast.alice), cast.manager), actor=cast.manager)

    def names(user):
        return sorted(a.employee.username for a in appraisal_selectors.appraisals_for(user))

    everyone = ["alice", "bob", "carol", "clerk", "lena"]
    for reader in (cast.manager, cast.vp, cast.gm, cast.admin):
        assert names(reader) == everyone
    assert names(cast.alice) == ["alice"]  # sent to her
    assert names(cast.bob) == []  # his is a draft
    assert names(cast.lena) == ["alice", "bob"]  # her team's, not her own draft
    assert names(cast.carol) == names(cast.clerk) == names(cast.finance) == names(cast.service) == []
    assert appraisal_selectors.appraisal_rounds_for(cast.finance).count() == 0
    assert appraisal_selectors.appraisal_rounds_for(cast.lena).count() == 1
    assert appraisal_selectors.appraisal_rounds_for(cast.alice).count() == 0

    svc.round_submit(round_=confirm_all(round_, cast), actor=cast.manager)
    gm_decides(round_, cast)
    assert names(cast.finance) == everyone and appraisal_selectors.appraisal_rounds_for(cast.finance).count() == 1


def test_the_allowed_actions_follow_the_state_the_round_and_the_person(cast):
    from reports.permissions import appraisal_allowed_actions, round_allowed_actions

    round_ = opened(cast)
    alice = of(round_, cast.alice)
    assert appraisal_allowed_actions(alice, cast.manager) == ["score", "send", "exclude"]
    assert appraisal_allowed_actions(alice, cast.lena) == ["score"]
    assert appraisal_allowed_actions(alice, cast.alice) == appraisal_allowed_actions(alice, cast.gm) == []
    sent = svc.appraisal_send(appraisal=scored(alice, cast.manager), actor=cast.manager)
    assert appraisal_allowed_actions(sent, cast.alice) == ["confirm", "object"]
    assert appraisal_allowed_actions(sent, cast.manager) == ["reopen"]
    assert appraisal_allowed_actions(sent, cast.lena) == []
    assert round_allowed_actions(round_, cast.manager) == ["send_scored", "submit"]
    assert round_allowed_actions(round_, cast.gm) == round_allowed_actions(round_, cast.lena) == []


# --- at once --------------------------------------------------------------------------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_confirmation_and_an_objection_at_once_give_one_outcome(on_postgres, cast):
    from tests.core.conftest import run_in_threads

    sent = svc.appraisal_send(appraisal=scored(of(opened(cast), cast.alice), cast.manager), actor=cast.manager)

    def act(i):
        if i % 2:
            return svc.appraisal_confirm(appraisal=sent, actor=cast.alice)
        return svc.appraisal_object(appraisal=sent, actor=cast.alice, reason="不同意")

    results = run_in_threads(4, act)

    done = [r for r in results if isinstance(r, Appraisal)]
    assert len(done) == 1 and all(isinstance(r, Conflict) for r in results if r not in done), results
    assert Appraisal.objects.get(pk=sent.pk).status == done[0].status


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_submission_and_a_reopening_at_once_leave_no_reopened_appraisal_in_a_submitted_round(on_postgres, cast):
    from tests.core.conftest import run_in_threads

    round_ = confirmed_round(cast)
    alice = of(round_, cast.alice)

    def act(i):
        if i % 2:
            return svc.round_submit(round_=round_, actor=cast.manager)
        return svc.appraisal_reopen(appraisal=alice, actor=cast.manager, reason="改")

    results = run_in_threads(2, act)

    fresh = AppraisalRound.objects.get(pk=round_.pk)
    reopened = Appraisal.objects.get(pk=alice.pk).status == S.DRAFT
    assert fresh.status == (AppraisalRound.Status.OPEN if reopened else AppraisalRound.Status.SUBMITTED), results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results


# --- the pages ------------------------------------------------------------------------------------------------------------
def _score_post(appraisal, points="4", comment="认真"):
    data = {"comment": comment}
    for s in appraisal.scores.all():
        if not s.measured:
            data[f"points_{s.pk}"] = str(min(D(points), s.max_points))
        data[f"note_{s.pk}"] = ""
    return data


def test_the_manager_opens_scores_and_sends_on_the_pages_and_the_person_confirms_there(cast, client_as):
    from django.urls import reverse

    boss = client_as(cast.manager)
    listing = boss.get(reverse("reports:appraisal_rounds")).content.decode()
    assert 'data-testid="appraisal-open"' in listing and LAST_QUARTER.key in listing

    opened_page = boss.post(reverse("reports:appraisal_round_open"), {"period": LAST_QUARTER.key})
    round_ = AppraisalRound.objects.get()
    assert opened_page.status_code == 302 and opened_page.url == round_.get_absolute_url()
    table = boss.get(round_.get_absolute_url()).content.decode()
    assert table.count('data-testid="round-row"') == 5 and 'data-testid="action-submit"' in table
    assert 'id="kpi-charts"' in table and "考核得分对比" in table

    alice = of(round_, cast.alice)
    page = boss.get(alice.get_absolute_url()).content.decode()
    assert 'data-testid="action-score"' in page and 'data-testid="action-send"' in page and "量化指标" in page
    assert 'href="/reports/glossary/#kpi-appraisal"' in page
    assert 'id="kpi-appraisal"' in boss.get("/reports/glossary/").content.decode()
    form_url = reverse("reports:appraisal_score", args=[alice.pk])
    assert boss.get(form_url).content.decode().count('data-testid="score-input-row"') == 12
    too_high = boss.post(form_url, {**_score_post(alice), f"points_{alice.scores.get(name='纪律性').pk}": "9"})
    assert too_high.status_code == 400 and Appraisal.objects.get(pk=alice.pk).comment == ""
    saved = boss.post(form_url, _score_post(alice))
    assert saved.status_code == 302 and Appraisal.objects.get(pk=alice.pk).comment == "认真"
    sent = boss.post(reverse("reports:appraisal_action", args=[alice.pk, "send"]))
    assert sent.status_code == 302 and Appraisal.objects.get(pk=alice.pk).status == S.SENT

    her = client_as(cast.alice)
    mine = her.get(reverse("reports:appraisal_list")).content.decode()
    assert mine.count('data-testid="appraisal-row"') == 1
    own = her.get(alice.get_absolute_url()).content.decode()
    assert 'data-testid="action-confirm"' in own and 'data-testid="action-object"' in own
    objected = her.post(reverse("reports:appraisal_action", args=[alice.pk, "object"]), {"reason": "能力分偏低"})
    assert objected.status_code == 302 and Appraisal.objects.get(pk=alice.pk).objection == "能力分偏低"
    settled = boss.post(reverse("reports:appraisal_action", args=[alice.pk, "settle"]), {"reason": "维持原分"})
    assert settled.status_code == 302 and Appraisal.objects.get(pk=alice.pk).status == S.SETTLED
    assert 'data-testid="appraisal-reply"' in her.get(alice.get_absolute_url()).content.decode()


def test_the_pages_refuse_whom_they_should(cast, client_as):
    from django.urls import reverse

    round_ = opened(cast)
    alice, carol = of(round_, cast.alice), of(round_, cast.carol)
    svc.appraisal_send(appraisal=scored(alice, cast.manager), actor=cast.manager)

    assert client_as(cast.alice).get(reverse("reports:appraisal_rounds")).status_code == 403
    assert client_as(cast.service).get(reverse("reports:appraisal_list")).status_code == 403
    assert client_as(cast.bob).get(alice.get_absolute_url()).status_code == 404  # another rep's
    assert client_as(cast.carol).get(carol.get_absolute_url()).status_code == 404  # her own draft
    assert client_as(cast.lena).get(carol.get_absolute_url()).status_code == 404  # another team's
    assert client_as(cast.finance).get(round_.get_absolute_url()).status_code == 404  # not approved yet
    assert client_as(cast.alice).post(reverse("reports:appraisal_round_open"), {"period": "2024"}).status_code == 403
    assert client_as(cast.lena).get(reverse("reports:appraisal_score", args=[alice.pk])).status_code == 403  # sent
    lead_form = client_as(cast.lena).get(reverse("reports:appraisal_score", args=[of(round_, cast.bob).pk]))
    assert lead_form.status_code == 200
    refused = client_as(cast.bob).post(reverse("reports:appraisal_action", args=[alice.pk, "confirm"]))
    assert refused.status_code == 404 and Appraisal.objects.get(pk=alice.pk).status == S.SENT
    gm_page = client_as(cast.gm).get(round_.get_absolute_url()).content.decode()
    assert 'data-testid="action-submit"' not in gm_page


def test_the_export_is_the_table_with_the_parts_as_numbers(cast, client_as):
    from django.urls import reverse

    from tests.core.test_exports import sheet_of

    round_ = opened(cast)
    scored(of(round_, cast.alice), cast.manager)
    svc.appraisal_exclude(appraisal=of(round_, cast.bob), actor=cast.manager, reason="长期病假")

    ws = sheet_of(client_as(cast.manager).get(reverse("core:list_export", args=["appraisals"]), {"round": round_.pk}))

    header = [c.value for c in ws[1]]
    rows = {r[1]: dict(zip(header, r, strict=False)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert header[:9] == ["考核期", "被考核人", "岗位", "销售组", "工作绩效", "工作态度", "工作能力", "总分", "等级"]
    assert rows["alice"]["工作态度"] == 16 and rows["alice"]["工作能力"] == 28
    assert rows["alice"]["总分"] == float(of(round_, cast.alice).total)
    assert rows["bob"]["总分"] is None and rows["bob"]["不参与考核原因"] == "长期病假"
    assert len(rows) == 5


# --- the API ----------------------------------------------------------------------------------------------------------------
def test_the_api_runs_a_round_from_opening_to_the_gms_approval(cast, api_as):
    boss, her = api_as(cast.manager), api_as(cast.alice)

    assert api_as(cast.alice).post("/api/v1/appraisal-rounds/", {"period": LAST_QUARTER.key}, format="json").status_code == 403
    assert boss.post("/api/v1/appraisal-rounds/", {"period": "2026-13"}, format="json").status_code == 400
    created = boss.post("/api/v1/appraisal-rounds/", {"period": LAST_QUARTER.key}, format="json")
    assert created.status_code == 201 and created.json()["allowed_actions"] == ["send_scored", "submit"]
    round_id = created.json()["id"]
    assert boss.post("/api/v1/appraisal-rounds/", {"period": LAST_QUARTER.key}, format="json").status_code == 409

    rows = boss.get("/api/v1/appraisals/", {"round": round_id, "page_size": 10}).json()
    assert rows["count"] == 5
    alice_id = next(r["id"] for r in rows["results"] if r["employee_name"] == "alice")
    detail = boss.get(f"/api/v1/appraisals/{alice_id}/").json()
    assert len(detail["scores"]) == 12 and detail["allowed_actions"] == ["score", "send", "exclude"]
    manual = [s for s in detail["scores"] if s["value"] is None]
    bad = boss.patch(f"/api/v1/appraisals/{alice_id}/", {"scores": [{"id": manual[0]["id"], "points": "99"}]}, format="json")
    assert bad.status_code == 400 and "之间" in str(bad.json())
    lines = [{"id": s["id"], "points": s["max_points"]} for s in manual]
    scored_ = boss.patch(f"/api/v1/appraisals/{alice_id}/", {"scores": lines, "comment": "好"}, format="json")
    assert scored_.status_code == 200 and scored_.json()["grade"] in ("A", "B")
    assert her.get(f"/api/v1/appraisals/{alice_id}/").status_code == 404  # a draft is not hers to read yet
    assert boss.post(f"/api/v1/appraisals/{alice_id}/send/").json()["status"] == "sent"
    assert her.get("/api/v1/appraisals/").json()["count"] == 1
    assert api_as(cast.bob).post(f"/api/v1/appraisals/{alice_id}/confirm/").status_code == 404
    assert her.post(f"/api/v1/appraisals/{alice_id}/object/", {"reason": ""}, format="json").status_code == 400
    assert her.post(f"/api/v1/appraisals/{alice_id}/confirm/").json()["status"] == "confirmed"
    assert boss.post(f"/api/v1/appraisal-rounds/{round_id}/submit/").status_code == 409

    for row in rows["results"]:
        if row["id"] != alice_id:
            assert boss.post(f"/api/v1/appraisals/{row['id']}/exclude/", {"reason": "缺岗"}, format="json").status_code == 200
    submitted = boss.post(f"/api/v1/appraisal-rounds/{round_id}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    step = api_as(cast.gm).get("/api/v1/approval-steps/").json()["results"][0]
    assert {"label": "参与考核", "value": "1"} in step["summary"]
    decided = api_as(cast.gm).post(f"/api/v1/approval-steps/{step['id']}/decide/", {"decision": "approve"}, format="json")
    assert decided.status_code == 200, decided.content
    assert api_as(cast.finance).get(f"/api/v1/appraisal-rounds/{round_id}/").json()["status"] == "approved"
    exported = api_as(cast.finance).get("/api/v1/appraisals/export/", {"round": round_id})
    assert exported.status_code == 200 and exported["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_comment_goes_on_an_appraisal_and_a_weekly_report_for_whoever_reads_them_only(cast, client_as):
    from django.contrib.contenttypes.models import ContentType
    from django.urls import reverse

    from reports.services import weekly

    alice = svc.appraisal_send(appraisal=scored(of(opened(cast), cast.alice), cast.manager), actor=cast.manager)
    report = weekly.weekly_open(actor=cast.alice, day=TODAY)
    for doc in (alice, report):
        url = reverse("core:comment_add", args=[ContentType.objects.get_for_model(doc).pk, doc.pk])
        assert client_as(cast.bob).post(url, {"text": "看看"}).status_code == 404
        assert client_as(cast.alice).post(url, {"text": "请说明"}).status_code == 302
        assert Event.objects.filter(target_id=doc.pk, verb=Event.Verb.COMMENT, message="请说明").count() == 1


def test_the_home_page_tells_the_person_to_confirm_and_the_manager_what_is_left(cast, client_as):
    round_ = opened(cast)
    sent = svc.appraisal_send(appraisal=scored(of(round_, cast.alice), cast.manager), actor=cast.manager)
    svc.appraisal_object(appraisal=sent, actor=cast.alice, reason="不同意")
    svc.appraisal_send(appraisal=scored(of(round_, cast.bob), cast.manager), actor=cast.manager)

    bob = client_as(cast.bob).get("/").content.decode()
    boss = client_as(cast.manager).get("/").content.decode()
    carol = client_as(cast.carol).get("/").content.decode()

    assert 'data-testid="todo-appraisal-mine"' in bob and "?status=sent" in bob
    assert 'data-testid="todo-appraisal-objected"' in boss and 'data-testid="todo-appraisal-draft"' in boss
    assert "todo-appraisal" not in carol  # hers is still a draft: nothing to confirm yet


def test_the_form_lines_are_edited_in_admin_and_the_appraisals_are_read_only_there(cast, client_as):
    admin_client = client_as(cast.admin)
    opened(cast)

    for url in ("/admin/reports/appraisalcriterion/", "/admin/reports/appraisalround/", "/admin/reports/appraisal/"):
        assert admin_client.get(url).status_code == 200, url
    line = AppraisalCriterion.objects.get(post="seller", name="纪律性")
    changed = admin_client.post(
        f"/admin/reports/appraisalcriterion/{line.pk}/change/",
        {
            "post": "seller",
            "part": "attitude",
            "name": "纪律性",
            "standard": "",
            "max_points": "6",
            "measure": "",
            "position": "5",
            "active": "on",
        },
    )
    assert changed.status_code == 302 and AppraisalCriterion.objects.get(pk=line.pk).max_points == 6
    assert AppraisalScore.objects.filter(criterion=line).first().max_points == 5  # the opened appraisals keep theirs
    assert admin_client.get("/admin/reports/appraisal/add/").status_code == 403


def test_whoever_has_not_answered_in_two_days_is_reminded_once(cast):
    from reports.tasks import remind_appraisals

    round_ = opened(cast)
    alice = svc.appraisal_send(appraisal=scored(of(round_, cast.alice), cast.manager), actor=cast.manager)
    bob = svc.appraisal_send(appraisal=scored(of(round_, cast.bob), cast.manager), actor=cast.manager)
    svc.appraisal_confirm(appraisal=bob, actor=cast.bob)
    later = timezone.now() + timedelta(days=2, minutes=1)

    assert svc.appraisals_remind_unanswered(now=timezone.now()) == 0  # not yet two days
    assert svc.appraisals_remind_unanswered(now=later) == 1
    assert svc.appraisals_remind_unanswered(now=later) == 0
    overdue = appraisal_selectors.round_milestone(round_, "submit").state == "overdue"  # also reported, once, when past its day
    assert remind_appraisals.apply().get() == int(overdue)
    assert Notification.objects.filter(recipient=cast.alice, title__contains="请尽快确认").count() == 1
    assert not Notification.objects.filter(recipient=cast.bob, title__contains="请尽快确认").exists()
    assert Appraisal.objects.get(pk=alice.pk).reminded_at is not None


def test_the_manager_sends_every_scored_draft_at_once_and_learns_who_is_left(cast, client_as, api_as):
    from django.urls import reverse

    round_ = opened(cast)
    for person in (cast.alice, cast.bob):
        scored(of(round_, person), cast.manager)

    page = client_as(cast.manager).post(reverse("reports:appraisal_round_action", args=[round_.pk, "send_scored"]), follow=True)

    text = page.content.decode()
    assert "已发 2 人本人确认" in text and "未发送" in text and "carol" in text
    assert {a.employee.username: a.status for a in round_.appraisals.all()} == {
        "alice": S.SENT,
        "bob": S.SENT,
        "carol": S.DRAFT,
        "lena": S.DRAFT,
        "clerk": S.DRAFT,
    }
    scored(of(round_, cast.carol), cast.manager)
    answer = api_as(cast.manager).post(f"/api/v1/appraisal-rounds/{round_.pk}/send-scored/")
    assert answer.status_code == 200 and answer.json() == {"sent": [of(round_, cast.carol).pk], "left": answer.json()["left"]}
    assert len(answer.json()["left"]) == 2
    assert api_as(cast.lena).post(f"/api/v1/appraisal-rounds/{round_.pk}/send-scored/").status_code == 403
    assert 'data-testid="action-send_scored"' in client_as(cast.manager).get(round_.get_absolute_url()).content.decode()
    for person in (cast.lena, cast.clerk):
        svc.appraisal_exclude(appraisal=of(round_, person), actor=cast.manager, reason="缺岗")
    none_left = client_as(cast.manager).get(round_.get_absolute_url()).content.decode()
    assert 'data-testid="action-send_scored"' not in none_left and 'data-testid="action-submit"' in none_left
    assert api_as(cast.manager).get(f"/api/v1/appraisal-rounds/{round_.pk}/").json()["allowed_actions"] == ["submit"]
    assert svc.round_send_scored(round_=round_, actor=cast.manager) == ([], [])
    with pytest.raises(Forbidden):
        svc.round_send_scored(round_=round_, actor=cast.gm)
