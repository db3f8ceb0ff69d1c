"""Pages of the escalation rules: the proposals for the dispatch centre, and the park's rules.
Views parse, authorize (through `access` and the services), call and render."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from escalation import access, services
from escalation.models import ProposalStatus, RuleKind, RulesChange
from orgs.models import Role
from qinshang.errors import InvalidInput
from qinshang.pages import ParkRequest, paginate, query_without, roles_required

VIEWERS = (Role.DISPATCHER, Role.ADMIN, Role.LEADER)
MANAGERS = (Role.DISPATCHER, Role.ADMIN)


@roles_required(*VIEWERS, page="提级建议")
def proposals(request: ParkRequest) -> HttpResponse:
    user, park = request.user, request.park
    status = request.GET.get("status", ProposalStatus.OPEN)
    status = status if status in ProposalStatus.values or status == "all" else "open"
    rule = request.GET.get("rule", "")
    qs = access.visible_proposals(user, park).select_related("demand", "decided_by")
    if status != "all":
        qs = qs.filter(status=status)
    if rule in RuleKind.values:
        qs = qs.filter(rule=rule)
    counts = {
        s: n
        for s, n in access.visible_proposals(user, park)
        .values_list("status")
        .annotate(n=Count("pk"))
    }
    return render(
        request,
        "escalation/proposals.html",
        {
            "page": paginate(request, qs, per_page=30),
            "status": status,
            "rule": rule,
            "rules": RuleKind.choices,
            "tabs": [(s, label, counts.get(s, 0)) for s, label in ProposalStatus.choices],
            "keep": query_without(request, "page"),
            "can_decide": user.is_superuser or user.role in MANAGERS,
            "here": request.get_full_path(),
        },
    )


def _back(request: ParkRequest) -> HttpResponseRedirect:
    nxt = request.POST.get("next", "")
    if not nxt.startswith("/") or nxt.startswith("//"):
        nxt = reverse("escalation:proposals")
    return HttpResponseRedirect(nxt)


@require_POST
@roles_required(*MANAGERS, page="提级建议")
def decide(request: ParkRequest, pk: int, decision: str) -> HttpResponse:
    user, park = request.user, request.park
    p = access.get_proposal(user, park, pk)
    note = request.POST.get("note", "")
    if decision == "accept":
        services.accept(user, p, note)
        messages.success(request, f"已采纳：{p.demand.number} 提级至“{p.get_to_tier_display()}”")
    elif decision == "dismiss":
        try:
            services.dismiss(user, p, note)
        except InvalidInput as exc:
            messages.error(request, exc.message)
            return _back(request)
        messages.success(request, f"已不采纳：{p.demand.number}")
    else:
        raise InvalidInput("未知的处理方式")
    return _back(request)


@roles_required(*VIEWERS, page="提级规则")
def rules(request: ParkRequest) -> HttpResponse:
    user, park = request.user, request.park
    can_edit = user.is_superuser or user.role in MANAGERS
    error = ""
    if request.method == "POST":
        if not can_edit:
            services.update_rules(user, park, {})  # raises Forbidden with the reason
        values: dict[str, int | None] = {}
        try:
            for key, (label, _, _) in services.THRESHOLDS.items():
                raw = request.POST.get(key, "").strip()
                if raw and not raw.isdigit():
                    raise InvalidInput(f"{label}应为整数，留空表示不启用", field=key)
                values[key] = int(raw) if raw else None
            services.update_rules(user, park, values, request.POST.get("note", ""))
        except InvalidInput as exc:
            error = exc.message
        else:
            messages.success(request, "提级规则已保存")
            return HttpResponseRedirect(reverse("escalation:rules"))
    current = services.rules_for(park)
    fields = [
        {
            "key": key,
            "label": label,
            "low": low,
            "high": high,
            "value": request.POST.get(key, "") if error else (getattr(current, key) or ""),
        }
        for key, (label, low, high) in services.THRESHOLDS.items()
    ]
    changes = paginate(request, RulesChange.objects.filter(park=park).select_related("actor"), 20)
    for c in changes:
        c.diffs = [
            (label, c.before.get(k), c.after.get(k))
            for k, (label, _, _) in services.THRESHOLDS.items()
            if c.before.get(k) != c.after.get(k)
        ]
    return render(
        request,
        "escalation/rules.html",
        {"fields": fields, "error": error, "can_edit": can_edit, "changes": changes},
        status=422 if error else 200,
    )
