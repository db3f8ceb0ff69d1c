"""All answers of a campaign as one workbook: a row per visit with a column per question (and its
follow-up), plus a sheet of every target with its status, for the dispatch centre's ledger."""

from __future__ import annotations

from typing import Any

from qinshang import sheets
from visits.models import Answer, Campaign, QuestionKind, Target, Visit


def _value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        return "、".join(value)
    if kind == QuestionKind.YESNO:
        return {"yes": "是", "no": "否"}.get(value, value)
    if kind == QuestionKind.NUMBER:
        try:
            return float(value) if "." in str(value) else int(value)
        except ValueError:
            return value
    return value


def export_campaign(campaign: Campaign) -> bytes:
    questions = list(campaign.questions.order_by("order", "pk"))
    visits = list(
        Visit.objects.filter(campaign=campaign)
        .select_related("entity__liaison__department", "recorded_by")
        .order_by("visited_on", "pk")
    )
    answers: dict[int, dict[int, Answer]] = {}
    for ans in Answer.objects.filter(visit__campaign=campaign).select_related("demand"):
        answers.setdefault(ans.visit_id, {})[ans.question_id] = ans
    headers: list[tuple[str, int]] = [
        ("企业名称", 28),
        ("统一社会信用代码", 20),
        ("企业类型", 10),
        ("层级", 6),
        ("专属服务员", 10),
        ("服务员部门", 18),
        ("走访人", 10),
        ("走访日期", 12),
        ("结果", 10),
        ("接待人员", 16),
        ("走访情况", 30),
    ]
    for q in questions:
        headers.append((q.text, 18))
        if q.kind == QuestionKind.YESNO and q.follow_up:
            headers.append((f"{q.text}—{q.follow_up}", 24))
    headers += [("反映的问题", 36), ("转入台账的诉求编号", 20)]
    rows = []
    for v in visits:
        e = v.entity
        lia = e.liaison
        row: list[Any] = [
            e.name,
            e.credit_code,
            e.get_kind_display(),
            e.tier,
            lia.display_name if lia else "",
            lia.department.name if lia and lia.department else "",
            v.recorded_by.display_name,
            v.visited_on,
            v.get_outcome_display(),
            v.people_met,
            v.note,
        ]
        mine = answers.get(v.pk, {})
        problems, numbers = [], []
        for q in questions:
            a = mine.get(q.pk)
            row.append(_value(q.kind, a.value) if a else None)
            if q.kind == QuestionKind.YESNO and q.follow_up:
                row.append(a.follow_up_answer if a else None)
            if a and a.is_problem:
                problems.append(f"{q.text}：{a.problem_note or a.display()}")
                if a.demand:
                    numbers.append(a.demand.number)
        row += ["\n".join(problems), "、".join(numbers)]
        rows.append(row)
    wb, ws = sheets.new_workbook("走访问卷")
    sheets.write_table(ws, headers, rows)
    targets = (
        Target.objects.filter(campaign=campaign)
        .select_related("entity__liaison__department", "visit")
        .order_by("status", "entity__name")
    )
    trows = [
        [
            t.entity.name,
            t.entity.get_kind_display(),
            t.entity.tier,
            t.entity.liaison.display_name if t.entity.liaison else "",
            t.entity.liaison.department.name
            if t.entity.liaison and t.entity.liaison.department
            else "",
            t.get_status_display(),
            t.visit.visited_on if t.visit else None,
        ]
        for t in targets
    ]
    sheets.write_table(
        wb.create_sheet("走访对象"),
        [
            ("企业名称", 28),
            ("企业类型", 10),
            ("层级", 6),
            ("专属服务员", 10),
            ("服务员部门", 18),
            ("状态", 10),
            ("走访日期", 12),
        ],
        trows,
    )
    return sheets.to_bytes(wb)
