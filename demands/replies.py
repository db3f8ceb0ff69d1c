"""答复模板: the park's wording for common answers, offered in 答复 and 当场解决.

A template applies to one category, to a first-level category and everything under it, or (no
category) to every demand. Placeholders are filled from the demand it is offered for, so the
handler edits a finished sentence rather than a form letter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q

from demands.models import Category, Demand, ReplyTemplate
from orgs.models import Park, Role, User

PLACEHOLDER = re.compile(r"\{(企业名称|诉求编号|联系人|园区|诉求标题)\}")
PLACEHOLDER_NAMES = ("企业名称", "诉求编号", "诉求标题", "联系人", "园区")

# Who writes answers: the roles with 答复 or 当场解决 in the transition table, and the
# administrator who keeps the templates. Requesters never see the park's form letters.
STAFF_ROLES = frozenset(
    {
        Role.DISPATCHER,
        Role.ADMIN,
        Role.HANDLER,
        Role.DEPARTMENT_HEAD,
        Role.LIAISON,
        Role.LEADER,
        Role.EXPERT,
    }
)


@dataclass(frozen=True)
class Offered:
    id: int
    title: str
    body: str
    category: str


def applies(park: Park, category: Category | None) -> Q:
    """The templates that apply to a demand of `category`; a demand not yet classified (an
    intake form, where the category is chosen with the answer) may use any of them."""
    if category is None:
        return Q(park=park, is_active=True)
    cond = Q(park=park, is_active=True, category__isnull=True)
    if category is not None:
        cond |= Q(park=park, is_active=True, category=category)
        if category.parent_id:
            cond |= Q(park=park, is_active=True, category_id=category.parent_id)
    return cond


def fill(body: str, demand: Demand | None) -> str:
    """The body with the demand's facts in its placeholders; without a demand (a form not yet
    saved) the placeholders stay for the writer to complete."""
    if demand is None:
        return body
    values = {
        "企业名称": demand.enterprise.name if demand.enterprise_id and demand.enterprise else "",
        "诉求编号": demand.number,
        "诉求标题": demand.title,
        "联系人": demand.requester_name,
        "园区": demand.park.name,
    }
    return PLACEHOLDER.sub(lambda m: values[m.group(1)] or m.group(0), body)


def offered(
    user: User, park: Park, category: Category | None, demand: Demand | None = None
) -> list[Offered]:
    """What the writer may pick from, most specific first (the category's own, then its
    parent's, then the general ones), each filled for `demand`."""
    if user.role not in STAFF_ROLES:
        return []
    rows = ReplyTemplate.objects.filter(applies(park, category)).select_related("category")
    rank: dict[int | None, int] = {None: 2}
    if category is not None:
        rank[category.pk] = 0
        if category.parent_id:
            rank[category.parent_id] = 1
    ordered = sorted(rows, key=lambda t: (rank.get(t.category_id, 2), t.sort, t.pk))
    return [
        Offered(t.pk, t.title, fill(t.body, demand), str(t.category) if t.category else "通用")
        for t in ordered
    ]
