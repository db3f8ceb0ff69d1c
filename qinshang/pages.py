"""The one page layer: who may open a page, in which park, the pager helpers every list uses, and
the shapes of a form (`form_page`, `post_action`, `upload_page`).

Service errors raised by a view are turned into a Chinese error page (403/404/409/422) by
`web.middleware.ServiceErrorPageMiddleware`, so views here never catch them. The one exception is
a refusal of what the user typed (InvalidInput, InvalidState): the form helpers show it beside the
form, with what was typed, since an error page would lose the input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from orgs.access import UserRequest
from orgs.models import Park, Role, User
from qinshang.errors import Forbidden, InvalidInput, InvalidState


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


# --------------------------------------------------------------------------- forms

# What a form shows beside itself instead of an error page: the input, or the state it meets.
REFUSALS = (InvalidInput, InvalidState)
Report = TypeVar("Report")


@dataclass(frozen=True)
class Saved:
    """What a saved form tells the user, and the URL it goes to next."""

    message: str
    to: str


def form_page(
    request: ParkRequest,
    template: str,
    save: Callable[[], Saved],
    context: Callable[[], Mapping[str, Any]],
) -> HttpResponse:
    """A form's page: on POST `save()` (parse the input, call the service); saved → its message
    and a redirect; refused → the form again with status 422, the Chinese message as `error`,
    and whatever `context()` puts in it (usually what was typed). A GET just shows the form."""
    error = ""
    if request.method == "POST":
        try:
            saved = save()
        except REFUSALS as exc:
            error = exc.message
        else:
            messages.success(request, saved.message)
            return redirect(saved.to)
    return render(request, template, {**context(), "error": error}, status=422 if error else 200)


def post_action(request: ParkRequest, back: str, act: Callable[[], str]) -> HttpResponse:
    """A button's POST on a detail page: `act()` calls the service and says what it did; refused,
    its Chinese message is shown instead. Either way the page is shown again (`back`)."""
    try:
        messages.success(request, act())
    except REFUSALS as exc:
        messages.error(request, exc.message)
    return redirect(back)


def upload_page(
    request: ParkRequest,
    template: str,
    run: Callable[[bytes, bool, bool], Report],
    context: Mapping[str, Any],
) -> HttpResponse:
    """A sheet import's page: on POST `run(data, dry_run, valid_only)` gives the row-by-row report,
    shown as `report`; no file, or a file refused as a whole (not a workbook, no header), is the
    form again with status 422 and the message as `error`."""
    report: Report | None = None
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise InvalidInput("请选择要导入的 .xlsx 文件", field="file")
            report = run(
                upload.read(),
                request.POST.get("dry_run") == "1",
                request.POST.get("valid_only") == "1",
            )
        except REFUSALS as exc:
            error = exc.message
    return render(
        request,
        template,
        {**context, "report": report, "error": error},
        status=422 if error else 200,
    )
