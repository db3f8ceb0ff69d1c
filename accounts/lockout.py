"""Login throttling with django-axes: per account and per address, each with its own limit.

A park's offices go out to the internet through one address, so the address limit is higher than
the account limit; axes knows one limit only, so the handler scales the address count to it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: behind TRUSTED_PROXY_COUNT proxies it is the entry the nearest
    one appended to X-Forwarded-For; entries further left were written by the client itself."""
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-min(count, len(hops))]
    return request.META.get("REMOTE_ADDR")


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        by_user, by_ip = self._counts(request, credentials)
        # Locked when by_user reaches AXES_FAILURE_LIMIT or by_ip reaches AXES_IP_FAILURE_LIMIT.
        scaled_ip = by_ip * settings.AXES_FAILURE_LIMIT // settings.AXES_IP_FAILURE_LIMIT
        return max(by_user, scaled_ip)

    def _counts(self, request, credentials) -> tuple[int, int]:
        # One queryset per AXES_LOCKOUT_PARAMETERS entry, in its order: username, ip_address.
        by_user, by_ip = self.get_user_attempts(request, credentials)
        return _sum(by_user), _sum(by_ip)


def _sum(qs: QuerySet) -> int:
    return qs.aggregate(n=Sum("failures_since_start"))["n"] or 0


def _recent() -> QuerySet:
    cool_off = get_cool_off()
    qs = AccessAttempt.objects.all()
    if cool_off:
        qs = qs.filter(attempt_time__gte=timezone.now() - cool_off)
    return qs


def _minutes_left(last: datetime | None) -> int:
    cool_off = get_cool_off()
    if not cool_off or last is None:
        return 0
    left = (last + cool_off - timezone.now()).total_seconds()
    return max(1, math.ceil(left / 60))


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    """The login page again, saying which lock holds, for how long and who can lift it."""
    username = get_client_username(request, credentials) or ""
    ip = getattr(request, "axes_ip_address", None) or client_ip(request)
    recent = _recent()
    by_user = recent.filter(username=username)
    user_locked = username and _sum(by_user) >= settings.AXES_FAILURE_LIMIT
    if user_locked:
        last = by_user.aggregate(t=Max("attempt_time"))["t"]
        reason = (
            f"账号“{username}”因连续 {settings.AXES_FAILURE_LIMIT} 次密码错误已被暂时锁定，"
            "此时即使密码正确也无法登录。"
        )
    else:
        last = recent.filter(ip_address=ip).aggregate(t=Max("attempt_time"))["t"]
        reason = (
            f"您所在的网络地址（{ip}）登录失败已达 {settings.AXES_IP_FAILURE_LIMIT} 次，"
            "已被暂时禁止登录。"
        )
    minutes = _minutes_left(last)
    return render(
        request,
        "web/login.html",
        {
            "locked": {"reason": reason, "minutes": minutes},
            "form": None,
            "username": username,
        },
        status=429,
    )


# --------------------------------------------------------------------------- for the admin page


@dataclass
class Lock:
    kind: str  # "username" | "ip"
    value: str
    failures: int
    last: datetime
    minutes_left: int


def current_locks(usernames: set[str] | None = None) -> list[Lock]:
    """Accounts and addresses locked now. `usernames` limits the account locks (a park
    administrator sees the park's accounts); address locks are not a park's and show always."""
    recent = _recent()
    locks: list[Lock] = []
    users = recent.exclude(username=None).values("username")
    if usernames is not None:
        users = users.filter(username__in=usernames)
    for row in users.annotate(n=Sum("failures_since_start"), t=Max("attempt_time")).order_by("-t"):
        if row["n"] >= settings.AXES_FAILURE_LIMIT:
            locks.append(
                Lock("username", row["username"], row["n"], row["t"], _minutes_left(row["t"]))
            )
    ips = recent.exclude(ip_address=None).values("ip_address")
    for row in ips.annotate(n=Sum("failures_since_start"), t=Max("attempt_time")).order_by("-t"):
        if row["n"] >= settings.AXES_IP_FAILURE_LIMIT:
            locks.append(Lock("ip", row["ip_address"], row["n"], row["t"], _minutes_left(row["t"])))
    return locks


def unlock_username(username: str) -> int:
    from axes.utils import reset

    return reset(username=username)


def unlock_ip(ip: str) -> int:
    from axes.utils import reset

    return reset(ip=ip)
