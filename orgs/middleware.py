from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from orgs.models import Park

SESSION_KEY = "park_id"


class _ParkSlot(HttpRequest):
    # What this middleware adds: the park, or None (no park yet, or an API request).
    park: Park | None


class CurrentParkMiddleware:
    """Puts the park the user is working in on `request.park` (pages; the API reads X-Park)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request = cast("_ParkSlot", request)
        request.park = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/api/"):
            from orgs.access import park_for
            from qinshang.errors import Forbidden

            try:
                request.park = park_for(user, request.session.get(SESSION_KEY))
            except Forbidden:
                request.session.pop(SESSION_KEY, None)
                try:
                    request.park = park_for(user)
                except Forbidden:
                    request.park = None
        return self.get_response(request)
