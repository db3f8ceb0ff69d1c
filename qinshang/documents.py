"""The one toolkit for generated documents (.docx with python-docx, PDF by LibreOffice): A4,
heading styles, page numbers, Simplified Chinese faces, tables whose cells do not break numbers.

Every briefing, 会议纪要 and 督查通报 is built with these functions so that they look alike and so
that a fix (a font, a margin) is made once. User text is always added as run text, never as a
field code, so nothing a requester typed can become an instruction to Word.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

log = logging.getLogger(__name__)

# The Simplified Chinese Noto faces by name: given 宋体/黑体, LibreOffice substitutes the
# Japanese variant of Noto Sans CJK for both (measured with pdffonts), whatever the language tag.
# Word and WPS without these faces fall back to their own Simplified Chinese default.
BODY_FONT = "Noto Serif CJK SC"
HEAD_FONT = "Noto Sans CJK SC"
LANG = "zh-CN"


def _lang(rpr: Any) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANG)
    lang.set(qn("w:eastAsia"), LANG)


def font(run: Any, name: str = BODY_FONT, size: float | None = None, bold: bool = False) -> Any:
    run.font.name = name
    rpr = run._element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), name)
    _lang(rpr)
    if size:
        run.font.size = Pt(size)
    run.bold = bold
    return run


def _style_font(style: Any, name: str, size: float, bold: bool = False) -> None:
    style.font.name = name
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)
    rpr = style.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), name)
    _lang(rpr)


_THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _no_theme_fonts(doc: Any) -> None:
    """Name the faces in every style instead of the theme's: Word prefers a theme font to a
    named one, and python-docx's template sets the theme's East Asian language to ja-JP, so a
    heading would come out in ＭＳ ゴシック. The theme language becomes zh-CN as well."""
    for rfonts in doc.styles.element.iter(qn("w:rFonts")):
        major = "major" in (rfonts.get(qn("w:eastAsiaTheme")) or "")
        face = HEAD_FONT if major else BODY_FONT
        for attr in _THEME_ATTRS:
            if rfonts.get(qn(attr)) is not None:
                del rfonts.attrib[qn(attr)]
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
            if rfonts.get(qn(attr)) is None:
                rfonts.set(qn(attr), face)
    settings = doc.settings.element
    lang = settings.find(qn("w:themeFontLang"))
    if lang is None:
        lang = OxmlElement("w:themeFontLang")
        settings.append(lang)
    lang.set(qn("w:eastAsia"), LANG)


def _field(paragraph: Any, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) written by the program, never from user text."""
    run = paragraph.add_run()
    font(run, BODY_FONT, 10.5)
    for kind, text in (("begin", None), ("instr", code), ("separate", None), ("end", None)):
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {text} "
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._element.append(el)
        if kind == "separate":
            t = OxmlElement("w:t")
            t.text = "1"
            run._element.append(t)


def new_document(*, landscape: bool = False) -> Any:
    """An A4 document with the park's styles and "第 X 页 共 Y 页" centred in the footer."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(2.54)
    section.left_margin = section.right_margin = Cm(2.4)
    _style_font(doc.styles["Normal"], BODY_FONT, 12)
    doc.styles["Normal"].paragraph_format.line_spacing = 1.35
    for level, size in ((1, 16), (2, 14), (3, 12)):
        style = doc.styles[f"Heading {level}"]
        _style_font(style, HEAD_FONT, size, bold=True)
        style.paragraph_format.space_before = Pt(12)
        style.paragraph_format.space_after = Pt(6)
    _style_font(doc.styles["Title"], HEAD_FONT, 20, bold=True)
    _no_theme_fonts(doc)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    font(footer.add_run("第 "), BODY_FONT, 10.5)
    _field(footer, "PAGE")
    font(footer.add_run(" 页 共 "), BODY_FONT, 10.5)
    _field(footer, "NUMPAGES")
    font(footer.add_run(" 页"), BODY_FONT, 10.5)
    return doc


def title(doc: Any, text: str, subtitle: str = "") -> None:
    p = doc.add_paragraph(style="Title")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    font(p.add_run(text), HEAD_FONT, 20, True)
    if subtitle:
        s = doc.add_paragraph()
        s.alignment = WD_ALIGN_PARAGRAPH.CENTER
        font(s.add_run(subtitle), BODY_FONT, 14)


def heading(doc: Any, text: str, level: int = 1) -> None:
    """A real heading style (the navigation pane and a table of contents see it)."""
    p = doc.add_paragraph(style=f"Heading {level}")
    font(p.add_run(text), HEAD_FONT, {1: 16, 2: 14}.get(level, 12), True)


def paragraph(
    doc: Any, text: str, *, indent: bool = True, size: float = 12, center: bool = False
) -> Any:
    p = doc.add_paragraph()
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    font(p.add_run(text), BODY_FONT, size)
    return p


def _no_wrap(cell: Any) -> None:
    tc_pr = cell._element.get_or_add_tcPr()
    el = OxmlElement("w:noWrap")
    tc_pr.append(el)


def table(
    doc: Any,
    head: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float] | None = None,
    *,
    keep_whole: Sequence[int] = (),
    size: float = 10.5,
) -> Any:
    """A bordered table with a repeated header row. `widths` in centimetres (Word reads cell
    widths, LibreOffice the grid: both are set). Columns in `keep_whole` (numbers, percentages,
    demand numbers) do not wrap, so "100.0%" or "QS-2026-000123" never break in two."""
    t = doc.add_table(rows=1, cols=len(head))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    header = t.rows[0]
    tr_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for cell, text in zip(header.cells, head, strict=True):
        cell.text = ""
        font(cell.paragraphs[0].add_run(str(text)), HEAD_FONT, size, True)
    for row in rows:
        cells = t.add_row().cells
        for i, (cell, value) in enumerate(zip(cells, row, strict=True)):
            cell.text = ""
            font(cell.paragraphs[0].add_run("" if value is None else str(value)), BODY_FONT, size)
            if i in keep_whole:
                _no_wrap(cell)
    if widths:
        for col, w in zip(t.columns, widths, strict=True):
            col.width = Cm(w)
        for row in t.rows:
            for cell, w in zip(row.cells, widths, strict=True):
                cell.width = Cm(w)
    return t


def to_bytes(doc: Any) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def docx_text(data: bytes) -> str:
    """All text of a .docx (paragraphs and table cells), for checks."""
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for tbl in doc.tables:
        for row in tbl.rows:
            parts.append("\t".join(c.text for c in row.cells))
    return "\n".join(parts)


# --------------------------------------------------------------------------- PDF


class ConversionError(RuntimeError):
    pass


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx: bytes, timeout: int = 120) -> bytes:
    """Convert with LibreOffice headless. Each run gets its own profile directory: two
    conversions sharing one profile block each other (or fail) when they run at once."""
    exe = soffice()
    if exe is None:
        # The people who asked for the file are not engineers: what went wrong technically
        # goes to the log, the message says what they get.
        log.warning("PDF conversion skipped: soffice / libreoffice not found")
        raise ConversionError("服务器暂不能转换 PDF，只生成了 Word 文件")
    with tempfile.TemporaryDirectory(prefix="qs-doc-") as tmp:
        src = Path(tmp) / "document.docx"
        src.write_bytes(docx)
        profile = Path(tmp) / "lo-profile"
        cmd = [
            exe,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            tmp,
            str(src),
        ]
        env = {**os.environ, "HOME": tmp}
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env, check=False)
        except subprocess.TimeoutExpired:
            log.warning("PDF conversion timed out after %s s", timeout)
            raise ConversionError(f"PDF 转换超时（{timeout} 秒），只生成了 Word 文件")
        out = Path(tmp) / "document.pdf"
        if done.returncode != 0 or not out.exists():
            msg = (done.stderr or done.stdout).decode(errors="replace").strip()[:300]
            log.warning("PDF conversion failed (%s): %s", done.returncode, msg)
            raise ConversionError("PDF 转换失败，只生成了 Word 文件")
        return out.read_bytes()
