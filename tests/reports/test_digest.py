"""The daily digest (日报): after the configured time, once a day, managers and clerks get the day's sales, order intake
and unshipped amount (from reports.kpis) plus overdue verifications and orders at risk — in the app, by e-mail and on the
subscribed group robots (a local HTTP server plays the robot, refusing once); the same digest is a page and an API for
any day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from reports import kpis
from reports.models import DailyDigest, DigestSchedule
from reports.periods import Period
from reports.scopes import Scope
from reports.services.digest import digest_send, digest_send_if_due
from salesops.core.models import Notification, OutboxMessage, WebhookEndpoint
from salesops.core.outbox import outbox_sweep
from tests.reports.books import make_book

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 30)


def local(d: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(d, time(hh, mm), tzinfo=SH)


@pytest.fixture
def book(cast):
    return make_book(cast)


def test_the_digest_goes_out_after_the_configured_time_once(cast, book, django_capture_on_commit_callbacks):
    # given the default schedule (18:00): nothing at 17:55
    assert digest_send_if_due(now=local(timezone.localdate(), 17, 55)) is False
    assert DailyDigest.objects.count() == 0
    # when an admin moves it to 17:30, the 17:55 tick sends it
    DigestSchedule.objects.create(send_at=time(17, 30))
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_send_if_due(now=local(timezone.localdate(), 17, 55)) is True
        # and a second tick (or a second worker) sends nothing more
        assert digest_send_if_due(now=local(timezone.localdate(), 18, 0)) is False
    recipients = {n.recipient.username for n in Notification.objects.filter(title__startswith="日报")}
    assert recipients == {"clerk", "manager", "vp", "gm"}
    assert len([m for m in mail.outbox if m.subject.startswith("日报")]) == 4
    # a schedule switched off sends nothing the next day
    DigestSchedule.objects.update(active=False)
    assert digest_send_if_due(now=local(timezone.localdate() + timedelta(days=1), 20)) is False


def test_the_figures_come_from_the_kpi_selectors(cast, book, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        digest = digest_send(day=DAY)
    day, company = Period.day(DAY), Scope.company()
    assert digest.figures["sales"] == str(kpis.sales_shipped(day, company)) == "5000.00"
    assert digest.figures["intake"] == str(kpis.order_intake(day, company)) == "5000.00"
    assert digest.figures["unshipped"] == str(kpis.unshipped_amount(DAY, company))
    body = Notification.objects.get(recipient=cast.manager).body
    assert "今日销售额（按发货）：¥5,000.00" in body and "今日接单额：¥5,000.00" in body
    assert f"未发货额：¥{kpis.unshipped_amount(DAY, company):,.2f}" in body
    assert "核单超期" in body and "交期风险" in body


def test_the_days_won_and_lost_opportunities_are_in_it(cast, book, client_as, api_as, django_capture_on_commit_callbacks):
    from customers import services as customer_services
    from customers.models import Opportunity
    from tests.factories import CustomerFactory

    customer = CustomerFactory(owner=cast.alice, team=cast.east)
    data = {"title": "项目", "needs": "需求", "amount": D("8000.00"), "expected_close": timezone.localdate() + timedelta(days=9)}
    won = customer_services.opportunity_win(
        opportunity=customer_services.opportunity_create(actor=cast.alice, customer=customer, data=data), actor=cast.alice
    )
    lost = customer_services.opportunity_lose(
        opportunity=customer_services.opportunity_create(actor=cast.alice, customer=customer, data=data),
        actor=cast.alice,
        reason="价格",
    )
    Opportunity.objects.filter(pk__in=[won.pk, lost.pk]).update(closed_at=local(DAY, 10))
    Opportunity.objects.filter(pk=lost.pk).update(closed_at=local(DAY - timedelta(days=1), 23, 59))  # the day before

    with django_capture_on_commit_callbacks(execute=True):
        digest_send(day=DAY)

    assert "今日赢单：1 个 ¥8,000.00；输单：0 个" in Notification.objects.get(recipient=cast.manager).body
    assert api_as(cast.manager).get("/api/v1/daily-digest/?day=2026-11-30").json()["opportunities"] == {
        "won_count": 1,
        "won_amount": "8000.00",
        "lost_count": 0,
    }
    page = client_as(cast.manager).get("/reports/digest/?day=2026-11-29").content.decode()
    assert 'data-testid="digest-opportunities">0 / 1<' in page


def test_group_robots_get_it_through_the_outbox_and_a_refusal_is_retried(cast, book, robot, django_capture_on_commit_callbacks):
    # given a WeCom robot that refuses the first post, a DingTalk one with a secret, and a robot not subscribed
    wecom = WebhookEndpoint.objects.create(name="销售群", kind="wecom", url=f"{robot.url}/cgi-bin/webhook/send?key=k")
    WebhookEndpoint.objects.create(name="管理层", kind="dingtalk", url=f"{robot.url}/robot/send?access_token=t", secret="S")
    WebhookEndpoint.objects.create(name="别的群", kind="feishu", url=f"{robot.url}/hook/x", daily_digest=False)
    robot.answers = [(200, {"errcode": 45009, "errmsg": "api freq out of limit"})]
    # when the digest is sent
    with django_capture_on_commit_callbacks(execute=True):
        digest_send(day=DAY)
    # then both subscribed robots were posted to, in their formats; the refused one waits for its retry
    assert len(robot.requests) == 2
    bodies = {r["path"].split("?")[0]: r["body"] for r in robot.requests}
    assert bodies["/cgi-bin/webhook/send"]["msgtype"] == "markdown"
    assert "今日销售额（按发货）：¥5,000.00" in bodies["/cgi-bin/webhook/send"]["markdown"]["content"]
    assert bodies["/robot/send"]["markdown"]["title"] == "日报 2026-11-30"
    hooks = OutboxMessage.objects.filter(channel="webhook")
    refused = hooks.get(recipient=wecom.url)
    assert hooks.count() == 2 and refused.status == "pending" and "45009" in refused.last_error
    # when its back-off has passed, the sweeper sends it again, once
    OutboxMessage.objects.filter(pk=refused.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert outbox_sweep() == 1 and outbox_sweep() == 0
    refused.refresh_from_db()
    assert refused.status == "sent" and refused.attempts == 2 and len(robot.requests) == 3
    # and sending the same day again posts nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert digest_send(day=DAY) is None
    assert len(robot.requests) == 3


class TestPageAndApi:
    def test_the_page_for_any_day(self, cast, book, client_as):
        page = client_as(cast.manager).get("/reports/digest/?day=2026-11-30")
        assert page.status_code == 200 and page.context["figures"]["sales"] == D("5000.00")
        assert 'data-testid="digest-sales">¥5,000.00' in page.content.decode()
        # alice sees her own figures only, the warehouse none; a bad date is a 400 with the message
        mine = client_as(cast.alice).get("/reports/digest/?day=2026-11-30")
        assert mine.context["figures"]["scope"] == Scope.rep(cast.alice.pk)
        assert mine.context["figures"]["sales"] == kpis.sales_shipped(Period.day(DAY), Scope.rep(cast.alice.pk))
        assert client_as(cast.warehouse).get("/reports/digest/").status_code == 403
        assert client_as(cast.manager).get("/reports/digest/?day=2026-02-30").status_code == 400
        # a day reports cannot cover (its next day or its year before would overflow) is the same 400
        for day in ("0001-01-01", "9999-12-31"):
            assert client_as(cast.manager).get(f"/reports/digest/?day={day}").status_code == 400

    def test_the_api(self, cast, book, api_as):
        data = api_as(cast.clerk).get("/api/v1/daily-digest/?day=2026-11-30").json()
        assert data["sales"] == "5000.00" and data["intake"] == "5000.00" and data["scope"] == "company"
        assert api_as(cast.clerk).get("/api/v1/daily-digest/?day=x").status_code == 400
        for day in ("0001-01-01", "9999-12-31"):
            r = api_as(cast.clerk).get(f"/api/v1/daily-digest/?day={day}")
            assert r.status_code == 400 and "2000–2099" in r.json()["errors"]["day"][0]
        assert api_as(cast.qc).get("/api/v1/daily-digest/").status_code == 403
