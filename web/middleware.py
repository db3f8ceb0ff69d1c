from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from qinshang.errors import ServiceError


class ServiceErrorPageMiddleware:
    """A page that raises a service error (403 not yours, 404 missing, 409/422) shows its Chinese
    message with the matching status; the API has its own handlers and is left alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, ServiceError) or request.path.startswith("/api/"):
            return None
        titles = {403: "无权访问", 404: "未找到", 409: "当前状态不允许", 422: "输入有误"}
        return render(
            request,
            "web/error.html",
            {"title": titles.get(exc.status, "无法完成"), "message": exc.message},
            status=exc.status,
        )
