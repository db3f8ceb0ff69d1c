import datetime as dt
from typing import Any

from ninja import Field, Router, Schema, Status

from demands import access, redaction
from orgs.access import UserRequest
from orgs.access import request_park as current_park
from qinshang.errors import Forbidden
from qinshang.limits import Id, Line, Text
from routing import intake, similar
from routing.models import Suggestion

router = Router(tags=["智能分派"])


class SimilarRow(Schema):
    id: int
    number: str
    title: str
    status: str
    score: float
    answer: str


class SimilarOut(Schema):
    duplicates: list[SimilarRow]
    cases: list[SimilarRow]


class SuggestionOut(Schema):
    category: str | None
    category_confidence: float
    department: str | None
    department_id: int | None
    department_confidence: float
    time_limit_days: int | None
    ranked: dict
    explanation: dict
    unsure: bool
    auto_dispatched: bool


def _rows(rows: list[dict]) -> list[dict]:
    return [
        {
            "id": r["demand"].pk,
            "number": r["demand"].number,
            "title": r["demand"].title,
            "status": r["demand"].status,
            "score": r["score"],
            "answer": r["demand"].answer,
        }
        for r in rows
    ]


def _staff_demand(request: UserRequest, park: Any, demand_id: int) -> Any:
    """Routing is the park's internal work: a requester gets their demand, never its routing."""
    demand = access.get_demand(request.user, park, demand_id)
    if redaction.is_requester(request.user):
        raise Forbidden("分派建议和相似诉求仅供园区工作人员查看")
    return demand


@router.get(
    "/demands/{demand_id}/similar", response=SimilarOut, summary="可能重复的未办结诉求与类案答复"
)
def similar_demands(request: UserRequest, demand_id: Id) -> dict:
    park = current_park(request)
    demand = _staff_demand(request, park, demand_id)
    found = similar.similar_to(request.user, demand)
    return {"duplicates": _rows(found.duplicates), "cases": _rows(found.cases)}


@router.get(
    "/demands/{demand_id}/suggestion",
    response={200: SuggestionOut, 404: dict},
    summary="智能分派建议（类别、主办部门、时限及置信度）",
)
def suggestion(request: UserRequest, demand_id: Id):
    park = current_park(request)
    demand = _staff_demand(request, park, demand_id)
    s = Suggestion.objects.filter(demand=demand).select_related("category", "department").first()
    if s is None:
        return Status(404, {"detail": "该诉求暂无分派建议（本园区尚未训练模型）"})
    return {
        "category": str(s.category) if s.category else None,
        "category_confidence": s.category_confidence,
        "department": s.department.name if s.department else None,
        "department_id": s.department_id,
        "department_confidence": s.department_confidence,
        "time_limit_days": s.time_limit_days,
        "ranked": s.ranked,
        "explanation": s.explanation,
        "unsure": s.unsure,
        "auto_dispatched": s.auto_dispatched,
    }


# --------------------------------------------------------------------------- intake assistant


class ExtractIn(Schema):
    text: Text = Field(..., max_length=5000, description="来电记录、微信消息或走访记录")
    today: dt.date | None = Field(None, description="相对日期的基准日（默认今天）")


class EntityHit(Schema):
    id: int
    name: str
    matched_text: str
    matched_by: str


class AmountOut(Schema):
    value: str
    unit: str
    wan: str
    text: str


class DateOut(Schema):
    date: dt.date
    deadline: bool
    text: str


class ExtractOut(Schema):
    enterprise: EntityHit | None
    credit_code: str
    contact_name: str
    mobiles: list[str]
    landlines: list[str]
    address: str
    amounts: list[AmountOut]
    dates: list[DateOut]
    deadline: dt.date | None
    empty: bool


class CandidateOut(Schema):
    id: int
    name: str
    credit_code: str
    matched_by: str
    contact: str


@router.post(
    "/intake/extract",
    response=ExtractOut,
    summary="登记助手：从文本提取企业、联系人、电话、金额与期限",
)
def intake_extract(request: UserRequest, body: ExtractIn) -> dict:
    park = current_park(request)
    found = intake.read_note(request.user, park, body.text, body.today)
    return intake.extraction_payload(found)


@router.get(
    "/intake/entities",
    response=list[CandidateOut],
    summary="企业查找：名称片段、简称、信用代码片段或联系人电话",
)
def intake_entities(request: UserRequest, q: Line = "") -> list[Any]:
    park = current_park(request)
    return [vars(c) for c in intake.lookup(request.user, park, q)]
