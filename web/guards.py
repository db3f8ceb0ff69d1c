"""Page guards: a page is for some roles only; anyone else gets a 403 page with the reason."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from orgs.models import Role
from qinshang.errors import Forbidden

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


def roles_required(*roles: str, page: str = "该页面") -> Callable:
    """Log in first; then only `roles` (and superusers) may open the page, in a park of theirs."""
    names = "、".join(Role(r).label for r in roles)

    def deco(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_superuser and user.role not in roles:  # type: ignore[union-attr]
                raise Forbidden(f"{page}仅供{names}使用")
            if getattr(request, "park", None) is None:
                raise Forbidden("您的账号尚未分配园区，请联系管理员")
            return view(request, *args, **kwargs)

        return wrapped

    return deco
