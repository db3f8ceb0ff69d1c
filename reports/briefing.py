"""A park's briefing (工作简报) for a period: .docx written with python-docx, PDF by LibreOffice.

The text follows the way parks report ("本期共收集企业诉求N条，当即解决率X%，……已形成工作闭环M项"),
and every number in it comes from `reports.metrics` — the functions behind the dashboard — so the
briefing and the dashboard cannot disagree.

Charts: neither matplotlib nor Pillow is installed, so charts are drawn as bars of block characters
in table cells (they render in Word, WPS and LibreOffice alike); the tables carry the exact figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from docx.shared import Pt, RGBColor

from demands import privacy
from demands.models import Demand, Tier
from orgs.models import Department, Park
from qinshang import documents
from reports import dashboard, facts, metrics
from reports.metrics import Figures, Rate, Scope
from reports.periods import Period

BAR_WIDTH = 14  # block characters for the longest bar
LEGACY_ROWS = 20


@dataclass
class BriefingData:
    park: Park
    period: Period
    department: Department | None
    figures: Figures
    monthly: list[tuple[int, Figures]]
    categories: list[tuple[Any, Figures]]
    league: list[tuple[Department, Figures]]
    coverage: metrics.Coverage
    legacy: list[Demand]
    legacy_count: int
    generated_at: Any
    ladder: dict[str, Any] | None = None
    residents: dict[str, Any] | None = None
    qingling: dict[str, Any] | None = None  # 遗留问题清零 by the park's rule (dashboard.legacy)
    noun: str = "诉求"  # 企业诉求 / 群众诉求 / 诉求, as the period's demands are
    knowledge: dict[str, Any] | None = None  # 答在当场 (dashboard.knowledge)


def collect(
    park: Park,
    period: Period,
    department_id: int | None = None,
    today: Any = None,
    progress: Callable[[int, str], None] | None = None,
) -> BriefingData:
    def step(pct: int, text: str) -> None:
        if progress:
            progress(pct, text)

    scope = Scope.for_period(
        park, period, department_id=department_id, today=today or timezone.localdate()
    )
    with facts.checked():
        return _collect(scope, park, period, department_id, step)


def _collect(
    scope: Scope,
    park: Park,
    period: Period,
    department_id: int | None,
    step: Callable[[int, str], None],
) -> BriefingData:
    step(10, "计算核心指标")
    figures = metrics.summary(scope)
    step(25, "计算月度趋势")
    monthly = metrics.monthly(scope)
    step(40, "计算类别和部门情况")
    cats = metrics.by_category(scope)
    league = metrics.league(scope)
    cov = metrics.liaison_coverage(scope)
    step(55, "整理遗留问题清零情况")
    qingling = dashboard.legacy(scope, period)
    step(65, "整理接待日、调度会和遗留问题清零情况")
    rungs = dashboard.ladder(scope, period) if department_id is None else None
    return BriefingData(
        park=park,
        period=period,
        department=Department.objects.filter(pk=department_id).first() if department_id else None,
        figures=figures,
        monthly=monthly,
        categories=cats,
        league=league,
        coverage=cov,
        legacy=qingling["rows"][:LEGACY_ROWS],
        legacy_count=qingling["count"],
        qingling=qingling,
        generated_at=timezone.localtime(),
        ladder=rungs,
        residents=dashboard.residents(scope, period, cats),
        noun=metrics.demand_noun(scope),
        knowledge=dashboard.knowledge(scope, period) if department_id is None else None,
    )


# --------------------------------------------------------------------------- text


def _n(rate: Rate) -> str:
    num = rate.num
    return str(int(num)) if float(num).is_integer() else f"{num:g}"


def paragraphs(data: BriefingData) -> list[str]:
    """The briefing's prose, figure by figure."""
    f = data.figures
    t = f.tiers
    ladder = t[Tier.DEPARTMENT].num + t[Tier.RECEPTION_DAY].num + t[Tier.PROJECT_MEETING].num
    who = data.department.name if data.department else data.park.name
    out = [
        f"本期（{data.period.label}），{who}共收集{data.noun}{f.received}条，"
        f"其中当即解决{_n(f.on_spot)}条，当即解决率{f.on_spot}；"
        f"通过限时交办、企业接待日、重点项目调度会解决{ladder}条，"
        f"专家专项协商解决{_n(t[Tier.EXPERT])}条。"
        f"目前已答复{f.answered}条，已形成工作闭环{f.closed}项，尚有{f.open}条正在办理。",
    ]
    if f.tasks:
        out.append(
            f"本期交办部门任务{f.tasks}项，响应率{f.response}（未按时响应{f.response_late}项任务），"
            f"按时办结率{f.on_time}（未按时办结{f.late_tasks}项任务），"
            f"平均办理用时{'—' if f.avg_answer_days is None else f'{f.avg_answer_days:.1f}'}个工作日；"
            f"部门退单{_n(f.returns)}次，退单率{f.returns}。"
        )
        gaps = [
            f"{label}未计入{n}项"
            for label, n in (
                ("响应率", f.response_unknown),
                ("按时办结率", f.on_time_unknown),
                ("平均办理用时", f.days_unknown),
            )
            if n
        ]
        if gaps:
            out.append(f"导入的台账未记录部分时间，{'、'.join(gaps)}任务。")
    r = f.ratings
    out.append(
        f"回访评价{f.satisfaction.den}次，满意率{f.satisfaction}（满意{r['satisfied']}次、"
        f"基本满意{r['basic']}次、不满意{r['dissatisfied']}次）；解决率{f.solve}；"
        f"三率综合得分{'—' if f.sanlv is None else f'{f.sanlv:.1f}'}。"
    )
    tail = f"截至{data.generated_at:%Y年%-m月%-d日}，本期诉求中已逾期{f.overdue}件"
    if f.reopen.den:
        tail += f"；销号后被重新打开{_n(f.reopen)}件，重新打开率{f.reopen}"
    out.append(tail + "。")
    out.extend(ladder_paragraphs(data.ladder))
    out.extend(resident_paragraphs(data.residents))
    out.extend(legacy_paragraphs(data.qingling))
    out.extend(knowledge_paragraphs(data.knowledge))
    c = data.coverage
    if c.entities:
        out.append(
            f"“一对一专属服务员”覆盖市场主体{c.with_liaison}家，覆盖率{c.liaison_rate}；"
            f"按走访周期联系{c.contacted}家，按期联系率{c.contact_rate}。"
        )
    return out


def ladder_paragraphs(ladder: dict[str, Any] | None) -> list[str]:
    """The higher rungs in words, from the dashboard's own panel (park-wide briefings only)."""
    if not ladder:
        return []
    out = []
    for r in ladder["meetings"]:
        out.append(
            f"召开{r['label']}{r['held']}次，听取议题{r['items_heard']}项，议定事项{r['decisions']}项，"
            f"其中交办部门{r['with_tasks']}项、按时办结{r['on_time']}项、逾期办结{r['late']}项、"
            f"正在办理{r['open']}项、已逾期{r['overdue']}项，按时办结率{r['on_time_rate']['text']}。"
        )
    return out


def resident_paragraphs(res: dict[str, Any] | None) -> list[str]:
    """我为群众办实事 in residents' words, from the dashboard's own panel."""
    if not res or not (res["classes"] or res["projects"]):
        return []
    out = []
    if res["classes"]:
        total = sum(r["received"]["count"] for r in res["classes"])
        closed = sum(r["closed"]["count"] for r in res["classes"])
        parts = "、".join(f"{r['name']}{r['received']['count']}件" for r in res["classes"])
        sat = "；".join(f"{r['name']}群众满意率{r['satisfaction']}" for r in res["classes"])
        out.append(
            f"“我为群众办实事”：本期受理群众反映的问题{total}件（{parts}），"
            f"已办结销号{closed}件；{sat}。"
        )
    if res["projects"]:
        n = len(res["projects"])
        line = f"重点民生项目清单共{n}项，已办结{res['projects_closed']}项"
        if res["projects_late"]:
            line += f"，超过完成时限未办结{res['projects_late']}项"
        out.append(line + "。")
    return out


def knowledge_paragraphs(k: dict[str, Any] | None) -> list[str]:
    """答在当场 in words, from the dashboard's own panel."""
    if not k or not (k["answered"] or k["portal_asked"] or k["past_review_total"]):
        return []
    text = (
        f"已答复的诉求中，未经交办直接答复{k['direct_n']}件，直办率{k['direct']}；"
        f"采用知识库答复{k['from_kb_n']}件，占{k['from_kb']}；"
        f"企业在门户查看推荐答复后自助解决{k['self_served']}次，门户自助解决率{k['self_service']}"
    )
    if k["past_review_total"]:
        text += "；知识条目过期未复核" + "、".join(
            f"{r['name']}{r['n']}条" for r in k["past_review"]
        )
    return [text + "。"]


def legacy_paragraphs(q: dict[str, Any] | None) -> list[str]:
    """遗留问题清零 in words, from the dashboard's own panel."""
    if not q:
        return []
    text = (
        f"按园区遗留问题认定规则，{q['start']:%Y年%-m月%-d日}至{q['end']:%Y年%-m月%-d日}，"
        f"期初遗留问题{q['open_at_start']}项，期内新认定{q['became']}项，"
        f"清零（销号）{q['cleared']}项，期末尚有{q['count']}项"
    )
    if q["count"]:
        text += "（" + "、".join(f"{a['label']}{a['n']}项" for a in q["ages"] if a["n"]) + "）"
    if q["target"]:
        text += f"，清零目标日期{q['target']:%Y年%-m月%-d日}"
    return [text + "。"]


# --------------------------------------------------------------------------- docx


def _bar(value: float | None, top: float) -> str:
    if not value or not top:
        return ""
    return "█" * max(1, round(BAR_WIDTH * value / top))


def _table(
    doc: Any,
    head: list[str],
    rows: list[list[Any]],
    bar_col: int | None = None,
    widths: list[float] | None = None,
    keep_whole: tuple[int, ...] = (),
) -> None:
    """A table of the document toolkit; the bar column's blocks are small and brand-coloured."""
    keep = (*keep_whole, bar_col) if bar_col is not None else keep_whole
    t = documents.table(doc, head, rows, widths, keep_whole=keep)
    if bar_col is not None:
        for row in t.rows[1:]:
            for run in row.cells[bar_col].paragraphs[0].runs:
                run.font.color.rgb = RGBColor(0x1F, 0x4E, 0x8C)
                run.font.size = Pt(7)


def _heading(doc: Any, text: str) -> None:
    documents.heading(doc, text, 1)


def build_docx(data: BriefingData) -> bytes:
    doc = documents.new_document()
    who = data.park.name + (f"{data.department.name}" if data.department else "")
    documents.title(doc, f"{who}{data.noun}办理工作简报", f"（{data.period.label}）")
    documents.paragraph(
        doc,
        f"统计口径：{data.period.start:%Y年%-m月%-d日}至{data.period.end:%Y年%-m月%-d日}"
        f"受理的诉求，状态截至{data.generated_at:%Y年%-m月%-d日 %H:%M}",
        indent=False,
        size=10.5,
        center=True,
    )

    _heading(doc, "一、总体情况")
    for text in paragraphs(data):
        documents.paragraph(doc, text)

    f = data.figures
    d = metrics.DEFINITIONS
    _heading(doc, "二、主要指标")
    _table(
        doc,
        ["指标", "数值", "口径"],
        [
            ["受理诉求", f"{f.received}条", d["received"]],
            ["当即解决率", str(f.on_spot), d["on_spot"]],
            ["响应率", str(f.response), d["response"]],
            ["按时办结率", str(f.on_time), d["on_time"]],
            ["解决率", str(f.solve), d["solve"]],
            ["满意率", str(f.satisfaction), d["satisfaction"]],
            ["三率综合得分", "—" if f.sanlv is None else f"{f.sanlv:.1f}", d["sanlv"]],
            ["退单率", str(f.returns), d["returns"]],
            ["重新打开率", str(f.reopen), d["reopen"]],
            ["已形成工作闭环", f"{f.closed}项", d["closed"]],
        ],
        widths=[3.2, 2.3, 10.5],
        keep_whole=(1,),
    )

    _heading(doc, "三、分层解决情况")
    tiers = [(Tier(t).label, f.tiers[t]) for t in metrics.TIERS]
    tiers.append(("尚未答复", Rate(f.received - f.answered, f.received)))
    top = max((r.num for _, r in tiers), default=0)
    _table(
        doc,
        ["层级", "件数", "占比", "图示"],
        [[label, _n(r), str(r), _bar(r.num, top)] for label, r in tiers],
        bar_col=3,
        widths=[3.6, 2.0, 2.4, 8.0],
        keep_whole=(1, 2),
    )

    _heading(doc, "四、月度情况")
    top = max((x.received for _, x in data.monthly), default=0)
    _table(
        doc,
        ["月份", "受理", "答复", "销号", "当即解决率", "满意率", "受理件数图示"],
        [
            [
                f"{m // 100}年{m % 100}月",
                x.received,
                x.answered,
                x.closed,
                str(x.on_spot),
                str(x.satisfaction),
                _bar(x.received, top),
            ]
            for m, x in data.monthly
        ],
        bar_col=6,
        widths=[2.8, 1.5, 1.5, 1.5, 2.2, 2.0, 4.5],
        keep_whole=(0, 1, 2, 3, 4, 5),
    )

    if data.categories:
        _heading(doc, "五、诉求类别")
        top = max(x.received for _, x in data.categories)
        _table(
            doc,
            ["类别", "受理", "销号", "满意率", "图示"],
            [
                [
                    c.name if c else "未分类",
                    x.received,
                    x.closed,
                    str(x.satisfaction),
                    _bar(x.received, top),
                ]
                for c, x in data.categories
            ],
            bar_col=4,
            widths=[4.0, 1.6, 1.6, 2.2, 6.6],
            keep_whole=(1, 2, 3),
        )

    if data.league:
        _heading(doc, "六、部门办理情况")
        _table(
            doc,
            [
                "部门",
                "交办任务",
                "响应率",
                "按时办结率",
                "满意率",
                "退单率",
                "三率得分",
                "逾期任务",
            ],
            [
                [
                    dept.name,
                    x.tasks,
                    str(x.response),
                    str(x.on_time),
                    str(x.satisfaction),
                    str(x.returns),
                    "—" if x.sanlv is None else f"{x.sanlv:.1f}",
                    x.overdue_tasks,
                ]
                for dept, x in data.league
            ],
            widths=[4.2, 1.6, 1.7, 1.9, 1.7, 1.6, 1.7, 1.6],
            keep_whole=(1, 2, 3, 4, 5, 6, 7),
        )

    res = data.residents
    if res and res["projects"]:
        _heading(doc, "七、重点民生项目清单")
        _table(
            doc,
            ["项目", "责任单位", "完成时限", "进度", "状态"],
            [
                [
                    p["name"],
                    p["department"],
                    f"{p['due']:%Y-%m-%d}",
                    f"{p['progress']}%",
                    p["status"] + (f"（逾期{p['late_days']}个工作日）" if p["late"] else ""),
                ]
                for p in res["projects"]
            ],
            widths=[5.2, 3.6, 2.4, 1.6, 3.4],
            keep_whole=(1, 2, 3),
        )
    _heading(
        doc,
        "八、遗留问题（期末未清零）" if res and res["projects"] else "七、遗留问题（期末未清零）",
    )
    if data.legacy:
        _table(
            doc,
            ["编号", "诉求", "企业", "主办单位", "受理时间"],
            [
                [
                    x.number,
                    x.title,
                    x.enterprise.name if x.enterprise else privacy.mask_name(x.requester_name),
                    x.lead_department.name if x.lead_department else "—",
                    f"{timezone.localtime(x.created_at):%Y-%m-%d}",
                ]
                for x in data.legacy
            ],
            widths=[3.2, 4.4, 3.6, 2.8, 2.2],
            keep_whole=(0, 4),
        )
        if data.legacy_count > len(data.legacy):
            documents.paragraph(
                doc, f"另有{data.legacy_count - len(data.legacy)}项，详见问题台账。"
            )
    else:
        documents.paragraph(doc, "无。")
    return documents.to_bytes(doc)


# The document toolkit's text reader and PDF conversion, under the names callers use.
docx_text = documents.docx_text
soffice = documents.soffice
to_pdf = documents.to_pdf
ConversionError = documents.ConversionError
