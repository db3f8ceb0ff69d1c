from datetime import datetime

from django.utils import timezone
from ninja import Router, Schema

from orgs import tokens
from orgs.access import UserRequest
from orgs.access import request_park as current_park
from orgs.models import ApiToken, Department, TokenScope

router = Router(tags=["组织"])


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    duties: str
    is_dispatch_centre: bool


class ParkOut(Schema):
    id: int
    code: str
    name: str
    short_name: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    role: str
    park: ParkOut
    department_id: int | None
    enterprise_id: int | None


@router.get("/departments", response=list[DepartmentOut], summary="部门列表")
def list_departments(request: UserRequest) -> list[Department]:
    park = current_park(request)
    return list(Department.objects.filter(park=park, is_active=True))


@router.get("/me", response=MeOut, summary="当前用户")
def me(request: UserRequest) -> dict:
    user = request.user
    park = current_park(request)
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.display_name,
        "role": user.role,
        "park": park,
        "department_id": user.department_id,
        "enterprise_id": user.enterprise_id,
    }


# --------------------------------------------------------------------------- access tokens


class TokenOut(Schema):
    id: int
    user_id: int
    username: str
    name: str
    prefix: str
    scope: TokenScope
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked: bool
    revoked_at: datetime | None
    revoke_reason: str
    status: str

    @staticmethod
    def resolve_username(obj: ApiToken) -> str:
        return obj.user.username

    @staticmethod
    def resolve_status(obj: ApiToken) -> str:
        return obj.status_label


@router.get("/tokens", response=list[TokenOut], summary="我的访问令牌", tags=["访问令牌"])
def my_tokens(request: UserRequest, live: bool = False) -> list[ApiToken]:
    qs = tokens.visible_tokens(request.user, current_park(request))
    if live:
        qs = qs.filter(revoked=False, expires_at__gt=timezone.now())
    return list(qs[:500])


@router.get(
    "/park/tokens",
    response=list[TokenOut],
    summary="园区用户的访问令牌（系统管理员）",
    tags=["访问令牌"],
)
def park_tokens(request: UserRequest, live: bool = True) -> list[ApiToken]:
    qs = tokens.visible_tokens(request.user, current_park(request), everyone=True)
    if live:
        qs = qs.filter(revoked=False, expires_at__gt=timezone.now())
    return list(qs[:500])


@router.post(
    "/tokens/{token_id}/revoke",
    response=TokenOut,
    summary="吊销访问令牌（本人的，或系统管理员吊销本园区用户的）",
    tags=["访问令牌"],
)
def revoke_token(request: UserRequest, token_id: int) -> ApiToken:
    user = request.user
    row = tokens.get_token(user, current_park(request), token_id)
    reason = "本人吊销" if row.user_id == user.pk else f"管理员 {user.display_name} 吊销"
    return tokens.revoke(row, by=user, reason=reason)
