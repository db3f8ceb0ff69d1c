from collections.abc import Callable
from typing import cast
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from accounts import services
from orgs.models import User

# Reachable before the second step: the steps themselves, leaving, static files, the health check.
OPEN_PREFIXES = ("/account/otp/", "/logout/", "/login/", "/static/", "/healthz")
SESSION_NO_DEVICE = "otp_none_for"


class SecondFactorMiddleware:
    """After the password, an account that has (or must have) a second factor reaches nothing
    but the verification or enrolment page until it has given a code.

    Accounts that need none are remembered in the session, so most requests cost no query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            isinstance(user, User)  # logged in: the anonymous user is no User
            and not request.path.startswith(OPEN_PREFIXES)
            and not services.is_verified(user)
            and request.session.get(SESSION_NO_DEVICE) != f"{user.pk}:{user.role}"
        ):
            blocked = self._step(request)
            if blocked is not None:
                return blocked
        return self.get_response(request)

    def _step(self, request: HttpRequest) -> HttpResponse | None:
        user = cast(User, request.user)  # __call__ lets only a logged-in user here
        has = services.has_second_factor(user)
        if not has and not services.second_factor_required(user):
            request.session[SESSION_NO_DEVICE] = f"{user.pk}:{user.role}"
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": "请先在网页上完成二次验证"}, status=403)
        target = reverse("accounts:otp_verify" if has else "accounts:otp_setup")
        return HttpResponseRedirect(f"{target}?next={quote(request.get_full_path())}")
