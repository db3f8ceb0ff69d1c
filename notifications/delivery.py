"""Notices beyond the bell: who gets which kind on which channel, the delivery rows, the
background attempts with backoff, gateway receipts, and what the park admin sees.

Every Notification row is the in-app notice; it is written first and never depends on what
follows. `fan_out` then adds one Delivery per outside channel the recipient chose (and has an
address for) and enqueues `tasks.deliver` for each — in the caller's transaction, so with the
database task backend the job row is an outbox entry that commits with the notice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from entities.models import Contact
from notifications import channels
from notifications.models import (
    OUTSIDE_CHANNELS,
    Channel,
    Delivery,
    DeliveryState,
    Kind,
    Notification,
    Preference,
)
from orgs.models import Park, Role, User
from qinshang.errors import InvalidInput
from qinshang.validators import phone_kind

log = logging.getLogger(__name__)

# 回访 (the rating request), 催办督办 and 超期: what should reach a person who is not looking at
# the bell, by SMS when they have a mobile.
SMS_BY_DEFAULT = frozenset({Kind.ANSWERED, Kind.URGED, Kind.OVERDUE})


def is_mobile(number: str) -> bool:
    return bool(number) and phone_kind(number) == "mobile"


def _digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())[-11:]


@dataclass(frozen=True)
class Addresses:
    mobile: str
    email: str
    openid: str

    def for_channel(self, channel: str) -> str:
        return {"sms": self.mobile, "email": self.email, "wechat": self.openid}.get(channel, "")


def addresses(
    user: User, pref: Preference | None, contacts: dict[int, str] | None = None
) -> Addresses:
    """Where a user can be reached, from their account (mobile, e-mail), the openid bound in
    their preferences, and for an enterprise account without a mobile its primary contact's."""
    mobile = user.phone if is_mobile(user.phone) else ""
    if not mobile and user.role == Role.ENTERPRISE and user.enterprise_id:
        if contacts is None:
            contacts = _contact_mobiles([user.enterprise_id])
        mobile = contacts.get(user.enterprise_id, "")
    return Addresses(
        mobile=_digits(mobile) if mobile else "",
        email=user.email or "",
        openid=pref.wechat_openid if pref else "",
    )


def _contact_mobiles(entity_ids: Iterable[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for c in Contact.objects.filter(entity_id__in=list(entity_ids)).order_by("-is_primary", "id"):
        if c.entity_id not in out and is_mobile(c.phone):
            out[c.entity_id] = c.phone
    return out


def default_channels(kind: str, addr: Addresses) -> list[str]:
    return [Channel.SMS] if kind in SMS_BY_DEFAULT and addr.mobile else []


def chosen_channels(kind: str, pref: Preference | None, addr: Addresses) -> list[str]:
    """The outside channels a user wants for a kind (in-app is always on, so never listed)."""
    if pref is not None and kind in pref.channels:
        return [c for c in pref.channels[kind] if c in OUTSIDE_CHANNELS]
    return default_channels(kind, addr)


# --- the user's settings page ---------------------------------------------------------------


@dataclass
class PreferenceRow:
    kind: str
    label: str
    cells: list[tuple[str, str, bool]]  # (channel, its label, ticked)


def preference_table(user: User) -> tuple[list[PreferenceRow], Addresses, list[str]]:
    pref = Preference.objects.filter(user=user).first()
    addr = addresses(user, pref)
    enabled = channels.enabled_channels()
    labels = dict(Channel.choices)
    rows = []
    for kind, label in Kind.choices:
        chosen = chosen_channels(kind, pref, addr)
        rows.append(PreferenceRow(kind, label, [(c, labels[c], c in chosen) for c in enabled]))
    return rows, addr, enabled


def save_preferences(
    user: User, chosen: dict[str, list[str]], *, wechat_openid: str | None = None
) -> Preference:
    """Store the user's choice for every kind (what is not ticked is off). A channel needs an
    address: SMS a mobile on the account, e-mail an address, WeChat an openid. No openid given
    (WeChat not offered): the bound one stays."""
    existing = Preference.objects.filter(user=user).first()
    if wechat_openid is None:
        wechat_openid = existing.wechat_openid if existing else ""
    openid = wechat_openid.strip()
    if openid and (len(openid) > 64 or not all(ch.isalnum() or ch in "-_" for ch in openid)):
        raise InvalidInput("微信 openid 只能由字母、数字、“-”和“_”组成", field="wechat_openid")
    enabled = set(channels.enabled_channels())
    kinds = set(Kind.values)
    clean: dict[str, list[str]] = {}
    for kind in kinds:
        picked = [c for c in chosen.get(kind, []) if c in enabled]
        clean[kind] = sorted(set(picked))
    with transaction.atomic():
        pref, _ = Preference.objects.select_for_update().get_or_create(user=user)
        addr = addresses(user, pref)
        addr = Addresses(addr.mobile, addr.email, openid)
        used = {c for cs in clean.values() for c in cs}
        labels = dict(Channel.choices)
        for c in sorted(used):
            if not addr.for_channel(c):
                need = {
                    "sms": "账号中的手机号",
                    "email": "账号中的电子邮箱",
                    "wechat": "微信 openid",
                }
                raise InvalidInput(
                    f"选择了{labels[c]}，但还没有{need[c]}；请先补充或取消勾选", field=c
                )
        pref.channels = clean
        pref.wechat_openid = openid
        pref.save()
    return pref


# --- fan-out and attempts -------------------------------------------------------------------


def fan_out(rows: Iterable[Notification]) -> list[Delivery]:
    """Add the outside deliveries for freshly written notices and enqueue them. Never raises:
    the notices are already in the bell, and that must stand whatever happens here."""
    rows = list(rows)
    try:
        # Nothing to send on (no outside channel configured, or no notice): no transaction.
        if not rows or not channels.enabled_channels():
            return []
        with transaction.atomic():
            made = _fan_out(rows)
    except Exception:
        log.exception("outside delivery could not be queued")
        return []
    for d in made:
        _enqueue(d.pk)
    return made


def _with_pks(rows: list[Notification]) -> list[Notification]:
    """bulk_create(ignore_conflicts=True) hands rows back without ids: find those by their
    dedupe key and time (the ones that lost the race are someone else's, already fanned out)."""
    have = [n for n in rows if n.pk]
    missing = [n for n in rows if not n.pk and n.dedupe_key]
    if missing:
        found = Notification.objects.filter(
            dedupe_key__in={n.dedupe_key for n in missing},
            created_at__in={n.created_at for n in missing},
        ).select_related("user")
        have += list(found)
    return have


def _fan_out(rows: list[Notification]) -> list[Delivery]:
    enabled = channels.enabled_channels()
    if not enabled or not rows:
        return []
    rows = _with_pks(rows)
    user_ids = {n.user_id for n in rows}
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids, is_active=True)}
    prefs = {p.user_id: p for p in Preference.objects.filter(user_id__in=user_ids)}
    contacts = _contact_mobiles(
        {u.enterprise_id for u in users.values() if u.enterprise_id and u.role == Role.ENTERPRISE}
    )
    now = timezone.now()
    out = []
    for n in rows:
        u = users.get(n.user_id)
        if u is None:
            continue
        pref = prefs.get(u.pk)
        addr = addresses(u, pref, contacts)
        for c in chosen_channels(n.kind, pref, addr):
            if c in enabled and addr.for_channel(c):
                out.append(
                    Delivery(
                        notification=n,
                        channel=c,
                        address=addr.for_channel(c),
                        queued_at=now,
                        next_attempt_at=now,
                    )
                )
    return Delivery.objects.bulk_create(out)


def _enqueue(delivery_id: int, after: dt.datetime | None = None) -> None:
    from django_tasks import default_task_backend

    from notifications.tasks import deliver

    try:
        if after is not None and default_task_backend.supports_defer:
            deliver.using(run_after=after).enqueue(delivery_id)
        else:
            # A backend that cannot defer (the tests' immediate one) runs the next attempt now;
            # next_attempt_at still records when a real worker would have tried.
            deliver.enqueue(delivery_id)
    except Exception:
        # The periodic retry_due sweep picks the delivery up again.
        log.exception("delivery %s could not be enqueued", delivery_id)


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=settings.NOTIFY_RETRY_SECONDS * 2 ** max(0, attempts - 1))


def _link(n: Notification) -> str:
    if not settings.SITE_URL:
        return ""
    return settings.SITE_URL.rstrip("/") + f"/notifications/{n.pk}/"


def attempt(delivery_id: int) -> str:
    """One attempt at one delivery (the background task's body). Returns the state after it.

    The row stays locked while the gateway is called: a second worker given the same job (a
    retried enqueue, the sweep) waits and then finds it no longer queued, so nobody gets the
    message twice from us."""
    with transaction.atomic():
        d = (
            Delivery.objects.select_for_update()
            .select_related("notification")
            .filter(pk=delivery_id)
            .first()
        )
        if d is None or d.state != DeliveryState.QUEUED:
            return d.state if d else ""
        d.attempts += 1
        n = d.notification
        adapter = channels.adapter_for(d.channel)
        now = timezone.now()
        message = channels.Message(
            channel=d.channel,
            address=d.address,
            text=n.text,
            subject=n.get_kind_display(),
            link=_link(n),
            ref=str(d.pk),
        )
        retry_at = None
        try:
            if adapter is None:
                raise channels.Refused("该渠道已停用")
            sent = adapter.send(message)
        except channels.Retry as e:
            error = str(e)
            if d.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
                _fail(d, f"{error}（已尝试 {d.attempts} 次）", now)
            else:
                retry_at = now + backoff(d.attempts)
                d.last_error = error[:300]
                d.next_attempt_at = retry_at
                d.log = [*d.log, {"at": now.isoformat(), "result": "retry", "error": error}]
                d.save()
        except channels.Refused as e:
            _fail(d, str(e), now)
        except Exception as e:  # an adapter's bug must not leave the row queued forever
            log.exception("delivery %s: adapter error", d.pk)
            _fail(d, channels.clean(f"发送出错：{type(e).__name__}"), now)
        else:
            d.state = DeliveryState.DELIVERED if sent.delivered else DeliveryState.SENT
            d.sent_at = now
            if sent.delivered:
                d.delivered_at = now
            d.gateway_ref = sent.ref
            d.last_error = ""
            d.next_attempt_at = None
            d.log = [*d.log, {"at": now.isoformat(), "result": d.state, "ref": sent.ref}]
            d.save()
        log.info("delivery %s %s attempt %s: %s", d.pk, d.channel, d.attempts, d.state)
    if retry_at is not None:
        _enqueue(d.pk, retry_at)
    elif d.state == DeliveryState.FAILED:
        _after_failure(d.pk)
    return d.state


def _fail(d: Delivery, error: str, now: dt.datetime) -> None:
    d.state = DeliveryState.FAILED
    d.failed_at = now
    d.next_attempt_at = None
    d.last_error = error[:300]
    d.log = [*d.log, {"at": now.isoformat(), "result": "failed", "error": error[:300]}]
    d.save()


def _after_failure(delivery_id: int) -> None:
    from notifications import calls

    try:
        calls.after_delivery_failed(delivery_id)
    except Exception:
        log.exception("call-back fallback for delivery %s failed", delivery_id)


def retry_due(now: dt.datetime | None = None) -> int:
    """Re-enqueue deliveries whose attempt is due but whose job was lost (a worker killed
    between attempts): the periodic sweep."""
    now = now or timezone.now()
    stale = now - dt.timedelta(minutes=10)
    ids = list(
        Delivery.objects.filter(state=DeliveryState.QUEUED, next_attempt_at__lte=stale).values_list(
            "pk", flat=True
        )[:500]
    )
    for pk in ids:
        _enqueue(pk)
    return len(ids)


def record_receipt(channel: str, ref: str, *, delivered: bool, error: str = "") -> Delivery | None:
    """A gateway's delivery report for a message it took earlier (found by its message id)."""
    now = timezone.now()
    failed = False
    with transaction.atomic():
        d = (
            Delivery.objects.select_for_update()
            .filter(channel=channel, gateway_ref=ref)
            .exclude(gateway_ref="")
            .first()
        )
        if d is None:
            return None
        if d.state in (DeliveryState.SENT, DeliveryState.QUEUED):
            if delivered:
                d.state = DeliveryState.DELIVERED
                d.delivered_at = now
                d.log = [*d.log, {"at": now.isoformat(), "result": "delivered"}]
                d.save()
            else:
                _fail(d, channels.clean(f"网关回执：{error or '未送达'}"), now)
                failed = True
    if failed:
        _after_failure(d.pk)
    return d


# --- what people see ------------------------------------------------------------------------


def for_park(park: Park) -> QuerySet[Delivery]:
    """The park's deliveries, the only scoping of the admin's list."""
    return Delivery.objects.filter(notification__park=park).select_related(
        "notification", "notification__user", "notification__demand"
    )


@dataclass(frozen=True)
class DeliveryFilter:
    channel: str = ""
    state: str = ""
    kind: str = ""
    q: str = ""

    def apply(self, qs: QuerySet[Delivery]) -> QuerySet[Delivery]:
        if self.channel in Channel.values:
            qs = qs.filter(channel=self.channel)
        if self.state in DeliveryState.values:
            qs = qs.filter(state=self.state)
        if self.kind in Kind.values:
            qs = qs.filter(notification__kind=self.kind)
        if self.q:
            qs = qs.filter(
                Q(notification__user__full_name__icontains=self.q)
                | Q(notification__user__username__icontains=self.q)
                | Q(notification__text__icontains=self.q)
            )
        return qs


def mask(address: str, channel: str) -> str:
    """How an address shows in lists: enough to recognise it, not to copy it."""
    if channel == "sms" and len(address) >= 7:
        return address[:3] + "****" + address[-4:]
    if channel == "email" and "@" in address:
        name, _, host = address.partition("@")
        return (name[:1] or "") + "***@" + host
    return address[:4] + "…" if len(address) > 4 else address


def state_counts(park: Park) -> dict[str, int]:
    from django.db.models import Count

    rows = for_park(park).values("state").annotate(n=Count("id"))
    return {r["state"]: r["n"] for r in rows}
