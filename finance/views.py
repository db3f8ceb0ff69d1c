"""银企对接 pages. Views parse the request, call finance.access / finance.services and render.

- the park's and an enterprise's pages: overview of needs (search, filter, paging, xlsx), a new
  need, a need with the institutions it was shown to, consents per institution and field, the
  institutions and their products;
- the 金融机构 home: the needs shown to the institution with their deadlines, the consenting
  enterprises (consented fields only), one need with the answer form, the xlsx of all of it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.db.models import Prefetch, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_POST

from finance import access, export, services
from finance.models import (
    ConsentField,
    Disbursement,
    FinancingStatus,
    InstitutionKind,
    ProductType,
    ReferralStatus,
    Urgency,
)
from orgs.models import Role
from qinshang.errors import InvalidInput, InvalidState
from qinshang.pages import ParkRequest, paginate, query_without, roles_required
from workcal import calendar as wcal

PARK_VIEWERS = (Role.DISPATCHER, Role.ADMIN, Role.LEADER, Role.LIAISON, Role.ENTERPRISE)
ACTORS = access.ACTS_FOR_ENTERPRISE
MANAGERS = (Role.DISPATCHER, Role.ADMIN)
PAGE = "银企对接"


def _id(raw: str | None) -> int:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 12 else 0


def _filtered_needs(request: ParkRequest) -> tuple[Any, dict[str, str]]:
    qs = access.visible_needs(request.user, request.park).select_related("entity")
    q = request.GET.get("q", "").strip()[:50]
    status = request.GET.get("status", "")
    sort = request.GET.get("sort", "new")
    if q:
        qs = qs.filter(
            Q(number__icontains=q) | Q(purpose__icontains=q) | Q(entity__name__icontains=q)
        )
    if status in FinancingStatus.values:
        qs = qs.filter(status=status)
    order = {"new": ("-created_at", "-id"), "amount": ("-amount_wan", "-id")}
    qs = qs.order_by(*order.get(sort, order["new"]))
    return qs, {"q": q, "status": status, "sort": sort}


@roles_required(*PARK_VIEWERS, page=PAGE)
def index(request: ParkRequest) -> HttpResponse:
    user, park = request.user, request.park
    qs, f = _filtered_needs(request)
    page = paginate(request, qs, per_page=30)
    return render(
        request,
        "finance/index.html",
        {
            "page": page,
            "f": f,
            "statuses": FinancingStatus.choices,
            "keep": query_without(request, "page"),
            "figures": services.figures(user, park),
            "can_file": user.role in ACTORS,
            "overdue": access.visible_referrals(user, park)
            .filter(status=ReferralStatus.PENDING, deadline__lt=wcal.today())
            .select_related("need", "need__entity", "institution")[:20],
        },
    )


@roles_required(*PARK_VIEWERS, page=PAGE)
def needs_export(request: ParkRequest) -> HttpResponse:
    qs, _ = _filtered_needs(request)
    return _xlsx(export.needs_workbook(list(qs[:5000])), "融资需求")


def _xlsx(body: bytes, title: str) -> HttpResponse:
    resp = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"{title}_{wcal.today():%Y%m%d}.xlsx"
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return resp


@roles_required(*ACTORS, page="登记融资需求")
def need_new(request: ParkRequest) -> HttpResponse:
    user, park = request.user, request.park
    entities = access.served_entities(user, park).order_by("name")
    error = ""
    form = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        entity_id = user.enterprise_id if user.role == Role.ENTERPRISE else _id(form.get("entity"))
        try:
            need = services.create_need(
                user,
                park,
                services.NewNeed(
                    entity_id=entity_id or 0,
                    amount_wan=form.get("amount_wan", ""),
                    purpose=form.get("purpose", ""),
                    collateral=form.get("collateral", ""),
                    term_months=form.get("term_months", "") or None,
                    urgency=form.get("urgency", Urgency.NORMAL),
                ),
            )
        except InvalidInput as exc:
            error = exc.message
        else:
            messages.success(request, f"已登记融资需求 {need.number}，请选择要推送的金融机构")
            return HttpResponseRedirect(reverse("finance:need", args=[need.pk]))
    return render(
        request,
        "finance/need_new.html",
        {
            "entities": entities[:500] if user.role != Role.ENTERPRISE else [],
            "form": form,
            "error": error,
            "urgencies": Urgency.choices,
        },
        status=422 if error else 200,
    )


@roles_required(*PARK_VIEWERS, page=PAGE)
def need(request: ParkRequest, pk: int) -> HttpResponse:
    user, park = request.user, request.park
    n = access.get_need(user, park, pk)
    refs = list(
        n.referrals.select_related("institution", "product").prefetch_related(
            Prefetch(
                "disbursements",
                queryset=Disbursement.objects.select_related("recorded_by"),
                to_attr="lent",
            )
        )
    )
    shown = {r.institution_id for r in refs}
    consents = {
        c.institution_id: c
        for c in access.visible_consents(user, park).filter(
            entity_id=n.entity_id, withdrawn_at__isnull=True
        )
    }
    choices = [
        (i, consents.get(i.pk))
        for i in access.visible_institutions(user, park).filter(is_active=True)
        if i.pk not in shown
    ]
    today = wcal.today()
    late = {r.pk for r in refs if services.is_overdue(r, today)}
    return render(
        request,
        "finance/need.html",
        {
            "n": n,
            "refs": refs,
            "late": late,
            "choices": choices,
            "events": n.events.select_related("actor", "institution"),
            "can_act": user.role in ACTORS
            and access.served_entities(user, park).filter(pk=n.entity_id).exists(),
        },
    )


@require_POST
@roles_required(*ACTORS, page=PAGE)
def refer(request: ParkRequest, pk: int) -> HttpResponse:
    n = access.get_need(request.user, request.park, pk)
    try:
        ref = services.refer(
            request.user, n, _id(request.POST.get("institution")), _id(request.POST.get("product"))
        )
    except (InvalidInput, InvalidState) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"已推送给{ref.institution.name}，答复期限 {ref.deadline:%Y-%m-%d}"
        )
    return HttpResponseRedirect(reverse("finance:need", args=[n.pk]))


@require_POST
@roles_required(*ACTORS, page=PAGE)
def need_withdraw(request: ParkRequest, pk: int) -> HttpResponse:
    n = access.get_need(request.user, request.park, pk)
    try:
        services.withdraw_need(request.user, n, request.POST.get("reason", ""))
    except (InvalidInput, InvalidState) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "融资需求已撤回")
    return HttpResponseRedirect(reverse("finance:need", args=[n.pk]))


@roles_required(*ACTORS, page="信息授权")
def consents(request: ParkRequest) -> HttpResponse:
    user, park = request.user, request.park
    served = access.served_entities(user, park)
    if user.role == Role.ENTERPRISE:
        entity = served.first()
    else:
        entity = served.filter(
            pk=_id(request.POST.get("entity") or request.GET.get("entity"))
        ).first()
    error = ""
    if request.method == "POST" and entity is not None:
        try:
            services.grant_consent(
                user,
                park,
                entity.pk,
                _id(request.POST.get("institution")),
                request.POST.getlist("fields"),
            )
        except InvalidInput as exc:
            error = exc.message
        else:
            messages.success(request, "授权已保存，立即生效")
            return HttpResponseRedirect(
                reverse("finance:consents")
                + (f"?entity={entity.pk}" if user.role != Role.ENTERPRISE else "")
            )
    rows = []
    if entity is not None:
        active = {
            c.institution_id: c
            for c in access.visible_consents(user, park).filter(
                entity=entity, withdrawn_at__isnull=True
            )
        }
        for inst in access.visible_institutions(user, park).filter(is_active=True):
            rows.append({"i": inst, "c": active.get(inst.pk)})
    history = (
        access.visible_consents(user, park)
        .filter(entity=entity, withdrawn_at__isnull=False)
        .select_related("institution")[:50]
        if entity
        else []
    )
    return render(
        request,
        "finance/consents.html",
        {
            "entity": entity,
            "entities": served.order_by("name")[:500] if user.role != Role.ENTERPRISE else [],
            "rows": rows,
            "fields": ConsentField.choices,
            "history": history,
            "error": error,
        },
        status=422 if error else 200,
    )


@require_POST
@roles_required(*ACTORS, page="信息授权")
def consent_withdraw(request: ParkRequest, pk: int) -> HttpResponse:
    user = request.user
    c = access.get_consent(user, request.park, pk)
    try:
        services.withdraw_consent(user, c, request.POST.get("reason", ""))
    except (InvalidInput, InvalidState) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已撤回对{c.institution.name}的授权，立即生效")
    suffix = f"?entity={c.entity_id}" if user.role != Role.ENTERPRISE else ""
    return HttpResponseRedirect(reverse("finance:consents") + suffix)


@roles_required(*PARK_VIEWERS, page="金融机构")
def institutions(request: ParkRequest) -> HttpResponse:
    user, park = request.user, request.park
    qs = access.visible_institutions(user, park).prefetch_related("products")
    kind = request.GET.get("kind", "")
    if kind in InstitutionKind.values:
        qs = qs.filter(kind=kind)
    return render(
        request,
        "finance/institutions.html",
        {
            "page": paginate(request, qs, per_page=30),
            "kind": kind,
            "kinds": InstitutionKind.choices,
            "keep": query_without(request, "page"),
            "can_manage": user.is_superuser or user.role in MANAGERS,
        },
    )


@roles_required(*MANAGERS, page="登记金融机构")
def institution_new(request: ParkRequest) -> HttpResponse:
    error = ""
    form = request.POST
    if request.method == "POST":
        try:
            inst = services.create_institution(
                request.user,
                request.park,
                services.NewInstitution(
                    name=form.get("name", ""),
                    kind=form.get("kind", ""),
                    contact_name=form.get("contact_name", ""),
                    contact_phone=form.get("contact_phone", ""),
                    address=form.get("address", ""),
                    answer_working_days=form.get("answer_working_days", "5"),
                ),
            )
        except InvalidInput as exc:
            error = exc.message
        else:
            messages.success(request, f"已登记{inst.name}")
            return HttpResponseRedirect(reverse("finance:institution", args=[inst.pk]))
    return render(
        request,
        "finance/institution_new.html",
        {"form": form, "error": error, "kinds": InstitutionKind.choices},
        status=422 if error else 200,
    )


def _product_page(
    request: ParkRequest, pk: int, error: str = "", status: int = 200
) -> HttpResponse:
    inst = access.get_institution(request.user, request.park, pk)
    return render(
        request,
        "finance/institution.html",
        {
            "i": inst,
            "products": inst.products.filter(is_active=True),
            "can_edit": services.can_edit_products(request.user, inst),
            "types": ProductType.choices,
            "form": request.POST,
            "error": error,
        },
        status=status,
    )


@roles_required(*PARK_VIEWERS, Role.BANK, page="金融机构")
def institution(request: ParkRequest, pk: int) -> HttpResponse:
    return _product_page(request, pk)


@require_POST
@roles_required(*MANAGERS, Role.BANK, page="金融产品")
def product_add(request: ParkRequest, pk: int) -> HttpResponse:
    inst = access.get_institution(request.user, request.park, pk)
    f = request.POST
    try:
        services.add_product(
            request.user,
            inst,
            services.NewProduct(
                name=f.get("name", ""),
                type=f.get("type", ""),
                min_amount_wan=f.get("min_amount_wan", ""),
                max_amount_wan=f.get("max_amount_wan", ""),
                rate_min_pct=f.get("rate_min_pct", ""),
                rate_max_pct=f.get("rate_max_pct", ""),
                term_min_months=f.get("term_min_months", ""),
                term_max_months=f.get("term_max_months", ""),
                conditions=f.get("conditions", ""),
            ),
        )
    except InvalidInput as exc:
        return _product_page(request, pk, exc.message, 422)
    messages.success(request, "金融产品已发布")
    return HttpResponseRedirect(reverse("finance:institution", args=[inst.pk]))


# ------------------------------------------------------------------ 金融机构


@roles_required(Role.BANK, page="金融机构工作台")
def bank(request: ParkRequest) -> HttpResponse:
    user, park = request.user, request.park
    inst = access.institution_of(user)
    refs = access.visible_referrals(user, park).select_related("need", "product")
    status = request.GET.get("status", ReferralStatus.PENDING)
    if status in ReferralStatus.values:
        refs = refs.filter(status=status)
    page = paginate(request, refs.order_by("deadline", "id"), per_page=30)
    profiles = access.profiles_by_entity(user, park)
    today = wcal.today()
    for r in page:
        r.late = services.is_overdue(r, today)
        r.shared = profiles.get(r.need.entity_id)
    return render(
        request,
        "finance/bank.html",
        {
            "inst": inst,
            "page": page,
            "status": status,
            "statuses": ReferralStatus.choices,
            "keep": query_without(request, "page"),
            "profiles": list(profiles.values()),
            "figures": services.figures(user, park),
        },
    )


@roles_required(Role.BANK, page="金融机构工作台")
def bank_export(request: ParkRequest) -> HttpResponse:
    user, park = request.user, request.park
    refs = list(
        access.visible_referrals(user, park).select_related("need", "product").order_by("deadline")
    )
    return _xlsx(export.bank_workbook(refs, access.profiles_by_entity(user, park)), "融资对接")


@roles_required(Role.BANK, page="授权企业")
def shared_enterprise(request: ParkRequest, pk: int) -> HttpResponse:
    p = access.shared_profile(request.user, request.park, pk)
    return render(request, "finance/shared.html", {"p": p})


@roles_required(*PARK_VIEWERS, Role.BANK, page=PAGE)
def referral(request: ParkRequest, pk: int) -> HttpResponse:
    return _referral_page(request, pk)


def _referral_page(
    request: ParkRequest,
    pk: int,
    error: str = "",
    status: int = 200,
    disburse_error: str = "",
) -> HttpResponse:
    user, park = request.user, request.park
    ref = access.get_referral(user, park, pk)
    lent = list(ref.disbursements.select_related("recorded_by"))
    is_bank = user.role == Role.BANK
    shared = access.profiles_by_entity(user, park).get(ref.need.entity_id) if is_bank else None
    return render(
        request,
        "finance/referral.html",
        {
            "r": ref,
            "n": ref.need,
            "is_bank": is_bank,
            "shared": shared,
            "late": services.is_overdue(ref),
            "can_answer": is_bank and ref.status == ReferralStatus.PENDING,
            "form": request.POST,
            "error": error,
            "lent": lent,
            "lent_total": sum((d.amount_wan for d in lent if d.voided_at is None), Decimal(0)),
            "can_disburse": ref.status == ReferralStatus.APPROVED
            and services.can_disburse(user, ref),
            "disburse_error": disburse_error,
        },
        status=status,
    )


@require_POST
@roles_required(Role.BANK, page="金融机构工作台")
def answer(request: ParkRequest, pk: int) -> HttpResponse:
    f = request.POST
    approved = f.get("outcome") == "approved"
    try:
        services.answer(
            request.user,
            request.park,
            pk,
            services.Answer(
                approved=approved,
                approved_amount_wan=f.get("approved_amount_wan", ""),
                rate_pct=f.get("rate_pct", ""),
                term_months=f.get("term_months", ""),
                subsidy_pct=f.get("subsidy_pct", "") or None,
                decline_reason=f.get("decline_reason", ""),
                note=f.get("note", ""),
            ),
        )
    except InvalidInput as exc:
        return _referral_page(request, pk, exc.message, 422)
    except InvalidState as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "答复已提交，企业和专属服务员将收到通知")
    return HttpResponseRedirect(reverse("finance:referral", args=[pk]))


@require_POST
@roles_required(Role.BANK, *MANAGERS, page=PAGE)
def disburse(request: ParkRequest, pk: int) -> HttpResponse:
    f = request.POST
    try:
        services.record_disbursement(
            request.user,
            request.park,
            pk,
            services.NewDisbursement(
                amount_wan=f.get("amount_wan", ""),
                disbursed_on=f.get("disbursed_on", ""),
                term_months=f.get("term_months", ""),
                rate_pct=f.get("rate_pct", ""),
                note=f.get("note", ""),
            ),
        )
    except InvalidInput as exc:
        return _referral_page(request, pk, status=422, disburse_error=exc.message)
    except InvalidState as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "放款已登记")
    return HttpResponseRedirect(reverse("finance:referral", args=[pk]) + "#disbursements")


@require_POST
@roles_required(Role.BANK, *MANAGERS, page=PAGE)
def disbursement_void(request: ParkRequest, pk: int) -> HttpResponse:
    try:
        row = services.void_disbursement(
            request.user, request.park, pk, request.POST.get("reason", "")
        )
    except (InvalidInput, InvalidState) as exc:
        messages.error(request, exc.message)
        ref_id = (
            Disbursement.objects.filter(pk=pk, referral__need__park=request.park)
            .values_list("referral_id", flat=True)
            .first()
        )
        return HttpResponseRedirect(reverse("finance:referral", args=[ref_id]))
    messages.success(request, "放款记录已作废")
    return HttpResponseRedirect(
        reverse("finance:referral", args=[row.referral_id]) + "#disbursements"
    )
