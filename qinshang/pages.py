"""The one page layer: who may open a page, in which park, and the pager helpers every list uses.

Service errors raised by a view are turned into a Chinese error page (403/404/409/422) by
`web.middleware.ServiceErrorPageMiddleware`, so views here never catch them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from orgs.access import UserRequest
from orgs.models import Park, Role, User
from qinshang.errors import Forbidden


class ParkRequest(UserRequest):
    """What a view behind `roles_required` / `page` receives: a logged-in user in one of their parks.

    Annotate such views' `request` with it instead of silencing mypy on `request.user.role` or
    `request.park`; the guard below is what makes the annotation true.
    """

    user: User
    park: Park


STAFF_ROLES = (
    Role.DISPATCHER,
    Role.ADMIN,
    Role.HANDLER,
    Role.DEPARTMENT_HEAD,
    Role.LIAISON,
    Role.LEADER,
    Role.EXPERT,
)
DISPATCH_ROLES = (Role.DISPATCHER, Role.ADMIN)


def _guarded(view: Callable[..., HttpResponseBase], roles: tuple[str, ...] | None, page: str):
    names = "、".join(Role(r).label for r in roles) if roles else ""

    @login_required
    @wraps(view)
    def wrapped(request: UserRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if roles is not None and not user.is_superuser and user.role not in roles:
            raise Forbidden(f"{page}仅供{names}使用")
        if getattr(request, "park", None) is None:
            raise Forbidden("您的账号尚未分配园区，请联系管理员")
        return view(request, *args, **kwargs)

    return wrapped


def roles_required(*roles: str, page: str = "该页面") -> Callable:
    """Log in first; then only `roles` (and superusers) may open the page, in a park of theirs."""

    def deco(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        return _guarded(view, tuple(roles), page)

    return deco


def page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Log in first, in a park of the user's; the view checks finer permissions itself."""
    return _guarded(view, None, "该页面")


def paginate(request: HttpRequest, items: Any, per_page: int = 50, param: str = "page") -> Page:
    return Paginator(items, per_page).get_page(request.GET.get(param))


def query_without(request: HttpRequest, *keys: str) -> str:
    """The current query string minus `keys`, for pager links that keep the filters."""
    q = request.GET.copy()
    for k in keys:
        q.pop(k, None)
    return q.urlencode()
