"""Group robot webhooks (企业微信 / 钉钉 / 飞书群机器人): each one's message format, signing and answer.

Messages reach a robot only through the outbox (`outbox.outbox_webhook`): the row keeps the robot and the JSON body,
and the delivery signs it at send time (a signature carries the time and expires), posts it and reads the answer.
A robot answers HTTP 200 also when it refuses a message, with its error in the body, so both are checked.

- 企业微信: POST `{"msgtype": "markdown", "markdown": {"content": …}}`; answer `{"errcode": 0, "errmsg": "ok"}`.
- 钉钉: POST `{"msgtype": "markdown", "markdown": {"title": …, "text": …}}`; with 加签 the URL gets `timestamp` (ms) and
  `sign` = base64(HMAC-SHA256(key=secret, msg="<timestamp>\\n<secret>")); answer `{"errcode": 0, "errmsg": "ok"}`.
- 飞书: POST `{"msg_type": "text", "content": {"text": …}}`; with 签名校验 the body gets `timestamp` (s) and
  `sign` = base64(HMAC-SHA256(key="<timestamp>\\n<secret>", msg="")); answer `{"code": 0, "msg": "success"}`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.request
from urllib.parse import quote_plus

from django.conf import settings

from .models import WebhookEndpoint

Kind = WebhookEndpoint.Kind


class WebhookError(Exception):
    """The robot refused the message or could not be reached."""


def robot_body(kind: str, title: str, text: str) -> dict:
    """The JSON body of a message with `title` and markdown `text` in the format of a robot of `kind`."""
    if kind == Kind.WECOM:
        return {"msgtype": "markdown", "markdown": {"content": f"**{title}**\n{text}"}}
    if kind == Kind.DINGTALK:
        return {"msgtype": "markdown", "markdown": {"title": title, "text": f"### {title}\n{text}"}}
    if kind == Kind.FEISHU:
        return {"msg_type": "text", "content": {"text": f"{title}\n{text}"}}
    raise ValueError(kind)


def _hmac_b64(key: str, msg: str) -> str:
    return base64.b64encode(hmac.new(key.encode(), msg.encode(), hashlib.sha256).digest()).decode()


def signed(endpoint: WebhookEndpoint, body: dict, now: float | None = None) -> tuple[str, dict]:
    """The URL and body to post, signed as the robot's kind requires when it has a secret."""
    now = time.time() if now is None else now
    if not endpoint.secret:
        return endpoint.url, body
    if endpoint.kind == Kind.DINGTALK:
        stamp = str(int(now * 1000))
        sign = quote_plus(_hmac_b64(endpoint.secret, f"{stamp}\n{endpoint.secret}"))
        joiner = "&" if "?" in endpoint.url else "?"
        return f"{endpoint.url}{joiner}timestamp={stamp}&sign={sign}", body
    if endpoint.kind == Kind.FEISHU:
        stamp = str(int(now))
        return endpoint.url, {"timestamp": stamp, "sign": _hmac_b64(f"{stamp}\n{endpoint.secret}", ""), **body}
    return endpoint.url, body


def refusal(answer: dict) -> str:
    """The robot's error in its answer, "" when it accepted the message (errcode for 企业微信/钉钉, code for 飞书)."""
    for code_key, msg_key in (("errcode", "errmsg"), ("code", "msg"), ("StatusCode", "StatusMessage")):
        if code_key in answer:
            return "" if answer[code_key] == 0 else f"{answer[code_key]} {answer.get(msg_key, '')}".strip()
    return ""


def post_robot(endpoint: WebhookEndpoint, body: dict) -> None:
    """Post one message; raise WebhookError when the robot cannot be reached or refuses it."""
    url, data = signed(endpoint, body)
    request = urllib.request.Request(
        url, data=json.dumps(data, ensure_ascii=False).encode(), headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            raw = response.read()
    except OSError as e:  # URLError, HTTPError (4xx/5xx), timeouts
        raise WebhookError(str(e)) from e
    try:
        answer = json.loads(raw or b"{}")
    except ValueError as e:
        raise WebhookError(f"not JSON: {raw[:200]!r}") from e
    error = refusal(answer) if isinstance(answer, dict) else ""
    if error:
        raise WebhookError(error)
