"""供需对接 pages: products (search, filters, paging, the brochure, the xlsx import), purchasing
needs with their ranked matches, events from planning to signed orders, and an order's follow-up.
Views parse, authorize through matchmaking.access, call matchmaking.services and render."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from entities.models import MarketEntity
from finance.models import Institution
from matchmaking import access, chains, services
from matchmaking.models import (
    EventKind,
    EventStatus,
    MatchEvent,
    NeedStatus,
    OfferKind,
    OfferStatus,
    Order,
    OrderStatus,
    Product,
    Side,
)
from orgs.models import Role
from qinshang import industries
from qinshang.errors import InvalidInput, InvalidState, NotFound
from qinshang.pages import ParkRequest, paginate, query_without, roles_required

STAFF = (
    Role.DISPATCHER,
    Role.HANDLER,
    Role.DEPARTMENT_HEAD,
    Role.LIAISON,
    Role.LEADER,
    Role.ADMIN,
)
VIEWERS = (*STAFF, Role.ENTERPRISE)
PUBLISHERS = (Role.DISPATCHER, Role.ADMIN, Role.LIAISON, Role.ENTERPRISE)
MANAGERS = (Role.DISPATCHER, Role.LEADER, Role.ADMIN)
PAGE = "供需对接"
SEARCH_MAX = 100


def _int(value: Any) -> int | None:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if 0 < n < 2**63 else None


def _year(request: ParkRequest) -> int:
    y = _int(request.GET.get("year"))
    return y if y and 2000 <= y <= 2100 else timezone.localdate().year


def _entities(request: ParkRequest) -> QuerySet[MarketEntity]:
    """The enterprises the user may publish for: its own, a liaison's, or the whole park."""
    user, park = request.user, request.park
    qs = MarketEntity.objects.filter(park=park, is_active=True).order_by("name")
    if user.role == Role.ENTERPRISE:
        return qs.filter(pk=user.enterprise_id or 0)
    if user.role == Role.LIAISON:
        return qs.filter(Q(liaison=user) | Q(backup_liaison=user))
    return qs


def _common() -> dict[str, Any]:
    return {
        "industry_choices": industries.choices(),
        "link_choices": chains.link_choices(),
        "chain_choices": chains.chain_choices(),
    }


# --------------------------------------------------------------------------- overview


@roles_required(*VIEWERS, page=PAGE)
def index(request: ParkRequest) -> HttpResponse:
    user, park = request.user, request.park
    year = _year(request)
    figures = services.year_figures(park, year)
    for r in figures:
        r["headline"] = services.headline(r)
    return render(
        request,
        "matchmaking/index.html",
        {
            "year": year,
            "figures": figures,
            "products": access.visible_products(user, park)
            .filter(status=OfferStatus.PUBLISHED)
            .count(),
            "needs": access.visible_needs(user, park).filter(status=NeedStatus.OPEN).count(),
            "upcoming": access.visible_events(user, park)
            .filter(status=EventStatus.PLANNED)
            .order_by("date")[:5],
            "staff": access.is_staff(user, park),
            "can_manage": access.can_manage(user, park),
        },
    )


# --------------------------------------------------------------------------- products


def _products(request: ParkRequest) -> tuple[QuerySet[Product], dict[str, str]]:
    g = request.GET
    f = {
        "q": g.get("q", "").strip()[:SEARCH_MAX],
        "industry": g.get("industry", ""),
        "chain_link": g.get("chain_link", ""),
        "kind": g.get("kind", ""),
        "status": g.get("status", OfferStatus.PUBLISHED),
        "sort": g.get("sort", ""),
    }
    qs = access.visible_products(request.user, request.park).select_related("enterprise")
    if f["q"]:
        qs = qs.filter(
            Q(name__icontains=f["q"])
            | Q(description__icontains=f["q"])
            | Q(spec__icontains=f["q"])
            | Q(enterprise__name__icontains=f["q"])
        )
    if industries.is_division(f["industry"]):
        qs = qs.filter(industry=f["industry"])
    if f["chain_link"] in chains.links():
        qs = qs.filter(chain_link=f["chain_link"])
    if f["kind"] in OfferKind.values:
        qs = qs.filter(kind=f["kind"])
    if f["status"] in OfferStatus.values:
        qs = qs.filter(status=f["status"])
    order = {"name": ["name", "id"], "enterprise": ["enterprise__name", "name"]}
    return qs.order_by(*order.get(f["sort"], ["-updated_at", "-id"])), f


@roles_required(*VIEWERS, page=PAGE)
def products(request: ParkRequest) -> HttpResponse:
    qs, f = _products(request)
    page = paginate(request, qs, 30)
    for p in page.object_list:
        p.link_label = chains.link_label(p.chain_link)
    return render(
        request,
        "matchmaking/products.html",
        {
            "page": page,
            "f": f,
            "query": query_without(request, "page"),
            "kinds": OfferKind.choices,
            "statuses": OfferStatus.choices,
            "can_publish": request.user.role in PUBLISHERS,
            "can_import": access.can_manage(request.user, request.park),
            "staff": access.is_staff(request.user, request.park),
            **_common(),
        },
    )


def _product_input(request: ParkRequest) -> services.ProductInput:
    p = request.POST
    return services.ProductInput(
        enterprise_id=_int(p.get("enterprise_id")) or 0,
        name=p.get("name", ""),
        industry=p.get("industry", ""),
        kind=p.get("kind", OfferKind.PRODUCT),
        description=p.get("description", ""),
        spec=p.get("spec", ""),
        capacity=p.get("capacity", ""),
        chain_link=p.get("chain_link", ""),
        share_city=p.get("share_city") == "1",
    )


def _product_form(
    request: ParkRequest, product: Product | None, error: str | None, status: int = 200
) -> HttpResponse:
    src: Any = request.POST if request.method == "POST" else product
    v = {
        k: (src.get(k, "") if request.method == "POST" else getattr(src, k, "") if src else "")
        for k in ("name", "industry", "kind", "description", "spec", "capacity", "chain_link")
    }
    v["enterprise_id"] = str(
        request.POST.get("enterprise_id", "")
        if request.method == "POST"
        else (product.enterprise_id if product else "")
    )
    v["share_city"] = (
        request.POST.get("share_city") == "1"
        if request.method == "POST"
        else bool(product and product.share_city)
    )
    return render(
        request,
        "matchmaking/product_form.html",
        {
            "product": product,
            "error": error,
            "v": v,
            "entities": _entities(request),
            "kinds": OfferKind.choices,
            **_common(),
        },
        status=status,
    )


@roles_required(*PUBLISHERS, page="发布产品")
def product_new(request: ParkRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            p = services.publish_product(request.user, request.park, _product_input(request))
        except InvalidInput as exc:
            return _product_form(request, None, exc.message, 422)
        messages.success(request, f"已发布“{p.name}”")
        return HttpResponseRedirect(reverse("matchmaking:product", args=[p.pk]))
    return _product_form(request, None, None)


@roles_required(*VIEWERS, page=PAGE)
def product(request: ParkRequest, pk: int) -> HttpResponse:
    p = access.get_product(request.user, request.park, pk)
    if request.method == "POST":
        try:
            services.update_product(request.user, p, _product_input(request))
        except InvalidInput as exc:
            return _product_form(request, p, exc.message, 422)
        messages.success(request, "已保存修改")
        return HttpResponseRedirect(reverse("matchmaking:product", args=[p.pk]))
    if request.GET.get("edit") == "1" and access.can_publish_for(request.user, p.enterprise):
        return _product_form(request, p, None)
    return render(
        request,
        "matchmaking/product.html",
        {
            "p": p,
            "link_label": chains.link_label(p.chain_link),
            "can_edit": access.can_publish_for(request.user, p.enterprise),
        },
    )


@require_POST
@roles_required(*PUBLISHERS, page="上架/下架产品")
def product_status(request: ParkRequest, pk: int) -> HttpResponse:
    p = access.get_product(request.user, request.park, pk)
    services.set_product_status(
        request.user, p, request.POST.get("status", ""), request.POST.get("reason", "")
    )
    messages.success(request, "已更新产品状态")
    return HttpResponseRedirect(reverse("matchmaking:product", args=[p.pk]))


@roles_required(*STAFF, page="企业产品宣传手册")
def brochure(request: ParkRequest, kind: str) -> HttpResponse:
    from matchmaking import brochure as book

    if kind not in ("docx", "pdf"):
        raise NotFound("没有这种格式")
    qs, _ = _products(request)
    qs = qs.filter(status=OfferStatus.PUBLISHED)
    park = request.park
    if kind == "docx":
        data = book.build_docx(park, qs)
        ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        data = book.build_pdf(park, qs)
        ctype = "application/pdf"
    name = f"{park.short_name}企业产品宣传手册_{timezone.localdate():%Y%m%d}.{kind}"
    resp = HttpResponse(data, content_type=ctype)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


@roles_required(*MANAGERS, page="导入产品名录")
def product_import(request: ParkRequest) -> HttpResponse:
    from matchmaking import sheets as product_sheets

    if request.GET.get("template") == "1":
        resp = HttpResponse(
            product_sheets.template_workbook(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote('产品名录模板.xlsx')}"
        return resp
    report, error, status = None, None, 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error, status = "请选择要导入的 .xlsx 文件", 422
        else:
            try:
                report = product_sheets.import_products(
                    request.user,
                    request.park,
                    upload.read(),
                    dry_run=request.POST.get("dry_run") == "1",
                    valid_only=request.POST.get("valid_only") == "1",
                )
            except InvalidInput as exc:
                error, status = exc.message, 422
            if report is not None and report.errors and not report.committed:
                status = 422
    return render(
        request,
        "matchmaking/import.html",
        {"report": report, "error": error, "columns": product_sheets.COLUMNS},
        status=status,
    )


# --------------------------------------------------------------------------- needs


@roles_required(*VIEWERS, page=PAGE)
def needs(request: ParkRequest) -> HttpResponse:
    g = request.GET
    f = {"q": g.get("q", "").strip()[:SEARCH_MAX], "status": g.get("status", NeedStatus.OPEN)}
    qs = access.visible_needs(request.user, request.park).select_related("enterprise")
    if f["q"]:
        qs = qs.filter(
            Q(title__icontains=f["q"])
            | Q(description__icontains=f["q"])
            | Q(enterprise__name__icontains=f["q"])
        )
    if f["status"] in NeedStatus.values:
        qs = qs.filter(status=f["status"])
    page = paginate(request, qs, 30)
    return render(
        request,
        "matchmaking/needs.html",
        {
            "page": page,
            "f": f,
            "statuses": NeedStatus.choices,
            "query": query_without(request, "page"),
            "can_publish": request.user.role in PUBLISHERS,
        },
    )


@roles_required(*PUBLISHERS, page="发布采购需求")
def need_new(request: ParkRequest) -> HttpResponse:
    user, park = request.user, request.park
    demand = None
    demand_id = _int(request.GET.get("demand") or request.POST.get("demand_id"))
    if demand_id:
        from demands.access import visible_demands

        demand = (
            visible_demands(user, park).select_related("enterprise").filter(pk=demand_id).first()
        )
        if demand is None:
            raise NotFound("诉求不存在")
    error, status = None, 200
    if request.method == "POST":
        p = request.POST
        try:
            need = services.create_need(
                user,
                park,
                services.NeedInput(
                    enterprise_id=_int(p.get("enterprise_id")) or 0,
                    title=p.get("title", ""),
                    volume=p.get("volume", ""),
                    description=p.get("description", ""),
                    period_start=p.get("period_start"),
                    period_end=p.get("period_end"),
                    industry=p.get("industry", ""),
                    chain_link=p.get("chain_link", ""),
                    demand_id=demand.pk if demand else None,
                ),
            )
        except InvalidInput as exc:
            error, status = exc.message, 422
        else:
            messages.success(request, f"已发布采购需求“{need.title}”")
            return HttpResponseRedirect(reverse("matchmaking:need", args=[need.pk]))
    src = request.POST
    v = {
        k: src.get(k, "")
        for k in (
            "title",
            "volume",
            "description",
            "period_start",
            "period_end",
            "industry",
            "chain_link",
        )
    }
    v["enterprise_id"] = src.get("enterprise_id", "")
    if demand is not None and request.method != "POST":
        v["title"] = demand.title[:100]
        v["description"] = demand.description[:2000]
        v["enterprise_id"] = str(demand.enterprise_id or "")
        if demand.enterprise is not None:
            v["industry"] = demand.enterprise.industry
    return render(
        request,
        "matchmaking/need_form.html",
        {"v": v, "error": error, "demand": demand, "entities": _entities(request), **_common()},
        status=status,
    )


@roles_required(*VIEWERS, page=PAGE)
def need(request: ParkRequest, pk: int) -> HttpResponse:
    n = access.get_need(request.user, request.park, pk)
    staff = access.is_staff(request.user, request.park)
    return render(
        request,
        "matchmaking/need.html",
        {
            "n": n,
            "link_label": chains.link_label(n.chain_link),
            "matches": services.matches_for(n, 10) if staff else None,
            "can_edit": access.can_publish_for(request.user, n.enterprise),
        },
    )


@require_POST
@roles_required(*PUBLISHERS, page="关闭采购需求")
def need_close(request: ParkRequest, pk: int) -> HttpResponse:
    n = access.get_need(request.user, request.park, pk)
    services.close_need(request.user, n, request.POST.get("reason", ""))
    messages.success(request, "已关闭该需求")
    return HttpResponseRedirect(reverse("matchmaking:need", args=[n.pk]))


# --------------------------------------------------------------------------- events


@roles_required(*VIEWERS, page=PAGE)
def events(request: ParkRequest) -> HttpResponse:
    g = request.GET
    year = _year(request)
    f = {"kind": g.get("kind", ""), "status": g.get("status", ""), "year": str(year)}
    qs = access.visible_events(request.user, request.park).filter(date__year=year)
    if f["kind"] in EventKind.values:
        qs = qs.filter(kind=f["kind"])
    if f["status"] in EventStatus.values:
        qs = qs.filter(status=f["status"])
    qs = qs.annotate(
        n_reg=Count("registrations", distinct=True),
    ).order_by("-date", "-id")
    page = paginate(request, qs, 30)
    staff = access.is_staff(request.user, request.park)
    figures = services.year_figures(request.park, year) if staff else []
    for r in figures:
        r["headline"] = services.headline(r)
    amounts = {}
    if staff:
        from django.db.models import Sum

        amounts = dict(
            Order.objects.filter(
                event__in=[e.pk for e in page.object_list],
                status__in=(OrderStatus.SIGNED, OrderStatus.FULFILLED),
            )
            .values("event_id")
            .annotate(s=Sum("amount_wan"))
            .values_list("event_id", "s")
        )
    for e in page.object_list:
        e.amount_wan = amounts.get(e.pk)
    return render(
        request,
        "matchmaking/events.html",
        {
            "page": page,
            "f": f,
            "year": year,
            "years": list(range(timezone.localdate().year + 1, timezone.localdate().year - 5, -1)),
            "kinds": EventKind.choices,
            "statuses": EventStatus.choices,
            "figures": figures,
            "staff": staff,
            "query": query_without(request, "page"),
            "can_manage": access.can_manage(request.user, request.park),
        },
    )


@roles_required(*MANAGERS, page="策划对接活动")
def event_new(request: ParkRequest) -> HttpResponse:
    error, status = None, 200
    p = request.POST
    if request.method == "POST":
        try:
            ev = services.plan_event(
                request.user,
                request.park,
                services.EventInput(
                    kind=p.get("kind", ""),
                    theme=p.get("theme", ""),
                    date=p.get("date"),
                    place=p.get("place", ""),
                    chain=p.get("chain", ""),
                    industry=p.get("industry", ""),
                    description=p.get("description", ""),
                ),
            )
        except InvalidInput as exc:
            error, status = exc.message, 422
        else:
            messages.success(request, f"已策划“{ev.theme}”，下一步：邀请企业")
            return HttpResponseRedirect(reverse("matchmaking:event", args=[ev.pk]))
    v = {
        k: p.get(k, "")
        for k in ("kind", "theme", "date", "place", "chain", "industry", "description")
    }
    return render(
        request,
        "matchmaking/event_form.html",
        {"v": v, "error": error, "kinds": EventKind.choices, **_common()},
        status=status,
    )


def _event_page(
    request: ParkRequest, ev: MatchEvent, error: str | None = None, status: int = 200
) -> HttpResponse:
    user, park = request.user, request.park
    staff = access.is_staff(user, park)
    regs = access.visible_registrations(user, park).filter(event=ev).select_related("enterprise")
    orders = (
        access.visible_orders(user, park)
        .filter(event=ev)
        .select_related("enterprise", "counterparty", "institution")
    )
    slots = ev.slots.prefetch_related("seats__enterprise")
    own = access.own_enterprise(user)
    if not staff:
        slots = slots.filter(seats__enterprise_id=own) if own else slots.none()
    slot_rows = []
    for s in slots:
        names = [seat.enterprise.name for seat in s.seats.all()]
        if not staff:
            # An enterprise sees who it meets only when that is no other park enterprise.
            names = [
                n for seat, n in zip(s.seats.all(), names, strict=True) if seat.enterprise_id == own
            ]
        slot_rows.append({"s": s, "names": names})
    mine = regs.filter(enterprise_id=own).first() if own else None
    invited = ev.invitations.filter(enterprise_id=own).exists() if own else False
    return render(
        request,
        "matchmaking/event.html",
        {
            "ev": ev,
            "error": error,
            "staff": staff,
            "can_manage": access.can_manage(user, park),
            "figures": services.event_figures(ev) if staff else None,
            "registrations": regs,
            "orders": orders,
            "slots": slot_rows,
            "mine": mine,
            "invited": invited,
            "chain_name": chains.chain_name(ev.chain),
            "industry_label": industries.label(ev.industry) if ev.industry else "",
            "sides": Side.choices,
            "order_statuses": [(OrderStatus.SIGNED, "已签约"), (OrderStatus.INTENT, "达成意向")],
            "entities": MarketEntity.objects.filter(park=park, is_active=True).order_by("name")
            if access.can_manage(user, park)
            else [],
            "invitable": services.invitable(ev).count() if access.can_manage(user, park) else 0,
            "institutions": Institution.objects.filter(park=park, is_active=True).order_by("name")
            if access.can_manage(user, park)
            else [],
            "today": timezone.localdate(),
            "p": request.POST,
        },
        status=status,
    )


@roles_required(*VIEWERS, page=PAGE)
def event(request: ParkRequest, pk: int) -> HttpResponse:
    return _event_page(request, access.get_event(request.user, request.park, pk))


STEPS = ("invite", "register", "slot", "order", "held")


@require_POST
@roles_required(*VIEWERS, page=PAGE)
def event_act(request: ParkRequest, pk: int, step: str) -> HttpResponse:
    user = request.user
    ev = access.get_event(user, request.park, pk)
    if step not in STEPS:
        raise NotFound("没有这个操作")
    p = request.POST
    try:
        if step == "invite":
            ids = [i for i in (_int(x) for x in p.getlist("enterprise_ids")) if i]
            n = services.invite(user, ev, enterprise_ids=ids, by_target=p.get("by_target") == "1")
            messages.success(request, f"已邀请 {n} 家企业并发送通知" if n else "这些企业都已邀请过")
        elif step == "register":
            ent = (
                user.enterprise_id if user.role == Role.ENTERPRISE else _int(p.get("enterprise_id"))
            )
            services.register(
                user,
                ev,
                services.RegistrationInput(
                    enterprise_id=ent or 0,
                    side=p.get("side", ""),
                    note=p.get("note", ""),
                    contact_name=p.get("contact_name", ""),
                    contact_phone=p.get("contact_phone", ""),
                ),
            )
            messages.success(request, "报名成功")
        elif step == "slot":
            ids = [i for i in (_int(p.get("party_a")), _int(p.get("party_b"))) if i]
            services.book_slot(
                user,
                ev,
                services.SlotInput(
                    starts_at=f"{ev.date.isoformat()}T{p.get('time', '')}",
                    table=p.get("table", ""),
                    enterprise_ids=ids,
                    counterparty_name=p.get("counterparty_name", ""),
                    topic=p.get("topic", ""),
                    minutes=p.get("minutes") or 20,
                ),
            )
            messages.success(request, "已安排一对一洽谈")
        elif step == "order":
            order = services.record_order(
                user,
                ev,
                services.OrderInput(
                    enterprise_id=_int(p.get("enterprise_id")) or 0,
                    side=p.get("side", ""),
                    subject=p.get("subject", ""),
                    amount_wan=p.get("amount_wan"),
                    status=p.get("status", OrderStatus.SIGNED),
                    counterparty_id=_int(p.get("counterparty_id")),
                    counterparty_name=p.get("counterparty_name", ""),
                    signed_on=p.get("signed_on"),
                    institution_id=_int(p.get("institution_id")),
                ),
            )
            messages.success(request, f"已登记：{order.subject}（{order.amount_wan} 万元）")
        else:
            services.mark_held(user, ev)
            messages.success(request, "活动已标记为已举办")
    except InvalidInput as exc:
        return _event_page(request, ev, exc.message, 422)
    except InvalidState as exc:
        return _event_page(request, ev, exc.message, 409)
    return HttpResponseRedirect(reverse("matchmaking:event", args=[ev.pk]))


# --------------------------------------------------------------------------- orders


def _order_page(
    request: ParkRequest, o: Order, error: str | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    return render(
        request,
        "matchmaking/order.html",
        {
            "o": o,
            "error": error,
            "followups": o.followups.select_related("by"),
            "can_manage": access.can_manage(user, request.park),
            "can_follow": access.is_staff(user, request.park),
            "today": timezone.localdate(),
            "p": request.POST,
            # the other party of the viewer's own order is shown by its name only
            "show_counterparty_link": access.is_staff(user, request.park),
        },
        status=status,
    )


@roles_required(*VIEWERS, page=PAGE)
def order(request: ParkRequest, pk: int) -> HttpResponse:
    return _order_page(request, access.get_order(request.user, request.park, pk))


@require_POST
@roles_required(*STAFF, page=PAGE)
def order_act(request: ParkRequest, pk: int, step: str) -> HttpResponse:
    o = access.get_order(request.user, request.park, pk)
    p = request.POST
    if step not in ("sign", "follow"):
        raise NotFound("没有这个操作")
    try:
        if step == "sign":
            services.sign_order(request.user, o, p.get("signed_on"), p.get("amount_wan"))
            messages.success(request, "已签约")
        else:
            services.follow_up(
                request.user, o, p.get("on"), p.get("note", ""), p.get("amount_wan") or "0"
            )
            messages.success(request, "已记录履约情况")
    except InvalidInput as exc:
        return _order_page(request, o, exc.message, 422)
    except InvalidState as exc:
        return _order_page(request, o, exc.message, 409)
    return HttpResponseRedirect(reverse("matchmaking:order", args=[o.pk]))
