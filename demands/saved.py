"""我的视图: named ledger filters, one list per user and park.

A view keeps the ledger's query string, not a copy of its results, so opening it later shows the
ledger as it is then. It is checked by the ledger's own filter when saved: a view that the ledger
would refuse is refused here, with the ledger's message.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict

from demands import queries
from demands.models import Demand, SavedView
from orgs.models import Park, User
from qinshang.errors import InvalidInput, NotFound

MAX_VIEWS = 20
NAME_MAX = 30
# What a view may keep: the ledger's filters, its order and page size; never a page number.
KEPT = (
    "q",
    "status",
    "overdue",
    "category",
    "department",
    "channel",
    "tier",
    "date_from",
    "date_to",
    "sort",
    "size",
)

# The page's own defaults say nothing: a view of only these is no filter at all.
DEFAULTS = {"sort": "created", "size": "20"}


def views_of(user: User, park: Park) -> QuerySet[SavedView]:
    """The one scoping function: a user sees and changes only their own views in this park."""
    return SavedView.objects.filter(user=user, park=park)


def clean_query(raw: str) -> str:
    """The query string a view keeps: the ledger's own parameters, blanks dropped, in a fixed
    order, and only if the ledger accepts them."""
    pairs = [(k, v.strip()) for k, v in parse_qsl(raw, keep_blank_values=True)]
    kept = {k: v for k, v in pairs if k in KEPT and v and DEFAULTS.get(k) != v}
    query = urlencode([(k, kept[k]) for k in KEPT if k in kept])
    if len(query) > 1000:
        raise InvalidInput("筛选条件太长，无法保存为视图", field="query")
    params = QueryDict(query)
    # The ledger's own checks, on an empty queryset: nothing is read.
    queries.apply(Demand.objects.none(), queries.ledger_filter(params))
    return query


def save_view(user: User, park: Park, name: str, query: str) -> tuple[SavedView, bool]:
    """Save the ledger's current filter under a name; the same name replaces that view's filter.
    Returns the view and whether it was new."""
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("请填写视图名称", field="name")
    if len(name) > NAME_MAX:
        raise InvalidInput(f"视图名称不能超过 {NAME_MAX} 个字", field="name")
    query = clean_query(query)
    if not query:
        raise InvalidInput("当前没有任何筛选条件，无需保存为视图", field="query")
    with transaction.atomic():
        existing = views_of(user, park).select_for_update().filter(name=name).first()
        if existing:
            existing.query = query
            existing.save(update_fields=["query", "updated_at"])
            return existing, False
        if views_of(user, park).count() >= MAX_VIEWS:
            raise InvalidInput(f"最多保存 {MAX_VIEWS} 个视图，请先删除不用的视图", field="name")
        return SavedView.objects.create(user=user, park=park, name=name, query=query), True


def delete_view(user: User, park: Park, view_id: int) -> str:
    """Remove one of the user's own views; another user's view does not exist for them."""
    view = views_of(user, park).filter(pk=view_id).first()
    if view is None:
        raise NotFound("没有这个视图")
    name = view.name
    view.delete()
    return name
