"""API tokens: who sees which, issuing, revoking. The pages, the API and the commands call these.

A user sees and revokes their own tokens; a park administrator also those of the park's users
(`visible_tokens` is the one scoping function). Revoked and expired rows are kept for the record.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from orgs.models import ApiToken, Park, Role, TokenScope, User
from qinshang.errors import Forbidden, InvalidInput, NotFound

MAX_DAYS = 366
NAME_MAX = 100


def can_manage_park_tokens(user: User) -> bool:
    return user.role == Role.ADMIN or user.is_superuser


def visible_tokens(user: User, park: Park | None, *, everyone: bool = False) -> QuerySet[ApiToken]:
    """The user's own tokens; with `everyone`, an administrator's view of the park's users'."""
    qs = ApiToken.objects.select_related("user", "revoked_by")
    if everyone:
        if not can_manage_park_tokens(user):
            raise Forbidden("只有系统管理员可以查看园区用户的访问令牌")
        if park is None:
            return qs.none()
        return qs.filter(Q(user__park=park) | Q(user__extra_parks=park)).distinct()
    return qs.filter(user=user)


def get_token(user: User, park: Park | None, token_id: int) -> ApiToken:
    """A token the user may act on: their own, or (administrator) one of the park's users."""
    row = visible_tokens(user, park).filter(pk=token_id).first()
    if row is None and can_manage_park_tokens(user):
        row = visible_tokens(user, park, everyone=True).filter(pk=token_id).first()
    if row is None:
        raise NotFound("访问令牌不存在")
    return row


def issue(
    user: User, *, name: str, days: int | None = None, scope: str = TokenScope.WRITE, by: User
) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("请填写令牌用途，例如“12345 热线对接”", field="name")
    if len(name) > NAME_MAX:
        raise InvalidInput(f"令牌用途最多 {NAME_MAX} 个字", field="name")
    if days is None:
        days = settings.API_TOKEN_DAYS
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"有效期应为 1 至 {MAX_DAYS} 天", field="days")
    if scope not in TokenScope.values:
        raise InvalidInput("权限应为只读（read）或读写（write）", field="scope")
    if not user.is_active:
        raise InvalidInput("该用户已停用，不能签发令牌")
    return ApiToken.issue(user, name, days=days, scope=scope, by=by)


def revoke(token: ApiToken, *, by: User | None, reason: str) -> ApiToken:
    with transaction.atomic():
        row = ApiToken.objects.select_for_update().get(pk=token.pk)
        if not row.revoked:
            row.revoked = True
            row.revoked_at = timezone.now()
            row.revoked_by = by
            row.revoke_reason = reason[:100]
            row.save(update_fields=["revoked", "revoked_at", "revoked_by", "revoke_reason"])
    return row


def revoke_all(user: User, *, by: User | None, reason: str) -> int:
    """Every live token of the user, in one statement (on a password change, a deactivation)."""
    return ApiToken.objects.filter(user=user, revoked=False).update(
        revoked=True, revoked_at=timezone.now(), revoked_by=by, revoke_reason=reason[:100]
    )


def revoke_on_password_change(sender, instance: User, created: bool, **kwargs) -> None:
    # set_password() leaves the raw password in `_password` until save() has run; a hash upgrade
    # at login clears it first, so only a real change of password revokes the tokens.
    if created or getattr(instance, "_password", None) is None:
        return
    revoke_all(instance, by=None, reason="修改密码后自动吊销")
