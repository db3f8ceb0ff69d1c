"""What the leaders' dashboard shows, as plain data: one function per panel (the benchmark times
each of them), all computed by `reports.metrics` so the page, the JSON and the briefing agree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet

from demands.models import Channel, Demand, Tier
from experts import legacy as experts_legacy
from meetings import metrics as meeting_metrics
from meetings.models import Meeting, MeetingKind, MeetingStatus
from orgs.models import Department, Role, User
from reports import facts, metrics
from reports.metrics import Rate, Scope
from reports.periods import Period

LEGACY_LIST = 20


def drill_url(scope: Scope, period: Period | None, metric: str, **extra: Any) -> str:
    """The drill-down page listing the demands behind a figure."""
    # No period means the whole ledger ("all"): the drill page's default is the current year.
    params: dict[str, Any] = {"metric": metric, "period": period.code if period else "all"}
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


def link(
    scope: Scope, period: Period | None, metric: str, count: int | float, text: str, **kw: Any
) -> dict[str, Any]:
    """A number shown on a page with the drill-down that lists exactly what it counts."""
    n = int(count) if float(count).is_integer() else count
    return {
        "text": text.format(n=n),
        "url": drill_url(scope, period, metric, **kw),
        "count": n,
        "metric": metric,
    }


def kpis(
    scope: Scope, period: Period | None, weights: Iterable[float] | None = None
) -> dict[str, Any]:
    f = metrics.summary(scope, weights)
    d = metrics.DEFINITIONS

    def card(
        key: str,
        label: str,
        value: str,
        main: dict[str, Any] | None,
        links: list[dict[str, Any]] | None = None,
        detail: str = "",
        tone: str = "",
    ) -> dict[str, Any]:
        return {
            "key": key,
            "label": label,
            "value": value,
            "main": main,
            "url": main["url"] if main else "",
            "links": links or [],
            "detail": detail,
            "definition": d[key],
            "tone": tone,
        }

    def lk(metric: str, count: int | float, text: str) -> dict[str, Any]:
        return link(scope, period, metric, count, text)

    def _left_out(text: str, count: int) -> str:
        # Items an imported sheet gave no time for are left out of a timed figure: say so.
        note = metrics.left_out_note(count) if count else ""
        return "；".join(x for x in (text, note) if x)

    noun = metrics.demand_noun(scope)
    cards = [
        card(
            "received",
            f"受理{noun}",
            str(f.received),
            lk("received", f.received, "受理 {n} 件"),
            [lk("answered", f.answered, "已答复 {n} 件")],
        ),
        card(
            "on_spot",
            "当即解决率",
            str(f.on_spot),
            lk("on_spot", f.on_spot.num, "当即解决 {n} 件"),
            [
                lk("on_spot", f.on_spot.num, "当即解决 {n} 件"),
                lk("received", f.received, "受理 {n} 件"),
            ],
        ),
        card(
            "response",
            "响应率（按任务）",
            str(f.response),
            lk("response_late", f.response_late, "未按时响应 {n} 项任务"),
            [lk("response_late", f.response_late, "未按时响应 {n} 项任务")],
            _left_out(f"应响应 {f.response.den} 项任务", f.response_unknown),
        ),
        card(
            "on_time",
            "按时办结率（按任务）",
            str(f.on_time),
            lk("late", f.late_tasks, "未按时办结 {n} 项任务"),
            [lk("late", f.late_tasks, "未按时办结 {n} 项任务")],
            _left_out(f"应办结 {f.on_time.den} 项任务", f.on_time_unknown),
        ),
        card(
            "solve",
            "解决率",
            str(f.solve),
            lk("unsolved", f.unsolved, "未完全解决 {n} 件"),
            [
                lk("unsolved", f.unsolved, "未完全解决 {n} 件"),
                lk("solve", f.solve.den, "已答复 {n} 件"),
            ],
        ),
        card(
            "satisfaction",
            "满意率（按回访评价）",
            str(f.satisfaction),
            lk("dissatisfied", f.ratings.get("dissatisfied", 0), "不满意 {n} 次"),
            [
                lk("dissatisfied", f.ratings.get("dissatisfied", 0), "不满意 {n} 次"),
                lk("rated", f.satisfaction.den, "回访评价 {n} 次"),
            ],
        ),
        card(
            "sanlv",
            "三率综合得分",
            "—" if f.sanlv is None else f"{f.sanlv:.1f}",
            None,
            [],
            "响应 30% · 解决 35% · 满意 35%" if weights is None else "自定义权重",
            "ok",
        ),
        card(
            "closed",
            "已销号（闭环）",
            str(f.closed),
            lk("closed", f.closed, "已销号 {n} 件"),
            [],
            f"占受理 {Rate(f.closed, f.received)}",
        ),
        card(
            "overdue",
            "已逾期",
            str(f.overdue),
            lk("overdue", f.overdue, "已逾期 {n} 件"),
            [lk("overdue_tasks", f.overdue_tasks, "逾期任务 {n} 项")],
            # 时限未知 (an imported sheet without 时限要求): never overdue, and said so.
            metrics.left_out_note(f.overdue_unknown, "件在办事项"),
            tone="bad" if f.overdue else "",
        ),
        card(
            "returns",
            "退单率（按任务）",
            str(f.returns),
            lk("returned", f.returns.num, "退单 {n} 次"),
            [lk("returned", f.returns.num, "退单 {n} 次"), lk("tasks", f.tasks, "交办 {n} 项任务")],
        ),
        card(
            "reopen",
            "重新打开率",
            str(f.reopen),
            lk("reopened", f.reopen.num, "重新打开 {n} 件"),
            [
                lk("reopened", f.reopen.num, "重新打开 {n} 件"),
                lk("ever_closed", f.reopen.den, "销号过 {n} 件"),
            ],
        ),
        card(
            "avg_days",
            "平均办理用时（工作日）",
            "—" if f.avg_answer_days is None else f"{f.avg_answer_days:.1f}",
            lk("answered_tasks", f.answered_tasks, "已答复 {n} 项任务"),
            [lk("answered_tasks", f.answered_tasks, "已答复 {n} 项任务")],
            _left_out("", f.days_unknown),
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
    unanswered = f.unanswered
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
            "url": drill_url(scope, period, "received", month=m),
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


def categories(
    scope: Scope, period: Period | None, rows: list[tuple[Any, Any]] | None = None
) -> list[dict[str, Any]]:
    out = []
    for cat, f in rows if rows is not None else metrics.by_category(scope):
        out.append(
            {
                "id": cat.pk if cat else None,
                "name": cat.name if cat else "未分类",
                "received": f.received,
                "answered": f.answered,
                "closed": f.closed,
                "on_spot": str(f.on_spot),
                "satisfaction": str(f.satisfaction),
                "url": drill_url(scope, period, "received", category_l1=cat.pk if cat else 0),
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
                "response_late": f.response_late,
                "late_tasks": f.late_tasks,
                "unsolved": f.unsolved,
                "dissatisfied": f.ratings.get("dissatisfied", 0),
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


LEGACY_DRILLS: dict[str, tuple[str, str]] = {
    "legacy_end": ("open", "期末未清零的遗留问题"),
    "legacy_start": ("start", "期初遗留问题"),
    "legacy_became": ("became", "期内新认定的遗留问题"),
    "legacy_cleared": ("cleared", "期内清零（销号）的遗留问题"),
}
LEGACY_DEFINITION = (
    "遗留问题按园区的认定规则（清零看板“认定规则与目标”）：办理超过规定工作日数、逾期且催办达到"
    "规定次数，或提级专家协商，且尚未销号；期末遗留 = 期初遗留 + 期内新认定 − 期内清零（销号）。"
    "统计区间为所选统计期（截至今天；全部时间按本年）。"
)


def legacy_window(scope: Scope) -> tuple[dt.date, dt.date]:
    """The days the 清零 figures describe: the period up to today (the whole year for 全部)."""
    today = scope.day
    end = min(scope.end or today, today)
    start = scope.start or dt.date(today.year, 1, 1)
    return min(start, end), end


def legacy_slice(scope: Scope) -> experts_legacy.Slice:
    return experts_legacy.Slice(
        department_id=scope.department_id,
        category_id=scope.category_id,
        channel=scope.channel,
        liaison_id=scope.liaison_id,
    )


def legacy_items(
    scope: Scope,
    metric: str,
    band: int | None = None,
    lead_department_id: int | None = None,
    rule: experts_legacy.LegacyRule | None = None,
) -> QuerySet[Demand]:
    """Exactly the demands a figure of the legacy panel counts (the drill-down)."""
    start, end = legacy_window(scope)
    return experts_legacy.items(
        scope.park,
        start,
        end,
        LEGACY_DRILLS[metric][0],
        where=legacy_slice(scope),
        band=band,
        department_id=lead_department_id,
        rule=rule,
    )


def legacy(scope: Scope, period: Period | None) -> dict[str, Any]:
    """遗留问题清零 by the park's rule (experts.legacy, set-based): open at the start and the end of
    the period, newly legacy, cleared, by age band; every figure drills to its items."""
    start, end = legacy_window(scope)
    rule = experts_legacy.rule_for(scope.park)
    f = experts_legacy.figures(
        scope.park, start, end, legacy_slice(scope), rule.target_date, rule=rule
    )
    rows = experts_legacy.first_items(
        scope.park,
        start,
        end,
        LEGACY_DRILLS["legacy_end"][0],
        n=LEGACY_LIST,
        where=legacy_slice(scope),
        rule=rule,
    )
    return {
        "start": start,
        "end": end,
        "count": f["open_at_end"],
        "open_at_start": f["open_at_start"],
        "became": f["became"],
        "cleared": f["cleared"],
        "target": rule.target_date,
        "rows": rows,
        "url": drill_url(scope, period, "legacy_end"),
        "url_start": drill_url(scope, period, "legacy_start"),
        "url_became": drill_url(scope, period, "legacy_became"),
        "url_cleared": drill_url(scope, period, "legacy_cleared"),
        "ages": [
            {"label": label, "n": n, "url": drill_url(scope, period, "legacy_end", band=i)}
            for i, ((label, _), n) in enumerate(
                zip(experts_legacy.AGE_BUCKETS, f["ages"], strict=True)
            )
        ],
        "departments": [
            {
                **r,
                "url": drill_url(scope, period, "legacy_end", lead_department=r["id"])
                if r["id"]
                else "",
            }
            for r in f["departments"][:8]
        ],
        "burndown": f["burndown"],
        "definition": LEGACY_DEFINITION,
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
    return {
        "start": start,
        "end": end,
        "meetings": rows,
        "url_board": "/experts/board/?"
        + urlencode({"start": start.isoformat(), "end": end.isoformat()}),
        "definition": "召开：期内已召开的会议；听取：未被移出的议题；按时办结：议定交办事项的"
        "全部任务在办结时限内答复。遗留问题清零（按园区的认定规则）见“遗留问题”一栏和清零看板。",
    }


def residents(
    scope: Scope, period: Period | None, rows: list[tuple[Any, Any]] | None = None
) -> dict[str, Any]:
    """我为群众办实事: the resident classes of the catalogue (企业难题、群众忧愁、基层服务、乡村振兴、
    志愿服务微心愿) with their figures for the period, and the 重点民生项目清单 as it stands."""
    from projects import livelihood

    classes = []
    for cat, f in rows if rows is not None else metrics.by_category(scope):
        if cat is None or not cat.for_residents:
            continue

        def lk(metric: str, n: int | float, text: str, cat_id: int = cat.pk) -> dict[str, Any]:
            return link(scope, period, metric, n, text, category_l1=cat_id)

        classes.append(
            {
                "name": cat.name,
                "received": lk("received", f.received, "{n}"),
                "closed": lk("closed", f.closed, "{n}"),
                "overdue": lk("overdue", f.overdue, "{n}"),
                "satisfaction": str(f.satisfaction),
                "dissatisfied": lk("dissatisfied", f.ratings.get("dissatisfied", 0), "{n}"),
                "closed_rate": str(Rate(f.closed, f.received)),
            }
        )
    projects = [livelihood.row(p, scope.day) for p in livelihood.projects_of(scope.park)]
    return {
        "classes": classes,
        "projects": projects,
        "projects_closed": sum(1 for p in projects if p["closed"]),
        "projects_late": sum(1 for p in projects if p["late"]),
    }


def knowledge(scope: Scope, period: Period | None) -> dict[str, Any]:
    """答在当场: 直办率, answers from the knowledge base, portal self-service, entries past review
    per department (knowledge.metrics; park-wide, the period's received demands)."""
    from knowledge import metrics as kb

    today = scope.day
    start = scope.start or dt.date(today.year, 1, 1)
    end = min(scope.end or today, today)
    f = kb.figures(scope.park, start, end)
    return {
        "start": start,
        "end": end,
        "answered": f.answered,
        "direct": str(f.direct),
        "direct_n": f.direct.num,
        "from_kb": str(f.from_kb),
        "from_kb_n": f.from_kb.num,
        "self_service": str(f.self_service),
        "self_served": f.self_service.num,
        "portal_asked": f.self_service.den,
        "past_review": [{"id": i, "name": n, "n": c} for i, n, c in f.past_review],
        "past_review_total": f.past_review_total,
        "definition": " ".join(kb.DEFINITIONS.values()),
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
    "residents": residents,
    "coverage": coverage,
    "knowledge": knowledge,
}


def build(
    scope: Scope, period: Period | None, weights: Iterable[float] | None = None
) -> dict[str, Any]:
    data: dict[str, Any] = {}
    with facts.checked():
        by_category = metrics.by_category(scope)  # two panels read it
        for name, fn in PANELS.items():
            if name in ("kpis", "league"):
                data[name] = fn(scope, period, weights)
            elif name in ("categories", "residents"):
                data[name] = fn(scope, period, by_category)
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
