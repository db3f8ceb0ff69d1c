"""How a project's timeline reads: a label and one line of detail per event."""

from __future__ import annotations

from typing import Any

from projects.models import ProjectEvent, Stage

LABELS = {
    "create": "登记项目",
    "update": "修改项目信息",
    "stage": "阶段变更",
    "milestone_add": "新增节点",
    "milestone": "更新节点",
    "inspection": "工地巡查",
    "rectified": "确认整改",
}
FIELDS = {
    "name": "项目名称",
    "investor": "投资主体",
    "investment_wan": "总投资（万元）",
    "industry": "行业",
    "level": "级别",
    "leader": "联系领导",
    "liaison": "专属服务员",
    "signed_on": "签约日期",
    "address": "建设地点",
    "description": "建设内容",
    "planned_on": "计划日期",
    "forecast_on": "预计完成",
    "actual_on": "实际完成",
}


def _stage(v: Any) -> str:
    return Stage(v).label if v in Stage.values else str(v)


def detail(e: ProjectEvent) -> str:
    d = e.data or {}
    if e.action == "stage":
        return f"{_stage(d.get('from'))} → {_stage(d.get('to'))}（{d.get('on', '')}）"
    if e.action in ("update", "milestone"):
        parts = [
            f"{FIELDS.get(k, k)}：{old or '—'} → {new or '—'}"
            for k, (old, new) in (d.get("changes") or {}).items()
        ]
        head = f"「{d['name']}」" if d.get("name") and e.action == "milestone" else ""
        return head + "；".join(parts)
    if e.action == "milestone_add":
        return f"「{d.get('name', '')}」计划 {d.get('planned_on', '')}"
    if e.action == "inspection":
        if d.get("deadline"):
            return f"限 {d.get('days')} 个工作日整改，截止 {d['deadline']}"
        return "无需整改"
    if e.action == "rectified":
        return "逾期整改" if d.get("late") else "按期整改"
    return ""


def timeline(events: Any) -> list[dict[str, Any]]:
    return [{"e": e, "label": LABELS.get(e.action, e.action), "detail": detail(e)} for e in events]
