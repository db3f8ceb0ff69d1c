"""/api/v1/knowledge/search: the knowledge base's search, scoped as the 知识库 page is."""

from __future__ import annotations

from typing import Any, Literal, cast

from ninja import Field, Query, Router, Schema

from knowledge import access, services
from knowledge.models import Kind
from orgs.access import UserRequest
from orgs.access import request_park as current_park
from orgs.models import Department, User
from qinshang.errors import InvalidInput
from qinshang.limits import Id, Line, PageNo

router = Router(tags=["知识库"])


class KnowledgeSearchFilter(Schema):
    q: Line = Field("", max_length=200, description="要查的问题或词语（空：没有结果）")
    department_id: Id | None = Field(None, description="所属部门（条目）或主办部门（过往答复）")
    kind: Kind | None = Field(None, description="条目类型；给出时不含过往答复")
    demands: bool = Field(True, description="工作人员：是否包含已答复诉求的过往答复")
    page: PageNo = 1
    page_size: int = Field(20, ge=1, le=50)


class KnowledgeHit(Schema):
    source: Literal["entry", "demand"] = Field(..., description="entry：知识条目；demand：过往答复")
    id: int = Field(..., description="条目或诉求的编号（id）")
    title: str
    text: str = Field(..., description="可告诉企业的内容：条目正文或过往答复")
    kind: str = Field(..., description="条目类型（过往答复为空）")
    kind_label: str
    department: str
    department_id: int | None
    number: str = Field(..., description="过往答复的诉求编号")
    matched: list[str] = Field(..., description="为什么匹配：问题中在此文中出现的词语")
    score: float = Field(..., description="相关度（BM25），越大越相关")
    reference: str = Field(..., description="当场解决时记录的引用（kb:<id>）")
    specialist: str = Field(..., description="政策专员（企业和群众看不到）")
    flags: list[str] = Field(..., description="提醒：已过复核期、已失效等（工作人员）")


class KnowledgeSearchPage(Schema):
    count: int = Field(..., description="命中数（最多 100；count_exact 为假时为下限）")
    count_exact: bool
    page: int
    page_size: int
    results: list[KnowledgeHit]


@router.get(
    "/knowledge/search",
    response=KnowledgeSearchPage,
    summary="知识库检索（条目和过往答复，带匹配理由）",
    description="中文全文检索（jieba 词 + 字二元组，BM25 排序），可按部门和条目类型筛选、分页。"
    "范围与知识库页面相同：工作人员得到其可见的已发布条目和其可见诉求的过往答复；企业和群众"
    "只得到公开的、有效的常见问答和政策解读（问题至少 4 个字），看不到政策专员和内部备注。",
)
def search_knowledge(request: UserRequest, filters: Query[KnowledgeSearchFilter]) -> dict[str, Any]:
    park = current_park(request)
    user = cast(User, request.user)
    f = filters
    if f.department_id and not Department.objects.filter(park=park, pk=f.department_id).exists():
        raise InvalidInput("没有这个部门", field="department_id")
    found = services.search_page(
        user,
        park,
        f.q,
        department_id=f.department_id,
        kind=f.kind.value if f.kind else "",
        demands=f.demands,
        page=f.page,
        page_size=f.page_size,
    )
    # portal_suggest leaves these empty already; the API says so in its own terms too
    requester = access.is_requester(user)
    return {
        "count": found.count,
        "count_exact": found.count_exact,
        "page": f.page,
        "page_size": f.page_size,
        "results": [
            {
                **h.__dict__,
                "specialist": "" if requester else h.specialist,
                "flags": [] if requester else h.flags,
            }
            for h in found.results
        ],
    }
