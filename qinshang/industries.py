"""GB/T 4754-2017《国民经济行业分类》: the 20 门类 (A–T) and 97 大类 (01–97).

Enterprises are classified to the 大类 level: that is what registration certificates and the
statistics bureau's 规上企业 lists carry, and it is fine-grained enough for routing (医疗器械 is
35 专用设备制造业, 汽车零部件 36, 电池 38). 中类/小类 (four digits) would be 1,380 rows nobody in a
park picks from a menu. Names follow the 2017 standard (as amended in 2019, which changed no 大类
names); note the 2017 renames such as 05 农、林、牧、渔专业及辅助性活动, 11 开采专业及辅助性活动,
25 石油、煤炭及其他燃料加工业 and 58 多式联运和运输代理业, which older lists still get wrong.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "DIVISIONS",
    "DIVISION_NAMES",
    "SECTIONS",
    "SECTION_NAMES",
    "Section",
    "choices",
    "divisions_of",
    "is_division",
    "label",
    "section_of",
]


class Section(NamedTuple):
    code: str  # "A".."T"
    name: str
    first: int  # first division number, inclusive
    last: int  # last division number, inclusive


SECTIONS: tuple[Section, ...] = (
    Section("A", "农、林、牧、渔业", 1, 5),
    Section("B", "采矿业", 6, 12),
    Section("C", "制造业", 13, 43),
    Section("D", "电力、热力、燃气及水生产和供应业", 44, 46),
    Section("E", "建筑业", 47, 50),
    Section("F", "批发和零售业", 51, 52),
    Section("G", "交通运输、仓储和邮政业", 53, 60),
    Section("H", "住宿和餐饮业", 61, 62),
    Section("I", "信息传输、软件和信息技术服务业", 63, 65),
    Section("J", "金融业", 66, 69),
    Section("K", "房地产业", 70, 70),
    Section("L", "租赁和商务服务业", 71, 72),
    Section("M", "科学研究和技术服务业", 73, 75),
    Section("N", "水利、环境和公共设施管理业", 76, 79),
    Section("O", "居民服务、修理和其他服务业", 80, 82),
    Section("P", "教育", 83, 83),
    Section("Q", "卫生和社会工作", 84, 85),
    Section("R", "文化、体育和娱乐业", 86, 90),
    Section("S", "公共管理、社会保障和社会组织", 91, 96),
    Section("T", "国际组织", 97, 97),
)

# (two-digit code, name), in code order. The tuple index is not the code: codes are contiguous
# 01..97, so DIVISIONS[i] has code f"{i + 1:02d}", which the tests assert.
DIVISIONS: tuple[tuple[str, str], ...] = (
    # A 农、林、牧、渔业
    ("01", "农业"),
    ("02", "林业"),
    ("03", "畜牧业"),
    ("04", "渔业"),
    ("05", "农、林、牧、渔专业及辅助性活动"),
    # B 采矿业
    ("06", "煤炭开采和洗选业"),
    ("07", "石油和天然气开采业"),
    ("08", "黑色金属矿采选业"),
    ("09", "有色金属矿采选业"),
    ("10", "非金属矿采选业"),
    ("11", "开采专业及辅助性活动"),
    ("12", "其他采矿业"),
    # C 制造业
    ("13", "农副食品加工业"),
    ("14", "食品制造业"),
    ("15", "酒、饮料和精制茶制造业"),
    ("16", "烟草制品业"),
    ("17", "纺织业"),
    ("18", "纺织服装、服饰业"),
    ("19", "皮革、毛皮、羽毛及其制品和制鞋业"),
    ("20", "木材加工和木、竹、藤、棕、草制品业"),
    ("21", "家具制造业"),
    ("22", "造纸和纸制品业"),
    ("23", "印刷和记录媒介复制业"),
    ("24", "文教、工美、体育和娱乐用品制造业"),
    ("25", "石油、煤炭及其他燃料加工业"),
    ("26", "化学原料和化学制品制造业"),
    ("27", "医药制造业"),
    ("28", "化学纤维制造业"),
    ("29", "橡胶和塑料制品业"),
    ("30", "非金属矿物制品业"),
    ("31", "黑色金属冶炼和压延加工业"),
    ("32", "有色金属冶炼和压延加工业"),
    ("33", "金属制品业"),
    ("34", "通用设备制造业"),
    ("35", "专用设备制造业"),
    ("36", "汽车制造业"),
    ("37", "铁路、船舶、航空航天和其他运输设备制造业"),
    ("38", "电气机械和器材制造业"),
    ("39", "计算机、通信和其他电子设备制造业"),
    ("40", "仪器仪表制造业"),
    ("41", "其他制造业"),
    ("42", "废弃资源综合利用业"),
    ("43", "金属制品、机械和设备修理业"),
    # D 电力、热力、燃气及水生产和供应业
    ("44", "电力、热力生产和供应业"),
    ("45", "燃气生产和供应业"),
    ("46", "水的生产和供应业"),
    # E 建筑业
    ("47", "房屋建筑业"),
    ("48", "土木工程建筑业"),
    ("49", "建筑安装业"),
    ("50", "建筑装饰、装修和其他建筑业"),
    # F 批发和零售业
    ("51", "批发业"),
    ("52", "零售业"),
    # G 交通运输、仓储和邮政业
    ("53", "铁路运输业"),
    ("54", "道路运输业"),
    ("55", "水上运输业"),
    ("56", "航空运输业"),
    ("57", "管道运输业"),
    ("58", "多式联运和运输代理业"),
    ("59", "装卸搬运和仓储业"),
    ("60", "邮政业"),
    # H 住宿和餐饮业
    ("61", "住宿业"),
    ("62", "餐饮业"),
    # I 信息传输、软件和信息技术服务业
    ("63", "电信、广播电视和卫星传输服务"),
    ("64", "互联网和相关服务"),
    ("65", "软件和信息技术服务业"),
    # J 金融业
    ("66", "货币金融服务"),
    ("67", "资本市场服务"),
    ("68", "保险业"),
    ("69", "其他金融业"),
    # K 房地产业
    ("70", "房地产业"),
    # L 租赁和商务服务业
    ("71", "租赁业"),
    ("72", "商务服务业"),
    # M 科学研究和技术服务业
    ("73", "研究和试验发展"),
    ("74", "专业技术服务业"),
    ("75", "科技推广和应用服务业"),
    # N 水利、环境和公共设施管理业
    ("76", "水利管理业"),
    ("77", "生态保护和环境治理业"),
    ("78", "公共设施管理业"),
    ("79", "土地管理业"),
    # O 居民服务、修理和其他服务业
    ("80", "居民服务业"),
    ("81", "机动车、电子产品和日用产品修理业"),
    ("82", "其他服务业"),
    # P 教育
    ("83", "教育"),
    # Q 卫生和社会工作
    ("84", "卫生"),
    ("85", "社会工作"),
    # R 文化、体育和娱乐业
    ("86", "新闻和出版业"),
    ("87", "广播、电视、电影和录音制作业"),
    ("88", "文化艺术业"),
    ("89", "体育"),
    ("90", "娱乐业"),
    # S 公共管理、社会保障和社会组织
    ("91", "中国共产党机关"),
    ("92", "国家机构"),
    ("93", "人民政协、民主党派"),
    ("94", "社会保障"),
    ("95", "群众团体、社会团体和其他成员组织"),
    ("96", "基层群众自治组织及其他组织"),
    # T 国际组织
    ("97", "国际组织"),
)

SECTION_NAMES: dict[str, str] = {s.code: s.name for s in SECTIONS}
DIVISION_NAMES: dict[str, str] = dict(DIVISIONS)

# Division number → section letter, precomputed once (97 entries) so lookups are O(1).
_SECTION_BY_NUMBER: dict[int, str] = {
    n: s.code for s in SECTIONS for n in range(s.first, s.last + 1)
}


def is_division(code: str) -> bool:
    """True for a two-digit 大类 code such as "39" (a one-digit "9" is not accepted)."""
    return code in DIVISION_NAMES


def section_of(division_code: str) -> str:
    """Section letter of a 大类 ("39" → "C"). Also accepts longer codes ("3982" → "C")."""
    head = (division_code or "").strip()[:2]
    if head not in DIVISION_NAMES:
        raise KeyError(f"未知的国民经济行业大类代码：{division_code!r}")
    return _SECTION_BY_NUMBER[int(head)]


def divisions_of(section_code: str) -> tuple[tuple[str, str], ...]:
    """All (code, name) divisions of a section letter."""
    section = next((s for s in SECTIONS if s.code == section_code), None)
    if section is None:
        raise KeyError(f"未知的国民经济行业门类代码：{section_code!r}")
    return DIVISIONS[section.first - 1 : section.last]


def label(code: str) -> str:
    """Human label: "C" → "C 制造业", "39" → "C39 计算机、通信和其他电子设备制造业".

    The section letter is prefixed to divisions because that is how statistics forms print them
    (C39), and it lets users see at a glance that 35 and 36 are both manufacturing.
    """
    code = (code or "").strip().upper()
    if code in SECTION_NAMES:
        return f"{code} {SECTION_NAMES[code]}"
    if code in DIVISION_NAMES:
        return f"{section_of(code)}{code} {DIVISION_NAMES[code]}"
    raise KeyError(f"未知的国民经济行业分类代码：{code!r}")


def choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices for a two-level select (Django's optgroup format).

    ``[("A 农、林、牧、渔业", [("01", "01 农业"), …]), …]`` — the stored value is the 大类 code.
    """
    return [
        (
            f"{s.code} {s.name}",
            [(code, f"{code} {name}") for code, name in divisions_of(s.code)],
        )
        for s in SECTIONS
    ]
