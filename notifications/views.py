from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from notifications import services
from orgs.access import UserRequest
from qinshang.errors import Forbidden, NotFound


def _park(request: HttpRequest):
    park = getattr(request, "park", None)
    if park is None:
        raise Forbidden("您的账号尚未分配园区，请联系管理员")
    return park


@login_required
def index(request: UserRequest) -> HttpResponse:
    qs = services.for_user(request.user, _park(request)).select_related("demand")
    if request.GET.get("unread") == "1":
        qs = qs.filter(read_at=None)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request, "notifications/list.html", {"page": page, "unread_only": request.GET.get("unread")}
    )


@login_required
def bell(request: UserRequest) -> HttpResponse:
    return render(request, "notifications/_bell.html")


@login_required
def open_one(request: UserRequest, pk: int) -> HttpResponse:
    """Mark as read and go to the demand (which checks access again); a system alert has none."""
    n = services.for_user(request.user, _park(request)).filter(pk=pk).first()
    if n is None:
        raise NotFound("消息不存在")
    services.mark_read(request.user, n.park, pk)
    if n.link.startswith("/") and not n.link.startswith("//"):
        return HttpResponseRedirect(n.link)
    if n.demand_id is None:
        return HttpResponseRedirect(reverse("notifications:list"))
    return HttpResponseRedirect(reverse("demands:detail", args=[n.demand_id]))


@login_required
@require_POST
def read_all(request: UserRequest) -> HttpResponse:
    n = services.mark_read(request.user, _park(request))
    messages.success(request, f"已将 {n} 条消息标为已读")
    return HttpResponseRedirect(reverse("notifications:list"))
