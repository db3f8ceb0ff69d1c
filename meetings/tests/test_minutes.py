"""会议纪要: generated from the record; converted to PDF, its 议定事项 equal the record."""

import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from docx import Document

from demands.models import TaskRole
from meetings import minutes, services
from meetings.models import DecisionKind
from meetings.tests.helpers import escalated, held, meeting, tasks_decision


def _meeting_with_decisions(world):
    escalated(world, "扩建用地指标")
    escalated(world, "流动资金贷款", enterprise=world.enterprise2)
    escalated(world, "政策咨询")
    m = held(world, meeting(world, theme="助企纾困"))
    i1, i2, i3 = list(m.items.all())
    tasks_decision(
        world,
        m,
        i1,
        [(world.dept_b, TaskRole.LEAD, 10), (world.dept_a, TaskRole.CO, 5)],
        text="由自然资源和规划分局牵头办理用地报批",
    )
    tasks_decision(world, m, i2, [(world.dept_a, TaskRole.LEAD, 5)], text="协调银行开展融资对接")
    services.decide(
        world.users["leader"],
        m,
        item_id=i3.pk,
        kind=DecisionKind.EXPLAINED,
        text="现场解读奖补政策",
    )
    return m


def test_docx_has_a4_page_numbers_and_the_record(world):
    m = _meeting_with_decisions(world)
    doc = Document(io.BytesIO(minutes.build_docx(m)))
    s = doc.sections[0]
    assert (round(s.page_width.cm, 1), round(s.page_height.cm, 1)) == (21.0, 29.7)
    footer = s.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    text = "\n".join(p.text for p in doc.paragraphs)
    for part in (
        "时间：",
        "地点：管委会三楼会议室",
        "主持：leader",
        "参会单位：经济发展局、自然资源和规划分局",
    ):
        assert part in text
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["一、会议基本情况", "二、往期交办事项落实情况", "三、议定事项"]


def test_the_minutes_are_set_in_the_simplified_chinese_faces(world):
    """仿宋/黑体/宋体 by name come out of LibreOffice in the Japanese Noto variant."""
    from qinshang.tests.doccheck import assert_a4_page_numbers_and_sc_faces, faces

    data = minutes.build_docx(_meeting_with_decisions(world))
    assert_a4_page_numbers_and_sc_faces(data)
    assert {"Noto Serif CJK SC", "Noto Sans CJK SC"} <= faces(data)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice and poppler-utils are needed for the PDF check",
)
def test_pdf_decisions_equal_the_record(world):
    m = _meeting_with_decisions(world)
    pdf = minutes.to_pdf(minutes.build_docx(m))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
        ).stdout
    flat = _squash(text)
    pages = re.findall(r"第(\d+)页共(\d+)页", flat)
    assert pages and pages[0] == ("1", pages[0][1])  # the footer's page numbers were laid out
    flat = re.sub(r"第\d+页共\d+页", "", flat)
    section = flat.split("三、议定事项", 1)[1]
    entries = re.split(r"（\d+）", section)[1:]
    expected = [_squash(r.line()) for r in minutes.resolutions(m)]
    # Every 议定事项 of the record, in order, with its 责任单位 and 办结时限; nothing else.
    got = [_squash(f"（{n + 1}）{e}") for n, e in enumerate(entries)]
    assert len(got) == len(expected) == 3
    assert got[:-1] == expected[:-1]
    # The last one runs on into the signature (the issuing office and date) and the footer.
    assert got[-1].startswith(expected[-1]) and "优化营商环境协调事务中心" in got[-1]
    task = m.decisions.get(text__startswith="由自然").links.order_by("-task__role").first().task
    assert f"自然资源和规划分局（主办，{task.deadline:%Y年%-m月%-d日}前）" in flat


def test_minutes_pages_refuse_enterprises_and_other_parks(world, client):
    m = _meeting_with_decisions(world)
    client.force_login(world.users["leader"])
    r = client.get(f"/meetings/{m.pk}/minutes.docx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    client.force_login(world.users["enterprise"])
    assert client.get(f"/meetings/{m.pk}/minutes.docx").status_code == 403
    client.force_login(world.other_users["dispatcher"])
    assert client.get(f"/meetings/{m.pk}/minutes.docx").status_code == 404
