from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

SESSION_KEY = "park_id"


class CurrentParkMiddleware:
    """Puts the park the user is working in on `request.park` (pages; the API reads X-Park)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.park = None  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/api/"):
            from orgs.access import park_for
            from qinshang.errors import Forbidden

            try:
                request.park = park_for(user, request.session.get(SESSION_KEY))  # type: ignore[attr-defined]
            except Forbidden:
                request.session.pop(SESSION_KEY, None)
                try:
                    request.park = park_for(user)  # type: ignore[attr-defined]
                except Forbidden:
                    request.park = None  # type: ignore[attr-defined]
        return self.get_response(request)
