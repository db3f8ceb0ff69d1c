"""What the leaders' dashboard shows, as plain data: one function per panel (the benchmark times
each of them), all computed by `reports.metrics` so the page, the JSON and the briefing agree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from demands.models import Channel, Demand, Tier
from meetings import metrics as meeting_metrics
from meetings.models import Meeting, MeetingKind, MeetingStatus
from orgs.models import Department, Role, User
from reports import facts, metrics
from reports.metrics import Rate, Scope
from reports.models import DemandFact
from reports.periods import Period

LEGACY_LIST = 20


def drill_url(scope: Scope, period: Period | None, metric: str, **extra: Any) -> str:
    """The drill-down page listing the demands behind a figure."""
    params: dict[str, Any] = {"metric": metric}
    if period is not None:
        params["period"] = period.code
    for key, value in (
        ("department", scope.department_id),
        ("category", scope.category_id),
        ("channel", scope.channel),
        ("liaison", scope.liaison_id),
    ):
        if value:
            params[key] = value
    params.update({k: v for k, v in extra.items() if v not in (None, "")})
    return "/reports/drill/?" + urlencode(params)


def _rate(rate: Rate) -> dict[str, Any]:
    return {"percent": rate.percent, "text": str(rate), "num": rate.num, "den": rate.den}


def kpis(
    scope: Scope, period: Period | None, weights: Iterable[float] | None = None
) -> dict[str, Any]:
    f = metrics.summary(scope, weights)
    d = metrics.DEFINITIONS

    def card(
        key: str, label: str, value: str, drill: str, detail: str = "", tone: str = ""
    ) -> dict[str, Any]:
        return {
            "key": key,
            "label": label,
            "value": value,
            "detail": detail,
            "definition": d[key],
            "url": drill_url(scope, period, drill),
            "tone": tone,
        }

    def frac(rate: Rate) -> str:
        num = int(rate.num) if float(rate.num).is_integer() else rate.num
        return f"{num}/{rate.den}"

    def out(rate: Rate, count: int) -> str:
        note = metrics.left_out_note(count)
        return f"{frac(rate)}；{note}" if note else frac(rate)

    noun = metrics.demand_noun(scope)
    cards = [
        card("received", f"受理{noun}", str(f.received), "received", f"已答复 {f.answered}"),
        card("on_spot", "当即解决率", str(f.on_spot), "on_spot", frac(f.on_spot)),
        card(
            "response",
            "响应率",
            str(f.response),
            "response_late",
            out(f.response, f.response_unknown),
        ),
        card("on_time", "按时办结率", str(f.on_time), "late", out(f.on_time, f.on_time_unknown)),
        card("solve", "解决率", str(f.solve), "solve", frac(f.solve)),
        card("satisfaction", "满意率", str(f.satisfaction), "dissatisfied", frac(f.satisfaction)),
        card(
            "sanlv",
            "三率综合得分",
            "—" if f.sanlv is None else f"{f.sanlv:.1f}",
            "received",
            "响应 30% · 解决 35% · 满意 35%" if weights is None else "自定义权重",
            "ok",
        ),
        card(
            "closed", "已销号（闭环）", str(f.closed), "closed", f"占 {Rate(f.closed, f.received)}"
        ),
        card(
            "overdue",
            "已逾期",
            str(f.overdue),
            "overdue",
            f"逾期任务 {f.overdue_tasks}",
            "bad" if f.overdue else "",
        ),
        card("returns", "退单率", str(f.returns), "returned", frac(f.returns)),
        card("reopen", "重新打开率", str(f.reopen), "reopened", frac(f.reopen)),
        card(
            "avg_days",
            "平均办理用时（工作日）",
            "—" if f.avg_answer_days is None else f"{f.avg_answer_days:.1f}",
            "tasks",
            f"{f.tasks} 项任务"
            + (f"；{metrics.left_out_note(f.days_unknown)}" if f.days_unknown else ""),
        ),
    ]
    tiers = [
        {
            "tier": t,
            "label": Tier(t).label,
            **_rate(f.tiers[t]),
            "url": drill_url(scope, period, "tier", tier=t),
        }
        for t in metrics.TIERS
    ]
    unanswered = f.received - f.answered
    tiers.append(
        {
            "tier": "",
            "label": "尚未答复",
            "percent": Rate(unanswered, f.received).percent,
            "text": str(Rate(unanswered, f.received)),
            "num": unanswered,
            "den": f.received,
            "url": drill_url(scope, period, "unanswered"),
        }
    )
    return {
        "figures": f,
        "cards": cards,
        "tiers": tiers,
        "tiers_definition": d["tiers"],
        "noun": noun,
    }


def trend(scope: Scope, period: Period | None) -> dict[str, Any]:
    rows = metrics.monthly(scope)
    table = [
        {
            "month": f"{m // 100}-{m % 100:02d}",
            "received": f.received,
            "answered": f.answered,
            "closed": f.closed,
            "on_spot": str(f.on_spot),
            "satisfaction": str(f.satisfaction),
        }
        for m, f in rows
    ]
    return {
        "table": table,
        "months": [f"{m // 100}-{m % 100:02d}" for m, _ in rows],
        "keys": [m for m, _ in rows],
        "received": [f.received for _, f in rows],
        "answered": [f.answered for _, f in rows],
        "closed": [f.closed for _, f in rows],
        "on_spot": [f.on_spot.percent for _, f in rows],
        "satisfaction": [f.satisfaction.percent for _, f in rows],
        "response": [f.response.percent for _, f in rows],
        "urls": [drill_url(scope, period, "received", month=m) for m, _ in rows],
    }


def categories(scope: Scope, period: Period | None) -> list[dict[str, Any]]:
    out = []
    for cat, f in metrics.by_category(scope):
        out.append(
            {
                "id": cat.pk if cat else None,
                "name": cat.name if cat else "未分类",
                "received": f.received,
                "answered": f.answered,
                "closed": f.closed,
                "on_spot": str(f.on_spot),
                "satisfaction": str(f.satisfaction),
                "url": drill_url(scope, period, "received", category_l1=cat.pk if cat else None),
            }
        )
    return out


def league(
    scope: Scope, period: Period | None, weights: Iterable[float] | None = None
) -> list[dict[str, Any]]:
    rows = []
    for rank, (dept, f) in enumerate(metrics.league(scope, weights), start=1):
        ds = scope.but(department_id=dept.pk)
        rows.append(
            {
                "rank": rank,
                "id": dept.pk,
                "name": dept.name,
                "tasks": f.tasks,
                "received": f.received,
                "closed": f.closed,
                "response": _rate(f.response),
                "on_time": _rate(f.on_time),
                "solve": _rate(f.solve),
                "satisfaction": _rate(f.satisfaction),
                "returns": _rate(f.returns),
                "avg_days": f.avg_answer_days,
                "sanlv": f.sanlv,
                "overdue_tasks": f.overdue_tasks,
                "url_tasks": drill_url(ds, period, "tasks"),
                "url_late": drill_url(ds, period, "overdue_tasks"),
                "url_returns": drill_url(ds, period, "returned"),
                "url_response": drill_url(ds, period, "response_late"),
                "url_on_time": drill_url(ds, period, "late"),
                "url_solve": drill_url(ds, period, "unsolved"),
                "url_satisfaction": drill_url(ds, period, "dissatisfied"),
            }
        )
    return rows


def heat(scope: Scope, period: Period | None) -> dict[str, Any]:
    hm = metrics.heatmap(scope)
    cats = hm.categories
    depts = hm.departments
    cells = []
    for (c, d), n in hm.cells.items():
        ci = next(i for i, x in enumerate(cats) if x.pk == c)
        di = next(i for i, x in enumerate(depts) if x.pk == d)
        cells.append(
            {
                "x": di,
                "y": ci,
                "value": n,
                "overdue": hm.overdue.get((c, d), 0),
                "url": drill_url(scope, period, "received", category_l1=c, lead_department=d),
            }
        )
    return {
        "categories": [c.name for c in cats],
        "departments": [d.name for d in depts],
        "cells": cells,
        "max": max(hm.cells.values(), default=0),
    }


def legacy(scope: Scope, period: Period | None) -> dict[str, Any]:
    """Legacy problems still open, whenever they were received (the period does not apply)."""
    whole = scope.but(start=None, end=None)
    ids = metrics.drill_ids(whole, "legacy_open")
    qs = Demand.objects.filter(pk__in=ids).select_related("enterprise", "lead_department")
    count = DemandFact.objects.filter(pk__in=ids).count()
    rows = list(qs.order_by("created_at")[:LEGACY_LIST])
    return {
        "count": count,
        "rows": rows,
        "url": drill_url(whole, None, "legacy_open"),
        "definition": metrics.DEFINITIONS["legacy_open"],
    }


def coverage(scope: Scope, period: Period | None) -> dict[str, Any]:
    c = metrics.liaison_coverage(scope)
    return {
        "entities": c.entities,
        "with_liaison": c.with_liaison,
        "contacted": c.contacted,
        "liaison_rate": str(c.liaison_rate),
        "contact_rate": str(c.contact_rate),
        "definition": metrics.DEFINITIONS["coverage"],
    }


def ladder(scope: Scope, period: Period | None) -> dict[str, Any]:
    """The higher rungs in the period, park-wide: the meetings held (企业接待日, 重点项目调度会 …)
    with what their decisions came to, and legacy items by the park's own rule (清零)."""
    today = scope.day
    start = scope.start or dt.date(today.year, 1, 1)
    end = min(scope.end or today, today)
    held = list(
        Meeting.objects.filter(park=scope.park, date__gte=start, date__lte=end).exclude(
            status=MeetingStatus.PREPARING
        )
    )
    figures = meeting_metrics.for_meetings(held, as_of=today) if held else {}
    rows = []
    for kind, label in MeetingKind.choices:
        of_kind = [figures[m.pk] for m in held if m.kind == kind]
        if not of_kind:
            continue
        total = {
            k: sum(getattr(f, k) for f in of_kind)
            for k in (
                "items_heard",
                "decisions",
                "with_tasks",
                "on_time",
                "late",
                "open",
                "overdue",
            )
        }
        rows.append(
            {
                "kind": kind,
                "label": label,
                "held": len(of_kind),
                **total,
                "on_time_rate": _rate(Rate(total["on_time"], total["with_tasks"])),
                "url": "/meetings/?" + urlencode({"kind": kind, "year": start.year}),
            }
        )
    # The 清零 figures by the park's rule (experts.legacy) read every demand open in the period
    # in Python: fine for the board a manager opens, too heavy for every dashboard view of a
    # large ledger. The panel links to the board instead.
    return {
        "start": start,
        "end": end,
        "meetings": rows,
        "url_board": "/experts/board/?"
        + urlencode({"start": start.isoformat(), "end": end.isoformat()}),
        "definition": "召开：期内已召开的会议；听取：未被移出的议题；按时办结：议定交办事项的"
        "全部任务在办结时限内答复。遗留问题清零（按园区的认定规则）见清零看板。",
    }


# The panels in the order the page shows them; the benchmark times each one.
PANELS: dict[str, Callable[..., Any]] = {
    "kpis": kpis,
    "trend": trend,
    "categories": categories,
    "league": league,
    "heatmap": heat,
    "legacy": legacy,
    "ladder": ladder,
    "coverage": coverage,
}


def build(
    scope: Scope, period: Period | None, weights: Iterable[float] | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    with facts.checked():
        for name, fn in PANELS.items():
            if name in ("kpis", "league"):
                data[name] = fn(scope, period, weights)
            else:
                data[name] = fn(scope, period)
    return data


def choices(scope: Scope) -> dict[str, Any]:
    """The filter menus as (value, label, selected) triples: departments, level-1 categories,
    channels, liaisons (a park has hundreds of liaisons: the menu is built here, not in the
    template)."""
    from demands.models import Category

    def menu(rows: Iterable[tuple[Any, str]], current: Any) -> list[tuple[Any, str, bool]]:
        return [(v, label, v == current) for v, label in rows]

    park_id = scope.park.pk
    liaisons = (
        User.objects.filter(park_id=park_id, role=Role.LIAISON, is_active=True)
        .order_by("full_name", "username")
        .values_list("pk", "full_name", "username")
    )
    return {
        "menu_departments": menu(
            Department.objects.filter(park_id=park_id, is_active=True).values_list("pk", "name"),
            scope.department_id,
        ),
        "menu_categories": menu(
            Category.objects.filter(park_id=park_id, parent=None).values_list("pk", "name"),
            scope.category_id,
        ),
        "menu_channels": menu(Channel.choices, scope.channel),
        "menu_liaisons": menu(
            ((pk, full or user) for pk, full, user in liaisons), scope.liaison_id
        ),
    }


def period_options(today: dt.date) -> list[tuple[str, str]]:
    from reports.periods import parse

    out = []
    for y in (today.year, today.year - 1):
        codes = [str(y), f"{y}-H2", f"{y}-H1"] + [f"{y}-Q{q}" for q in (4, 3, 2, 1)]
        codes += [f"{y}-{m:02d}" for m in range(12, 0, -1)]
        for code in codes:
            p = parse(code)
            if p.start <= today:
                out.append((p.code, p.label))
    return out
