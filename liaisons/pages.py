"""Small helpers shared by the liaison and visit pages: login, the current park, and service
errors shown as a page with their Chinese message and status (403/404/409/422)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from qinshang.errors import Forbidden, ServiceError

TITLES = {403: "无权访问", 404: "未找到", 409: "当前状态不允许", 422: "输入有误"}


def error_page(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return render(
        request,
        "web/error.html",
        {"title": TITLES.get(exc.status, "无法完成"), "message": exc.message},
        status=exc.status,
    )


def page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; the view may raise a ServiceError, which becomes an error page."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            if getattr(request, "park", None) is None:
                raise Forbidden("您的账号尚未分配园区，请联系管理员")
            return view(request, *args, **kwargs)
        except ServiceError as exc:
            return error_page(request, exc)

    return wrapped


def paginate(request: HttpRequest, items: Any, per_page: int = 50, param: str = "page") -> Page:
    return Paginator(items, per_page).get_page(request.GET.get(param))


def query_without(request: HttpRequest, *keys: str) -> str:
    """The current query string minus `keys`, for pager links that keep the filters."""
    q = request.GET.copy()
    for k in keys:
        q.pop(k, None)
    return q.urlencode()
