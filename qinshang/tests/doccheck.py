"""Checks every generated Word file passes: A4, the footer's page-number fields, and only the
Simplified Chinese Noto faces (no 仿宋/黑体/宋体, which LibreOffice renders in the Japanese
variant, no Japanese faces, no theme fonts that Word would resolve through a ja-JP theme)."""

from __future__ import annotations

import io
import re
import zipfile

from docx import Document

SC_FACES = {"Noto Serif CJK SC", "Noto Sans CJK SC"}
# Latin-only faces python-docx's template names for code styles; they carry no Chinese.
LATIN_ONLY = {"Courier", "Symbol"}
_FACE = re.compile(r'w:(?:ascii|hAnsi|eastAsia|cs)="([^"]*)"')


def faces(data: bytes) -> set[str]:
    """Every face named in the document's text, styles, headers and footers."""
    z = zipfile.ZipFile(io.BytesIO(data))
    out: set[str] = set()
    for name in z.namelist():
        if re.fullmatch(r"word/(document|styles|header\d*|footer\d*|numbering)\.xml", name):
            for rfonts in re.findall(r"<w:rFonts [^>]*>", z.read(name).decode()):
                out |= set(_FACE.findall(rfonts))
    return out


def assert_a4_page_numbers_and_sc_faces(data: bytes) -> None:
    doc = Document(io.BytesIO(data))
    for section in doc.sections:
        width, height = section.page_width, section.page_height
        assert width is not None and height is not None
        size = sorted((round(width.cm, 1), round(height.cm, 1)))
        assert size == [21.0, 29.7], size
        footer = "".join(p._p.xml for p in section.footer.paragraphs)
        assert "w:fldChar" in footer and " PAGE " in footer and " NUMPAGES " in footer
    z = zipfile.ZipFile(io.BytesIO(data))
    used = faces(data) - LATIN_ONLY
    assert used and used <= SC_FACES, used
    for name in ("word/document.xml", "word/styles.xml"):
        xml = z.read(name).decode()
        for bad in (
            "仿宋",
            "黑体",
            "宋体",
            "楷体",
            "CJK JP",
            "CJK JA",
            "ＭＳ",
            "MS Mincho",
            "Theme=",
            "cstheme=",
        ):
            assert bad not in xml, (name, bad)
        assert 'w:eastAsia="ja-JP"' not in xml, name
    settings = z.read("word/settings.xml").decode()
    assert 'w:eastAsia="ja-JP"' not in settings
    assert 'w:eastAsia="zh-CN"' in z.read("word/styles.xml").decode()
