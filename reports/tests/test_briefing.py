"""Briefings: the figures in the Word text are the dashboard's, and LibreOffice makes the PDF."""

import re
import subprocess

import pytest
from django.core.management import call_command
from django.test import Client

from demands.models import Tier
from qinshang import documents
from reports import briefing, metrics
from reports.metrics import Scope
from reports.models import Briefing, BriefingStatus
from reports.periods import parse
from reports.tests.ledger import TODAY, build

pytestmark = pytest.mark.django_db

needs_soffice = pytest.mark.skipif(
    briefing.soffice() is None, reason="LibreOffice (soffice) is not installed on this machine"
)


@pytest.fixture
def ledger(world):
    return build(world)


def test_the_numbers_in_the_text_are_the_metric_values(world, ledger):
    period = parse("2026")
    data = briefing.collect(world.park, period, today=TODAY)
    text = briefing.docx_text(briefing.build_docx(data))
    f = metrics.summary(Scope.for_period(world.park, period, today=TODAY))

    m = re.search(r"共收集企业诉求(\d+)条，其中当即解决(\d+)条，当即解决率([\d.]+)%", text)
    assert m, text[:500]
    assert int(m[1]) == f.received == 5
    assert int(m[2]) == f.on_spot.num
    assert float(m[3]) == f.on_spot.percent
    ladder = (
        f.tiers[Tier.DEPARTMENT].num
        + f.tiers[Tier.RECEPTION_DAY].num
        + f.tiers[Tier.PROJECT_MEETING].num
    )
    assert f"解决{ladder}条" in text
    m = re.search(r"已答复(\d+)条，已形成工作闭环(\d+)项", text)
    assert (int(m[1]), int(m[2])) == (f.answered, f.closed)
    m = re.search(
        r"交办部门任务(\d+)项，响应率([\d.]+)%（未按时响应(\d+)项任务），"
        r"按时办结率([\d.]+)%（未按时办结(\d+)项任务），平均办理用时([\d.]+)个工作日",
        text,
    )
    assert int(m[1]) == f.tasks
    assert float(m[2]) == f.response.percent and int(m[3]) == f.response_late
    assert float(m[4]) == f.on_time.percent and int(m[5]) == f.late_tasks
    assert float(m[6]) == round(f.avg_answer_days, 1)
    m = re.search(r"满意率([\d.]+)%.*解决率([\d.]+)%；三率综合得分([\d.]+)", text)
    assert float(m[1]) == f.satisfaction.percent
    assert float(m[2]) == f.solve.percent
    assert float(m[3]) == f.sanlv
    assert f"已逾期{f.overdue}件" in text
    # The department table carries each department's own figures.
    for dept, x in metrics.league(Scope.for_period(world.park, period, today=TODAY)):
        assert f"{dept.name}\t{x.tasks}\t{x.response}\t{x.on_time}" in text


def test_the_dashboard_shows_the_same_numbers(world, ledger):
    period = parse("2026-H1")
    data = briefing.collect(world.park, period)
    body = Client()
    body.force_login(world.users["leader"])
    page = body.get("/reports/", {"period": "2026-H1"}).content.decode()
    for value in (
        str(data.figures.on_spot),
        str(data.figures.response),
        str(data.figures.satisfaction),
        f"{data.figures.sanlv:.1f}",
    ):
        assert value in page
        assert value in briefing.docx_text(briefing.build_docx(data))


@needs_soffice
def test_libreoffice_turns_the_briefing_into_a_pdf(world, ledger, tmp_path):
    data = briefing.collect(world.park, parse("2026-H1"), today=TODAY)
    pdf = briefing.to_pdf(briefing.build_docx(data))
    assert pdf[:5] == b"%PDF-"
    path = tmp_path / "b.pdf"
    path.write_bytes(pdf)
    if subprocess.run(["which", "pdftotext"], capture_output=True).returncode == 0:
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, check=True
        ).stdout.decode()
        assert "共收集企业诉求4条" in text.replace(" ", "").replace("\n", "")


@needs_soffice
def test_the_command_writes_word_and_pdf(world, ledger, tmp_path, capsys):
    call_command("briefing", "--park", "test", "--period", "2026-Q2", "--out", str(tmp_path))
    out = capsys.readouterr().out
    assert "本期（2026年第二季度）" in out
    assert (tmp_path / "briefing-test-2026-Q2.docx").exists()
    assert (tmp_path / "briefing-test-2026-Q2.pdf").read_bytes()[:5] == b"%PDF-"


def test_the_button_runs_a_background_task_and_reports_progress(world, ledger, monkeypatch):
    monkeypatch.setattr(briefing, "to_pdf", lambda docx: b"%PDF-1.4 stub")
    c = Client()
    c.force_login(world.users["leader"])
    r = c.post("/reports/briefings/new/", {"period": "2026-11"})
    b = Briefing.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/reports/briefings/{b.pk}/"
    # Tests run tasks at once; in production the page polls while db_worker works.
    assert (b.status, b.progress) == (BriefingStatus.DONE, 100)
    page = c.get(f"/reports/briefings/{b.pk}/").content.decode()
    assert "下载 Word" in page and "下载 PDF" in page
    docx = c.get(f"/reports/briefings/{b.pk}/docx")
    assert docx.status_code == 200 and b"".join(docx.streaming_content)[:2] == b"PK"
    assert c.get(f"/reports/briefings/{b.pk}/pdf").status_code == 200
    # Nobody outside the park, nor a department head of another briefing, downloads it.
    o = Client()
    o.force_login(world.other_users["admin"])
    assert o.get(f"/reports/briefings/{b.pk}/docx").status_code == 404
    h = Client()
    h.force_login(world.users["head"])
    assert h.get(f"/reports/briefings/{b.pk}/docx").status_code == 403


def test_a_missing_libreoffice_still_delivers_the_word_file(world, ledger, monkeypatch):
    monkeypatch.setattr(documents, "soffice", lambda: None)
    c = Client()
    c.force_login(world.users["dispatcher"])
    c.post("/reports/briefings/new/", {"period": "2026"})
    b = Briefing.objects.get()
    assert b.status == BriefingStatus.DONE and b.docx and not b.pdf
    assert b.error == "服务器暂不能转换 PDF，只生成了 Word 文件"  # no program names for users
    page = c.get(f"/reports/briefings/{b.pk}/").content.decode()
    assert "只生成了 Word 文件" in page and "LibreOffice" not in page


def test_the_briefing_is_a4_with_heading_styles_and_page_numbers(world, ledger):
    import io

    from docx import Document

    data = briefing.collect(world.park, parse("2026"), today=TODAY)
    doc = Document(io.BytesIO(briefing.build_docx(data)))
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[:3] == ["一、总体情况", "二、主要指标", "三、分层解决情况"]
    footer = section.footer.paragraphs[0]._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    assert 'w:eastAsia="Noto Serif CJK SC"' in doc.styles["Normal"].element.xml
    # The percentage and number columns of the tables do not wrap.
    table = doc.tables[0]
    assert "w:noWrap" in table.rows[1].cells[1]._element.xml


NUMBERISH = re.compile(
    r"QS-\d{4}-\d{6}"  # a demand number
    r"|\d[\d,]*(\.\d+)?(%|条|项|件)?"  # a count, a score, a percentage
    r"|\d{4}-\d{2}-\d{2}|\d{4}年\d{1,2}月"  # a date, a month
)


def test_no_number_percentage_or_demand_number_in_any_table_can_break(world, ledger):
    """Every cell of every table that holds a number, a percentage, a demand number or a date
    keeps it on one line ("100.0 / %" and "QS-2026- / 000123" broke in two)."""
    import io

    from docx import Document

    data = briefing.collect(world.park, parse("2026"), today=TODAY)
    doc = Document(io.BytesIO(briefing.build_docx(data)))
    seen: dict[str, int] = {"percent": 0, "number": 0, "count": 0}
    wrapping = []
    for n, table in enumerate(doc.tables):
        for row in table.rows[1:]:
            for col, cell in enumerate(row.cells):
                text = cell.text.strip()
                if not NUMBERISH.fullmatch(text):
                    continue
                kind = "percent" if text.endswith("%") else "number" if "QS-" in text else "count"
                seen[kind] += 1
                if "w:noWrap" not in cell._element.xml:
                    wrapping.append((n, table.rows[0].cells[col].text, text))
    assert not wrapping
    assert all(seen.values()), seen  # the ledger's briefing has all three kinds


@needs_soffice
def test_the_pdf_uses_the_simplified_chinese_faces_on_a4(world, ledger, tmp_path):
    data = briefing.collect(world.park, parse("2026"), today=TODAY)
    path = tmp_path / "b.pdf"
    path.write_bytes(briefing.to_pdf(briefing.build_docx(data)))
    if subprocess.run(["which", "pdfinfo"], capture_output=True).returncode != 0:
        pytest.skip("poppler-utils is not installed")
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True).stdout.decode()
    assert "(A4)" in info
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout
    assert b"NotoSerifCJK" in fonts and b"NotoSansCJK" in fonts
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    assert re.search(r"第\s*1\s*页\s*共\s*\d+\s*页", text.stdout.decode())


def test_user_text_in_the_word_file_is_plain_text_without_field_codes(world, ledger):
    """Formula injection does not apply to Word, but a field code would: a title such as
    =HYPERLINK(...) or { DDEAUTO ... } must land in a text run, never in a field."""
    import io
    import zipfile
    from xml.etree import ElementTree

    from demands.models import Demand
    from entities.models import MarketEntity

    title = '=HYPERLINK("http://x","查看附件") { DDEAUTO c:\\\\cmd.exe "/c calc" }'
    Demand.objects.filter(pk=ledger.d5.pk).update(title=title)  # d5 is the legacy problem
    MarketEntity.objects.filter(pk=ledger.d5.enterprise_id).update(name="@SUM(A1)")
    data = briefing.build_docx(briefing.collect(world.park, parse("2026"), today=TODAY))
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    for tag in (b"fldSimple", b"instrText", b"fldChar", b"ddeLink", b"<w:hyperlink"):
        assert tag not in xml, tag
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    texts = [t.text for t in ElementTree.fromstring(xml).iter(f"{w}t")]
    assert title in texts and "@SUM(A1)" in texts
