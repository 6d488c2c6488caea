"""The outbox's webhook channel: group robots (企业微信 / 钉钉 / 飞书) get their own JSON formats, signed when they have a
secret, through the same outbox as e-mail — posted once after the commit, a refusal retried with back-off, dead at the end.
A local HTTP server started by the test plays the robot."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest
from django.db import transaction
from django.test import TestCase
from django.utils import timezone

from salesops.core.models import OutboxMessage, WebhookEndpoint
from salesops.core.outbox import outbox_sweep, outbox_webhook
from salesops.core.webhooks import refusal, robot_body, signed

pytestmark = pytest.mark.django_db
Kind = WebhookEndpoint.Kind


def endpoint(robot, kind=Kind.WECOM, secret="", path="/cgi-bin/webhook/send?key=k1"):
    return WebhookEndpoint.objects.create(name="销售群", kind=kind, url=robot.url + path, secret=secret)


def send(ep, title="日报", text="- 销售额：¥1,000.00", **kw):
    """Queue in a transaction and run its after-commit publish (eager in the test settings: delivered at once)."""
    with TestCase.captureOnCommitCallbacks(execute=True), transaction.atomic():
        return outbox_webhook(endpoint=ep, title=title, text=text, **kw)


def overdue(row):
    OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


class TestFormats:
    def test_each_robot_gets_its_own_json(self):
        assert robot_body(Kind.WECOM, "日报", "正文") == {"msgtype": "markdown", "markdown": {"content": "**日报**\n正文"}}
        assert robot_body(Kind.DINGTALK, "日报", "正文") == {
            "msgtype": "markdown",
            "markdown": {"title": "日报", "text": "### 日报\n正文"},
        }
        assert robot_body(Kind.FEISHU, "日报", "正文") == {"msg_type": "text", "content": {"text": "日报\n正文"}}

    def test_dingtalk_signs_the_url_with_timestamp_and_hmac(self):
        ep = WebhookEndpoint(kind=Kind.DINGTALK, url="https://oapi.dingtalk.com/robot/send?access_token=t", secret="SEC")
        url, body = signed(ep, {"msgtype": "text"}, now=1700000000.123)
        query = parse_qs(urlsplit(url).query)
        expected = base64.b64encode(hmac.new(b"SEC", b"1700000000123\nSEC", hashlib.sha256).digest()).decode()
        assert query["access_token"] == ["t"] and query["timestamp"] == ["1700000000123"]
        assert unquote_plus(url.split("sign=")[1]) == expected and body == {"msgtype": "text"}

    def test_feishu_signs_the_body(self):
        ep = WebhookEndpoint(kind=Kind.FEISHU, url="https://open.feishu.cn/open-apis/bot/v2/hook/x", secret="SEC")
        url, body = signed(ep, {"msg_type": "text"}, now=1700000000.9)
        expected = base64.b64encode(hmac.new(b"1700000000\nSEC", b"", hashlib.sha256).digest()).decode()
        assert url == ep.url and body == {"timestamp": "1700000000", "sign": expected, "msg_type": "text"}

    def test_a_refusal_is_read_from_each_answer_format(self):
        assert refusal({"errcode": 0, "errmsg": "ok"}) == ""
        assert refusal({"errcode": 310000, "errmsg": "sign not match"}) == "310000 sign not match"
        assert refusal({"code": 19021, "msg": "sign match fail"}) == "19021 sign match fail"
        assert refusal({"StatusCode": 0, "StatusMessage": "success"}) == ""


class TestDelivery:
    def test_posted_once_after_the_commit_in_the_robots_format(self, robot):
        # given a DingTalk robot with a secret
        ep = endpoint(robot, Kind.DINGTALK, secret="SEC", path="/robot/send?access_token=t")
        # when a message is queued and committed, then swept again
        row = send(ep)
        assert outbox_sweep() == 0
        # then the robot got it once, signed, in its format; the row is sent
        row.refresh_from_db()
        assert row.status == OutboxMessage.Status.SENT and row.attempts == 1 and row.channel == "webhook"
        assert len(robot.requests) == 1
        request = robot.requests[0]
        assert request["path"].startswith("/robot/send?access_token=t&timestamp=") and "&sign=" in request["path"]
        assert request["body"] == {"msgtype": "markdown", "markdown": {"title": "日报", "text": "### 日报\n- 销售额：¥1,000.00"}}

    def test_a_refusal_is_retried_after_the_back_off_then_sent_once(self, robot):
        # given a WeCom robot that refuses the first message (HTTP 200, errcode) and a Feishu one answering 500 first
        wecom, feishu = endpoint(robot), endpoint(robot, Kind.FEISHU, path="/open-apis/bot/v2/hook/x")
        robot.answers = [(200, {"errcode": 93000, "errmsg": "invalid webhook url"}), (500, {"code": 1})]
        # when both are queued
        first, second = send(wecom, dedupe_key="digest:wecom"), send(feishu, dedupe_key="digest:feishu")
        # then both failed once, with the robot's error kept and a next attempt in the future
        first.refresh_from_db(), second.refresh_from_db()
        assert (first.status, first.attempts, second.status, second.attempts) == ("pending", 1, "pending", 1)
        assert "93000 invalid webhook url" in first.last_error and "500" in second.last_error
        assert first.next_attempt_at > timezone.now()
        # when the sweeper runs before the back-off passed: nothing; after it: both go out
        assert outbox_sweep() == 0
        overdue(first), overdue(second)
        robot.default = (200, {"code": 0, "msg": "success"})
        assert outbox_sweep() == 2
        assert outbox_sweep() == 0
        # then each robot got its message twice (the refused try and the accepted one), and not a third time
        assert len(robot.requests) == 4
        assert robot.requests[-1]["body"] == {"msg_type": "text", "content": {"text": "日报\n- 销售额：¥1,000.00"}}
        # and queueing the same logical message again writes nothing new
        assert send(wecom, dedupe_key="digest:wecom").pk == first.pk and OutboxMessage.objects.count() == 2

    def test_dead_after_the_last_attempt_with_its_error(self, robot, settings):
        settings.OUTBOX_MAX_ATTEMPTS = 2
        robot.default = (200, {"errcode": 300001, "errmsg": "token is not exist"})
        row = send(endpoint(robot, Kind.DINGTALK, path="/robot/send?access_token=gone"))
        overdue(row)
        outbox_sweep()
        row.refresh_from_db()
        assert row.status == OutboxMessage.Status.DEAD and row.attempts == 2 and "token is not exist" in row.last_error

    def test_an_unreachable_robot_is_a_failed_attempt_not_an_error(self, robot, settings):
        settings.WEBHOOK_TIMEOUT_SECONDS = 1
        ep = WebhookEndpoint.objects.create(name="旧群", kind=Kind.WECOM, url="http://127.0.0.1:9/cgi-bin/webhook/send")
        row = send(ep)
        row.refresh_from_db()
        assert row.status == OutboxMessage.Status.PENDING and row.attempts == 1 and row.last_error
