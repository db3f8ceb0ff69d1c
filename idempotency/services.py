"""`Idempotency-Key` on every POST of the API: a retry of a request whose answer was lost returns
the first answer (status and body) and creates nothing.

Two hooks on every operation of the NinjaAPI (`install`):

- around the whole operation (before authentication): for a POST with the header, open one
  transaction; after the answer is ready, keep a 2xx answer on the key's row, or roll back so a
  refused request (4xx) keeps nothing and may be retried with the same key once fixed;
- around the view (after authentication and validation): insert the (user, key) row before any
  work. The unique row is the lock: a concurrent request with the same key waits on it until the
  first commits, then finds the stored answer. The same key with another body (or path, or
  X-Park) is refused with 422.

Rows expire after `settings.IDEMPOTENCY_KEY_TTL_HOURS` (a day); the scheduler purges them
(`purge_idempotency_keys` in settings.PERIODIC_JOBS) and an expired row is ignored until then.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from idempotency.models import IdempotentRequest
from orgs.access import UserRequest
from qinshang.errors import InvalidInput, InvalidState

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
_KEY = re.compile(r"^[!-~]{1,255}$")  # visible ASCII: a UUID, a ULID, "order-42-retry"

DESCRIPTION = (
    "**幂等键**：每个 POST 请求都可带请求头 `Idempotency-Key`（1–255 个可见 ASCII 字符，建议 "
    "UUID）。同一用户用同一个键重发请求（例如没收到应答而重试），返回第一次的应答（状态码与"
    "内容，应答头 `Idempotent-Replayed: true`），不会重复创建；同一个键用于内容不同的请求时返回 "
    "422。只保存成功的应答（2xx）：被拒绝的请求不留记录，修正后可用同一个键重试。键保存 24 小时。"
)
PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "description": "幂等键：重试时带上同一个键，只执行一次并返回第一次的应答（保存 24 小时）",
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}


def ttl() -> dt.timedelta:
    return dt.timedelta(hours=getattr(settings, "IDEMPOTENCY_KEY_TTL_HOURS", 24))


def purge_expired(now: dt.datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - ttl()
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def fingerprint(request: HttpRequest) -> str:
    """What makes two requests "the same": method, path with query, park and body (JSON compared
    by content, so a client that re-serialises its retry still matches)."""
    body = request.body
    try:
        body = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    except ValueError:
        pass
    h = hashlib.sha256()
    for part in (
        request.method or "",
        request.get_full_path(),
        (request.headers.get("X-Park") or "").strip(),
    ):
        h.update(part.encode() + b"\0")
    h.update(body)
    return h.hexdigest()


@dataclass
class _Pending:
    key: str
    fingerprint: str
    row: IdempotentRequest | None = None
    replayed: bool = False


class _KeyedRequest(HttpRequest):
    # A POST with a valid key carries its pending claim from the view hook to the operation hook.
    _idempotency: _Pending


def _around_operation(run: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(run)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return run(request, *args, **kwargs)
        if not _KEY.match(key):
            return JsonResponse(
                {"detail": f"请求头 {HEADER} 应为 1–255 个可见 ASCII 字符（建议 UUID）"},
                status=422,
            )
        pending = _Pending(key, fingerprint(request))
        cast(_KeyedRequest, request)._idempotency = pending
        with transaction.atomic():
            response = run(request, *args, **kwargs)
            if pending.row is not None and 200 <= response.status_code < 300:
                pending.row.status = response.status_code
                pending.row.content_type = response.get("Content-Type", "")[:100]
                pending.row.body = response.content
                pending.row.save(update_fields=["status", "content_type", "body"])
            elif not pending.replayed:
                transaction.set_rollback(True)
        return response

    return wrapped


def _claim(request: UserRequest, pending: _Pending) -> HttpResponse | None:
    """Insert the key's row, or answer from the row a first request left."""
    user = request.user
    now = timezone.now()
    fields = {
        "fingerprint": pending.fingerprint,
        "method": request.method or "",
        "path": request.get_full_path()[:2000],
        "created_at": now,
    }
    try:
        with transaction.atomic():
            pending.row = IdempotentRequest.objects.create(user=user, key=pending.key, **fields)
        return None
    except IntegrityError:
        pass
    row = IdempotentRequest.objects.select_for_update().get(user=user, key=pending.key)
    if row.created_at < now - ttl():
        # Expired but not purged yet: the key is free again.
        row.delete()
        pending.row = IdempotentRequest.objects.create(user=user, key=pending.key, **fields)
        return None
    if row.fingerprint != pending.fingerprint:
        raise InvalidInput(
            f"幂等键“{pending.key}”已用于另一个请求（{row.method} {row.path}，内容不同）："
            "重试时请发送与第一次完全相同的请求，新的请求请换一个新键",
            field=HEADER,
        )
    if row.status is None:
        raise InvalidState(f"幂等键“{pending.key}”的第一个请求尚未完成，请稍后重试")
    pending.replayed = True
    response = HttpResponse(bytes(row.body), status=row.status, content_type=row.content_type)
    response[REPLAYED] = "true"
    return response


def _around_view(view: Callable[..., Any]) -> Callable[..., Any]:
    # Runs as the operation, after the API's auth: the user is logged in.
    @wraps(view)
    def wrapped(request: UserRequest, *args: Any, **kwargs: Any) -> Any:
        pending = getattr(request, "_idempotency", None)
        if pending is None:
            return view(request, *args, **kwargs)
        replay = _claim(request, pending)
        if replay is not None:
            return replay
        return view(request, *args, **kwargs)

    return wrapped


def _documented(get_schema: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(get_schema)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        schema = get_schema(*args, **kwargs)
        for ops in schema.get("paths", {}).values():
            post = ops.get("post")
            if post is None:
                continue
            params = post.setdefault("parameters", [])
            if not any(p.get("name") == HEADER for p in params):
                params.append(dict(PARAMETER))
            responses = post.setdefault("responses", {})
            if 422 not in responses and "422" not in responses:
                responses[422] = {"description": "输入有误，或幂等键已用于内容不同的请求"}
        return schema

    return wrapped


def install(api: Any) -> None:
    """Hook every operation of `api` (call before its URLs are built)."""
    api.add_decorator(_around_operation, mode="view")
    api.add_decorator(_around_view, mode="operation")
    api.get_openapi_schema = _documented(api.get_openapi_schema)
    api.description = f"{api.description}\n\n{DESCRIPTION}"
