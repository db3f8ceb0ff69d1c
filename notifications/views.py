from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from notifications import services
from qinshang.errors import Forbidden, NotFound


def _park(request: HttpRequest):  # type: ignore[no-untyped-def]
    park = getattr(request, "park", None)
    if park is None:
        raise Forbidden("您的账号尚未分配园区，请联系管理员")
    return park


@login_required
def index(request: HttpRequest) -> HttpResponse:
    qs = services.for_user(request.user, _park(request)).select_related("demand")  # type: ignore[arg-type]
    if request.GET.get("unread") == "1":
        qs = qs.filter(read_at=None)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request, "notifications/list.html", {"page": page, "unread_only": request.GET.get("unread")}
    )


@login_required
def bell(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/_bell.html")


@login_required
def open_one(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark as read and go to the demand (which checks access again)."""
    n = services.for_user(request.user, _park(request)).filter(pk=pk).first()  # type: ignore[arg-type]
    if n is None:
        raise NotFound("消息不存在")
    services.mark_read(request.user, n.park, pk)  # type: ignore[arg-type]
    # Only our own paths: a stored link never sends anyone off the site.
    if n.link.startswith("/") and not n.link.startswith("//"):
        return HttpResponseRedirect(n.link)
    return HttpResponseRedirect(reverse("demands:detail", args=[n.demand_id]))


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    n = services.mark_read(request.user, _park(request))  # type: ignore[arg-type]
    messages.success(request, f"已将 {n} 条消息标为已读")
    return HttpResponseRedirect(reverse("notifications:list"))
