"""大走访 pages: campaign list, creation, questionnaire builder, dashboard and export for the
dispatch centre; the phone form on which a liaison records a visit."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.db.models import Count, Q
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from demands.models import Category
from entities.models import EntityKind, MarketEntity, Tier
from qinshang import industries
from qinshang.errors import Forbidden, InvalidInput, InvalidState, NotFound
from qinshang.pages import ParkRequest, page, paginate, query_without
from visits import services
from visits.export import export_campaign
from visits.models import (
    Campaign,
    CampaignStatus,
    Outcome,
    QuestionKind,
    Target,
    TargetStatus,
    Theme,
    VisitPhoto,
)


def _ctx(request: ParkRequest, **kw: Any) -> dict[str, Any]:
    park = request.park
    user = request.user
    return {
        "can_manage": services.can_manage(user, park),
        "can_view_all": services.can_view_all(user, park),
        **kw,
    }


@page
def campaign_list(request: ParkRequest) -> HttpResponse:
    park = request.park
    user = request.user
    services.require_staff(user, park)
    campaigns = list(services.visible_campaigns(user, park).select_related("created_by"))
    progress = services.campaign_progress(campaigns)
    mine: dict[int, dict[str, int]] = {}
    if not services.can_view_all(user, park):
        # A liaison sees only campaigns with targets of theirs, and their own progress.
        mine = {c.pk: {"total": 0, "done": 0} for c in campaigns}
        for cid, st, n in (
            Target.objects.filter(campaign__in=campaigns)
            .filter(Q(entity__liaison=user) | Q(entity__backup_liaison=user))
            .values_list("campaign_id", "status")
            .annotate(n=Count("pk"))
        ):
            mine[cid]["total"] += n
            if st != TargetStatus.PENDING:
                mine[cid]["done"] += n
        campaigns = [c for c in campaigns if mine[c.pk]["total"]]
    for c in campaigns:
        p = progress.get(c.pk, {"total": 0, "visited": 0, "refused": 0})
        c.p = p
        c.pct = round(100 * p["visited"] / p["total"]) if p["total"] else 0
        c.mine = mine.get(c.pk)
    return render(request, "visits/list.html", _ctx(request, campaigns=campaigns))


def _campaign_form(request: ParkRequest) -> services.CampaignInput:
    p = request.POST
    return services.CampaignInput(
        title=p.get("title", ""),
        theme=p.get("theme", ""),
        start_date=p.get("start_date", ""),
        end_date=p.get("end_date", ""),
        description=p.get("description", ""),
        target_kinds=p.getlist("target_kinds"),
        target_industries=p.get("target_industries", ""),
        target_tiers=p.getlist("target_tiers"),
    )


def _form_ctx(request: ParkRequest, campaign: Campaign | None, error: str | None) -> dict:
    today = timezone.localdate()
    p = request.POST
    values = {
        "title": p.get("title", campaign.title if campaign else ""),
        "theme": p.get("theme", campaign.theme if campaign else Theme.RELIEF),
        "start_date": p.get("start_date", str(campaign.start_date) if campaign else str(today)),
        "end_date": p.get("end_date", str(campaign.end_date) if campaign else ""),
        "description": p.get("description", campaign.description if campaign else ""),
        "target_kinds": p.getlist("target_kinds")
        if p
        else (campaign.target_kinds if campaign else []),
        "target_industries": p.get(
            "target_industries", ",".join(campaign.target_industries) if campaign else ""
        ),
        "target_tiers": [int(t) for t in p.getlist("target_tiers")]
        if p
        else (campaign.target_tiers if campaign else []),
    }
    return _ctx(
        request,
        campaign=campaign,
        error=error,
        v=values,
        themes=Theme.choices,
        kinds=EntityKind.choices,
        tiers=Tier.choices,
        sections=industries.SECTION_NAMES,
    )


@page
def campaign_new(request: ParkRequest) -> HttpResponse:
    park = request.park
    services.require_manager(request.user, park)
    error = None
    if request.method == "POST":
        try:
            c = services.create_campaign(request.user, park, _campaign_form(request))
            messages.success(request, "走访活动已创建，请设计问卷")
            return HttpResponseRedirect(reverse("visits:questions", args=[c.pk]))
        except InvalidInput as exc:
            error = exc.message
    return render(
        request, "visits/form.html", _form_ctx(request, None, error), status=422 if error else 200
    )


@page
def campaign_edit(request: ParkRequest, campaign_id: int) -> HttpResponse:
    park = request.park
    services.require_manager(request.user, park)
    c = services.get_campaign(request.user, park, campaign_id)
    error = None
    if request.method == "POST":
        try:
            services.update_campaign(request.user, c, _campaign_form(request))
            messages.success(request, "已保存")
            return HttpResponseRedirect(reverse("visits:questions", args=[c.pk]))
        except (InvalidInput, InvalidState) as exc:
            error = exc.message
    return render(
        request, "visits/form.html", _form_ctx(request, c, error), status=422 if error else 200
    )


@page
def questions(request: ParkRequest, campaign_id: int) -> HttpResponse:
    park = request.park
    user = request.user
    services.require_viewer(user, park)
    c = services.get_campaign(user, park, campaign_id)
    error = None
    status = 200
    if request.method == "POST":
        p = request.POST
        action = p.get("action", "add")
        try:
            if action == "add":
                services.add_question(
                    user,
                    c,
                    services.QuestionInput(
                        text=p.get("text", ""),
                        kind=p.get("kind", ""),
                        options=p.get("options", ""),
                        required=p.get("required") == "on",
                        follow_up=p.get("follow_up", ""),
                        follow_up_on=p.get("follow_up_on", "yes"),
                        category_id=p.get("category") or None,
                    ),
                )
            elif action == "delete":
                services.delete_question(user, c, p.get("question"))
            elif action in ("up", "down"):
                services.move_question(
                    user,
                    c,
                    p.get("question"),
                    1 if action == "down" else -1,
                )
            elif action == "launch":
                n = services.launch(user, c)
                messages.success(request, f"走访已启动，共 {n} 家走访对象，已推送到各专属服务员")
                return HttpResponseRedirect(reverse("visits:dashboard", args=[c.pk]))
            return HttpResponseRedirect(reverse("visits:questions", args=[c.pk]) + "#builder")
        except (InvalidInput, InvalidState, NotFound) as exc:
            error, status = exc.message, exc.status
    qs = list(c.questions.select_related("category").order_by("order", "pk"))
    n_targets = (
        services.target_entities(c).count()
        if c.status == CampaignStatus.DRAFT
        else c.targets.count()
    )
    categories = Category.objects.filter(
        park=park, is_active=True, parent__isnull=False
    ).select_related("parent")
    return render(
        request,
        "visits/questions.html",
        _ctx(
            request,
            campaign=c,
            questions=qs,
            n_targets=n_targets,
            error=error,
            kinds=QuestionKind.choices,
            categories=categories,
            editable=c.status == CampaignStatus.DRAFT and services.can_manage(user, park),
        ),
        status=status,
    )


@page
def dashboard(request: ParkRequest, campaign_id: int) -> HttpResponse:
    park = request.park
    user = request.user
    c = services.get_campaign(user, park, campaign_id)
    if not services.can_view_all(user, park):
        return HttpResponseRedirect(reverse("visits:mine", args=[c.pk]))
    if c.status == CampaignStatus.DRAFT:
        return HttpResponseRedirect(reverse("visits:questions", args=[c.pk]))
    d = services.dashboard(c)
    all_liaisons = request.GET.get("liaisons") == "all"
    rows = d.by_liaison if all_liaisons else d.by_liaison[:50]
    return render(
        request,
        "visits/dashboard.html",
        _ctx(request, campaign=c, d=d, liaison_rows=rows, all_liaisons=all_liaisons),
    )


@page
@require_POST
def campaign_close(request: ParkRequest, campaign_id: int) -> HttpResponse:
    park = request.park
    c = services.get_campaign(request.user, park, campaign_id)
    services.close(request.user, c)
    messages.success(request, "走访活动已结束")
    return HttpResponseRedirect(reverse("visits:dashboard", args=[c.pk]))


@page
def mine(request: ParkRequest, campaign_id: int) -> HttpResponse:
    """A liaison's targets in this campaign (a dispatcher sees all, filterable)."""
    park = request.park
    user = request.user
    services.require_staff(user, park)
    c = services.get_campaign(user, park, campaign_id)
    everyone = services.can_manage(user, park)
    targets = Target.objects.filter(campaign=c) if everyone else services.my_targets(user, c)
    status = request.GET.get("status", "")
    counts = {s: targets.filter(status=s).count() for s in TargetStatus.values}
    if status in TargetStatus.values:
        targets = targets.filter(status=status)
    q = request.GET.get("q", "").strip()
    if q:
        targets = targets.filter(
            Q(entity__name__contains=q) | Q(entity__liaison__full_name__contains=q)
        )
    targets = targets.select_related("entity__liaison", "visit").order_by(
        "status", "entity__tier", "entity__name"
    )
    rows = paginate(request, targets, 50)
    return render(
        request,
        "visits/mine.html",
        _ctx(
            request,
            campaign=c,
            rows=rows,
            status=status,
            q=q,
            counts=counts,
            statuses=TargetStatus.choices,
            everyone=everyone,
            qs=query_without(request, "page"),
            active=c.status == CampaignStatus.ACTIVE,
        ),
    )


def _answers_from(request: ParkRequest, campaign: Campaign) -> list[services.AnswerInput]:
    p = request.POST
    out = []
    for q in campaign.questions.all():
        key = f"q{q.pk}"
        value: Any = p.getlist(key) if q.kind == QuestionKind.MULTI else p.get(key, "")
        out.append(
            services.AnswerInput(
                question_id=q.pk,
                value=value,
                follow_up=p.get(f"{key}_follow", ""),
                is_problem=p.get(f"{key}_problem") == "on",
                problem_note=p.get(f"{key}_note", ""),
            )
        )
    return out


@page
def record(request: ParkRequest, campaign_id: int, entity_id: int) -> HttpResponse:
    park = request.park
    user = request.user
    c = services.get_campaign(user, park, campaign_id)
    entity = MarketEntity.objects.filter(pk=entity_id, park=park).select_related("liaison").first()
    if entity is None:
        raise NotFound("市场主体不存在")
    if not (services.serves(user, entity) or services.can_manage(user, park)):
        raise Forbidden("只有该企业的专属服务员（或派单员）可以登记走访")
    target = Target.objects.filter(campaign=c, entity=entity).select_related("visit").first()
    if target is None:
        raise NotFound(f"{entity.name}不在本次走访对象中")
    error = None
    if request.method == "POST":
        try:
            visit = services.record_visit(
                user,
                c,
                services.VisitInput(
                    entity_id=entity.pk,
                    visited_on=request.POST.get("visited_on", ""),
                    outcome=request.POST.get("outcome", Outcome.VISITED),
                    people_met=request.POST.get("people_met", ""),
                    note=request.POST.get("note", ""),
                    answers=_answers_from(request, c),
                    photos=[f for f in request.FILES.getlist("photos") if f and f.name],
                ),
            )
            n = visit.answers.filter(demand__isnull=False).count()
            text = f"已登记对{entity.name}的走访"
            if n:
                text += f"，{n} 个问题已转入问题台账"
            messages.success(request, text)
            return HttpResponseRedirect(reverse("visits:visit", args=[visit.pk]))
        except (InvalidInput, InvalidState) as exc:
            error = exc.message
    qs = list(c.questions.order_by("order", "pk"))
    p = request.POST
    for q in qs:
        key = f"q{q.pk}"
        q.key = key
        q.posted = p.getlist(key) if q.kind == QuestionKind.MULTI else p.get(key, "")
        q.posted_follow = p.get(f"{key}_follow", "")
        q.posted_problem = p.get(f"{key}_problem") == "on"
        q.posted_note = p.get(f"{key}_note", "")
    return render(
        request,
        "visits/record.html",
        _ctx(
            request,
            campaign=c,
            entity=entity,
            target=target,
            questions=qs,
            error=error,
            today=str(timezone.localdate()),
            visited_on=p.get("visited_on", str(timezone.localdate())),
            outcome=p.get("outcome", Outcome.VISITED),
            people_met=p.get("people_met", ""),
            note=p.get("note", ""),
            active=c.status == CampaignStatus.ACTIVE,
            max_photos=services.MAX_PHOTOS,
            photo_mb=services.PHOTO_MAX_BYTES // 1048576,
        ),
        status=422 if error else 200,
    )


@page
def visit_detail(request: ParkRequest, visit_id: int) -> HttpResponse:
    park = request.park
    visit = services.visible_visit(request.user, park, visit_id)
    answers = visit.answers.select_related("question", "demand").order_by(
        "question__order", "question__pk"
    )
    return render(
        request,
        "visits/visit.html",
        _ctx(request, visit=visit, answers=answers, photos=visit.photos.all()),
    )


@page
def photo(request: ParkRequest, photo_id: int) -> FileResponse:
    park = request.park
    ph = VisitPhoto.objects.filter(pk=photo_id, visit__park=park).first()
    if ph is None:
        raise NotFound("照片不存在")
    services.visible_visit(request.user, park, ph.visit_id)
    resp = FileResponse(ph.file.open("rb"), content_type=ph.content_type)
    resp["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(ph.original_name)}"
    resp["X-Content-Type-Options"] = "nosniff"
    return resp


@page
def export(request: ParkRequest, campaign_id: int) -> HttpResponse:
    park = request.park
    services.require_viewer(request.user, park)
    c = services.get_campaign(request.user, park, campaign_id)
    data = export_campaign(c)
    resp = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"{c.title}走访问卷{timezone.localdate():%Y%m%d}.xlsx"
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp
