"""Intake assistant: what a free-text note (a hotline call written down, a WeChat message, a
visit note) says about who, how to reach them, where, how much and by when. No Django here: the
park's registry comes in as `Registered` rows (routing.intake builds them from
entities.services.visible_entities), dates are read relative to a given day.

    extract("我是恒欣实业的王建国，电话13812345678，500万元贷款3月5日前到位", today=…, registry=…)

Each value keeps the piece of text it came from, so the form can say what was read where.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Registered:
    """One enterprise of the registry: id, full name, 统一社会信用代码."""

    id: int
    name: str
    credit_code: str = ""


@dataclass(frozen=True)
class EntityMatch:
    id: int
    name: str
    text: str  # what the note said
    how: str  # 全称 / 简称 / 统一社会信用代码


@dataclass(frozen=True)
class Amount:
    value: Decimal
    unit: str  # 元 / 万元 / 亿元
    text: str

    @property
    def wan(self) -> Decimal:
        """In 万元, the unit the ledger keeps money in."""
        return {"元": self.value / 10000, "万元": self.value, "亿元": self.value * 10000}[self.unit]


@dataclass(frozen=True)
class DateRef:
    date: dt.date
    text: str
    deadline: bool  # "…前", "截止…", "N天内": a limit rather than a moment


@dataclass
class Extraction:
    enterprise: EntityMatch | None = None
    credit_code: str = ""
    contact_name: str = ""
    mobiles: list[str] = field(default_factory=list)
    landlines: list[str] = field(default_factory=list)
    address: str = ""
    amounts: list[Amount] = field(default_factory=list)
    dates: list[DateRef] = field(default_factory=list)

    @property
    def deadline(self) -> DateRef | None:
        limits = [d for d in self.dates if d.deadline]
        return min(limits, key=lambda d: d.date) if limits else None

    @property
    def phone(self) -> str:
        """The number to call back: a mobile first, else a landline."""
        return (self.mobiles or self.landlines or [""])[0]

    def is_empty(self) -> bool:
        return not (
            self.enterprise
            or self.credit_code
            or self.contact_name
            or self.mobiles
            or self.landlines
            or self.address
            or self.amounts
            or self.dates
        )


# --------------------------------------------------------------------------- text helpers

_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９（）：，－—．", "0123456789():,--.", ""
)  # fmt: skip


def _prepare(text: str) -> str:
    return (text or "").translate(_FULLWIDTH).replace("\u3000", " ").replace("\xa0", " ")


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def cn_number(s: str) -> int | None:
    """一百二十 → 120, 十五 → 15, 三 → 3, 25 → 25; None when it is not a number."""
    if s.isdigit():
        return int(s)
    if not s or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in s):
        return None
    total, digit = 0, None
    for ch in s:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
    return total + (digit or 0)


# --------------------------------------------------------------------------- enterprise

CREDIT_RE = re.compile(
    r"(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])"
)
_REGION = re.compile(
    r"^(?:中国|湖南省?|湘潭市?|湘潭经开区|湘潭经济技术开发区|经开区|岳塘区?|雨湖区?|湘潭县|"
    r"[\u4e00-\u9fa5]{2,3}(?:省|市|县|区))+"
)
_SUFFIX = re.compile(
    r"(?:股份有限公司|有限责任公司|集团有限公司|有限公司|集团|公司|分公司|厂|合作社|"
    r"个体工商户|门店|店|经营部|商行)$"
)
_TRADE_WORD = (
    r"(?:科技|实业|机械|电子|新材料|材料|智能|制造|电气|汽车|零部件|物流|贸易|建材|工程|"
    r"环保|能源|化工|食品|医药|生物|装备|精密|信息|网络|商贸|服务|餐饮|超市|发展|投资)"
)


def short_names(name: str) -> list[str]:
    """Names a caller uses for a registered enterprise: 湘潭恒欣实业有限公司 → 恒欣实业, 恒欣."""
    out: list[str] = []
    core = _REGION.sub("", name.strip())
    core = re.sub(r"[(（][^)）]*[)）]", "", core)
    for _ in range(2):
        core = _SUFFIX.sub("", core)
    if len(core) >= 2 and core != name:
        out.append(core)
    # Trade words come off one at a time: 华瑞新材料科技 → 华瑞新材料 → 华瑞.
    part = core
    while True:
        m = re.search(_TRADE_WORD + "$", part)
        if not m or len(part) - len(m.group()) < 2:
            break
        part = part[: m.start()]
        if part not in out:
            out.append(part)
    return out


def _match_enterprise(text: str, registry: Sequence[Registered]) -> EntityMatch | None:
    codes = {r.credit_code.upper(): r for r in registry if r.credit_code}
    for m in CREDIT_RE.finditer(text.upper()):
        hit = codes.get(m.group())
        if hit:
            return EntityMatch(hit.id, hit.name, m.group(), "统一社会信用代码")
    best: tuple[int, int, EntityMatch] | None = None  # (length, rank of how, match)
    for r in registry:
        keys = [(r.name, "全称", 0)] + [(s, "简称", 1) for s in short_names(r.name)]
        for key, how, rank in keys:
            if len(key) < 2:
                continue
            pos = text.find(key)
            if pos < 0:
                continue
            cand = EntityMatch(r.id, r.name, key, how)
            score = (len(key), -rank)
            if best is None or score > (best[0], best[1]):
                best = (score[0], score[1], cand)
    return best[2] if best else None


# --------------------------------------------------------------------------- people, phones

_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰"
    "焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁"
    "蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂"
    "全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
_TITLES = (
    "先生|女士|小姐|经理|总经理|董事长|厂长|主任|科长|会计|主管|总监|部长|局长|老板|师傅|工|总"
)
_NAME_CHARS = r"[\u4e00-\u9fa5]"
_NAME_PATTERNS = [
    re.compile(
        rf"(?:联系人|联络人|对接人|负责人|经办人|姓名|来电人|反映人)\s*[:：是为]?\s*(?P<n>{_NAME_CHARS}{{2,3}})(?=[,，。;；、\s(（电手联座0-9]|$)"
    ),
    re.compile(
        rf"(?:我是|我叫|本人|鄙人)\s*(?:(?:〔企业〕|[\u4e00-\u9fa5]{{2,20}}(?:公司|厂|店))的?)?(?P<n>{_NAME_CHARS}{{2,3}})(?=[,，。;；、\s(（电手联座0-9]|$)"
    ),
    re.compile(
        rf"(?P<n>{_NAME_CHARS}(?:{_TITLES}))(?=[^\u4e00-\u9fa5]|电话|手机|联系|反映|来电|说|称|表示|$)"
    ),
]
MOBILE_RE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
LANDLINE_RE = re.compile(
    r"(?<![\d-])(?:\(?(0\d{2,3})\)?[- ]?)(\d{7,8})(?:(?:-|转)(\d{1,5}))?(?!\d)"
)


def _contact_name(text: str) -> str:
    for pat in _NAME_PATTERNS:
        for m in pat.finditer(text):
            n = m.group("n")
            if n and n[0] in _SURNAMES and not any(w in n for w in ("公司", "园区", "企业")):
                return n
    return ""


def _phones(text: str) -> tuple[list[str], list[str]]:
    mobiles: list[str] = []
    for m in MOBILE_RE.finditer(text):
        num = "".join(m.groups())
        if num not in mobiles:
            mobiles.append(num)
    masked = MOBILE_RE.sub(" ", text)
    # Credit codes and long money figures are digits too: take them out first.
    masked = CREDIT_RE.sub(" ", masked.upper())
    landlines: list[str] = []
    for m in LANDLINE_RE.finditer(masked):
        area, num, ext = m.groups()
        if area.startswith("00"):
            continue
        value = f"{area}-{num}" + (f"-{ext}" if ext else "")
        if value not in landlines:
            landlines.append(value)
    return mobiles, landlines


# --------------------------------------------------------------------------- address

_ADDR_LABEL = re.compile(
    r"(?:地址|地点|位于|住址|厂址|坐落于|位置)\s*[:：在是]?\s*(?P<a>[^，,。；;！!？?\n]{4,60})"
)
_ADDR_FREE = re.compile(
    r"(?P<a>(?:[\u4e00-\u9fa5]{2,6}(?:省|市|区|县))*[\u4e00-\u9fa5]{0,10}?"
    r"[\u4e00-\u9fa50-9]{1,12}(?:路|街|大道|大街|巷|道)(?:[0-9]+号)?"
    r"(?:[\u4e00-\u9fa5A-Za-z0-9]{0,16}?(?:[0-9A-Za-z]+(?:栋|号楼|楼|单元|室|号|厂房|车间)))*)"
)


def _address(text: str) -> str:
    m = _ADDR_LABEL.search(text)
    if m:
        return m.group("a").strip(" ：:")
    best = ""
    for m in _ADDR_FREE.finditer(text):
        a = m.group("a")
        # "门口道路" or "街道办" is no address: a free-standing one needs its door number.
        if re.search(r"\d+号", a) and len(a) > len(best):
            best = a
    return best


# --------------------------------------------------------------------------- amounts

AMOUNT_RE = re.compile(
    r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)\s*"
    r"(?P<unit>亿元|万元|元|亿(?!平|亩|吨|人|台|件|个|次|方|千瓦|度|米)|万(?!平|亩|吨|人|台|件|个|次|方|千瓦|度|米|元))"
)


def _amounts(text: str) -> list[Amount]:
    out: list[Amount] = []
    for m in AMOUNT_RE.finditer(text):
        raw = m.group("num").replace(",", "")
        if raw.isdigit() or re.fullmatch(r"\d+\.\d+", raw):
            try:
                value = Decimal(raw)
            except InvalidOperation:
                continue
        else:
            n = cn_number(raw)
            if n is None:
                continue
            value = Decimal(n)
        unit = m.group("unit")
        unit = {"亿": "亿元", "万": "万元"}.get(unit, unit)
        # "2026年" and phone digits are not money; neither is a lone 元 after a date.
        if unit == "元" and m.start() > 0 and text[m.start() - 1] in "年月日":
            continue
        out.append(Amount(value, unit, m.group()))
    return out


# --------------------------------------------------------------------------- dates

_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5}
_DEADLINE_AFTER = re.compile(r"^\s*(?:之前|以前|前|为止|截止|截至|内|之内|以内|到期)")
_DEADLINE_BEFORE = re.compile(
    r"(?:截止|截至|最迟|最晚|不晚于|务必在|必须在|须在|务必|要求在|限|到)\s*$"
)
_DATE_RE = re.compile(
    r"(?P<iso>(?P<iy>\d{4})[-/.](?P<im>\d{1,2})[-/.](?P<id>\d{1,2})(?!\d))"
    r"|(?P<ymd>(?:(?P<y>\d{4})年)?(?P<m>\d{1,2}|[一二三四五六七八九十]{1,2})月"
    r"(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})(?:日|号)?)"
    r"|(?P<ym_end>(?:(?P<y2>\d{4})年)?(?P<m2>\d{1,2}|[一二三四五六七八九十]{1,2})月(?:底|末))"
    r"|(?P<rel>今天|今日|明天|明日|后天|大后天|昨天)"
    r"|(?P<wk>(?P<which>下下|下个?|本|这个?|上个?)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天末]))"
    r"|(?P<mend>(?P<mwhich>本|这个?|下个?)?月(?:底|末))"
    r"|(?P<yend>(?P<ywhich>今|本|明)?年(?:底|末))"
    r"|(?P<within>(?P<n>\d{1,3}|[一二两三四五六七八九十]{1,3})\s*(?P<wu>个工作日|个?工作日|天|日|周|个月)(?:之内|以内|内))"
    r"|(?P<dom>(?<![月\d])(?P<d3>\d{1,2})(?:日|号)(?=之前|以前|前))"
)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: dt.date, n: int) -> tuple[int, int]:
    m = day.month - 1 + n
    return day.year + m // 12, m % 12 + 1


def _resolve(
    m: re.Match[str], today: dt.date, add_working_days: object
) -> tuple[dt.date, bool] | None:
    """(date, is_a_limit_by_its_own_words) for one match."""
    g = m.groupdict()
    try:
        if g["iso"]:
            return dt.date(int(g["iy"]), int(g["im"]), int(g["id"])), False
        if g["ymd"]:
            month, day = cn_number(g["m"]), cn_number(g["d"])
            if month is None or day is None:
                return None
            year = int(g["y"]) if g["y"] else today.year
            d = dt.date(year, month, day)
            if not g["y"] and (today - d).days > 180:
                d = dt.date(year + 1, month, day)
            return d, False
        if g["ym_end"]:
            month = cn_number(g["m2"])
            if month is None:
                return None
            year = int(g["y2"]) if g["y2"] else today.year
            if not g["y2"] and month < today.month - 6:
                year += 1
            return _month_end(year, month), True
        if g["rel"]:
            offset = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}
            return today + dt.timedelta(days=offset.get(g["rel"], -1)), False
        if g["wk"]:
            which = (g["which"] or "").rstrip("个")
            wd = _WEEKDAYS[g["wd"]]
            monday = today - dt.timedelta(days=today.weekday())
            weeks = {"下下": 2, "下": 1, "上": -1}.get(which, 0)
            d = monday + dt.timedelta(weeks=weeks, days=wd)
            if not which and d < today:
                d += dt.timedelta(weeks=1)  # a bare "周五" after Friday is the coming one
            return d, g["wd"] == "末"
        if g["mend"]:
            which = (g["mwhich"] or "").rstrip("个")
            y, mth = _add_months(today, 1 if which == "下" else 0)
            return _month_end(y, mth), True
        if g["yend"]:
            year = today.year + (1 if g["ywhich"] == "明" else 0)
            return dt.date(year, 12, 31), True
        if g["within"]:
            n = cn_number(g["n"])
            if n is None:
                return None
            unit = g["wu"]
            if "工作日" in unit and callable(add_working_days):
                return add_working_days(today, n), True
            if "工作日" in unit:
                return today + dt.timedelta(days=n * 7 // 5), True
            if unit in ("天", "日"):
                return today + dt.timedelta(days=n), True
            if unit == "周":
                return today + dt.timedelta(weeks=n), True
            y, mth = _add_months(today, n)
            return dt.date(y, mth, min(today.day, calendar.monthrange(y, mth)[1])), True
        if g["dom"]:
            day = int(g["d3"])
            d = dt.date(today.year, today.month, day)
            if d < today:
                y, mth = _add_months(today, 1)
                d = dt.date(y, mth, day)
            return d, True
    except ValueError:  # 2月30日
        return None
    return None


def _dates(text: str, today: dt.date, add_working_days: object) -> list[DateRef]:
    out: list[DateRef] = []
    for m in _DATE_RE.finditer(text):
        got = _resolve(m, today, add_working_days)
        if got is None:
            continue
        d, limit = got
        after = text[m.end() : m.end() + 4]
        before = text[max(0, m.start() - 6) : m.start()]
        tail = _DEADLINE_AFTER.match(after)
        if tail or _DEADLINE_BEFORE.search(before):
            limit = True
        shown = m.group() + (tail.group() if tail else "")
        out.append(DateRef(d, shown.strip(), limit))
    return out


# --------------------------------------------------------------------------- entry point


def extract(
    text: str,
    today: dt.date,
    registry: Iterable[Registered] = (),
    add_working_days: object = None,
) -> Extraction:
    """Everything the note says that the intake form asks for. `add_working_days(day, n)`
    (workcal's) resolves "N个工作日内"; without it a working week is five days of seven."""
    t = _prepare(text)
    reg = list(registry)
    out = Extraction()
    out.enterprise = _match_enterprise(t, reg)
    codes = CREDIT_RE.findall(t.upper())
    out.credit_code = codes[0] if codes else ""
    out.mobiles, out.landlines = _phones(t)
    name_text = t
    if out.enterprise:
        name_text = t.replace(out.enterprise.text, "〔企业〕")
    out.contact_name = _contact_name(name_text)
    out.address = _address(t)
    # Phone numbers and credit codes are not amounts or dates.
    scrubbed = CREDIT_RE.sub(" ", MOBILE_RE.sub(" ", t))
    scrubbed = LANDLINE_RE.sub(" ", scrubbed)
    out.amounts = _amounts(scrubbed)
    out.dates = _dates(scrubbed, today, add_working_days)
    return out


__all__ = [
    "Amount",
    "DateRef",
    "EntityMatch",
    "Extraction",
    "Registered",
    "cn_number",
    "extract",
    "short_names",
]
