"""Public tracking: a caller without an account follows their demand with its number and a
six-digit 查询码, on a phone, and rates the answer.

Only a keyed hash of the code is stored. Failed look-ups are counted per number and per address;
past the limits the number (or the address) is locked for a while, so six digits cannot be
guessed. What the page shows is what `demands.redaction` lets a requester see: no staff names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from demands.models import Demand, Status, TrackingAttempt
from demands.services import record
from orgs.models import Role, User
from qinshang.errors import Forbidden, InvalidInput

CODE_DIGITS = 6
WINDOW = dt.timedelta(minutes=30)
MAX_FAILS_PER_NUMBER = 5
MAX_FAILS_PER_ADDRESS = 20
# Who hands a caller the code: the staff who take calls and record demands for others.
ISSUERS = frozenset({Role.DISPATCHER, Role.ADMIN, Role.LIAISON, Role.LEADER})


class Locked(Forbidden):
    pass


def _digest(demand_pk: int, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"track:{demand_pk}:{code}".encode(), hashlib.sha256).hexdigest()


def issue_code(actor: User, demand: Demand, *, at: dt.datetime | None = None) -> str:
    """A new 查询码 for the demand, shown once to the staff who read it to the caller; an earlier
    code stops working. The event records that a code was issued, never the code."""
    if actor.role not in ISSUERS or not actor.in_park(demand.park_id):
        raise Forbidden("只有受理人员可以生成查询码")
    if demand.status == Status.MERGED:
        raise InvalidInput("已合并的诉求请查询合并后的编号")
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with transaction.atomic():
        locked = Demand.objects.select_for_update(of=("self",)).get(pk=demand.pk)
        again = bool(locked.track_code_hash)
        locked.track_code_hash = _digest(locked.pk, code)
        locked.save(update_fields=["track_code_hash", "updated_at"])
        record(
            locked,
            "track_code",
            actor,
            from_status=locked.status,
            to_status=locked.status,
            note="重新生成查询码（原查询码作废）" if again else "生成查询码",
            at=at,
        )
    demand.track_code_hash = locked.track_code_hash
    return code


def _fails(since: dt.datetime, **where: str) -> int:
    return TrackingAttempt.objects.filter(at__gte=since, ok=False, **where).count()


def find(number: str, code: str, address: str, *, at: dt.datetime | None = None) -> Demand:
    """The demand these two prove, or a refusal that says nothing about which one was wrong."""
    now = at or timezone.now()
    number = number.strip().upper()[:20]
    code = code.strip()
    address = address[:45]
    since = now - WINDOW
    if (
        _fails(since, number=number) >= MAX_FAILS_PER_NUMBER
        or _fails(since, address=address) >= MAX_FAILS_PER_ADDRESS
    ):
        raise Locked("查询失败次数过多，请 30 分钟后再试，或致电园区服务热线")
    if not number or not code:
        raise InvalidInput("请填写诉求编号和查询码")
    demand = Demand.objects.select_related("park").filter(number=number).first()
    ok = (
        demand is not None
        and bool(demand.track_code_hash)
        and hmac.compare_digest(demand.track_code_hash, _digest(demand.pk, code))
    )
    TrackingAttempt.objects.create(number=number, address=address, ok=ok, at=now)
    if not ok or demand is None:
        raise InvalidInput("诉求编号或查询码不正确")
    return demand


def purge(before: dt.datetime) -> int:
    """Attempts older than the window say nothing any more."""
    return TrackingAttempt.objects.filter(at__lt=before).delete()[0]
