"""Account security services: the second factor, unlocking, and the security record.

Pages and commands call these; each change is one transaction and leaves a SecurityEvent.
"""

from __future__ import annotations

from typing import Protocol, cast

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import lockout
from accounts.models import SecurityAction, SecurityEvent
from orgs.models import Park, Role, User
from qinshang.errors import Forbidden, InvalidInput, NotFound

BACKUP_CODES = 10
TOTP_NAME = "手机验证器"
BACKUP_NAME = "备用验证码"


def record(
    action: str,
    user: User | None = None,
    *,
    actor: User | None = None,
    username: str = "",
    ip: str | None = None,
    note: str = "",
) -> SecurityEvent:
    return SecurityEvent.objects.create(
        action=action,
        user=user,
        username=username or (user.username if user else ""),
        actor=actor,
        park=user.park if user and user.park_id else (actor.park if actor else None),
        ip_address=ip,
        note=note[:200],
    )


# --------------------------------------------------------------------------- second factor


def second_factor_required(user: User) -> bool:
    """Administrators and dispatchers (settings.OTP_REQUIRED_ROLES) must use a second factor."""
    required = settings.OTP_REQUIRED_ROLES
    if not required:
        return False
    return user.role in required or (user.is_superuser and Role.ADMIN in required)


def has_second_factor(user: User) -> bool:
    return user_has_device(user, confirmed=True)


class _Verifiable(Protocol):
    def is_verified(self) -> bool: ...


def is_verified(user: User) -> bool:
    """Whether this session gave the second factor: django_otp's middleware puts `is_verified`
    on the request's user, which the User model does not declare."""
    return cast(_Verifiable, user).is_verified()


def totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_totp(user: User) -> TOTPDevice:
    """The device being enrolled: one unconfirmed TOTP device per user, kept across reloads so
    the QR code scanned a minute ago still matches."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def confirm_totp(user: User, device: TOTPDevice, code: str) -> list[str]:
    """The first code from the phone confirms the device; it replaces any earlier one, and a
    fresh set of backup codes is returned (shown once)."""
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != device.digits:
        raise InvalidInput(f"请输入验证器显示的 {device.digits} 位数字", field="code")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        if not device.verify_token(code):
            raise InvalidInput(
                "验证码不正确：请核对手机时间，并输入验证器当前显示的数字", field="code"
            )
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_backup_codes(user)
        record(SecurityAction.OTP_ENROLLED, user, actor=user)
    return codes


def _new_backup_codes(user: User) -> list[str]:
    static, _ = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": BACKUP_NAME, "confirmed": True}
    )
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


def regenerate_backup_codes(user: User) -> list[str]:
    if totp_device(user) is None:
        raise InvalidInput("请先绑定手机验证器，再生成备用验证码")
    with transaction.atomic():
        codes = _new_backup_codes(user)
        record(SecurityAction.BACKUP_CODES, user, actor=user)
    return codes


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


class Throttled(InvalidInput):
    pass


def match_code(user: User, code: str):
    """The device that accepts the code (the phone's TOTP or one backup code), or None. Each
    device slows down after failures (django-otp's throttling); when every device is waiting,
    Throttled says so instead of a plain "wrong code"."""
    code = (code or "").strip().replace(" ", "").lower()
    if not code:
        return None
    waiting = 0
    devices = list(devices_for_user(user, confirmed=True))
    for device in devices:
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            waiting += 1
            continue
        if device.verify_token(code):
            if isinstance(device, StaticDevice):
                record(SecurityAction.BACKUP_CODE_USED, user, actor=user)
            return device
    if devices and waiting == len(devices):
        raise Throttled("验证码错误次数过多，请稍等一分钟再试")
    return None


def remove_own(user: User) -> None:
    if second_factor_required(user):
        raise Forbidden("您的角色必须使用二次验证，不能解绑；更换手机请重新绑定")
    with transaction.atomic():
        _delete_devices(user)
        record(SecurityAction.OTP_REMOVED, user, actor=user)


def _delete_devices(user: User) -> None:
    for device in devices_for_user(user, confirmed=None):
        device.delete()


# --------------------------------------------------------------------------- park administrator


def check_park_admin(actor: User) -> None:
    if actor.role != Role.ADMIN and not actor.is_superuser:
        raise Forbidden("只有系统管理员可以管理账号安全")


def park_users(actor: User, park: Park) -> QuerySet[User]:
    """The accounts a park administrator manages: those of the park."""
    check_park_admin(actor)
    return User.objects.filter(park=park)


def reset_second_factor(actor: User, park: Park, user_id: int, reason: str) -> User:
    """The lost-phone path when the backup codes are gone too: the user enrols again at the
    next login."""
    user = park_users(actor, park).filter(pk=user_id).first()
    if user is None:
        # An account of another park is not found, as every object of another park is.
        raise NotFound("该账号不属于本园区")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写重置原因（例如“手机遗失，已电话核实本人”）", field="reason")
    with transaction.atomic():
        _delete_devices(user)
        record(SecurityAction.OTP_RESET, user, actor=actor, note=reason)
    return user


def unlock(actor: User, park: Park, *, username: str = "", ip: str = "") -> int:
    check_park_admin(actor)
    if username:
        if not park_users(actor, park).filter(username=username).exists():
            raise InvalidInput("该账号不属于本园区")
        with transaction.atomic():
            n = lockout.unlock_username(username)
            record(SecurityAction.UNLOCKED, User.objects.get(username=username), actor=actor)
        return n
    if ip:
        with transaction.atomic():
            n = lockout.unlock_ip(ip)
            record(SecurityAction.UNLOCKED, None, actor=actor, ip=ip, note=f"地址 {ip}")
        return n
    raise InvalidInput("请指明要解锁的账号或地址")
