"""/api/v1/experts (the pool) and /api/v1/consultations (专家会诊), scoped by experts.access."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from ninja import Field, Query, Router, Schema, Status

from experts import access, services
from experts.models import ConclusionKind, Consultation, ConsultationStatus, Expert
from orgs.access import UserRequest
from orgs.access import request_park as current_park

router = Router(tags=["专家会诊"])


class ExpertOut(Schema):
    id: int
    user_id: int
    name: str
    field: str
    organisation: str
    title: str
    phone: str
    email: str
    is_active: bool
    open_consultations: int

    @staticmethod
    def resolve_name(obj: Expert) -> str:
        return obj.user.display_name

    @staticmethod
    def resolve_open_consultations(obj: Expert) -> int:
        return getattr(obj, "n_open", 0)


class ExpertFilter(Schema):
    q: str | None = Field(None, max_length=100, description="姓名、专业领域或工作单位")
    active: bool | None = None


@router.get("/experts", response=list[ExpertOut], summary="专家库")
def list_experts(request: UserRequest, filters: Query[ExpertFilter]) -> list[Expert]:
    from django.db.models import Count

    park = current_park(request)
    qs = access.visible_experts(request.user, park)
    if filters.q:
        q = filters.q
        qs = qs.filter(
            Q(user__full_name__icontains=q) | Q(field__icontains=q) | Q(organisation__icontains=q)
        )
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    return list(
        qs.select_related("user").annotate(
            n_open=Count("consultations", filter=Q(consultations__status=ConsultationStatus.OPEN))
        )
    )


class OpinionOut(Schema):
    expert: str
    field: str
    text: str
    updated_at: dt.datetime


class ConsultationRow(Schema):
    id: int
    topic: str
    demand_id: int
    demand_number: str
    status: ConsultationStatus
    status_label: str
    chair: str
    experts: list[str]
    legacy_reason: str
    created_at: dt.datetime
    concluded_at: dt.datetime | None


class ConsultationDetail(ConsultationRow):
    background: str
    opinions: list[OpinionOut]
    conclusion: str
    conclusion_kind: ConclusionKind | None


def _row(c: Consultation) -> dict[str, Any]:
    return {
        "id": c.pk,
        "topic": c.topic,
        "demand_id": c.demand_id,
        "demand_number": c.demand.number,
        "status": c.status,
        "status_label": c.get_status_display(),
        "chair": c.chair.display_name,
        "experts": [e.user.display_name for e in c.experts.all()],
        "legacy_reason": c.legacy_reason,
        "created_at": c.created_at,
        "concluded_at": c.concluded_at,
    }


@router.get("/consultations", response=list[ConsultationRow], summary="专家会诊（本人可见的）")
def list_consultations(
    request: UserRequest, status: ConsultationStatus | None = None
) -> list[dict[str, Any]]:
    park = current_park(request)
    qs = access.visible_consultations(request.user, park)
    if status:
        qs = qs.filter(status=status)
    qs = qs.select_related("demand", "chair").prefetch_related("experts__user")[:200]
    return [_row(c) for c in qs]


def _detail(c: Consultation) -> dict[str, Any]:
    row = _row(c)
    row.update(
        background=c.background,
        conclusion=c.conclusion,
        conclusion_kind=c.conclusion_kind or None,
        opinions=[
            {
                "expert": o.expert.user.display_name,
                "field": o.expert.field,
                "text": o.text,
                "updated_at": o.updated_at,
            }
            for o in c.opinions.select_related("expert__user")
        ],
    )
    return row


@router.get("/consultations/{consultation_id}", response=ConsultationDetail, summary="会诊详情")
def get_consultation(request: UserRequest, consultation_id: int) -> dict[str, Any]:
    park = current_park(request)
    return _detail(access.get_consultation(request.user, park, consultation_id))


class OpinionIn(Schema):
    text: str = Field(..., max_length=10000, description="专家意见")


@router.post(
    "/consultations/{consultation_id}/opinion",
    response={201: ConsultationDetail},
    summary="专家发表（或修改）本人意见",
)
def post_opinion(request: UserRequest, consultation_id: int, payload: OpinionIn) -> Status:
    park = current_park(request)
    c = access.get_consultation(request.user, park, consultation_id)
    services.write_opinion(request.user, c, text=payload.text)
    return Status(201, _detail(c))
