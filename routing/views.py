import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from demands import access, privacy, redaction
from demands import services as ds
from demands.views import PageRequest, intake_context
from orgs.access import UserRequest
from orgs.models import Role
from qinshang.errors import Forbidden, NotFound, ServiceError
from qinshang.pages import ParkRequest, roles_required
from routing import intake, services, similar
from routing.models import ModelVersion, Suggestion, Target

VIEW_ROLES = (Role.DISPATCHER, Role.ADMIN, Role.LEADER)


def _park(request: HttpRequest):
    park = getattr(request, "park", None)
    if park is None:
        raise Forbidden("您的账号尚未分配园区")
    return park


def _require(request: UserRequest, roles: tuple[str, ...]) -> None:
    if request.user.role not in roles and not request.user.is_superuser:
        raise Forbidden("您的角色无权访问该页面")


@login_required
def similar_panel(request: UserRequest, pk: int) -> HttpResponse:
    """Duplicates and past cases for a demand page (loaded by htmx after the page)."""
    park = _park(request)
    demand = access.get_demand(request.user, park, pk)
    if redaction.is_requester(request.user):
        raise Forbidden("相似诉求仅供园区工作人员查看")
    found = similar.similar_to(request.user, demand)
    privacy.apply(request.user, [r["demand"] for r in found.duplicates + found.cases])
    can_merge = any(a["action"] == "merge" for a in ds.available_actions(request.user, demand))
    return render(
        request, "routing/_similar.html", {"demand": demand, "found": found, "can_merge": can_merge}
    )


@login_required
def similar_text(request: UserRequest) -> HttpResponse:
    """Possible duplicates while a demand is being typed in (intake form)."""
    park = _park(request)
    text = f"{request.GET.get('title', '')}\n{request.GET.get('description', '')}".strip()
    found = similar.similar_to_text(request.user, park, text[:5000]) if len(text) >= 8 else None
    return render(request, "routing/_similar_intake.html", {"found": found})


@login_required
def index(request: UserRequest) -> HttpResponse:
    _require(request, VIEW_ROLES)
    park = _park(request)
    versions = {t: list(ModelVersion.objects.filter(park=park, target=t)[:10]) for t in Target}
    since = timezone.now() - dt.timedelta(days=90)
    return render(
        request,
        "routing/index.html",
        {
            "versions": [(Target(t).label, t, v) for t, v in versions.items()],
            "accuracy": services.routing_accuracy(park, since),
            "recent": Suggestion.objects.filter(demand__park=park)
            .select_related("demand", "department", "category")
            .order_by("-created_at")[:20],
            "is_admin": request.user.role == Role.ADMIN or request.user.is_superuser,
            "can_train": request.user.role in (Role.ADMIN, Role.DISPATCHER),
        },
    )


@login_required
@require_POST
def retrain(request: UserRequest) -> HttpResponse:
    _require(request, (Role.ADMIN, Role.DISPATCHER))
    park = _park(request)
    target = request.POST.get("target", "")
    if target not in Target.values:
        messages.error(request, "请选择要训练的模型（类别或部门）")
    else:
        from routing.tasks import retrain_park

        result = retrain_park.enqueue(park.pk, target, request.user.pk)
        messages.success(
            request,
            f"已提交后台训练任务（{Target(target).label}），完成后在下表中出现新版本。"
            + (f" 结果：{result.return_value}" if result.is_finished else ""),
        )
    return HttpResponseRedirect(reverse("routing:index"))


@login_required
@require_POST
def activate(request: UserRequest, version_id: int) -> HttpResponse:
    park = _park(request)
    try:
        v = services.activate(request.user, version_id, park)
        messages.success(request, f"已启用 {v}")
    except (Forbidden, NotFound):
        # Refused or not this park's: 403/404 like every other page, not a message on a redirect.
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(reverse("routing:index"))


@login_required
@require_POST
def threshold(request: UserRequest) -> HttpResponse:
    park = _park(request)
    try:
        value = services.set_threshold(request.user, park, request.POST.get("threshold"))
    except Forbidden:
        raise
    except ServiceError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("routing:index"))
    if value is None:
        messages.success(request, "已关闭自动派单")
    else:
        messages.success(request, f"置信度不低于 {value:.0%} 的诉求将自动派单")
    return HttpResponseRedirect(reverse("routing:index"))


@login_required
def common(request: UserRequest) -> HttpResponse:
    _require(request, VIEW_ROLES + (Role.DEPARTMENT_HEAD,))
    park = _park(request)
    try:
        months = max(1, min(12, int(request.GET.get("months", "3"))))
    except ValueError:
        months = 3
    since = timezone.now() - dt.timedelta(days=30 * months)
    problems = similar.common_problems(request.user, park, since)[:30]
    privacy.apply(request.user, [d for p in problems for d in p.demands])
    return render(
        request,
        "routing/common.html",
        {"problems": problems, "months": months, "since": since},
    )


# --------------------------------------------------------------------------- intake assistant


@roles_required(*intake.INTAKE_STAFF, page="登记助手")
@require_POST
def intake_extract(request: PageRequest) -> HttpResponse:
    """从文本提取: the intake form again, its empty fields filled from the pasted note (htmx)."""
    form = {k: request.POST.get(k, "") for k in request.POST if k != "csrfmiddlewaretoken"}
    ctx = intake_context(request, form)
    mine = {e.pk for e in ctx["my_entities"]} if request.user.role == Role.LIAISON else None
    try:
        filled = intake.prefill(request.user, request.park, form, mine)
    except ServiceError as exc:
        ctx["error"] = exc.message
        return render(request, "demands/_new_form.html", ctx)
    found = filled.found
    summary: list[tuple[str, str]] = []
    if found.enterprise:
        summary.append(
            ("企业", f"{found.enterprise.name}（{found.enterprise.how}“{found.enterprise.text}”）")
        )
    if found.contact_name:
        summary.append(("联系人", found.contact_name))
    for m in found.mobiles:
        summary.append(("手机", m))
    for t in found.landlines:
        summary.append(("座机", t))
    if found.address:
        summary.append(("地址", found.address))
    for a in found.amounts:
        summary.append(("金额", f"{a.text}（{a.wan.normalize():f} 万元）"))
    for d in found.dates:
        summary.append(("期限" if d.deadline else "日期", f"{d.text} → {d.date:%Y年%m月%d日}"))
    ctx.update(
        form=filled.form,
        extracted=filled.extracted,
        extract_summary=summary,
        extract_notes=filled.notes,
    )
    return render(request, "demands/_new_form.html", ctx)


@roles_required(*intake.INTAKE_STAFF, page="来电企业")
def caller(request: ParkRequest) -> HttpResponse:
    """The intake form's caller card (htmx), from the number typed in 联系电话."""
    phone = request.GET.get("phone") or request.GET.get("requester_phone") or ""
    card = intake.caller(request.user, request.park, phone)
    return render(request, "routing/_caller.html", {"card": card})


@roles_required(*intake.INTAKE_STAFF, page="企业查找")
def entity_lookup(request: ParkRequest) -> HttpResponse:
    """Candidate enterprises for the intake form's enterprise box (htmx: <option>s)."""
    q = request.GET.get("q") or request.GET.get("enterprise") or ""
    found = intake.lookup(request.user, request.park, q)
    return render(request, "routing/_entity_options.html", {"candidates": found})
