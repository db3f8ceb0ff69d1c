"""How the timeline reads to a person: a label and one line of detail per recorded event."""

from __future__ import annotations

from typing import Any

from demands import redaction
from demands import workflow as wf
from demands.models import Event, Outcome, Satisfaction, Status, TaskStatus, Tier

EXTRA_LABELS = {
    "create": "受理",
    "status": "状态变更",
    "merged_in": "合并进来",
    "attach": "上传附件",
    "decide_answer": "协调答复",
    "decide_tasks": "协调交办",
    "sheet_record": "台账记录",
    "track_code": "查询码",
    "kb_consult": "三方连线",
    "kb_consult_answer": "政策专员答复",
    "kb_promote": "推荐为类案答复",
    "submit_reply": "答复送审",
}

METHODS = {"self": "本人评价", "phone": "电话回访", "visit": "上门回访"}


def action_label(action: str) -> str:
    t = wf.TRANSITIONS.get(action)
    return t.label if t else EXTRA_LABELS.get(action, action)


def _status_label(value: str) -> str:
    for choices in (Status, TaskStatus):
        if value in choices.values:
            return str(choices(value).label)
    return value


def _label(choices: Any, value: Any) -> str:
    return choices(value).label if value in choices.values else str(value or "")


def detail(e: Event, *, requester: bool = False) -> str:
    d = e.data or {}
    a = e.action
    if a == "create":
        return ""  # the note says how it came in
    if a == "dispatch":
        co = "；协办：" + "、".join(d["co"]) if d.get("co") else ""
        unknown = [
            label
            for key, label in (("time_known", "交办时间"), ("deadline_known", "办结时限"))
            if d.get("imported") and d.get(key) is False
        ]
        gap = f"（导入的台账未记{'、'.join(unknown)}，不计入相关指标）" if unknown else ""
        return (
            f"主办：{d.get('lead', '')}{co}；时限 {d.get('days', '')} 个工作日，"
            f"截止 {d.get('deadline', '')}{gap}"
        )
    if a == "undo_dispatch":
        return f"撤销交办（{'、'.join(d.get('departments', []))}的任务已撤销），诉求回到待交办"
    if a == "sheet_record":
        said = []
        if d.get("lead"):
            said.append(f"主办：{d['lead']}")
        if d.get("responded") is not None:
            said.append("响应：" + ("是" if d["responded"] else "否"))
        if d.get("outcome"):
            said.append(f"解决：{_label(Outcome, d['outcome'])}")
        if d.get("satisfaction"):
            said.append(f"评价：{_label(Satisfaction, d['satisfaction'])}")
        return "；".join(said)
    if a in ("decide_answer", "decide_tasks"):
        what = (
            f"主办：{d.get('lead', '')}"
            + ("；协办：" + "、".join(d["co"]) if d.get("co") else "")
            + f"；时限 {d.get('days', '')} 个工作日，截止 {d.get('deadline', '')}"
            if a == "decide_tasks"
            else f"办理结果：{_label(Outcome, d.get('outcome'))}"
        )
        src = f"（{d['source_label']}）" if d.get("source_label") else ""
        return what + src
    if a == "status":
        return f"{_status_label(e.from_status)} → {_status_label(e.to_status)}"
    if a == "return":
        return f"退单理由：{d.get('reason_label', '')}"
    if a == "redispatch":
        to = d.get("to")
        return (
            f"由{d.get('from', '')}改派至{to}，截止 {d.get('deadline')}"
            if to
            else (f"撤销{d.get('from', '')}的协办任务")
        )
    if a == "insist":
        return f"坚持交办，新截止日期 {d.get('deadline', '')}"
    if a == "request_extension":
        return f"申请延期 {d.get('days', '')} 个工作日，至 {d.get('new_deadline', '')}"
    if a == "decide_extension":
        return ("同意延期" if d.get("approved") else "驳回延期") + f"，截止 {d.get('deadline', '')}"
    if a == "resume":
        return (
            f"暂停 {d.get('paused_working_days', 0)} 个工作日，截止顺延至 {d.get('deadline', '')}"
        )
    if a in ("reply", "resolve_on_spot", "submit_reply"):
        late = "" if d.get("on_time", True) else "（超期答复）"
        how = {"submit_reply": "，待部门负责人审核"}.get(
            a, "，经部门负责人审核" if d.get("reviewed") else ""
        )
        return f"办理结果：{_label(Outcome, d.get('outcome'))}{how}{late}"
    if a == "assign":
        was = f"（原经办人：{d['previous']}）" if d.get("previous") else ""
        return f"指派给{d.get('assignee', '')}{was}"
    if a == "require_review":
        return "答复须经部门负责人审核后发出" if d.get("required") else "取消答复审核"
    if a == "approve_reply":
        return "答复审核通过，已发出"
    if a == "send_back_reply":
        return "答复退回经办人修改"
    if a == "ask_info":
        depts = "、".join(d.get("departments") or [])
        return f"等待诉求人补充，{depts}的任务暂停计时" if depts else "等待诉求人补充"
    if a == "supply_info" and d.get("via") == "phone":
        # who wrote the call down is a staff name, which a requester is not shown
        who = "" if requester else f"，由{d.get('recorded_by', '')}记录"
        return (
            f"诉求人电话补充{who}；暂停 "
            f"{d.get('paused_working_days', 0)} 个工作日，各任务截止日期相应顺延"
        )
    if a == "supply_info":
        return f"已补充，暂停 {d.get('paused_working_days', 0)} 个工作日，各任务截止日期相应顺延"
    if a == "close_unreachable":
        return f"{d.get('label', '')}：请求补充材料后逾期未答复，按规定销号"
    if a == "confirm":
        m = METHODS.get(d.get("method", ""), "")
        redo = f"，退回{d['redo_department']}重办" if d.get("redo_department") else ""
        return f"{m}：{_label(Satisfaction, d.get('satisfaction'))}{redo}"
    if a == "close":
        return "未获评价，按规定销号" if d.get("without_rating") else "闭环销号"
    if a == "urge":
        return f"{d.get('label', '')}：" + "、".join(d.get("departments", []))
    if a == "merge":
        return f"合并至 {d.get('into', '')}"
    if a == "merged_in":
        return f"{d.get('from', '')} 合并至本诉求"
    if a == "escalate":
        return f"提级至“{_label(Tier, d.get('tier'))}”"
    return ""


def timeline(events: list[Event], *, requester: bool) -> list[dict[str, Any]]:
    if requester:
        events = redaction.visible_events(events)
    out = []
    for e in events:
        if requester:
            note, who, department = redaction.event_note(e), redaction.event_actor(e), ""
        else:
            note = e.note
            who = e.actor.display_name if e.actor is not None else ""
            department = e.task.department.name if e.task_id and e.task else ""
        out.append(
            {
                "event": e,
                "label": action_label(e.action),
                "detail": detail(e, requester=requester),
                "note": note,
                "who": who,
                "department": department,
                "files": list(e.attachments.all()),
            }
        )
    return out
