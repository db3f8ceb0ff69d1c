"""Filtering and sorting of the ledger, shared by the API list, the ledger page and the export."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property

from demands import search
from demands.models import OPEN_STATUSES, Category, Demand, Status, Task
from entities.models import Contact, MarketEntity
from qinshang.errors import InvalidInput

CLOSED_STATUSES = (Status.CLOSED, Status.MERGED)
# Counting every matching row of a 100,000-row ledger costs more than showing a page; beyond this
# many a list says "2000+" (the rows themselves can still be paged through).
COUNT_CAP = 2000

SORTS = {
    "created": ("-created_at", "-id"),
    "-created": ("created_at", "id"),
    "due": ("due_date", "-id"),
    "-due": ("-due_date", "-id"),
    "number": ("number",),
    "-number": ("-number",),
    "status": ("status", "-created_at"),
    "urge": ("-urge_level", "-created_at"),
}


# At most this many ticked rows are taken at once (more than the ledger's largest page).
LEDGER_SELECTION_MAX = 200


@dataclass
class LedgerFilter:
    status: str | None = None  # one status or several separated by commas; "open" for all open
    category: str | None = None  # id or code; a level-1 category includes its children
    department: int | None = None
    channel: str | None = None
    overdue: bool | None = None
    q: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    enterprise_id: int | None = None
    tier: str | None = None
    sort: str = "created"
    # The rows ticked in the ledger ("导出所选"): only these, within the other conditions.
    ids: tuple[int, ...] = ()


def apply(qs: QuerySet[Demand], f: LedgerFilter, today: dt.date | None = None) -> QuerySet[Demand]:
    today = today or timezone.localdate()
    if f.status:
        wanted: list[str] = []
        for s in f.status.split(","):
            s = s.strip()
            if s == "open":
                wanted += list(OPEN_STATUSES)
            elif s in Status.values:
                wanted.append(s)
            elif s:
                raise InvalidInput(
                    f"状态“{s}”无效，可选：open、{'、'.join(Status.values)}", field="status"
                )
        if set(wanted) == set(OPEN_STATUSES):
            # Written as the partial index's own condition so the database can use it.
            qs = qs.exclude(status__in=CLOSED_STATUSES)
        else:
            qs = qs.filter(status__in=wanted)
    if f.category:
        c = f.category.strip()
        cond = Q(code=c) | Q(parent__code=c)
        if c.isdigit():
            cond = Q(pk=int(c)) | Q(parent_id=int(c))
        # Resolved to ids first (a level-1 category means its children too), so the ledger
        # query filters on category_id alone and can read the (park, category) index.
        ids = list(Category.objects.filter(cond).values_list("pk", flat=True))
        qs = qs.filter(category_id__in=ids)
    if f.department:
        tasks = Task.objects.filter(department_id=f.department).values("demand_id")
        qs = qs.filter(pk__in=tasks)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.tier:
        qs = qs.filter(tier=f.tier)
    if f.ids:
        qs = qs.filter(pk__in=f.ids)
    if f.enterprise_id:
        qs = qs.filter(enterprise_id=f.enterprise_id)
    if f.overdue is True:
        qs = qs.filter(due_date__lt=today).exclude(status__in=CLOSED_STATUSES)
    elif f.overdue is False:
        qs = qs.exclude(due_date__lt=today, status__in=OPEN_STATUSES)
    if f.date_from:
        qs = qs.filter(created_at__gte=_start(_in_range(f.date_from, "date_from")))
    if f.date_to:
        day = _in_range(f.date_to, "date_to")
        qs = qs.filter(created_at__lt=_start(day + dt.timedelta(days=1)))
    if f.q and not qs.query.is_empty():  # a check of the filter alone (saved views) reads nothing
        for term in search_terms(f.q):
            qs = qs.filter(term_condition(term))
    order = SORTS.get(f.sort)
    if order is None:
        raise InvalidInput(f"排序“{f.sort}”无效，可选：{'、'.join(SORTS)}", field="sort")
    return qs.order_by(*order)


def search_terms(q: str) -> list[str]:
    """Words of a search box: split on any space (a full-width one too), at most 5 of them."""
    return q.replace("\u3000", " ").strip()[:100].split()[:5]


def term_condition(term: str) -> Q:
    """What one word of the ledger search matches. A caller on the hotline gives a phone number,
    a credit code, a part of the company name or of a demand number, rarely the exact title, so
    each of those is tried; several words must all match.

    The enterprise's name, credit code and contacts are looked up first, in the small tables of
    entities and contacts, so the demand query asks for `enterprise_id IN (…)` (an index) instead
    of joining every demand to its enterprise; the demand's own texts are narrowed by the bigram
    index (demands/search.py) before the same LIKE conditions decide."""
    up = term.upper()
    if up.startswith("QS-"):
        # A demand number's prefix. Numbers are written upper-case (services.next_number), so
        # the range on the unique index holds every match; the case-insensitive LIKE of
        # `startswith` alone (with ESCAPE, on SQLite) cannot use that index: a full scan.
        return Q(number__gte=up, number__lt=up + "\U0010ffff", number__startswith=up)
    if len(up) == 18 and up.isalnum():
        coded = MarketEntity.objects.filter(credit_code=up)
        return _entities(coded) | own_texts(term, Q(title__icontains=term))
    own = (
        Q(title__icontains=term)
        | Q(description__icontains=term)
        | Q(requester_name__icontains=term)
    )
    named = Q(name__icontains=term)
    callers: list[int] = []
    if any(ch.isdigit() for ch in term):
        digits = term.replace("-", "")
        own |= Q(number__icontains=term)
        named |= Q(credit_code__icontains=up)
        if digits.isdigit() and len(digits) >= 4:
            # Landlines are kept as 0731-55512300: the number as typed finds them too.
            phone = Q(phone__contains=digits) | Q(phone__contains=term)
            own |= Q(requester_phone__contains=digits) | Q(requester_phone__contains=term)
            callers = list(
                Contact.objects.filter(phone)
                .order_by()
                .values_list("entity_id", flat=True)
                .distinct()
            )
    # Unordered: the entities' default order joins the parks and sorts every match for nothing.
    ids = set(MarketEntity.objects.filter(named).order_by().values_list("pk", flat=True))
    ids |= set(callers)
    return own_texts(term, own) | Q(enterprise_id__in=sorted(ids))


def _entities(qs: QuerySet[MarketEntity]) -> Q:
    return Q(enterprise_id__in=sorted(qs.order_by().values_list("pk", flat=True)))


def own_texts(term: str, cond: Q) -> Q:
    """`cond` over the demand's own texts, narrowed by the index when the word allows it."""
    if search.usable(term):
        return search.candidates(term) & cond
    return cond


# A ledger date outside these years is a typo; 0001-01-01 or 9999-12-31 would also overflow the
# conversion to an aware datetime (a 500 the fuzz suite found).
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


def _in_range(day: dt.date, field: str) -> dt.date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput(
            f"日期“{day.isoformat()}”超出范围，应在 {FIRST_DAY.isoformat()} 至 "
            f"{LAST_DAY.isoformat()} 之间",
            field=field,
        )
    return day


def _start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def for_list(qs: QuerySet[Demand]) -> QuerySet[Demand]:
    """The columns a list shows, in a constant number of queries: none is repeated per row.

    The park comes by prefetch, not by join: joining the one-row park table leads SQLite to
    drive the query from it and sort every matching demand instead of reading the index in
    order (measured: 213 ms vs a few ms at 100,000 demands)."""
    return (
        qs.select_related("category", "category__parent", "enterprise", "lead_department")
        .prefetch_related("park")
        .defer("description", "answer", "extra", "enterprise__address")
    )


def page_rows(qs: QuerySet[Demand], start: int, stop: int) -> list[Demand]:
    """Rows start..stop of `qs` for a list, in two steps: the page's ids first, which an index
    covering the filter and the order yields without touching the table, then those few rows
    with their joins. Joining and fetching every matching row before sorting cost up to 50 ms
    at 100,000 demands (docs/benchmarks.md)."""
    ids = list(qs.prefetch_related(None).values_list("pk", flat=True)[start:stop])
    if not ids:
        return []
    # Twenty rows by primary key: joining the park is harmless here, unlike in a sorted scan.
    page = for_list(Demand.objects.filter(pk__in=ids)).prefetch_related(None).select_related("park")
    rows = {d.pk: d for d in page}
    return [rows[pk] for pk in ids]


def capped_count(qs: QuerySet[Demand], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(count, exact): the exact count up to `cap`, else cap with exact=False."""
    n = qs.order_by()[: cap + 1].count()
    return (n, True) if n <= cap else (cap, False)


class CappedPaginator(Paginator):
    """A paginator whose count stops at COUNT_CAP, for very large ledgers."""

    object_list: QuerySet[Demand]
    count_exact = True

    @cached_property
    def count(self) -> int:
        n, self.count_exact = capped_count(self.object_list)
        return n

    def page(self, number: int | str) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        count = self.count  # sets count_exact
        top = bottom + self.per_page
        if self.count_exact:
            top = min(top, count)
        return Page(page_rows(self.object_list, bottom, top), number, self)


def ledger_filter(params: Any) -> LedgerFilter:
    """The ledger filter of a query string (a page's GET, or the one a background export kept)."""

    def date(name: str) -> dt.date | None:
        raw = params.get(name, "").strip()
        if not raw:
            return None
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise InvalidInput(f"日期“{raw}”格式不正确，应为 2026-01-31", field=name)

    dept = params.get("department", "").strip()
    overdue = {"1": True, "0": False}.get(params.get("overdue", ""))
    # Ticked rows come as repeated `ids` (a form) or joined by commas (a kept export's params).
    raw_ids = params.getlist("ids") if hasattr(params, "getlist") else [params.get("ids", "")]
    ids: list[int] = []
    for part in ",".join(raw_ids).split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit():
            raise InvalidInput(f"所选诉求“{part[:20]}”无效", field="ids")
        ids.append(int(part))
    return LedgerFilter(
        status=params.get("status", "").strip() or None,
        category=params.get("category", "").strip() or None,
        department=int(dept) if dept.isdigit() else None,
        channel=params.get("channel", "").strip() or None,
        overdue=overdue,
        q=params.get("q", "").strip() or None,
        date_from=date("date_from"),
        date_to=date("date_to"),
        tier=params.get("tier", "").strip() or None,
        sort=params.get("sort", "").strip() or "created",
        ids=tuple(ids[:LEDGER_SELECTION_MAX]),
    )
