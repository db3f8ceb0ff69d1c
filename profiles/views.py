"""Pages of 一企一档: the directory, registering an entity (with the industry suggestion), the
profile, and its forms (figures, certifications, size override, 一企一策), the sheet import."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from entities import profile as facts
from entities import purchases, sizing
from entities import services as entities
from entities.models import CertificationKind, EntityKind, MarketEntity, Tier
from orgs.models import Role, User
from profiles import dossier, services, sheets
from profiles.models import Metric, PlanMeasure, Track
from qinshang import industries
from qinshang.errors import NotFound
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

VIEWERS = dossier.VIEW_ROLES
EDITORS = (Role.DISPATCHER, Role.ADMIN, Role.LIAISON)
PLANNERS = (Role.DISPATCHER, Role.ADMIN, Role.LEADER, Role.LIAISON)
SORTS = {
    "name": ("name", "id"),
    "-revenue": ("-annual_revenue_wan", "name"),
    "-employees": ("-employees", "name"),
    "tier": ("tier", "name"),
}


def _entity(request: ParkRequest, entity_id: int) -> MarketEntity:
    dossier.require_view(request.user)
    return entities.get_entity(request.user, request.park, entity_id)


def _filtered(request: ParkRequest) -> tuple[Any, dict[str, str]]:
    qs = entities.visible_entities(request.user, request.park).select_related("liaison")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(
            Q(name__contains=q) | Q(credit_code=q.upper()) | Q(business_scope__contains=q)
        )
    kind = request.GET.get("kind", "")
    if kind in EntityKind.values:
        qs = qs.filter(kind=kind)
    size = request.GET.get("size", "")
    if size == "none":
        qs = qs.filter(size_class="")
    elif size in sizing.CLASSES:
        qs = qs.filter(size_class=size)
    section = request.GET.get("section", "")
    if section in industries.SECTION_NAMES:
        qs = qs.filter(industry__in=[c for c, _ in industries.divisions_of(section)])
    elif section == "none":
        qs = qs.filter(industry="")
    cert = request.GET.get("cert", "")
    if cert in CertificationKind.values:
        qs = qs.filter(certifications__kind=cert, certifications__revoked_reason="").distinct()
    sort = request.GET.get("sort", "tier")
    qs = qs.order_by(*SORTS.get(sort, SORTS["tier"]))
    chosen = {"q": q, "kind": kind, "size": size, "section": section, "cert": cert, "sort": sort}
    return qs, chosen


@roles_required(*VIEWERS, page="企业档案")
def index(request: ParkRequest) -> HttpResponse:
    qs, chosen = _filtered(request)
    q, kind, size, section, cert, sort = (
        chosen[k] for k in ("q", "kind", "size", "section", "cert", "sort")
    )
    rows = paginate(request, qs, 50)
    return render(
        request,
        "profiles/index.html",
        {
            "rows": rows,
            "total": rows.paginator.count,
            "q": q,
            "kind": kind,
            "size": size,
            "section": section,
            "cert": cert,
            "sort": sort,
            "kinds": EntityKind.choices,
            "sizes": list(sizing.LABELS.items()),
            "sections": [(s.code, f"{s.code} {s.name}") for s in industries.SECTIONS],
            "certs": CertificationKind.choices,
            "query": query_without(request, "page"),
            "export_query": query_without(request, "page"),
            "may_register": request.user.role in entities.EDIT_ROLES or request.user.is_superuser,
            "size_labels": sizing.LABELS,
        },
    )


def _form_input(post: Any) -> entities.EntityInput:
    def num(key: str) -> Any:
        return post.get(key, "").strip() or None

    tier = post.get("tier", "")
    return entities.EntityInput(
        name=post.get("name", ""),
        kind=post.get("kind", ""),
        credit_code=post.get("credit_code", ""),
        industry=post.get("industry", ""),
        industry_detail=post.get("industry_detail", ""),
        address=post.get("address", ""),
        tier=int(tier) if tier.isdigit() else None,
        legal_representative=post.get("legal_representative", ""),
        employees=num("employees"),
        annual_revenue_wan=num("annual_revenue_wan"),
        total_assets_wan=num("total_assets_wan"),
        business_scope=post.get("business_scope", ""),
        main_business=post.get("main_business", ""),
        contacts=[{"name": post.get("contact", ""), "phone": post.get("phone", "")}]
        if post.get("phone", "").strip()
        else [],
    )


@roles_required(Role.DISPATCHER, Role.ADMIN, page="登记市场主体")
def new(request: ParkRequest) -> HttpResponse:
    def save() -> Saved:
        entity = entities.create_entity(request.user, request.park, _form_input(request.POST))
        return Saved(f"已登记“{entity.name}”", reverse("profiles:detail", args=[entity.pk]))

    return form_page(
        request,
        "profiles/new.html",
        save,
        lambda: {
            "form": request.POST,
            "kinds": EntityKind.choices,
            "tiers": Tier.choices,
            "industry_choices": industries.choices(),
        },
    )


@require_POST
@roles_required(*VIEWERS, page="行业建议")
def suggest(request: ParkRequest) -> HttpResponse:
    hint = facts.suggestion_dict(
        facts.suggest_industry(
            request.park,
            request.POST.get("name", "")[:200],
            request.POST.get("business_scope", "")[:4000],
            request.POST.get("main_business", "")[:200],
        )
    )
    return render(request, "profiles/_suggestion.html", {"hint": hint})


@roles_required(*VIEWERS, page="企业档案")
def detail(request: ParkRequest, entity_id: int) -> HttpResponse:
    entity = _entity(request, entity_id)
    entity = (
        MarketEntity.objects.select_related("liaison__department", "backup_liaison")
        .prefetch_related("contacts")
        .get(pk=entity.pk)
    )
    d = dossier.build(request.user, request.park, entity)
    staff = User.objects.filter(park=request.park, is_active=True).exclude(
        role__in=(Role.ENTERPRISE, Role.RESIDENT, Role.EXPERT)
    )
    return render(
        request,
        "profiles/detail.html",
        {
            "d": d,
            "entity": entity,
            "size_labels": sizing.LABELS,
            "cert_kinds": CertificationKind.choices,
            "metrics": [m for m in Metric.choices if m[0]],
            "tracks": Track.choices,
            "staff": staff.order_by("department__sort", "full_name")[:300],
            "hint": entity.industry_suggestion or None,
        },
    )


def _back(entity: MarketEntity, anchor: str) -> str:
    return f"/profiles/{entity.pk}/#{anchor}"


@require_POST
@roles_required(*EDITORS, page="企业档案")
def figures(request: ParkRequest, entity_id: int) -> HttpResponse:
    entity = _entity(request, entity_id)
    p = request.POST

    def act() -> str:
        as_of, source = p.get("as_of", "") or None, p.get("source", "")
        facts.record_figures(
            request.user,
            entity,
            facts.FigureInput(
                year=p.get("year", ""),
                employees=p.get("employees", ""),
                employees_source=source,
                employees_date=as_of,
                annual_revenue_wan=p.get("annual_revenue_wan", ""),
                revenue_source=source,
                revenue_date=as_of,
                total_assets_wan=p.get("total_assets_wan", ""),
                assets_source=source,
                assets_date=as_of,
            ),
        )
        return "已保存年度经营数据"

    return post_action(request, _back(entity, "figures"), act)


@require_POST
@roles_required(*EDITORS, page="企业档案")
def certification(request: ParkRequest, entity_id: int) -> HttpResponse:
    entity = _entity(request, entity_id)
    p = request.POST

    def act() -> str:
        facts.add_certification(
            request.user,
            entity,
            facts.CertificationInput(
                kind=p.get("kind", ""),
                valid_from=p.get("valid_from", ""),
                valid_until=p.get("valid_until", "") or None,
                name=p.get("name", ""),
                number=p.get("number", ""),
                issuer=p.get("issuer", ""),
                source=p.get("source", ""),
            ),
        )
        return "已登记资质认定"

    return post_action(request, _back(entity, "certs"), act)


@require_POST
@roles_required(*EDITORS, page="企业档案")
def revoke(request: ParkRequest, entity_id: int, cert_id: int) -> HttpResponse:
    entity = _entity(request, entity_id)
    cert = entity.certifications.filter(pk=cert_id).first()
    if cert is None:
        raise NotFound("资质认定不存在")

    def act() -> str:
        facts.revoke_certification(request.user, cert, request.POST.get("reason", ""))
        return "已撤销该认定"

    return post_action(request, _back(entity, "certs"), act)


@require_POST
@roles_required(*EDITORS, page="企业档案")
def size_override(request: ParkRequest, entity_id: int) -> HttpResponse:
    entity = _entity(request, entity_id)
    p = request.POST

    def act() -> str:
        facts.override_size(request.user, entity, p.get("size_class", ""), p.get("reason", ""))
        return "已更新企业规模认定"

    return post_action(request, _back(entity, "size"), act)


@require_POST
@roles_required(*PLANNERS, page="一企一策")
def plan_new(request: ParkRequest, entity_id: int) -> HttpResponse:
    entity = _entity(request, entity_id)
    p = request.POST

    def act() -> str:
        services.create_plan(
            request.user,
            entity,
            services.PlanInput(
                p.get("title", ""),
                p.get("starts_on", ""),
                p.get("ends_on", ""),
                p.get("next_review_on", ""),
            ),
        )
        return "已制定一企一策"

    return post_action(request, _back(entity, "plan"), act)


@require_POST
@roles_required(*PLANNERS, page="一企一策")
def plan_goal(request: ParkRequest, entity_id: int, sp_id: int) -> HttpResponse:
    entity = _entity(request, entity_id)
    plan = services.get_plan(entity, sp_id)
    p = request.POST

    def act() -> str:
        services.add_goal(
            request.user,
            plan,
            p.get("text", ""),
            p.get("metric", ""),
            p.get("year"),
            p.get("target"),
        )
        return "已添加目标"

    return post_action(request, _back(entity, "plan"), act)


@require_POST
@roles_required(*PLANNERS, page="一企一策")
def plan_measure(request: ParkRequest, entity_id: int, sp_id: int) -> HttpResponse:
    entity = _entity(request, entity_id)
    plan = services.get_plan(entity, sp_id)
    p = request.POST

    def act() -> str:
        services.add_measure(
            request.user,
            plan,
            p.get("text", ""),
            p.get("track", ""),
            p.get("responsible_id", ""),
            p.get("due_on", ""),
        )
        return "已添加措施"

    return post_action(request, _back(entity, "plan"), act)


@require_POST
@roles_required(*PLANNERS, page="一企一策")
def measure_status(request: ParkRequest, entity_id: int, measure_id: int) -> HttpResponse:
    entity = _entity(request, entity_id)
    measure = PlanMeasure.objects.filter(pk=measure_id, plan__entity=entity).first()
    if measure is None:
        raise NotFound("措施不存在")
    p = request.POST

    def act() -> str:
        services.set_measure(request.user, measure, p.get("status", ""), p.get("note", ""))
        return "已更新措施进展"

    return post_action(request, _back(entity, "plan"), act)


@require_POST
@roles_required(*PLANNERS, page="一企一策")
def plan_review(request: ParkRequest, entity_id: int, sp_id: int) -> HttpResponse:
    entity = _entity(request, entity_id)
    plan = services.get_plan(entity, sp_id)
    p = request.POST

    def act() -> str:
        services.review_plan(
            request.user,
            plan,
            p.get("summary", ""),
            p.get("next_review_on", ""),
            close=p.get("close") == "1",
        )
        return "已记录评估"

    return post_action(request, _back(entity, "plan"), act)


@roles_required(Role.DISPATCHER, Role.ADMIN, page="经营数据导入")
def import_page(request: ParkRequest) -> HttpResponse:
    return upload_page(
        request,
        "profiles/import.html",
        lambda data, dry_run, valid_only: sheets.import_profile_sheet(
            request.user, request.park, data, dry_run=dry_run, valid_only=valid_only
        ),
        {
            "figure_columns": sheets.FIGURE_COLUMNS,
            "cert_columns": sheets.CERT_COLUMNS,
            "purchase_columns": sheets.PURCHASE_COLUMNS,
        },
    )


EXPORT_LIMIT = 20000


@roles_required(*VIEWERS, page="企业档案")
def export(request: ParkRequest) -> HttpResponse:
    """The directory as filtered, as an .xlsx (qinshang.sheets: user text never a formula)."""
    qs, _ = _filtered(request)
    data = sheets.export_profiles(qs[:EXPORT_LIMIT])
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E4%BC%81%E4%B8%9A%E6%A1%A3%E6%A1%88.xlsx"
    )
    return response


@require_POST
@roles_required(*EDITORS, page="企业档案")
def purchase(request: ParkRequest, entity_id: int) -> HttpResponse:
    entity = _entity(request, entity_id)
    p = request.POST

    def act() -> str:
        stated = p.get("local_sei", "")
        purchases.record_purchase(
            request.user,
            entity,
            purchases.PurchaseInput(
                amount_wan=p.get("amount_wan", ""),
                purchased_on=p.get("purchased_on", ""),
                supplier_name=p.get("supplier_name", ""),
                supplier_credit_code=p.get("supplier_credit_code", ""),
                evidence=p.get("evidence", ""),
                local_sei=None if stated == "" else stated == "1",
                local_sei_basis=p.get("local_sei_basis", ""),
            ),
        )
        return "已登记本地采购"

    return post_action(request, _back(entity, "purchases"), act)


@require_POST
@roles_required(*EDITORS, page="企业档案")
def purchase_void(request: ParkRequest, entity_id: int, purchase_id: int) -> HttpResponse:
    entity = _entity(request, entity_id)
    row = entity.purchases.filter(pk=purchase_id).first()
    if row is None:
        raise NotFound("采购记录不存在")

    def act() -> str:
        purchases.void_purchase(request.user, row, request.POST.get("reason", ""))
        return "已作废该采购记录"

    return post_action(request, _back(entity, "purchases"), act)
