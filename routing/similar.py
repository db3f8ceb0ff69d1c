"""Duplicates, similar past cases (类案) and recurring common problems, over a park's ledger.

The text index (routing.similarity, no Django) covers the whole park and is rebuilt when the
ledger changes; what a user is shown is filtered through demands.access.visible_demands, the one
scoping function for demands.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max
from django.utils import timezone

from demands.access import visible_demands
from demands.models import OPEN_STATUSES, Demand, Status
from orgs.models import Park, User
from routing.similarity import SimilarityIndex, cluster_texts

ANSWERED = (Status.ANSWERED, Status.CONFIRMED, Status.CLOSED)
INDEX_WINDOW_DAYS = 365  # a year of history is what dispatchers look back on
INDEX_MAX = 5_000  # most recent first; building the index is O(n) and runs on ledger change
_REFRESH_SECONDS = 30.0

_lock = threading.Lock()
_indexes: dict[int, tuple[tuple[Any, ...], float, SimilarityIndex, dict[int, str]]] = {}


def _stamp(park: Park) -> tuple[Any, ...]:
    agg = Demand.objects.filter(park=park).aggregate(n=Count("id"), last=Max("updated_at"))
    return (agg["n"], agg["last"])


def park_index(park: Park) -> tuple[SimilarityIndex, dict[int, str]]:
    """The park's index, rebuilt only when demands were added or changed since it was built."""
    now = time.monotonic()
    with _lock:
        hit = _indexes.get(park.pk)
    if hit is not None and now - hit[1] < _REFRESH_SECONDS:
        return hit[2], hit[3]
    stamp = _stamp(park)
    if hit is not None and hit[0] == stamp:
        with _lock:
            _indexes[park.pk] = (stamp, now, hit[2], hit[3])
        return hit[2], hit[3]
    since = timezone.now() - dt.timedelta(days=INDEX_WINDOW_DAYS)
    rows = list(
        Demand.objects.filter(park=park, created_at__gte=since)
        .exclude(status=Status.MERGED)
        .order_by("-created_at")
        .values_list("pk", "title", "description", "status")[:INDEX_MAX]
    )
    index = SimilarityIndex().fit((pk, f"{t}\n{d}") for pk, t, d, _ in rows)
    statuses = {pk: st for pk, _, _, st in rows}
    with _lock:
        _indexes[park.pk] = (stamp, now, index, statuses)
    return index, statuses


def clear_cache() -> None:
    with _lock:
        _indexes.clear()


@dataclass
class Similar:
    duplicates: list[dict[str, Any]]  # open demands saying the same thing
    cases: list[dict[str, Any]]  # answered demands of the same kind, with their answers


def similar_to_text(
    user: User, park: Park, text: str, exclude: int | None = None, k: int = 5
) -> Similar:
    index, statuses = park_index(park)
    if len(index) == 0 or not text.strip():
        return Similar([], [])
    hits = index.query(text, k=40, min_score=0.25, exclude=exclude)
    if not hits:
        return Similar([], [])
    visible: dict[Hashable, Demand] = {
        d.pk: d
        for d in visible_demands(user, park)
        .filter(pk__in=[h.id for h in hits])
        .select_related("enterprise", "category", "lead_department")
    }
    dups: list[dict[str, Any]] = []
    cases: list[dict[str, Any]] = []
    for h in hits:
        d = visible.get(h.id)
        if d is None:
            continue
        row = {"demand": d, "score": round(h.score, 3), "is_duplicate": h.is_duplicate}
        if d.status in OPEN_STATUSES and d.status not in ANSWERED and h.is_duplicate:
            if len(dups) < k:
                dups.append(row)
        elif d.status in ANSWERED and d.answer:
            if len(cases) < k:
                cases.append(row)
    return Similar(dups, cases)


def similar_to(user: User, demand: Demand, k: int = 5) -> Similar:
    return similar_to_text(
        user, demand.park, f"{demand.title}\n{demand.description}", exclude=demand.pk, k=k
    )


@dataclass
class CommonProblem:
    keywords: tuple[str, ...]
    demands: list[Demand]
    enterprises: int
    representative: Demand
    cohesion: float


def common_problems(
    user: User,
    park: Park,
    since: dt.datetime,
    until: dt.datetime | None = None,
    min_enterprises: int = 3,
    threshold: float = 0.3,
) -> list[CommonProblem]:
    """Recurring demands across enterprises ("8 enterprises asked for 人才公寓 this quarter")."""
    qs = visible_demands(user, park).filter(created_at__gte=since).exclude(status=Status.MERGED)
    if until:
        qs = qs.filter(created_at__lt=until)
    rows = list(qs.select_related("enterprise", "category").order_by("pk")[:3000])
    if len(rows) < 2:
        return []
    clusters = cluster_texts(
        [f"{d.title}\n{d.description}" for d in rows],
        ids=[d.pk for d in rows],
        threshold=threshold,
        min_size=2,
    )
    by_id: dict[Hashable, Demand] = {d.pk: d for d in rows}
    out = []
    for c in clusters:
        members = [by_id[i] for i in c.members]
        requesters = {d.enterprise_id or f"r:{d.requester_name}" for d in members}
        if len(requesters) < min_enterprises:
            continue
        out.append(
            CommonProblem(c.keywords, members, len(requesters), by_id[c.representative], c.cohesion)
        )
    out.sort(key=lambda p: (-p.enterprises, -len(p.demands)))
    return out
