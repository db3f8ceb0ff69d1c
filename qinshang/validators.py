"""Identifier checks for enterprise records: 统一社会信用代码 and mainland phone numbers.

Everything here is plain Python returning Chinese error messages (or ``None`` when the value is
fine), so the same rules serve Django forms, the API, spreadsheet imports and the demo generator.
The Django side wraps ``check_*`` into ``ValidationError`` itself; this module must not import
Django so it stays cheap to import and trivially testable.

统一社会信用代码 (GB 32100-2015)
--------------------------------
18 characters from the 31-character set ``0-9 A-H J-N P-R T U W-Y`` (no I, O, Z, S, V)::

    位置 1      登记管理部门代码     (9 工商, 1 机构编制, 5 民政, Y 其他, …)
    位置 2      机构类别代码         (valid values depend on position 1)
    位置 3–8    登记管理机关行政区划码 (GB/T 2260, six digits; 100000 for central registrations)
    位置 9–17   主体标识码（组织机构代码, GB 11714）
    位置 18     校验码, ISO 7064 MOD 31-3 with weights 3^i mod 31

The embedded 组织机构代码 has its own GB 11714 check character (position 17). GB 32100 says the
主体标识码 *is* the organisation code, and every real code we could check satisfies it, but
registration offices assigned some 个体工商户 and legacy bodies codes whose 9–17 block was never a
real organisation code. Rejecting those would lock real enterprises out of the platform, so the
embedded check is reported separately (``credit_code_warnings``) and only enforced when a caller
explicitly asks with ``strict=True``. The same goes for a 登记管理部门/机构类别 pair or province
prefix missing from our tables when the checksum is right (see ``_structure_problem``). The
overall MOD 31-3 check already catches every single-character typo (see ``compute_check_char``).
"""

from __future__ import annotations

import random
import re
import unicodedata
from typing import Literal

__all__ = [
    "CREDIT_CODE_CHARSET",
    "CREDIT_CODE_WEIGHTS",
    "ENTITY_CATEGORIES",
    "PROVINCE_PREFIXES",
    "REGISTRATION_AUTHORITIES",
    "PhoneKind",
    "check_credit_code",
    "check_phone",
    "compute_check_char",
    "compute_org_check_char",
    "credit_code_fixes",
    "credit_code_warnings",
    "is_placeholder",
    "describe_credit_code",
    "make_credit_code",
    "normalize_credit_code",
    "normalize_phone",
    "phone_kind",
    "to_halfwidth",
]

# ---------------------------------------------------------------------------------------------
# 统一社会信用代码
# ---------------------------------------------------------------------------------------------

CREDIT_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CHAR_VALUE = {ch: i for i, ch in enumerate(CREDIT_CODE_CHARSET)}
# Weight of position i (0-based) is 3**i mod 31. Because 31 is prime and no weight is 0 mod 31,
# changing any single one of the first 17 characters always changes the check character.
CREDIT_CODE_WEIGHTS: tuple[int, ...] = tuple(pow(3, i, 31) for i in range(17))

# 登记管理部门代码 → name. 1/5/9/Y come from GB 32100-2015 itself; 2/3/4/6/7/8/A/N were added by
# the later 登记管理部门代码 allocation (外交、司法行政、文化、旅游、宗教、工会、军队、农业) and
# appear on real certificates, so they must validate.
REGISTRATION_AUTHORITIES: dict[str, str] = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "市场监管（工商）",
    "A": "中央军委改革和编制办公室",
    "N": "农业农村",
    "Y": "其他",
}

# 机构类别代码 allowed under each 登记管理部门代码.
ENTITY_CATEGORIES: dict[str, dict[str, str]] = {
    "1": {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    "2": {"1": "外国常驻新闻机构", "9": "其他"},
    "3": {
        "1": "律师执业机构",
        "2": "公证处",
        "3": "基层法律服务所",
        "4": "司法鉴定机构",
        "5": "仲裁委员会",
        "9": "其他",
    },
    "4": {"1": "外国在华文化中心", "9": "其他"},
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},
    "6": {
        "1": "外国旅游部门常驻代表机构",
        "2": "港澳台地区旅游部门常驻内地（大陆）代表机构",
        "9": "其他",
    },
    "7": {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"},
    "8": {"1": "基层工会", "9": "其他"},
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},
    "A": {"1": "军队事业单位", "9": "其他"},
    "N": {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    "Y": {"1": "其他"},
}

# First two digits of a GB/T 2260 code: the 31 provinces, Taiwan, Hong Kong, Macao, and "10" which
# registration offices of central bodies use (e.g. 12100000… for national 事业单位).
PROVINCE_PREFIXES = frozenset(
    (
        "10",
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    )
)

# Characters people type by mistake that are *not* in the charset, with the likely intended one.
_LOOKALIKES = {"I": "1", "O": "0", "Z": "2", "S": "5", "V": "U"}

# Separators users paste from certificates or spreadsheets; they carry no information.
_CODE_SEPARATORS = re.compile(r"[\s\-_.·/]+")


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (ＡＢＣ１２３, （）, ＋) and the ideographic space → half-width.

    NFKC does exactly this for the ASCII block and is the standard way to fold Chinese IME input;
    the ideographic full stop and similar punctuation are left as they are.
    """
    return unicodedata.normalize("NFKC", text)


# What registry exports put in a cell that has no code: read as "no code", never as a code.
_PLACEHOLDERS = frozenset(
    {
        "无",
        "暂无",
        "没有",
        "空",
        "不详",
        "未知",
        "N/A",
        "NA",
        "NULL",
        "NONE",
        "NIL",
        "-",
        "--",
        "—",
        "/",
    }
)
# Two codes in one cell are separated by these (the separators above are dropped instead).
_LIST_SEPARATORS = re.compile(r"[;；,，、|\n]")
_OLD_REGISTRATION = re.compile(r"^\d{15}$")  # 15-digit 工商注册号 of before 2015
_ORG_CODE = re.compile(r"^[0-9A-Z]{8}[0-9X]$")  # 9-character 组织机构代码 (GB 11714)


def is_placeholder(code: str) -> bool:
    """ "N/A", "无", "—" … or nothing at all: the cell says there is no code."""
    text = to_halfwidth(code or "").strip().upper()
    return not _CODE_SEPARATORS.sub("", text) or text in _PLACEHOLDERS


def normalize_credit_code(code: str) -> str:
    """Strip, fold full-width characters, drop separators and upper-case; a placeholder ("N/A",
    "无") becomes "" so callers treat it as no code.

    Does not validate: ``check_credit_code`` applies this first, so callers may store the result of
    ``normalize_credit_code`` only after the check passed.
    """
    if is_placeholder(code):
        return ""
    return _CODE_SEPARATORS.sub("", to_halfwidth(code or "")).upper()


def credit_code_fixes(code: str) -> list[str]:
    """What ``normalize_credit_code`` changed in a cell, in words, for an import's row report."""
    raw = code or ""
    if is_placeholder(raw):
        return ["“" + raw.strip() + "”视为未填写代码"] if raw.strip() else []
    notes = []
    half = to_halfwidth(raw)
    if half != raw:
        notes.append("全角字符已转为半角")
    if _CODE_SEPARATORS.sub("", half.strip()) != half.strip() or half != half.strip():
        notes.append("已去除空格、连字符等分隔符")
    if any(c.islower() for c in half):
        notes.append("小写字母已转为大写")
    return notes


def compute_check_char(first17: str) -> str:
    """GB 32100 check character (position 18) for the first 17 characters.

    C18 = 31 - (Σ value(ci) × 3^i mod 31) mod 31, where 31 maps to 0. Raises ``ValueError`` for
    wrong length or characters outside the charset, since a check char of garbage is meaningless.
    """
    if len(first17) != 17:
        raise ValueError(f"需要17位本体码，实为{len(first17)}位")
    total = 0
    for ch, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True):
        if ch not in _CHAR_VALUE:
            raise ValueError(f"字符“{ch}”不在统一社会信用代码字符集中")
        total += _CHAR_VALUE[ch] * weight
    return CREDIT_CODE_CHARSET[(31 - total % 31) % 31]


_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_value(ch: str) -> int:
    # GB 11714 values digits as themselves and letters A–Z as 10–35 (plain alphabet order), which
    # differs from the 31-character mapping of GB 32100.
    return int(ch) if ch.isdigit() else ord(ch) - ord("A") + 10


def compute_org_check_char(first8: str) -> str:
    """GB 11714 check character of a 组织机构代码 (9th char): 11 - Σ mod 11, 10→X, 11→0."""
    if len(first8) != 8 or not all(c.isdigit() or "A" <= c <= "Z" for c in first8):
        raise ValueError("组织机构代码本体应为8位数字或大写字母")
    rest = 11 - sum(_org_value(c) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(rest, str(rest))


def check_credit_code(code: str, *, strict: bool = False) -> str | None:
    """Return ``None`` for a valid 统一社会信用代码, else one Chinese message naming the fault.

    The input is normalised first (spaces, dashes, full-width, lower case are tolerated). Faults
    are reported in reading order so the message points at the first thing the user must fix.
    With ``strict=True`` everything ``credit_code_warnings`` finds is an error as well.
    """
    if is_placeholder(code):
        return "请填写统一社会信用代码（“无”“N/A”等占位内容不是代码）"
    value = normalize_credit_code(code)
    if _LIST_SEPARATORS.search((code or "").strip()) or (
        len(value) == 36 and all(c in _CHAR_VALUE for c in value)
    ):
        return "一个单元格中有多个统一社会信用代码，请每家企业只填一个18位代码"
    if _OLD_REGISTRATION.match(value):
        return (
            "这是15位旧版工商注册号，不是统一社会信用代码；请填写营业执照上的18位统一社会信用代码"
        )
    if _ORG_CODE.match(value) and compute_org_check_char(value[:8]) == value[8]:
        return (
            "这是9位组织机构代码，不是统一社会信用代码；18位代码的第9–17位即为它，"
            "请填写完整的18位代码"
        )
    if len(value) != 18:
        return f"统一社会信用代码长度应为18位，实为{len(value)}位"
    for pos, ch in enumerate(value, start=1):
        if ch not in _CHAR_VALUE:
            hint = _LOOKALIKES.get(ch)
            tip = f"（统一社会信用代码不使用I、O、Z、S、V，是否应为“{hint}”？）" if hint else ""
            return f"第{pos}位字符“{ch}”不合法{tip}"
    region = value[2:8]
    if not region.isdigit():
        bad = next(i for i, c in enumerate(region, start=3) if not c.isdigit())
        return f"第{bad}位字符“{value[bad - 1]}”不合法（第3–8位行政区划码应为数字）"
    structural = _structure_problem(value)
    expected = compute_check_char(value[:17])
    if value[17] != expected:
        # A typo in position 1, 2 or 3–4 usually shows up both as an unknown code and as a
        # checksum failure; naming the position is the more useful message.
        return structural or f"校验位应为“{expected}”，实为“{value[17]}”，请核对代码是否抄错"
    if strict:
        warnings = credit_code_warnings(value)
        if warnings:
            return warnings[0]
    return None


def _structure_problem(value: str) -> str | None:
    """Unknown 登记管理部门/机构类别 pair or province prefix, as a message (or ``None``).

    Only reported as an *error* when the checksum fails too. A code whose checksum is right but
    whose pair is not in our table is almost certainly real (a random typo passes MOD 31-3 with
    probability 1/31) and comes from an allocation newer than this table — registration
    authorities keep adding categories — so it is accepted and only flagged as a warning.
    """
    authority, category, region = value[0], value[1], value[2:8]
    if authority not in REGISTRATION_AUTHORITIES:
        return f"第1位登记管理部门代码“{authority}”不存在"
    if category not in ENTITY_CATEGORIES[authority]:
        allowed = "、".join(ENTITY_CATEGORIES[authority])
        return (
            f"第2位机构类别代码“{category}”不适用于登记管理部门"
            f"“{REGISTRATION_AUTHORITIES[authority]}”（应为{allowed}之一）"
        )
    if region[:2] not in PROVINCE_PREFIXES:
        return f"第3–8位行政区划码“{region}”不存在（省级代码“{region[:2]}”无效）"
    return None


def credit_code_warnings(code: str) -> list[str]:
    """Soft findings on a code that passed ``check_credit_code``, for staff to double-check.

    Never used to refuse a record by default (see module docstring): an unlisted
    登记管理部门/机构类别 pair or province prefix, and a failing GB 11714 check of the embedded
    organisation code.
    """
    value = normalize_credit_code(code)
    if len(value) != 18 or any(c not in _CHAR_VALUE for c in value) or not value[2:8].isdigit():
        return []
    found: list[str] = []
    structural = _structure_problem(value)
    if structural:
        found.append(structural + "，请向企业核实营业执照")
    org = value[8:17]
    expected = compute_org_check_char(org[:8])
    if org[8] != expected:
        found.append(
            f"第9–17位组织机构代码“{org[:8]}-{org[8]}”的校验位按GB 11714应为“{expected}”，"
            "请向企业核实营业执照"
        )
    return found


def describe_credit_code(code: str) -> dict[str, str] | None:
    """Decompose a valid code into its parts (for display); ``None`` if it does not validate."""
    if check_credit_code(code) is not None:
        return None
    value = normalize_credit_code(code)
    return {
        "code": value,
        "authority": REGISTRATION_AUTHORITIES[value[0]],
        "category": ENTITY_CATEGORIES[value[0]][value[1]],
        "region": value[2:8],
        "org_code": f"{value[8:16]}-{value[16]}",
        "check": value[17],
    }


# Organisation-code body characters for generated codes. Newly assigned 主体标识码 start with
# "MA" followed by charset characters; older ones are all digits. Letters excluded by GB 32100
# are excluded here too so the generated code stays inside the 31-character set.
_ORG_BODY_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def make_credit_code(
    rng: random.Random,
    region: str = "430300",
    authority: str = "9",
    category: str = "1",
) -> str:
    """A random code that passes ``check_credit_code(strict=True)``.

    ``region`` is the registering office's GB/T 2260 code (430300 湘潭市; 430371 would be a
    county-level office). Used for demo data only: the codes are valid in form but belong to no
    real enterprise (except by coincidence, one in 31⁹).
    """
    if authority not in ENTITY_CATEGORIES or category not in ENTITY_CATEGORIES[authority]:
        raise ValueError(f"无效的登记管理部门/机构类别组合：{authority}{category}")
    if len(region) != 6 or not region.isdigit():
        raise ValueError("region 应为6位数字行政区划码")
    if rng.random() < 0.8:
        # Post-2015 registrations: "MA" + 6 body characters.
        body = "MA" + "".join(rng.choice(_ORG_BODY_CHARS) for _ in range(6))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    # The GB 11714 check digit is 0–9 or X, all inside the 31-character set.
    first17 = f"{authority}{category}{region}{body}{compute_org_check_char(body)}"
    return first17 + compute_check_char(first17)


# ---------------------------------------------------------------------------------------------
# Phone numbers
# ---------------------------------------------------------------------------------------------

PhoneKind = Literal["mobile", "landline", "service"]

_MOBILE = re.compile(r"1[3-9]\d{9}")
# Nationwide short and special numbers: emergency (110/112/114/119/120/122), 12xxx government
# hotlines (12345 政务服务便民热线, 12315, 12366, 12333 …), 100xx carriers, 95xxx(+) enterprise
# numbers, 96xxx local public-service numbers, 400/800 toll numbers (always 10 digits).
_SERVICE = re.compile(r"11[0249]|12[02]|12\d{3}|100\d{2}|95\d{3,6}|96\d{3,5}|[48]00\d{7}")
# Extension: explicit word (转, 分机, ext, x, #) followed by 1–6 digits at the end.
_EXTENSION = re.compile(r"^(.*?)\s*(?:转|分机|ext\.?|x|#|,|，)\s*(\d{1,6})$", re.IGNORECASE)
_TRAILING_GROUP = re.compile(r"^(.*\d)[\s\-]+(\d{1,6})$")
_SEPARATORS = re.compile(r"[\s\-()（）.·—–]+")


def _split_landline(digits: str) -> tuple[str, str] | str:
    """(area code, local number) for a 0-prefixed number, or an error message."""
    sizes: tuple[int, ...]
    # 3-digit area codes (010, 02X: the largest cities) are followed by 8 digits, 4-digit ones by
    # 7 or 8.
    if digits.startswith("010") or (digits.startswith("02") and len(digits) > 2):
        area, local, sizes = digits[:3], digits[3:], (8,)
    elif re.match(r"0[3-9]\d\d", digits):
        area, local, sizes = digits[:4], digits[4:], (7, 8)
    else:
        return f"区号“{digits[:4]}”不正确（区号为010、02X或0XXX）"
    if len(local) not in sizes:
        want = "8" if sizes == (8,) else "7–8"
        return f"区号{area}后的本地号码应为{want}位，实为{len(local)}位"
    if local[0] in "01":
        return f"本地号码不能以“{local[0]}”开头"
    return area, local


def _parse_phone(raw: str, default_area_code: str | None) -> tuple[PhoneKind, str] | str:
    """Parse to (kind, canonical form) or return a Chinese error message."""
    text = to_halfwidth(raw or "").strip()
    if not text:
        return "请填写电话号码"
    ext: str | None = None
    m = _EXTENSION.match(text)
    if m:
        text, ext = m.group(1), m.group(2)
    international = False
    if text.startswith("+"):
        if not re.match(r"\+\s*86", text):
            return "仅支持中国大陆电话号码（+86）"
        text = re.sub(r"^\+\s*86", "", text)
        international = True
    elif re.match(r"0086", text):
        text = text[4:]
        international = True
    digits = _SEPARATORS.sub("", text)
    bad = next((c for c in digits if not c.isdigit()), None)
    if bad is not None:
        return f"电话号码含非法字符“{bad}”"
    if not international and len(digits) == 13 and re.fullmatch(r"861[3-9]\d{9}", digits):
        digits, international = digits[2:], True
    if international and not digits.startswith(("1", "0")):
        digits = "0" + digits  # +86 731 … drops the trunk prefix 0 of the area code

    if ext is None and not _MOBILE.fullmatch(digits):
        # "0731-55512300-8001": the last dash group is an extension only if what precedes it is
        # a complete landline on its own; otherwise "0731 5551 2300" would lose digits.
        m2 = _TRAILING_GROUP.match(text)
        if m2 and digits.startswith("0"):
            head = _SEPARATORS.sub("", m2.group(1))
            if isinstance(_split_landline(head), tuple) and not isinstance(
                _split_landline(digits), tuple
            ):
                digits, ext = head, m2.group(2)

    if digits.startswith("1") and len(digits) == 11:
        if not _MOBILE.fullmatch(digits):
            return f"手机号码号段“{digits[:3]}”不存在"
        if ext:
            return "手机号码不能带分机号"
        return "mobile", digits
    if not international and ext is None and _SERVICE.fullmatch(digits):
        if digits[:3] in ("400", "800"):
            return "service", f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
        return "service", digits
    if digits.startswith("1"):
        return f"手机号码应为11位，实为{len(digits)}位"
    if digits.startswith("0"):
        parts = _split_landline(digits)
        if isinstance(parts, str):
            return parts
        area, local = parts
        return "landline", f"{area}-{local}" + (f"转{ext}" if ext else "")
    if len(digits) in (7, 8) and digits[0] not in "01":
        if default_area_code:
            return _parse_phone(f"{default_area_code}-{digits}" + (f"转{ext}" if ext else ""), None)
        return "固定电话缺少区号（如0731-55512300）"
    if digits[:3] in ("400", "800"):
        return f"{digits[:3]}号码应为10位，实为{len(digits)}位"
    return f"无法识别的电话号码（{len(digits)}位数字）"


def phone_kind(raw: str, *, default_area_code: str | None = None) -> PhoneKind | None:
    """ "mobile", "landline" or "service" for a valid number, else ``None``."""
    parsed = _parse_phone(raw, default_area_code)
    return parsed[0] if isinstance(parsed, tuple) else None


def check_phone(raw: str, *, default_area_code: str | None = None) -> str | None:
    """Return ``None`` for a valid mainland number, else a Chinese message.

    Accepts mobiles (optional +86/0086/86), landlines with area code and optional extension
    (转/分机/ext/-), and service numbers (12345, 95xxx, 400-xxx-xxxx …). A bare 7–8 digit local
    number is accepted only when ``default_area_code`` (e.g. "0731") is given, because the same
    local number exists in hundreds of cities.
    """
    parsed = _parse_phone(raw, default_area_code)
    return parsed if isinstance(parsed, str) else None


def normalize_phone(raw: str, *, default_area_code: str | None = None) -> str:
    """Canonical form: ``13812345678``, ``0731-55512300``, ``0731-55512300转8001``,
    ``12345``, ``400-123-4567``.

    An invalid number is returned stripped and half-width rather than raising, so that callers can
    normalise unconditionally and report ``check_phone`` separately.
    """
    parsed = _parse_phone(raw, default_area_code)
    if isinstance(parsed, tuple):
        return parsed[1]
    return to_halfwidth(raw or "").strip()
