"""The closed door of a 金融机构 user: besides 银企对接 itself, only one's own account, the
notifications and signing in or out. Every other page and API operation of the product answers
403 before its view runs, so no route of another app can leak what a bank may not see — a new
route is closed to banks unless it is added here.

Pages are checked by `BankGateMiddleware` (session users, also the API with a session); API calls
with a bearer token by `check_api` from the token authentication in qinshang.api.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from orgs.models import Role, User

PAGE_NAMESPACES = ("finance", "accounts", "notifications")
PAGE_NAMES = frozenset({"home", "login", "logout", "healthz", "switch_park"})
# Account pages of the administrator are role-guarded anyway; closed here too.
PAGE_REFUSED = frozenset(
    {
        "accounts:manage_security",
        "accounts:manage_unlock",
        "accounts:reset_otp",
        "accounts:park_tokens",
    }
)
API_PREFIXES = ("/api/v1/finance/",)
API_PATHS = frozenset({"/api/v1/me", "/api/v1/tokens", "/api/v1/openapi.json", "/api/v1/docs"})
MESSAGE = "本页面不对金融机构开放：金融机构账号仅供办理银企对接"


def is_bank(user: object) -> bool:
    return isinstance(user, User) and user.is_authenticated and user.role == Role.BANK


def api_allowed(path: str) -> bool:
    if path in API_PATHS or path.startswith(API_PREFIXES):
        return True
    # Revoking one's own token (the service refuses anyone else's).
    parts = path.strip("/").split("/")
    return len(parts) == 5 and parts[2] == "tokens" and parts[4] == "revoke"


def page_allowed(request: HttpRequest) -> bool:
    match = request.resolver_match
    if match is None:
        return False
    name = match.view_name
    if name in PAGE_REFUSED:
        return False
    return name in PAGE_NAMES or name.split(":")[0] in PAGE_NAMESPACES


def check_api(user: User, path: str) -> str | None:
    """The refusal message for a bank user's API call, or None when it may go on."""
    if is_bank(user) and not api_allowed(path):
        return MESSAGE
    return None


class BankGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable, args: tuple, kwargs: dict
    ) -> HttpResponse | None:
        if not is_bank(getattr(request, "user", None)):
            return None
        if request.path.startswith("/api/"):
            if api_allowed(request.path):
                return None
            return JsonResponse({"detail": MESSAGE}, status=403)
        if page_allowed(request):
            return None
        return render(
            request, "web/error.html", {"title": "无权访问", "message": MESSAGE}, status=403
        )
