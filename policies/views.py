"""Pages of 惠企政策: the list, a policy (rules in words, 申兑指南, who qualifies and why, the
免申即享 list to confirm, applications), the editor, the import, and the enterprise's own
可享受的政策."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from entities.services import get_entity
from orgs.models import Role
from policies import access, rules, services, sheets
from policies.formulas import FORMULAS
from policies.models import BenefitKind, Policy, PolicyStatus, Track
from qinshang.errors import InvalidInput
from qinshang.pages import (
    ParkRequest,
    Saved,
    form_page,
    paginate,
    post_action,
    query_without,
    roles_required,
    upload_page,
)

STAFF = access.STAFF_ROLES
EDITORS = access.EDIT_ROLES
DECIDERS = access.DECIDE_ROLES
# the service lets only the 财政 department's head of all heads confirm
CONFIRMERS = (*DECIDERS, Role.DEPARTMENT_HEAD)
APPLICANTS = (Role.DISPATCHER, Role.ADMIN, Role.LIAISON, Role.ENTERPRISE)
RULE_ROWS = 8


@roles_required(*STAFF, page="惠企政策")
def index(request: ParkRequest) -> HttpResponse:
    qs = access.visible_policies(request.user, request.park)
    q = request.GET.get("q", "").strip()[:50]
    track = request.GET.get("track", "")
    status = request.GET.get("status", "")
    qs = services.policies_of(qs, q, track, status).order_by("-starts_on", "id")
    rows = paginate(request, qs, 30)
    return render(
        request,
        "policies/index.html",
        {
            "rows": rows,
            "q": q,
            "track": track,
            "status": status,
            "tracks": Track.choices,
            "statuses": PolicyStatus.choices,
            "query": query_without(request, "page"),
            "may_edit": access.can_edit(request.user),
        },
    )


def _rules_from_form(post: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(RULE_ROWS):
        name = post.get(f"rule_field_{i}", "").strip()
        if not name:
            continue
        op = post.get(f"rule_op_{i}", "").strip()
        raw = post.get(f"rule_value_{i}", "").strip()
        f = rules.FIELDS.get(name)
        parts = [
            p.strip() for p in raw.replace("，", ",").replace("、", ",").split(",") if p.strip()
        ]
        value: Any = raw
        if f is not None and (f.kind in ("choice", "has") or op == "between"):
            value = parts
        out.append({"field": name, "op": op, "value": value})
    return out


def _form_input(post: Any) -> services.PolicyInput:
    return services.PolicyInput(
        title=post.get("title", ""),
        track=post.get("track", ""),
        starts_on=post.get("starts_on", ""),
        ends_on=post.get("ends_on", "") or None,
        rules=_rules_from_form(post),
        benefit_kind=post.get("benefit_kind", BenefitKind.FIXED),
        benefit_amount_wan=post.get("benefit_amount_wan", "") or None,
        benefit_formula=post.get("benefit_formula", ""),
        benefit_text=post.get("benefit_text", ""),
        reference_year=post.get("reference_year", "") or None,
        guide=post.get("guide", ""),
        summary=post.get("summary", ""),
        source_document=post.get("source_document", ""),
        department=post.get("department", ""),
        code=post.get("code", ""),
        status=post.get("status", PolicyStatus.DRAFT),
    )


def _rule_rows(stored: list[dict[str, Any]] | None, post: Any = None) -> list[dict[str, str]]:
    rows = []
    for i in range(RULE_ROWS):
        if post is not None:
            rows.append(
                {
                    "field": post.get(f"rule_field_{i}", ""),
                    "op": post.get(f"rule_op_{i}", ""),
                    "value": post.get(f"rule_value_{i}", ""),
                }
            )
        elif stored and i < len(stored):
            r = stored[i]
            v = r.get("value")
            rows.append(
                {
                    "field": r.get("field", ""),
                    "op": r.get("op", ""),
                    "value": ", ".join(map(str, v)) if isinstance(v, list) else str(v),
                }
            )
        else:
            rows.append({"field": "", "op": "", "value": ""})
    return rows


def _editor(request: ParkRequest, policy: Policy | None) -> HttpResponse:
    posted = request.POST if request.method == "POST" else None

    def save() -> Saved:
        data = _form_input(request.POST)
        if policy is None:
            made = services.create_policy(request.user, request.park, data)
            return Saved(f"已录入“{made.title}”", reverse("policies:detail", args=[made.pk]))
        services.update_policy(request.user, policy, data)
        return Saved("已保存", reverse("policies:detail", args=[policy.pk]))

    return form_page(
        request,
        "policies/edit.html",
        save,
        lambda: {
            "policy": policy,
            "form": posted if posted is not None else policy,
            "rule_rows": _rule_rows(policy.rules if policy else None, posted),
            "fields": [(k, f.label, f.kind) for k, f in rules.FIELDS.items()],
            "ops": list(rules.OP_LABELS.items()),
            "tracks": Track.choices,
            "statuses": PolicyStatus.choices,
            "benefit_kinds": BenefitKind.choices,
            "formulas": [(k, f.label) for k, f in FORMULAS.items()],
        },
    )


@roles_required(*EDITORS, page="录入惠企政策")
def new(request: ParkRequest) -> HttpResponse:
    return _editor(request, None)


@roles_required(*EDITORS, page="修改惠企政策")
def edit(request: ParkRequest, policy_id: int) -> HttpResponse:
    return _editor(request, access.get_policy(request.user, request.park, policy_id))


@roles_required(*STAFF, page="惠企政策")
def detail(request: ParkRequest, policy_id: int) -> HttpResponse:
    user, park = request.user, request.park
    policy = access.get_policy(user, park, policy_id)
    show = request.GET.get("show", "")
    assessed = services.assess_all(user, park, policy)
    qualifying = [a for a in assessed if a.qualifies]
    claimed = services.claims(policy, [a.entity.pk for a in qualifying])
    rows = assessed if show == "all" else qualifying
    grants = list(access.visible_grants(user, park).filter(policy=policy).select_related("entity"))
    apps = list(
        access.visible_applications(user, park).filter(policy=policy).select_related("entity")
    )
    for a in apps:
        a.payout = services.payout_state(a)
    return render(
        request,
        "policies/detail.html",
        {
            "policy": policy,
            "rules_text": [rules.describe(r) for r in rules.load(policy.rules)],
            "rows": rows[:300],
            "row_count": len(rows),
            "qualifying": len(qualifying),
            "assessed": len(assessed),
            "claimed": claimed,
            "show": show,
            "grants": grants,
            "proposed": [g for g in grants if g.status == "proposed"],
            "applications": apps,
            "year": services.policy_year(policy),
            "in_force": services.in_force(policy),
            "may_edit": access.can_edit(user),
            "may_decide": access.can_decide(user),
            "may_confirm": access.can_confirm(user),
            "may_apply": user.role in APPLICANTS,
            "events": list(policy.events.select_related("actor", "entity")[:20]),
            "event_labels": services.EVENT_LABELS,
        },
    )


def _back(policy_id: int, anchor: str) -> str:
    return f"/policies/{policy_id}/#{anchor}"


@require_POST
@roles_required(*DECIDERS, page="免申即享名单")
def propose(request: ParkRequest, policy_id: int) -> HttpResponse:
    policy = access.get_policy(request.user, request.park, policy_id)

    def act() -> str:
        made = services.propose_grants(request.user, request.park, policy)
        return f"已生成兑现名单：新增 {len(made)} 家，待财政确认"

    return post_action(request, _back(policy.pk, "grants"), act)


@require_POST
@roles_required(*CONFIRMERS, page="确认兑现")
def confirm(request: ParkRequest, grant_id: int) -> HttpResponse:
    grant = access.get_grant(request.user, request.park, grant_id)
    ids = request.POST.getlist("grant") if request.POST.get("all") == "1" else [str(grant.pk)]

    def act() -> str:
        done = 0
        for g in access.visible_grants(request.user, request.park).filter(
            policy=grant.policy, pk__in=[i for i in ids if i.isdigit()], status="proposed"
        ):
            services.confirm_grant(request.user, g, request.POST.get("note", ""))
            done += 1
        return f"已确认兑现 {done} 家"

    return post_action(request, _back(grant.policy_id, "grants"), act)


@require_POST
@roles_required(*CONFIRMERS, page="不予确认")
def reject(request: ParkRequest, grant_id: int) -> HttpResponse:
    grant = access.get_grant(request.user, request.park, grant_id)

    def act() -> str:
        services.reject_grant(request.user, grant, request.POST.get("note", ""))
        return "已记录不予确认"

    return post_action(request, _back(grant.policy_id, "grants"), act)


@require_POST
@roles_required(*APPLICANTS, page="申请政策")
def apply(request: ParkRequest, policy_id: int) -> HttpResponse:
    user, park = request.user, request.park
    policy = access.get_policy(user, park, policy_id)
    raw = request.POST.get("entity_id", "")
    entity_id = user.enterprise_id if user.role == Role.ENTERPRISE else raw

    def act() -> str:
        if not str(entity_id or "").isdigit():
            raise InvalidInput("请选择申请的企业")
        entity = get_entity(user, park, entity_id)
        app = services.apply(user, policy, entity, request.POST.get("note", ""))
        msg = f"已受理“{entity.name}”的申请"
        if app.payout_deadline:
            msg += f"，应于 {app.payout_deadline:%Y-%m-%d} 前兑付"
        return msg

    if user.role == Role.ENTERPRISE:
        back = reverse("policies:mine")
    else:
        back = request.POST.get("next") or f"/policies/{policy.pk}/#applications"
    return post_action(request, back, act)


@require_POST
@roles_required(*DECIDERS, page="审核申请")
def decide(request: ParkRequest, application_id: int) -> HttpResponse:
    app = access.get_application(request.user, request.park, application_id)
    p = request.POST

    def act() -> str:
        match p.get("decision", ""):
            case "approve":
                services.approve_application(
                    request.user, app, p.get("amount_wan", ""), p.get("note", "")
                )
                return "已审核通过"
            case "pay":
                services.pay_application(request.user, app, p.get("paid_on", "") or None)
                return "已登记兑付"
            case "reject":
                services.reject_application(request.user, app, p.get("note", ""))
                return "已记录不予支持"
        raise InvalidInput("请选择审核结果")

    return post_action(request, _back(app.policy_id, "applications"), act)


@roles_required(Role.ENTERPRISE, page="可享受的政策")
def mine(request: ParkRequest) -> HttpResponse:
    rows = services.portal_view(request.user, request.park)
    return render(
        request,
        "policies/mine.html",
        {"rows": rows, "enterprise": request.user.enterprise},
    )


@roles_required(Role.DISPATCHER, Role.ADMIN, page="导入惠企政策")
def import_page(request: ParkRequest) -> HttpResponse:
    return upload_page(
        request,
        "policies/import.html",
        lambda data, dry_run, valid_only: sheets.import_policies(
            request.user, request.park, data, dry_run=dry_run, valid_only=valid_only
        ),
        {"columns": sheets.POLICY_COLUMNS},
    )
