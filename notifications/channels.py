"""Adapters: how one message leaves on one outside channel. One interface, `Adapter.send`, and
one adapter per way of sending (SMTP e-mail, an HTTP SMS gateway, WeChat template/subscribe
messages, a file outbox for the demo); `adapter_for` picks the configured one per channel.

An adapter raises `Retry` for what may pass (a timeout, a gateway's 5xx or "busy") and `Refused`
for what will not (the gateway rejected the number or the message); the caller counts attempts
and backs off. Error texts never carry the gateway's key, secret or access token: `clean` takes
them out before anything is stored or logged.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.utils import timezone

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    channel: str
    address: str  # mobile, e-mail address or openid
    text: str
    subject: str  # the kind of notice, e.g. 已逾期
    link: str  # absolute URL of the page the notice opens, or ""
    ref: str  # our own id for the message (the delivery's), for the gateway's receipts


@dataclass(frozen=True)
class Sent:
    """The gateway took the message. `delivered` when it already says the person has it."""

    ref: str = ""
    delivered: bool = False


class SendError(Exception):
    pass


class Retry(SendError):
    """May pass on a later attempt."""


class Refused(SendError):
    """The gateway refused the message; trying again will not help."""


class Adapter:
    channel = ""

    def send(self, message: Message) -> Sent:
        raise NotImplementedError


def _secrets() -> list[str]:
    return [
        s
        for s in (
            settings.NOTIFY_SMS_KEY,
            settings.NOTIFY_WECHAT_SECRET,
            getattr(settings, "EMAIL_HOST_PASSWORD", ""),
            cache.get(_TOKEN_KEY) or "",
        )
        if s
    ]


def clean(text: str) -> str:
    for s in _secrets():
        text = text.replace(s, "***")
    return text[:300]


def _post_json(url: str, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, Any]:
    data = json.dumps(body, ensure_ascii=False).encode()
    req = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json", **headers}
    )
    return _open(req)


def _open(req: urllib.request.Request) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(req, timeout=settings.NOTIFY_HTTP_TIMEOUT) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    except TimeoutError:
        raise Retry("网关响应超时") from None
    except urllib.error.URLError as e:
        if isinstance(e.reason, TimeoutError):
            raise Retry("网关响应超时") from None
        raise Retry(clean(f"无法连接网关：{e.reason}")) from None
    except OSError as e:
        raise Retry(clean(f"无法连接网关：{e}")) from None
    try:
        payload = json.loads(raw.decode() or "null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        payload = None
    return status, payload


class SmsGateway(Adapter):
    """An HTTP SMS gateway (the JSON shape of the common domestic aggregators): POST
    {"phone", "sign", "text", "out_id"} with the key in X-Api-Key; answer {"code": "OK",
    "message_id": …, "status": "delivered"?} or {"code": <error>, "message": …}. Receipts come
    back later to /notifications/receipts/sms/."""

    channel = "sms"

    def send(self, message: Message) -> Sent:
        url = settings.NOTIFY_SMS_URL
        if not url:
            raise Refused("未配置短信网关地址（NOTIFY_SMS_URL）")
        body = {
            "phone": message.address,
            "sign": settings.NOTIFY_SMS_SIGN,
            "text": sms_text(message.text),
            "out_id": message.ref,
        }
        status, payload = _post_json(url, body, {"X-Api-Key": settings.NOTIFY_SMS_KEY})
        code = str(payload.get("code", "")) if isinstance(payload, dict) else ""
        detail = str(payload.get("message", "")) if isinstance(payload, dict) else ""
        if status >= 500 or code in ("BUSY", "RATE_LIMIT", "isv.BUSINESS_LIMIT_CONTROL"):
            raise Retry(clean(f"短信网关暂不可用（{status} {code} {detail}）".replace("  ", " ")))
        if status >= 400 or code.upper() != "OK":
            raise Refused(clean(f"短信网关拒绝：{code or status} {detail}".strip()))
        assert isinstance(payload, dict)
        return Sent(
            ref=str(payload.get("message_id", ""))[:100],
            delivered=payload.get("status") == "delivered",
        )


def sms_text(text: str) -> str:
    return f"【{settings.NOTIFY_SMS_SIGN}】{text}"


class Email(Adapter):
    """Django's mail: the SMTP backend in production (EMAIL_HOST…), locmem in tests."""

    channel = "email"

    def send(self, message: Message) -> Sent:
        body = message.text + (f"\n\n查看：{message.link}" if message.link else "")
        try:
            send_mail(
                f"【{settings.NOTIFY_SMS_SIGN}】{message.subject}",
                body,
                settings.DEFAULT_FROM_EMAIL,
                [message.address],
            )
        except TimeoutError:
            raise Retry("邮件服务器响应超时") from None
        except OSError as e:  # smtplib's errors are OSErrors; connection refused, DNS …
            raise Retry(clean(f"邮件发送失败：{e}")) from None
        return Sent()


_TOKEN_KEY = "notifications:wechat:access_token"
# errcodes meaning "the access token is stale": fetch a new one and try once more.
_STALE_TOKEN = (40001, 40014, 42001)


class WeChat(Adapter):
    """微信公众号 template messages (NOTIFY_WECHAT_KIND=mp) or 小程序 subscribe messages
    (miniapp), on the documented HTTP shape against NOTIFY_WECHAT_BASE_URL: a client_credential
    access token (cached until it expires), then message/template/send or message/subscribe/send.
    """

    channel = "wechat"

    def _token(self, fresh: bool = False) -> str:
        token = None if fresh else cache.get(_TOKEN_KEY)
        if token:
            return str(token)
        q = urllib.parse.urlencode(
            {
                "grant_type": "client_credential",
                "appid": settings.NOTIFY_WECHAT_APPID,
                "secret": settings.NOTIFY_WECHAT_SECRET,
            }
        )
        status, payload = _open(
            urllib.request.Request(f"{settings.NOTIFY_WECHAT_BASE_URL}/cgi-bin/token?{q}")
        )
        if not isinstance(payload, dict) or not payload.get("access_token"):
            err = payload.get("errmsg", status) if isinstance(payload, dict) else status
            if status >= 500:
                raise Retry(clean(f"微信接口暂不可用（{err}）"))
            raise Refused(clean(f"微信接口拒绝获取 access_token：{err}"))
        token = str(payload["access_token"])
        ttl = max(60, int(payload.get("expires_in", 7200)) - 300)
        cache.set(_TOKEN_KEY, token, ttl)
        return token

    def _body(self, message: Message) -> tuple[str, dict[str, Any]]:
        now = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        if settings.NOTIFY_WECHAT_KIND == "miniapp":
            # Subscribe messages: thing.DATA is at most 20 characters.
            return "/cgi-bin/message/subscribe/send", {
                "touser": message.address,
                "template_id": settings.NOTIFY_WECHAT_TEMPLATE_ID,
                "page": settings.NOTIFY_WECHAT_PAGE,
                "data": {
                    "thing1": {"value": message.subject[:20]},
                    "thing2": {"value": message.text[:20]},
                    "time3": {"value": now},
                },
            }
        return "/cgi-bin/message/template/send", {
            "touser": message.address,
            "template_id": settings.NOTIFY_WECHAT_TEMPLATE_ID,
            "url": message.link,
            "data": {
                "first": {"value": message.subject},
                "keyword1": {"value": message.text},
                "keyword2": {"value": now},
            },
        }

    def send(self, message: Message) -> Sent:
        if not settings.NOTIFY_WECHAT_APPID:
            raise Refused("未配置微信 AppID（NOTIFY_WECHAT_APPID）")
        path, body = self._body(message)
        for fresh in (False, True):
            token = self._token(fresh)
            url = f"{settings.NOTIFY_WECHAT_BASE_URL}{path}?access_token={token}"
            status, payload = _post_json(url, body, {})
            errcode = int(payload.get("errcode", -1)) if isinstance(payload, dict) else -1
            errmsg = str(payload.get("errmsg", "")) if isinstance(payload, dict) else ""
            if errcode in _STALE_TOKEN and not fresh:
                continue
            if status >= 500 or (errcode == -1 and status != 200) or errcode == 45009:
                raise Retry(clean(f"微信接口暂不可用（{status} {errcode} {errmsg}）"))
            if errcode != 0:
                raise Refused(clean(f"微信接口拒绝：{errcode} {errmsg}"))
            assert isinstance(payload, dict)
            return Sent(ref=str(payload.get("msgid", ""))[:100])
        raise Retry("微信 access_token 已失效")


class Outbox(Adapter):
    """The demo's and a test machine's channel: each message a JSON line in
    NOTIFY_OUTBOX_DIR/<channel>.jsonl (and the log), nothing leaves the machine."""

    def __init__(self, channel: str):
        self.channel = channel

    def send(self, message: Message) -> Sent:
        folder = Path(settings.NOTIFY_OUTBOX_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        line = {
            "at": timezone.now().isoformat(),
            "to": message.address,
            "subject": message.subject,
            "text": sms_text(message.text) if self.channel == "sms" else message.text,
            "ref": message.ref,
        }
        with open(folder / f"{self.channel}.jsonl", "a", encoding="utf-8") as f:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
        log.info("outbox %s message %s", self.channel, message.ref)
        return Sent(ref=f"outbox-{message.ref}", delivered=True)


def backend_of(channel: str) -> str:
    return {
        "sms": settings.NOTIFY_SMS_BACKEND,
        "email": settings.NOTIFY_EMAIL_BACKEND,
        "wechat": settings.NOTIFY_WECHAT_BACKEND,
    }.get(channel, "")


def enabled_channels() -> list[str]:
    """The outside channels this installation can send on (a backend is configured)."""
    return [c for c in ("sms", "email", "wechat") if backend_of(c)]


def adapter_for(channel: str) -> Adapter | None:
    backend = backend_of(channel)
    if not backend:
        return None
    if backend == "outbox":
        return Outbox(channel)
    return {"sms": SmsGateway, "email": Email, "wechat": WeChat}[channel]()
