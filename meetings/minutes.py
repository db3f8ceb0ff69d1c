"""会议纪要 generated from the record: .docx (python-docx, A4, headings, page numbers) and PDF
(LibreOffice headless, the same conversion as the briefings)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor

from meetings import agenda
from meetings.models import Decision, DecisionKind, DecisionTask, Meeting
from qinshang import documents

# The Simplified Chinese faces of the document toolkit: named 仿宋/黑体/宋体, LibreOffice sets the
# minutes in the Japanese variant of Noto Sans CJK (see qinshang/documents.py).
BODY_FONT = documents.BODY_FONT
HEAD_FONT = documents.HEAD_FONT
TITLE_FONT = documents.BODY_FONT
CN_NUM = "一二三四五六七八九十"


@dataclass
class Resolution:
    """One 议定事项 as the minutes state it."""

    number: int
    subject: str
    text: str
    kind: str
    responsible: list[tuple[str, str, Any]]  # (department, 主办/协办, deadline)

    def line(self) -> str:
        text = self.text if self.text.endswith(("。", "！", "；", ".")) else self.text + "。"
        head = f"（{self.number}）{self.subject}。{text}"
        if self.kind != DecisionKind.TASKS:
            return f"{head[:-1]}（{DecisionKind(self.kind).label}）。"
        units = "、".join(
            f"{dept}（{role}，{deadline:%Y年%-m月%-d日}前）"
            for dept, role, deadline in self.responsible
        )
        return f"{head}责任单位及办结时限：{units}。"


def resolutions(meeting: Meeting) -> list[Resolution]:
    decisions = list(
        Decision.objects.filter(meeting=meeting)
        .select_related("item", "item__enterprise", "item__demand")
        .order_by("item__order", "item_id", "id")
    )
    tasks: dict[int, list[tuple[str, str, Any]]] = {}
    for link in (
        DecisionTask.objects.filter(decision__in=decisions)
        .select_related("task__department")
        .order_by("-task__role", "task_id")
    ):
        t = link.task
        tasks.setdefault(link.decision_id, []).append(
            (t.department.name, t.get_role_display(), t.deadline)
        )
    out = []
    for n, d in enumerate(decisions, start=1):
        ent = d.item.enterprise.name if d.item.enterprise else ""
        subject = f"{ent}：{d.item.title}" if ent else d.item.title
        out.append(Resolution(n, subject, d.text, d.kind, tasks.get(d.pk, [])))
    return out


def _font(run: Any, name: str, size: float, bold: bool = False) -> None:
    documents.font(run, name, size, bold)


def _para(doc: Any, text: str, *, size: float = 16, indent: bool = True) -> Any:
    p = doc.add_paragraph()
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    p.paragraph_format.line_spacing = Pt(28)
    _font(p.add_run(text), BODY_FONT, size)
    return p


def _heading(doc: Any, text: str) -> None:
    h = doc.add_heading(level=1)
    run = h.add_run(text)
    _font(run, HEAD_FONT, 16, True)
    run.font.color.rgb = RGBColor(0, 0, 0)  # official documents print headings in black


def build_docx(meeting: Meeting) -> bytes:
    # The toolkit's A4 page, styles, faces and "第 X 页 共 Y 页" footer, with the wider margins
    # of an official document (GB/T 9704).
    doc = documents.new_document()
    section = doc.sections[0]
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    full = f"{meeting.park.name}{meeting.title}"
    _font(title.add_run(f"{full}会议纪要"), TITLE_FONT, 22, True)
    if meeting.theme:
        sub = doc.add_paragraph()
        sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(sub.add_run(f"——{meeting.theme}"), BODY_FONT, 16)

    present = [a for a in meeting.attendance.all() if a.present]
    units = "、".join(a.unit + (f"（{a.person}）" if a.person else "") for a in present)
    when = f"{meeting.date:%Y年%-m月%-d日}" + (
        f" {meeting.start_time:%H:%M}" if meeting.start_time else ""
    )
    _heading(doc, "一、会议基本情况")
    _para(doc, f"时间：{when}")
    _para(doc, f"地点：{meeting.place or '—'}")
    chair = meeting.chair
    chair_text = (chair.title + " " if chair and chair.title else "") + (
        chair.display_name if chair else "—"
    )
    _para(doc, f"主持：{chair_text}")
    _para(doc, f"参会单位：{units or '—'}")
    if meeting.minutes:
        for line in meeting.minutes.splitlines():
            if line.strip():
                _para(doc, line.strip())

    rows = agenda.previous(meeting)
    s = agenda.summary(rows)
    _heading(doc, "二、往期交办事项落实情况")
    if rows:
        _para(
            doc,
            f"会议听取了往期交办事项落实情况的汇报。往期议定事项共{s['total']}项，"
            f"其中按时办结{s['on_time']}项、超期办结{s['late']}项、正在办理{s['open']}项、"
            f"逾期未办结{s['overdue']}项，现场答复或政策解释{s['settled']}项，"
            f"转专家会诊{s['referred']}项。",
        )
        for r in rows:
            if r.state in ("open", "overdue"):
                units_ = "、".join(t.department.name for t, _ in r.tasks)
                _para(doc, f"{r.meeting.title}：{r.decision.item.title}（{units_}，{r.label}）")
    else:
        _para(doc, "本次为该类会议首次召开，无往期交办事项。")

    heard = [i for i in meeting.items.filter(removed=False).select_related("enterprise")]
    ents = {i.enterprise.name for i in heard if i.enterprise}
    _heading(doc, "三、议定事项")
    _para(
        doc,
        f"会议就{len(ents)}家企业的诉求及{len(heard)}个议题进行了研究，议定事项如下："
        if ents
        else f"会议对{len(heard)}个议题进行了研究，议定事项如下：",
    )
    for res in resolutions(meeting):
        _para(doc, res.line())

    end = doc.add_paragraph()
    end.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    issued = meeting.issued_at or timezone.now()
    _font(
        end.add_run(
            f"{meeting.park.name}优化营商环境协调事务中心\n{timezone.localtime(issued):%Y年%-m月%-d日}"
        ),
        BODY_FONT,
        16,
    )
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def to_pdf(docx: bytes) -> bytes:
    # The project's one LibreOffice conversion (own profile per run, timeout, Chinese errors).
    return documents.to_pdf(docx)


def filename(meeting: Meeting, ext: str) -> str:
    return f"{meeting.title}会议纪要.{ext}"
