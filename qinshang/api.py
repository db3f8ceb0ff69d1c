"""The REST API under /api/v1: one NinjaAPI, each domain app adds its router.

Integrators (a WeChat mini-program, the hotline system, BI tools) depend on this contract.
"""

from typing import cast

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, django_auth

from finance import gate as bank_gate
from orgs.models import ApiToken, TokenScope, User
from qinshang import limits
from qinshang.errors import ServiceError

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class _TokenRequest(HttpRequest):
    # The token a request authenticated with, for whoever handles it later.
    api_token: ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        # get(), not first(): the hash is unique, and the ORDER BY that first() adds costs a
        # noticeable share of a fast request (see docs/benchmarks.md, intake).
        now = timezone.now()
        try:
            row = ApiToken.objects.select_related("user", "user__park").get(
                key_hash=ApiToken.hash(token), revoked=False, expires_at__gt=now
            )
        except ApiToken.DoesNotExist:
            return None
        if not row.user.is_active:
            return None
        refused = bank_gate.check_api(row.user, request.path)
        if refused:
            raise HttpError(403, refused)
        if row.scope == TokenScope.READ and request.method not in SAFE_METHODS:
            raise HttpError(403, "只读令牌不能修改数据：请使用读写（write）权限的令牌")
        # One write an hour at most: the token check stays off the hot path of every request.
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 3600:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        cast(_TokenRequest, request).api_token = row
        return row.user


api = NinjaAPI(
    # ASCII: client generators name their package after the title (qinshang-api-client).
    title="Qinshang API",
    version="1",
    description="亲商——园区企业诉求闭环服务平台接口。认证：`Authorization: Bearer <token>`，"
    "令牌在“我的访问令牌”页面或由 `python manage.py issue_token <username> --days 90 --scope read|write` "
    "生成，到期、吊销或修改密码后失效；只读（read）令牌的 POST 请求返回 403。多园区用户用请求头 `X-Park` 指定园区编号。",
    auth=[BearerToken(), django_auth],
    urls_namespace="api",
)


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    body = {"detail": exc.message}
    if exc.field:
        body["field"] = exc.field
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    parts = []
    for err in exc.errors:
        loc = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "payload", "query"))
        msg = limits.message(err)
        parts.append(f"{loc}：{msg}" if loc else msg)
    return api.create_response(
        request, {"detail": "输入有误：" + "；".join(parts), "errors": exc.errors}, status=422
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "未认证：请提供有效的访问令牌"}, status=401)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


def _register() -> None:
    from idempotency.services import install as install_idempotency

    limits.install(api)
    install_idempotency(api)
    from demands.api import router as demands_router
    from entities.api import router as entities_router
    from orgs.api import router as orgs_router

    api.add_router("", orgs_router)
    api.add_router("", entities_router)
    api.add_router("", demands_router)

    from routing.api import router as routing_router

    api.add_router("", routing_router)

    from escalation.api import router as escalation_router

    api.add_router("", escalation_router)

    from supervision.api import router as supervision_router

    api.add_router("", supervision_router)

    from meetings.api import router as meetings_router

    api.add_router("", meetings_router)

    from experts.api import router as experts_router
    from projects.api import router as projects_router

    api.add_router("", projects_router)
    api.add_router("", experts_router)

    from profiles.api import router as profiles_router

    api.add_router("", profiles_router)

    from finance.api import router as finance_router

    api.add_router("", finance_router)
    from policies.api import router as policies_router

    api.add_router("", policies_router)
    from matchmaking.api import router as matchmaking_router

    api.add_router("", matchmaking_router)
    from knowledge.api import router as knowledge_router

    api.add_router("", knowledge_router)


_register()
