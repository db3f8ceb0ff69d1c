"""Text normalisation for routing and similarity (no Django).

Messages arrive from web forms, WeChat, Excel imports and scraped portals: HTML entities and tags,
full-width characters, U+3000/U+00A0 spaces, runs of ``\\n\\t`` left by scraping, Excel's
``_x000D_`` escapes, masked personal data and sometimes a note a member of staff appended. The
models should see the citizen's or enterprise's words only, in one canonical form, so that the
same request typed twice maps to the same features.
"""

from __future__ import annotations

import html
import logging
import re
import threading
import unicodedata
from functools import lru_cache

# Placeholders replace personal data by its kind: the kind ("a phone number was given") can carry
# a little signal, the value never should, and it must not leak into explanations or clusters.
PH_PHONE = "〈电话〉"
PH_ID = "〈证件号〉"
PH_EMAIL = "〈邮箱〉"
PH_URL = "〈链接〉"
PH_MASK = "〈隐去〉"
PH_CODE = "〈编号〉"
PLACEHOLDERS = (PH_PHONE, PH_ID, PH_EMAIL, PH_URL, PH_MASK, PH_CODE)

# Longer input is cut: routing depends on the opening of a message, and the cap keeps the
# predict latency bounded for pasted documents (50,000 characters and more).
MAX_CHARS = 8000

_TAG = re.compile(
    r"<!--.*?-->|<(?:script|style)\b.*?</(?:script|style)\s*>|</?[A-Za-z][A-Za-z0-9:-]*"
    r"(?:\s[^<>]{0,500})?/?>",
    re.S | re.I,
)
_BR = re.compile(r"<\s*(?:br|/p|/div|/li|/tr)\b[^<>]{0,100}>", re.I)
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200f\u2060\ufeff\u00ad]")

# A staff note is recognised by its marker only at the start of a line or in brackets, so a
# citizen who writes "备注" inside a sentence keeps the sentence.
_NOTE_MARKER = (
    r"(?:工作人员|坐席|客服|经办人|承办人|受理人|管理员|内部|系统)?"
    r"(?:备注|批注|处理意见|办理意见|转办意见|受理意见|内部意见|审核意见|回访记录|处理记录)"
)
_STAFF_NOTE = re.compile(
    r"(?:^|\n)[ \t]*(?:[【\[（(〔]\s*"
    + _NOTE_MARKER
    + r"\s*[】\]）)〕]|"
    + _NOTE_MARKER
    + r"\s*[:：])"
    r"|[【\[（(〔]\s*" + _NOTE_MARKER + r"\s*[】\]）)〕]",
)
_SEPARATOR_NOTE = re.compile(r"\n[ \t]*(?:-{3,}|={3,}|_{3,}|\*{3,})[ \t]*\n(?=[^\n]*(?:备注|意见))")

_URL = re.compile(r"(?:https?://|www\.)[!-~]+", re.I)
# Bounded and anchored at a boundary so a long run of letters cannot make it quadratic.
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,255}\.[A-Za-z]{2,24}"
)
_ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])\d{6}(?:19|20)\d{2}[01]\d[0-3]\d\d{3}[\dXx](?![0-9A-Za-z])"
)
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")
# Masks applied upstream: runs of */×/＊, A000xxxxx-like codes, xxx/XXX runs, all-zero numbers.
_MASK = re.compile(r"[*＊×]{2,}|(?<![A-Za-z])[xX]{3,}(?![A-Za-z])")
_MASKED_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{1,2}0{3,}[0-9xX*]*(?![A-Za-z0-9])")
_ZERO_RUN = re.compile(r"(?<!\d)0{4,}(?:-0{2,})*(?!\d)")
_SPACE = re.compile(r"\s+")


def _strip_staff_notes(text: str) -> str:
    """Cut the message where a staff note starts, unless that would leave almost nothing."""
    cut = len(text)
    m = _STAFF_NOTE.search(text)
    if m:
        cut = m.start()
    m = _SEPARATOR_NOTE.search(text)
    if m:
        cut = min(cut, m.start())
    # A marker in the first characters is more likely the citizen's own heading than a note.
    if cut < len(text) and len(text[:cut].strip()) >= 10:
        return text[:cut]
    return text


def normalize(text: object, max_chars: int = MAX_CHARS) -> str:
    """Canonical form of one message: plain text, NFKC, single spaces, personal data masked."""
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    # Bound the work of the regular expressions below on pasted documents; markup and spaces
    # shrink, so keep more than will survive.
    if len(text) > 4 * max_chars:
        text = text[: 4 * max_chars]
    # Twice: exports double-escape (&amp;nbsp;).
    text = html.unescape(html.unescape(text))
    text = _BR.sub("\n", text)
    text = _TAG.sub("", text)
    text = _EXCEL_ESCAPE.sub(
        lambda m: "\n" if m.group(1).upper() in ("000D", "000A") else " ", text
    )
    text = _ZERO_WIDTH.sub("", text)
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _strip_staff_notes(text)
    text = _URL.sub(PH_URL, text)
    text = _ZERO_RUN.sub(PH_MASK, text)
    text = _EMAIL.sub(PH_EMAIL, text)
    text = _ID_NUMBER.sub(PH_ID, text)
    text = _MOBILE.sub(PH_PHONE, text)
    text = _LANDLINE.sub(PH_PHONE, text)
    text = _MASKED_CODE.sub(PH_CODE, text)
    text = _MASK.sub(PH_MASK, text)
    text = _SPACE.sub(" ", text).strip()
    if len(text) > max_chars:
        text = text[:max_chars]
    return text


_CJK = re.compile(r"[\u3400-\u9fff]")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


# --------------------------------------------------------------------------- jieba

_jieba_lock = threading.Lock()


@lru_cache(maxsize=1)
def _jieba():
    """jieba with its bundled dictionary, initialised once and without console chatter."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    with _jieba_lock:
        jieba.initialize()
    return jieba


_WORD_OK = re.compile(r"[\u3400-\u9fffA-Za-z]")
_PLACEHOLDER_SPLIT = re.compile("(" + "|".join(map(re.escape, PLACEHOLDERS)) + ")")


def words(text: str) -> list[str]:
    """jieba tokens of a normalised text, without whitespace and punctuation-only tokens."""
    if not text:
        return []
    out: list[str] = []
    for part in _PLACEHOLDER_SPLIT.split(text):
        if part in PLACEHOLDERS:
            out.append(part)
            continue
        for tok in _jieba().lcut(part, HMM=True):
            tok = tok.strip()
            if tok and _WORD_OK.search(tok):
                out.append(tok.lower())
    return out
