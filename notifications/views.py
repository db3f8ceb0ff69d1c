import hmac
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from notifications import calls, delivery, services
from notifications.models import Channel, Delivery, DeliveryState, Kind
from orgs.access import UserRequest
from orgs.models import Role
from qinshang.errors import Forbidden, InvalidInput, NotFound
from qinshang.inputs import integer
from qinshang.pages import ParkRequest, page, paginate, query_without, roles_required


def _park(request: HttpRequest):
    park = getattr(request, "park", None)
    if park is None:
        raise Forbidden("您的账号尚未分配园区，请联系管理员")
    return park


@login_required
def index(request: UserRequest) -> HttpResponse:
    qs = (
        services.for_user(request.user, _park(request))
        .select_related("demand")
        .prefetch_related(Prefetch("deliveries", queryset=Delivery.objects.order_by("id")))
    )
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


# --- outside channels: preferences, the admin's delivery list, receipts, call-backs ---------


@page
def preferences(request: ParkRequest) -> HttpResponse:
    """消息接收设置: which kinds of notice also come by SMS / e-mail / WeChat."""
    user = request.user
    if request.method == "POST":
        chosen: dict[str, list[str]] = {}
        for key in request.POST:
            if key.startswith("c:"):
                _, kind, channel = (key.split(":", 2) + ["", ""])[:3]
                chosen.setdefault(kind, []).append(channel)
        try:
            delivery.save_preferences(user, chosen, wechat_openid=request.POST.get("wechat_openid"))
        except InvalidInput as e:
            messages.error(request, str(e))
        else:
            messages.success(request, "消息接收设置已保存")
            return HttpResponseRedirect(reverse("notifications:preferences"))
    rows, addr, enabled = delivery.preference_table(user)
    labels = dict(Channel.choices)
    return render(
        request,
        "notifications/preferences.html",
        {
            "rows": rows,
            "addr": addr,
            "columns": [(c, labels[c]) for c in enabled],
            "masked_mobile": delivery.mask(addr.mobile, "sms") if addr.mobile else "",
            "wechat_on": "wechat" in enabled,
        },
    )


@roles_required(Role.ADMIN, page="消息投递记录")
def deliveries(request: ParkRequest) -> HttpResponse:
    g = request.GET
    f = delivery.DeliveryFilter(
        channel=g.get("channel", ""),
        state=g.get("state", ""),
        kind=g.get("kind", ""),
        q=g.get("q", "").strip()[:50],
    )
    qs = f.apply(delivery.for_park(request.park))
    page_ = paginate(request, qs, 50)
    counts = delivery.state_counts(request.park)
    for d in page_:
        d.address = delivery.mask(d.address, d.channel)  # shown, never saved
    return render(
        request,
        "notifications/deliveries.html",
        {
            "page": page_,
            "f": f,
            "channels": [c for c in Channel.choices if c[0] != Channel.IN_APP],
            "states": DeliveryState.choices,
            "kinds": Kind.choices,
            "tiles": [(v, label, counts.get(v, 0)) for v, label in DeliveryState.choices],
            "query": query_without(request, "page"),
        },
    )


@csrf_exempt
@require_POST
def sms_receipt(request: HttpRequest) -> HttpResponse:
    """The SMS gateway's delivery report: {"message_id", "status": "delivered"|"failed",
    "error"}, signed with the same key we send with (X-Api-Key)."""
    key = settings.NOTIFY_SMS_KEY
    given = request.headers.get("X-Api-Key", "")
    if not key or not hmac.compare_digest(given.encode(), key.encode()):
        return JsonResponse({"code": "FORBIDDEN"}, status=403)
    try:
        body = json.loads(request.body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return JsonResponse({"code": "BAD_JSON"}, status=422)
    if not isinstance(body, dict) or not isinstance(body.get("message_id"), str):
        return JsonResponse({"code": "NO_MESSAGE_ID"}, status=422)
    status = body.get("status")
    d = delivery.record_receipt(
        "sms",
        body["message_id"][:100],
        delivered=status == "delivered",
        error=str(body.get("error", ""))[:200],
    )
    return JsonResponse({"code": "OK" if d else "UNKNOWN"}, status=200 if d else 404)


@roles_required(Role.LIAISON, Role.DISPATCHER, Role.ADMIN, page="电话回访")
@require_POST
def complete_call(request: ParkRequest) -> HttpResponse:
    call_id = integer(request.POST.get("call_id"), "回访任务", 1, field="call_id")
    try:
        call = calls.complete(
            request.user,
            request.park,
            call_id,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
        )
    except InvalidInput as e:
        messages.error(request, str(e))
    else:
        messages.success(
            request, f"已记录电话回访：{call.demand.number}（{calls.OUTCOMES[call.outcome]}）"
        )
    nxt = request.POST.get("next", "")
    if not nxt.startswith("/") or nxt.startswith("//"):
        nxt = reverse("liaison")
    return HttpResponseRedirect(nxt)
