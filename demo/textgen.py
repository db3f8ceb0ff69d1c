"""Deterministic generators for a realistic demo park modelled on 湘潭经开区 (九华).

Everything takes a seeded ``random.Random`` and uses nothing else that varies, so one seed always
yields the same park: departments, catalogue, enterprises, residents, demand texts and replies.
The module is plain data and functions (no Django) and imports in a few milliseconds.

Sources: the department list, the demand categories and the vocabulary follow the two newspaper
pages in ``shared/seeds`` (一对一专属服务员, 766 problems split over 27 departments, 融资困难、
用地需求、培训指导、市场拓展、基础设施建设 …, 我为群众办实事 with 公交、消防通道、饮水).
Place names from the seeds are real (保税路、石码头路、金鹏路, 九华街道船形山社区, 和平街道民乐
社区金水湾小区, 响水乡塘高村/红砂村/黄龙村/桂花村); other roads, communities and every
enterprise and person are invented for the demo and marked as such below.

Public API
----------
- ``DEPARTMENTS`` (27 ``Department``), ``DEPARTMENT_BY_NAME``, ``DEPARTMENT_BY_CODE``,
  ``DISPATCH_CENTRE``
- ``CATALOGUE`` (``Category`` with ``Subcategory`` children), ``SUBCATEGORIES``, ``parent_of``,
  ``route``, ``random_category``
- ``Entity`` and ``make_enterprise`` / ``make_shop`` / ``make_project`` / ``make_resident`` /
  ``make_community`` / ``make_entity`` / ``make_entities``, ``person_name``, ``mobile_number``
- ``demand_text``, ``answer_text``, ``return_reason_text``, ``extension_reason_text``,
  ``visit_note_text``, ``rating_comment``, ``urge_text``
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from qinshang.industries import DIVISION_NAMES
from qinshang.validators import make_credit_code

__all__ = [
    "CATALOGUE",
    "DEPARTMENTS",
    "DEPARTMENT_BY_CODE",
    "DEPARTMENT_BY_NAME",
    "DISPATCH_CENTRE",
    "ENTITY_KINDS",
    "OUTCOMES",
    "RETURN_REASONS",
    "ROADS",
    "SATISFACTIONS",
    "STREETS",
    "SUBCATEGORIES",
    "Category",
    "Department",
    "Entity",
    "Subcategory",
    "answer_text",
    "categories_for",
    "demand_text",
    "extension_reason_text",
    "make_community",
    "make_enterprise",
    "make_entities",
    "make_entity",
    "make_project",
    "make_resident",
    "make_shop",
    "mobile_number",
    "parent_of",
    "person_name",
    "random_category",
    "rating_comment",
    "return_reason_text",
    "route",
    "template_slots",
    "urge_text",
    "visit_note_text",
]

# =============================================================================================
# Departments
# =============================================================================================


class Department(NamedTuple):
    code: str  # ASCII slug, unique, ≤ 30 chars (orgs.Department.code)
    name: str  # how the park names it in ledgers and dispatch notes; unique
    full_name: str  # official name, e.g. for vertical branches of city bureaus
    duty: str  # one-line 职责, shown to dispatchers to help route
    kind: str  # "dispatch" | "office" | "bureau" | "branch" | "territorial" | "company"


# The first entry is the dispatch centre. "branch" marks vertically managed branches of city or
# national bodies (分局, 税务局): they answer to the park for demands but are staffed from outside,
# which matters for supervision. "territorial" (属地) units get resident demands by address.
DEPARTMENTS: tuple[Department, ...] = (
    Department(
        "yshj",
        "优化营商环境协调事务中心",
        "湘潭经开区优化营商环境协调事务中心",
        "诉求受理、分类交办、督办销号，亲商优商企业接待日组织，营商环境投诉举报受理",
        "dispatch",
    ),
    Department(
        "dzb",
        "党政综合办公室",
        "湘潭经开区党政综合办公室",
        "综合协调、督查督办、政务信息、信访接待、机关事务",
        "office",
    ),
    Department(
        "dqb",
        "党群工作部",
        "湘潭经开区党群工作部",
        "非公企业和社会组织党建、党员教育管理、工会共青团妇联等群团工作",
        "office",
    ),
    Department(
        "jfkj",
        "经济发展和科技局",
        "湘潭经开区经济发展和科技局",
        "工业经济运行、企业培育、专精特新与高新技术企业认定、技改与智能制造、科技创新、要素调度",
        "bureau",
    ),
    Department(
        "tzcj",
        "投资促进局",
        "湘潭经开区投资促进局",
        "招商引资、项目签约与入园协议履约、展会推介、客商服务",
        "bureau",
    ),
    Department(
        "cyfz",
        "产业发展局",
        "湘潭经开区产业发展局",
        "产业规划、现代服务业和乡村振兴、农业农村与生态补偿项目",
        "bureau",
    ),
    Department(
        "czj",
        "财政局",
        "湘潭经开区财政局",
        "奖补资金兑现、政府采购、国有资产、清理拖欠中小企业账款",
        "bureau",
    ),
    Department(
        "swj",
        "税务局",
        "国家税务总局湘潭经济技术开发区税务局",
        "税费征管与优惠政策落实、留抵退税、出口退税、纳税服务",
        "branch",
    ),
    Department(
        "jrfw",
        "金融服务中心",
        "湘潭经开区科技金融服务中心",
        "银企对接、贷款贴息、转贷应急资金、政府性融资担保、上市挂牌培育",
        "bureau",
    ),
    Department(
        "xzsp",
        "行政审批服务局",
        "湘潭经开区行政审批服务局",
        "政务服务大厅、证照办理、施工许可、联合验收、帮办代办",
        "bureau",
    ),
    Department(
        "ghjs",
        "规划建设局",
        "湘潭经开区规划建设局（住房和城乡建设局）",
        "市政道路与管网建设、住房和物业管理、消防设计审查验收、建筑市场、交通运输协调",
        "bureau",
    ),
    Department(
        "zrzy",
        "自然资源和规划分局",
        "湘潭市自然资源和规划局湘潭经开区分局",
        "用地报批与供应、规划许可与核实、不动产登记、测绘",
        "branch",
    ),
    Department(
        "sthj",
        "生态环境分局",
        "湘潭市生态环境局湘潭经开区分局",
        "环评审批、排污许可、环境执法、污染投诉、农村生活污水治理",
        "branch",
    ),
    Department(
        "yjgl",
        "应急管理局",
        "湘潭经开区应急管理局（安全生产监督管理局）",
        "安全生产监管、隐患排查治理、安全培训、应急救援与防汛",
        "bureau",
    ),
    Department(
        "scjg",
        "市场监督管理分局",
        "湘潭市市场监督管理局湘潭经开区分局",
        "市场主体登记、特种设备、计量、知识产权、涉企收费与价格监管、食品安全",
        "branch",
    ),
    Department(
        "rsj",
        "人力资源和社会保障局",
        "湘潭经开区人力资源和社会保障局",
        "招聘用工、职业技能培训、人才引进与补贴、社保、劳动关系与欠薪处置",
        "bureau",
    ),
    Department(
        "jwj",
        "教育文卫局",
        "湘潭经开区教育文卫局",
        "学校与学位安排、随迁子女入学、卫生健康与疫情防控、文化体育",
        "bureau",
    ),
    Department(
        "shsw",
        "社会事务局",
        "湘潭经开区社会事务局",
        "民政救助、城乡居民社保医保经办、退役军人服务、残疾人工作",
        "bureau",
    ),
    Department(
        "cgzf",
        "城市管理和综合执法局",
        "湘潭经开区城市管理和综合执法局",
        "市容环卫、路灯绿化、违建与占道治理、噪音与渣土执法、停车秩序",
        "bureau",
    ),
    Department(
        "gafj",
        "公安分局",
        "湘潭市公安局经开区分局",
        "治安防控、交通管理（交警大队）、户籍、企业周边治安",
        "branch",
    ),
    Department(
        "zdcq",
        "征地拆迁事务中心",
        "湘潭经开区征地拆迁事务中心",
        "征地拆迁、补偿兑付、安置房建设与分配、征拆遗留问题",
        "bureau",
    ),
    Department(
        "kfjt",
        "园区开发建设集团",
        "湘潭九华开发建设集团有限公司",
        "标准厂房建设与租售、园区基础设施代建、产业园运营",
        "company",
    ),
    Department(
        "gysy",
        "公用事业服务中心",
        "湘潭经开区公用事业服务中心",
        "水电气讯保障协调（对接国网湘潭供电公司、供水和燃气公司、通信运营商）、停水停电抢修",
        "bureau",
    ),
    Department(
        "zbq",
        "综合保税区管理局",
        "湘潭综合保税区管理局",
        "外贸促进、通关便利协调、保税加工与跨境电商、出口信保",
        "bureau",
    ),
    Department(
        "jhjd",
        "九华街道办事处",
        "湘潭经开区九华街道办事处",
        "九华街道属地管理：社区治理、环境卫生、民生服务、矛盾调处",
        "territorial",
    ),
    Department(
        "hpjd",
        "和平街道办事处",
        "湘潭经开区和平街道办事处",
        "和平街道属地管理：社区治理、物业小区、安置小区、民生服务",
        "territorial",
    ),
    Department(
        "xsx",
        "响水乡人民政府",
        "湘潭经开区响水乡人民政府",
        "响水乡属地管理：村组道路、农村饮水、村民出行、生态绿心保护",
        "territorial",
    ),
)

DEPARTMENT_BY_NAME: dict[str, Department] = {d.name: d for d in DEPARTMENTS}
DEPARTMENT_BY_CODE: dict[str, Department] = {d.code: d for d in DEPARTMENTS}
DISPATCH_CENTRE: Department = DEPARTMENTS[0]
# Functional departments (not the dispatch centre, not 属地 units): candidates for "wrong office"
# and "which office was slow" texts.
_BUREAU_NAMES: tuple[str, ...] = tuple(
    d.name for d in DEPARTMENTS if d.kind not in ("dispatch", "territorial")
)

# 属地 units with their communities. Seed names first; the rest are invented for the demo.
STREETS: dict[str, tuple[str, ...]] = {
    "九华街道办事处": ("船形山社区", "九华湖社区", "金霞社区", "白石港社区", "双拥社区"),
    "和平街道办事处": ("民乐社区", "和平社区", "梅林社区", "仙女社区"),
    "响水乡人民政府": ("塘高村", "红砂村", "黄龙村", "桂花村", "响水村"),
}
_STREET_SHORT = {
    "九华街道办事处": "九华街道",
    "和平街道办事处": "和平街道",
    "响水乡人民政府": "响水乡",
}

# =============================================================================================
# Demand catalogue
# =============================================================================================


class Subcategory(NamedTuple):
    code: str  # slug, "<level-1 code>-<suffix>", ≤ 40 chars (demands.Category.code)
    name: str
    lead: str  # default lead department, by name (a key of DEPARTMENT_BY_NAME)
    co: tuple[str, ...]  # default co-departments, by name
    days: int  # time limit in working days
    # True when the 属地 unit of the requester's address joins as co-department (see ``route``):
    # resident matters are always handled together with the street or township.
    territorial: bool = False


class Category(NamedTuple):
    code: str
    name: str
    for_residents: bool
    weight: int  # relative frequency in demo data, from the seeds' emphasis
    children: tuple[Subcategory, ...]


def _sub(
    code: str, name: str, lead: str, co: Sequence[str] = (), days: int = 10, *, ter: bool = False
) -> Subcategory:
    return Subcategory(code, name, lead, tuple(co), days, ter)


_JF, _TC, _CZ, _JR = "经济发展和科技局", "投资促进局", "财政局", "金融服务中心"
_RS, _GH, _ZR, _ST = "人力资源和社会保障局", "规划建设局", "自然资源和规划分局", "生态环境分局"
_YJ, _SC, _XZ, _CG = "应急管理局", "市场监督管理分局", "行政审批服务局", "城市管理和综合执法局"
_GY, _JW, _ZB, _ZD = "公用事业服务中心", "教育文卫局", "综合保税区管理局", "征地拆迁事务中心"
_YS = "优化营商环境协调事务中心"

CATALOGUE: tuple[Category, ...] = (
    Category(
        "financing",
        "融资困难",
        False,
        10,
        (
            _sub("financing-loan", "流动资金贷款", _JR, (), 10),
            _sub("financing-subsidy", "贷款贴息与担保", _JR, (_CZ,), 15),
            _sub("financing-listing", "上市挂牌培育", _JR, (_JF,), 20),
            _sub("financing-arrears", "账款拖欠清理", _CZ, (_JF,), 15),
        ),
    ),
    Category(
        "land",
        "用地需求",
        False,
        7,
        (
            _sub("land-supply", "项目用地报批", _ZR, (_ZD, _TC), 20),
            _sub("land-plant", "标准厂房租赁", "园区开发建设集团", (_TC,), 10),
            _sub("land-certificate", "不动产权证办理", _ZR, (), 15),
            _sub("land-expropriation", "征拆遗留问题", _ZD, (), 20, ter=True),
        ),
    ),
    Category(
        "training",
        "培训指导",
        False,
        5,
        (
            _sub("training-skills", "职业技能培训", _RS, (), 10),
            _sub("training-safety", "安全生产培训", _YJ, (), 5),
            _sub("training-policy", "政策申报辅导", _JF, (), 5),
            _sub("training-management", "企业管理提升", _JF, (), 10),
        ),
    ),
    Category(
        "market",
        "市场拓展",
        False,
        6,
        (
            _sub("market-matching", "本地供需对接", _JF, (_TC,), 15),
            _sub("market-promotion", "产品推介与展会", _TC, (), 10),
            _sub("market-procurement", "政府采购与本地配套", _CZ, (_GH,), 10),
        ),
    ),
    Category(
        "infrastructure",
        "基础设施建设",
        False,
        8,
        (
            _sub("infrastructure-road", "道路及配套", _GH, ("园区开发建设集团",), 20),
            _sub("infrastructure-drainage", "排水防涝与管网", _GH, (_CG,), 10),
            _sub("infrastructure-lighting", "路灯绿化与标识", _CG, (), 10),
            _sub("infrastructure-network", "通信网络覆盖", _GY, (_JF,), 15),
        ),
    ),
    Category(
        "policy",
        "惠企政策",
        False,
        8,
        (
            _sub("policy-consult", "政策咨询", _JF, (), 5),
            _sub("policy-funds", "奖补资金兑现", _CZ, (_JF,), 15),
            _sub("policy-qualification", "专精特新与高企认定", _JF, (), 15),
            _sub("policy-investment", "招商协议履约", _TC, (_CZ,), 20),
        ),
    ),
    Category(
        "talent",
        "人才用工",
        False,
        7,
        (
            _sub("talent-recruit", "招工用工", _RS, (), 10),
            _sub("talent-introduction", "人才引进与安居", _RS, (_GH,), 15),
            _sub("talent-school", "校企合作", _RS, (_JW,), 15),
            _sub("talent-labour", "劳动关系与社保", _RS, (), 10),
        ),
    ),
    Category(
        "safety",
        "安全环保",
        False,
        6,
        (
            _sub("safety-production", "安全生产隐患", _YJ, (), 5),
            _sub("safety-eia", "环评与排污许可", _ST, (_XZ,), 20),
            _sub("safety-fire", "消防验收与整改", _GH, (_YJ,), 10),
            _sub("safety-pollution", "污染投诉与环保整改", _ST, (), 5),
        ),
    ),
    Category(
        "approval",
        "审批服务",
        False,
        5,
        (
            _sub("approval-construction", "施工许可与竣工验收", _XZ, (_GH,), 10),
            _sub("approval-license", "证照办理", _XZ, (_SC,), 5),
            _sub("approval-planning", "规划许可与核实", _ZR, (), 10),
        ),
    ),
    Category(
        "utilities",
        "水电气保障",
        False,
        6,
        (
            _sub("utilities-power", "供电增容与接入", _GY, (), 10),
            _sub("utilities-water", "供水保障", _GY, (), 5),
            _sub("utilities-gas", "天然气接入", _GY, (_GH,), 10),
            _sub("utilities-outage", "停水停电抢修", _GY, (), 3),
        ),
    ),
    Category(
        "schooling",
        "子女就学",
        False,
        3,
        (
            _sub("schooling-enrol", "员工子女入学", _JW, (), 15),
            _sub("schooling-transfer", "人才子女转学", _JW, (_RS,), 10),
            _sub("schooling-care", "托育与课后服务", _JW, (), 10),
        ),
    ),
    Category(
        "transport",
        "交通出行",
        False,
        4,
        (
            _sub("transport-bus", "公交通勤", _GH, (), 20),
            _sub("transport-parking", "停车与货车通行", "公安分局", (_CG,), 10),
            _sub("transport-signal", "交通信号与标线", "公安分局", (_GH,), 10),
        ),
    ),
    Category(
        "innovation",
        "研发创新",
        False,
        4,
        (
            _sub("innovation-platform", "研发平台与首台套", _JF, (), 20),
            _sub("innovation-ip", "知识产权", _SC, (), 10),
            _sub("innovation-cooperation", "产学研合作", _JF, (_RS,), 15),
            _sub("innovation-digital", "智能化数字化改造", _JF, (), 15),
        ),
    ),
    Category(
        "trade",
        "外贸提升",
        False,
        3,
        (
            _sub("trade-customs", "通关便利", _ZB, (), 5),
            _sub("trade-orders", "外贸订单与出口信保", _ZB, (_JR,), 10),
            _sub("trade-bonded", "保税业务与跨境电商", _ZB, (), 15),
        ),
    ),
    Category(
        "tax",
        "减税降费",
        False,
        4,
        (
            _sub("tax-refund", "留抵退税与出口退税", "税务局", (), 10),
            _sub("tax-incentive", "税收优惠辅导", "税务局", (), 5),
            _sub("tax-fees", "涉企收费", _SC, (_CZ,), 10),
        ),
    ),
    Category(
        "supply",
        "要素保障",
        False,
        3,
        (
            _sub("supply-logistics", "物流保通保畅", _JF, ("公安分局",), 3),
            _sub("supply-epidemic", "疫情防控与复工复产", _JW, (_JF,), 3),
            _sub("supply-materials", "原材料与能耗指标", _JF, (), 10),
        ),
    ),
    Category(
        "party",
        "党建",
        False,
        2,
        (
            _sub("party-organize", "党组织组建", "党群工作部", (), 15),
            _sub("party-activity", "党建活动阵地", "党群工作部", (), 10),
            _sub("party-union", "工会与群团组织", "党群工作部", (), 10),
        ),
    ),
    Category(
        "business",
        "营商环境",
        False,
        3,
        (
            _sub("business-conduct", "办事效率与作风", _YS, ("党政综合办公室",), 5),
            _sub("business-enforcement", "涉企检查与执法", _YS, (_SC,), 10),
            _sub("business-security", "企业周边治安", "公安分局", (), 5),
        ),
    ),
    # 我为群众办实事: the ledger's five classes as the seeds name them (企业难题、群众忧愁、基层服务、
    # 乡村振兴、志愿服务微心愿); residents and village committees file them.
    Category(
        "banshi-enterprise",
        "企业难题",
        True,
        2,
        (
            _sub("banshi-enterprise-jobs", "校企对接与招工", _RS, (_JW,), 10),
            _sub("banshi-enterprise-commute", "员工通勤与周边配套", _GH, (), 10, ter=True),
        ),
    ),
    Category(
        "residents",
        "群众忧愁",
        True,
        8,
        (
            _sub("residents-sanitation", "环境卫生", _CG, (), 5, ter=True),
            _sub("residents-noise", "噪音扰民", _CG, (_ST,), 5, ter=True),
            _sub("residents-property", "物业纠纷", _GH, (), 10, ter=True),
            _sub("residents-parking", "停车与消防通道", _CG, ("公安分局",), 10, ter=True),
        ),
    ),
    Category(
        "grassroots",
        "基层服务",
        True,
        3,
        (
            _sub("grassroots-insurance", "社保医保", "社会事务局", (_RS,), 10),
            _sub("grassroots-resettlement", "拆迁安置", _ZD, (), 20, ter=True),
        ),
    ),
    Category(
        "livelihood",
        "乡村振兴",
        True,
        4,
        (
            _sub("livelihood-water", "饮水安全", "产业发展局", (_GY,), 15, ter=True),
            _sub("livelihood-transit", "村组公交", _GH, (), 20, ter=True),
            _sub("livelihood-road", "道路维修", _GH, (), 10, ter=True),
        ),
    ),
    Category(
        "wishes",
        "志愿服务微心愿",
        True,
        2,
        (
            _sub("wishes-assistance", "困难救助", "社会事务局", (), 10, ter=True),
            _sub("wishes-wish", "志愿服务微心愿", "社会事务局", (), 10, ter=True),
        ),
    ),
)

SUBCATEGORIES: dict[str, Subcategory] = {s.code: s for c in CATALOGUE for s in c.children}
_PARENT: dict[str, Category] = {s.code: c for c in CATALOGUE for s in c.children}
_LEVEL1: dict[str, Category] = {c.code: c for c in CATALOGUE}

# Outcome, satisfaction and return-reason codes mirror demands.models choices; labels accepted too.
OUTCOMES: dict[str, str] = {
    "solved": "已解决",
    "partly": "部分解决",
    "explained": "政策解释到位",
    "not_feasible": "暂不具备条件",
}
SATISFACTIONS: dict[str, str] = {
    "satisfied": "满意",
    "basic": "基本满意",
    "dissatisfied": "不满意",
}
RETURN_REASONS: dict[str, str] = {
    "not_our_duty": "职能不符",
    "not_our_area": "属地不符",
    "incomplete": "信息不全",
    "other": "其他",
}


def parent_of(category_code: str) -> Category:
    """Level-1 category of a level-2 code (or the level-1 category itself)."""
    if category_code in _LEVEL1:
        return _LEVEL1[category_code]
    try:
        return _PARENT[category_code]
    except KeyError:
        raise KeyError(f"未知的诉求类别：{category_code!r}") from None


def route(category_code: str, street: str | None = None) -> tuple[str, tuple[str, ...]]:
    """(lead department, co-departments) by name for a level-2 category.

    For 属地 (territorial) categories the requester's street/township unit is appended as
    co-department, unless it already leads.
    """
    sub = SUBCATEGORIES[category_code]
    co = list(sub.co)
    if sub.territorial and street and street != sub.lead and street not in co:
        co.append(street)
    return sub.lead, tuple(co)


def random_category(
    rng: random.Random, for_residents: bool | None = None, *, kind: str | None = None
) -> str:
    """A level-2 code drawn with the catalogue weights.

    ``for_residents`` restricts to one audience; ``kind`` (an ``Entity.kind``) to categories with
    a scenario fitting that requester (see ``categories_for``).
    """
    allowed = set(categories_for(kind)) if kind else set(SUBCATEGORIES)
    pool = [
        (c, [s for s in c.children if s.code in allowed])
        for c in CATALOGUE
        if for_residents is None or c.for_residents == for_residents
    ]
    pool = [(c, subs) for c, subs in pool if subs]
    # Weight per level-1 category spread over its eligible children, so that restricting a kind to
    # one child of a category does not inflate that child.
    weights = [c.weight * len(subs) / len(c.children) for c, subs in pool]
    _, subs = rng.choices(pool, weights=weights)[0]
    return rng.choice(subs).code


# =============================================================================================
# Names, places, entities
# =============================================================================================

# Surnames with rough weights: national frequency adjusted for Hunan/湘潭, where 刘、李、陈、王、
# 张、周、彭、谭、罗、曾、唐、易 are markedly more common than the national ranking suggests.
_SURNAMES: tuple[tuple[str, int], ...] = (
    ("刘", 70),
    ("李", 68),
    ("陈", 62),
    ("王", 58),
    ("张", 52),
    ("周", 42),
    ("彭", 36),
    ("谭", 34),
    ("罗", 33),
    ("黄", 32),
    ("曾", 30),
    ("唐", 30),
    ("胡", 28),
    ("杨", 26),
    ("邓", 24),
    ("易", 22),
    ("赵", 18),
    ("吴", 18),
    ("欧阳", 6),
    ("贺", 16),
    ("龙", 12),
    ("肖", 18),
    ("彭", 0),
    ("蒋", 14),
    ("何", 16),
    ("朱", 14),
    ("郭", 12),
    ("徐", 12),
    ("孙", 10),
    ("马", 10),
    ("高", 10),
    ("林", 10),
    ("郑", 8),
    ("梁", 8),
    ("谢", 14),
    ("宋", 8),
    ("许", 8),
    ("文", 12),
    ("邹", 12),
    ("廖", 12),
    ("袁", 12),
    ("田", 8),
    ("姚", 8),
    ("尹", 10),
    ("颜", 8),
    ("成", 8),
    ("聂", 8),
    ("石", 8),
    ("钟", 8),
    ("汤", 8),
    ("丁", 6),
    ("雷", 8),
    ("熊", 8),
    ("蔡", 6),
    ("戴", 8),
    ("夏", 6),
    ("左", 6),
    ("黎", 8),
    ("向", 6),
    ("秦", 5),
    ("毛", 6),
    ("段", 5),
    ("邱", 5),
    ("伍", 6),
    ("严", 5),
    ("卢", 5),
    ("冯", 5),
    ("曹", 5),
    ("范", 4),
    ("傅", 5),
    ("符", 4),
    ("沈", 4),
    ("韩", 4),
    ("魏", 4),
    ("殷", 3),
    ("莫", 3),
    ("阳", 5),
    ("凌", 3),
    ("匡", 3),
    ("粟", 3),
    ("覃", 2),
    ("司马", 1),
)
_SURNAME_POOL = tuple(s for s, w in _SURNAMES if w)
_SURNAME_WEIGHTS = tuple(w for _, w in _SURNAMES if w)

_GIVEN_MALE_1 = "伟强军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯磊兵峰亮林俊彬龙"
_GIVEN_MALE_A = "建志国海文立德小正新晓卫永红家俊子浩宇湘春金光明振"
_GIVEN_MALE_B = "国华强军平明伟斌林峰辉龙涛杰勇成良东生波文武兵祥安"
_GIVEN_FEMALE_1 = "芳娜敏静丽艳霞燕玲婷雪慧红琴兰英梅娟莉佳琳萍"
_GIVEN_FEMALE_A = "秀桂玉丽美晓小海春红雪慧佳雨思梦湘淑金艳"
_GIVEN_FEMALE_B = "英兰芳华萍琴珍霞燕玲婷红梅娟莲蓉丹洁琪涵怡"


def person_name(rng: random.Random, gender: str | None = None) -> str:
    """A realistic Chinese name (surname by weighted frequency, 1- or 2-character given name)."""
    surname = rng.choices(_SURNAME_POOL, weights=_SURNAME_WEIGHTS)[0]
    female = (rng.random() < 0.45) if gender is None else gender in ("f", "female", "女")
    if rng.random() < 0.3:
        given = rng.choice(_GIVEN_FEMALE_1 if female else _GIVEN_MALE_1)
    else:
        first, second = (
            (_GIVEN_FEMALE_A, _GIVEN_FEMALE_B) if female else (_GIVEN_MALE_A, _GIVEN_MALE_B)
        )
        given = rng.choice(first) + rng.choice(second)
        if given[0] == given[1]:
            given = given[0] + rng.choice(second)
    return surname + given


# Real mobile prefixes of the three carriers (a random 1[3-9] prefix would include unused ones).
_MOBILE_PREFIXES = (
    "139",
    "138",
    "137",
    "136",
    "135",
    "134",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "182",
    "183",
    "187",
    "188",
    "198",
    "130",
    "131",
    "132",
    "155",
    "156",
    "185",
    "186",
    "166",
    "176",
    "133",
    "153",
    "180",
    "181",
    "189",
    "177",
    "173",
    "199",
    "191",
)


def mobile_number(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8))


def _landline(rng: random.Random) -> str:
    # 湘潭 local numbers are 8 digits starting with 5 (0731-5xxxxxxx).
    return "0731-5" + rng.choice("2345678") + "".join(rng.choice("0123456789") for _ in range(6))


# Roads: the first three are from the seed article (they bound the 医疗器械产业园); the others are
# invented for the demo and do not claim to match the real road network.
ROADS: tuple[str, ...] = (
    "保税路",
    "石码头路",
    "金鹏路",
    "吉利路",
    "奔驰路",
    "伏林路",
    "白石路",
    "九华大道",
    "滨江路",
    "兴业路",
    "创新路",
    "富民路",
    "德国路",
    "东方红路",
    "莲城大道",
)
_ROAD_STREET = {  # which 属地 unit each road falls in (demo assumption)
    "保税路": "响水乡人民政府",
    "石码头路": "九华街道办事处",
    "金鹏路": "九华街道办事处",
    "吉利路": "九华街道办事处",
    "奔驰路": "九华街道办事处",
    "伏林路": "和平街道办事处",
    "白石路": "九华街道办事处",
    "九华大道": "九华街道办事处",
    "滨江路": "和平街道办事处",
    "兴业路": "九华街道办事处",
    "创新路": "九华街道办事处",
    "富民路": "和平街道办事处",
    "德国路": "九华街道办事处",
    "东方红路": "和平街道办事处",
    "莲城大道": "和平街道办事处",
}
# Industrial parks/standard-plant clusters named in the seeds.
_PLANT_PARKS = (
    "湖南省医疗器械产业园",
    "联东U谷湘潭九华",
    "丰树产业园",
    "九华标准厂房一期",
    "综保区标准厂房",
)
# Housing compounds: 金水湾小区 is from the seeds, the rest invented.
_COMPOUNDS = {
    "九华街道办事处": ("九华名城", "莲城印象", "湘江一号", "九华安置小区二期", "船形山安置小区"),
    "和平街道办事处": ("金水湾小区", "滨江花园", "和平安置小区", "梅林雅苑"),
}
_VILLAGE_GROUPS = (  # 螃蟹组 from the seeds, others invented
    "螃蟹组",
    "大塘组",
    "新屋组",
    "枫树组",
    "茶园组",
    "石门组",
    "杨家组",
    "长冲组",
    "井湾组",
)


class _Trade(NamedTuple):
    division: str  # GB/T 4754 大类 the business belongs to
    words: tuple[str, ...]  # name words, "全称/简称"
    products: tuple[str, ...]
    weight: int


# Trade words and products per 大类, so that an enterprise's name, product and industry code agree
# (e.g. medical devices are 35 专用设备制造业, auto parts 36, batteries and switchgear 38).
_TRADES: tuple[_Trade, ...] = (
    # Manufacturing first: make_project draws only from these (index < _MANUFACTURING_TRADES).
    _Trade(
        "36",
        ("汽车零部件/汽车", "汽车部件/汽车", "汽车配件/汽车"),
        (
            "变速箱壳体",
            "转向节",
            "制动盘",
            "汽车线束",
            "座椅骨架",
            "车灯总成",
            "汽车冲压件",
            "铝合金轮毂",
        ),
        10,
    ),
    _Trade("36", ("新能源汽车零部件/新能源",), ("电驱动壳体", "电池包托盘", "高压线束"), 3),
    _Trade(
        "35",
        ("医疗器械/医疗", "医疗科技/医疗", "医疗设备/医疗"),
        (
            "一次性输注器械",
            "超声诊断设备",
            "微创手术器械",
            "康复理疗设备",
            "骨科植入物",
            "体外诊断仪器",
            "医用内窥镜",
            "医用高频电刀",
        ),
        12,
    ),
    _Trade(
        "35",
        ("重工/重工", "矿山装备/矿山", "工程机械/机械"),
        ("盾构机刀具", "矿山提升机", "隧道施工设备", "冶金专用设备", "环保专用设备"),
        5,
    ),
    _Trade(
        "34",
        ("精密机械/精密", "智能装备/智能", "机电设备/机电"),
        ("精密齿轮", "数控机床", "工业阀门", "轴承套圈", "工业机器人减速器"),
        7,
    ),
    _Trade("34", ("泵业/泵业",), ("离心泵", "管道泵", "潜水电泵"), 2),
    _Trade("34", ("液压/液压",), ("液压油缸", "液压阀", "液压泵站"), 1),
    _Trade(
        "38",
        ("电气/电气", "电气设备/电气"),
        ("高低压配电柜", "干式变压器", "充电桩", "智能配网设备"),
        4,
    ),
    _Trade("38", ("电机/电机",), ("永磁同步电机", "伺服电机", "防爆电机"), 2),
    _Trade("38", ("新能源科技/新能源",), ("锂电池模组", "储能电池系统"), 2),
    _Trade("38", ("线缆/线缆", "电线电缆/电缆"), ("电线电缆", "特种电缆", "电磁线"), 1),
    _Trade("38", ("电器/电器",), ("智能取暖桌", "小家电"), 1),
    _Trade(
        "39",
        ("电子科技/电子", "电子/电子"),
        ("印制电路板", "电子元器件", "液晶显示模组", "传感器"),
        4,
    ),
    _Trade("39", ("光电科技/光电",), ("光模块", "LED显示屏"), 1),
    _Trade("39", ("半导体/半导体",), ("功率半导体器件",), 1),
    _Trade(
        "40",
        ("仪器仪表/仪表", "测控技术/测控"),
        ("智能水表", "电磁流量计", "压力变送器", "在线监测仪器"),
        3,
    ),
    _Trade(
        "33",
        ("金属制品/金属", "五金制品/五金"),
        ("金属门窗", "高强度紧固件", "不锈钢容器", "金属冲压件"),
        4,
    ),
    _Trade("33", ("钢结构/钢构",), ("钢结构件", "网架结构"), 2),
    _Trade(
        "29",
        ("塑胶/塑胶", "橡塑制品/橡塑", "塑业/塑业"),
        ("塑料管材", "注塑件", "橡胶密封件", "塑料包装膜"),
        4,
    ),
    _Trade("30", ("新型建材/建材", "建材/建材"), ("装配式预制构件", "蒸压加气砌块", "干混砂浆"), 3),
    _Trade("30", ("混凝土/混凝土",), ("商品混凝土",), 1),
    _Trade("30", ("玻璃/玻璃",), ("特种玻璃", "中空玻璃"), 1),
    _Trade("26", ("化工/化工", "新材料/新材料"), ("胶粘剂", "电子化学品", "锂电池电解液"), 2),
    _Trade("26", ("涂料/涂料",), ("水性工业涂料", "防腐涂料"), 1),
    _Trade("27", ("药业/药业", "制药/制药"), ("中成药", "原料药", "化学制剂"), 2),
    _Trade("27", ("生物医药/生物", "生物科技/生物"), ("体外诊断试剂", "生物制剂", "医用敷料"), 2),
    _Trade("13", ("粮油/粮油",), ("大米", "菜籽油"), 1),
    _Trade("13", ("饲料/饲料",), ("配合饲料",), 1),
    _Trade("14", ("食品/食品",), ("湘莲制品", "速冻食品", "休闲食品"), 1),
    _Trade("14", ("槟榔/槟榔",), ("槟榔",), 1),
    _Trade("22", ("包装/包装", "纸业/纸业"), ("瓦楞纸箱", "纸质包装制品", "蜂窝纸板"), 2),
    _Trade("23", ("印务/印务", "彩印/彩印"), ("包装印刷品", "商务印刷品"), 1),
    _Trade("18", ("服饰/服饰", "制衣/制衣"), ("工装", "针织服装"), 1),
    _Trade("21", ("家居/家居", "家具/家具"), ("定制家具", "办公家具"), 1),
    _Trade("42", ("再生资源/再生资源",), ("废钢加工", "废塑料再生"), 1),
    _Trade("42", ("环保科技/环保",), ("废旧动力电池回收利用",), 1),
    # Services and others.
    _Trade("44", ("新能源/新能源", "能源科技/能源"), ("分布式光伏发电", "综合能源服务"), 1),
    _Trade(
        "65",
        ("软件/软件", "信息技术/信息", "数字科技/数字"),
        ("工业软件", "智慧园区管理平台", "信息系统集成服务", "数据中心运维服务"),
        3,
    ),
    _Trade("64", ("网络科技/网络",), ("电商平台运营", "工业互联网平台"), 1),
    _Trade("59", ("仓储/仓储",), ("冷链仓储", "保税仓储"), 1),
    _Trade("59", ("供应链管理/供应链",), ("供应链仓储配送",), 1),
    _Trade("54", ("物流/物流", "运输/运输"), ("道路货物运输", "城市配送"), 2),
    _Trade("58", ("国际货运代理/货代", "国际物流/物流"), ("进出口货运代理", "多式联运"), 1),
    _Trade("51", ("贸易/贸易", "商贸/商贸"), ("钢材贸易", "机电产品批发"), 1),
    _Trade("51", ("进出口/进出口",), ("进出口贸易",), 1),
    _Trade("74", ("检测技术/检测",), ("第三方检验检测",), 1),
    _Trade("74", ("工程设计/设计",), ("工程勘察设计",), 1),
    _Trade("72", ("人力资源/人力",), ("人力资源服务", "劳务派遣"), 1),
    _Trade("72", ("企业管理咨询/咨询",), ("企业管理咨询",), 1),
    _Trade("70", ("置业/置业",), ("商品房开发",), 1),
    _Trade("70", ("物业管理/物业",), ("园区物业服务",), 1),
    _Trade("48", ("路桥建设/路桥", "市政工程/市政"), ("市政道路施工", "管网工程"), 1),
    _Trade("50", ("装饰工程/装饰",), ("建筑装饰装修",), 1),
)
_MANUFACTURING_TRADES = sum(1 for t in _TRADES if "13" <= t.division <= "43")
_TRADE_WEIGHTS = tuple(t.weight for t in _TRADES)

# 字号 characters: common in Hunan company names; two are combined into a brand.
_BRAND_A = (
    "华瑞鑫宏泰盛恒博弘佳德丰凯锐联创金天中昊嘉诚兴捷润湘远宇安力正长永立信汇和美新亿众峰铭骏"
    "卓辰腾隆利晶晟楚潭莲韶"
)
_BRAND_B = "瑞达源盛通泰鑫宇邦科创丰诚辉远成信凯宏发德华盈越驰拓迈捷威尔顺祥康欣晟航亿锦"


def _brand(rng: random.Random) -> str:
    a = rng.choice(_BRAND_A)
    b = rng.choice(_BRAND_B)
    while b == a:
        b = rng.choice(_BRAND_B)
    return a + b


_SHOP_TYPES: tuple[tuple[str, str, str], ...] = (  # (name word, 大类, business)
    ("餐饮店", "62", "湘菜餐饮"),
    ("粉面馆", "62", "米粉面食"),
    ("快餐店", "62", "工作餐快餐"),
    ("烧烤店", "62", "烧烤夜宵"),
    ("便利店", "52", "日用百货零售"),
    ("超市", "52", "生鲜日用品"),
    ("大药房", "52", "药品零售"),
    ("五金建材店", "52", "五金建材"),
    ("水果店", "52", "水果零售"),
    ("汽车维修服务部", "81", "汽车维修保养"),
    ("家电维修部", "81", "家电维修"),
    ("理发店", "80", "美容美发"),
    ("干洗店", "80", "洗衣干洗"),
    ("宾馆", "61", "住宿"),
    ("诊所", "84", "门诊医疗"),
    ("快递服务站", "60", "快递收发"),
)
_SHOP_BRANDS = (
    "湘味",
    "好运来",
    "老街",
    "莲城",
    "福满多",
    "惠民",
    "鑫源",
    "金穗",
    "兴旺",
    "乐家",
    "阿香",
    "九华人家",
    "家和",
    "味道",
    "邻里",
    "顺心",
    "百姓",
    "红火",
    "一品",
    "旺角",
    "聚福",
)
_POSITIONS = (
    "总经理",
    "副总经理",
    "财务总监",
    "行政经理",
    "人事经理",
    "办公室主任",
    "综合部部长",
    "厂长",
    "董事长",
    "安全主管",
    "生产总监",
)

ENTITY_KINDS = ("above_scale", "below_scale", "shop", "project", "resident", "community")
_KIND_LABEL = {
    "above_scale": "规上企业",
    "below_scale": "规下企业",
    "shop": "个体工商户",
    "project": "在建项目",
    "resident": "群众",
    "community": "村（社区）",
}


class Entity(NamedTuple):
    """A requester: enterprise, shop, project, resident or village/community committee.

    ``kind`` uses entities.models.EntityKind values plus "resident" and "community".
    Text fields are "" and numbers ``None`` where they do not apply.
    """

    kind: str
    name: str  # registered name / person's name / committee name
    short_name: str  # how a ledger refers to it: 华瑞精密, 刘建国, 塘高村
    industry: str  # GB/T 4754 大类 code, "" for residents
    credit_code: str  # "" for projects and people
    product: str  # main product or business
    address: str
    road: str
    street: str  # 属地 department name (a key of STREETS)
    community: str  # 社区 or 村
    compound: str  # 小区 (urban) or 村民小组 (village)
    contact: str
    position: str
    phone: str
    legal_representative: str
    employees: int | None
    revenue_wan: int | None
    capital_wan: int | None

    @property
    def kind_label(self) -> str:
        return _KIND_LABEL[self.kind]

    @property
    def is_person(self) -> bool:
        return self.kind in ("resident", "community")


def _industrial_address(rng: random.Random) -> tuple[str, str, str]:
    road = rng.choice(ROADS)
    if rng.random() < 0.3:
        park = rng.choice(_PLANT_PARKS)
        addr = f"湘潭经开区{road}{park}{rng.randint(1, 48)}栋"
    else:
        addr = f"湘潭经开区{road}{rng.randint(1, 399)}号"
    return addr, road, _ROAD_STREET[road]


def _community_of(rng: random.Random, street: str) -> tuple[str, str]:
    community = rng.choice(STREETS[street])
    if community.endswith("村"):
        return community, rng.choice(_VILLAGE_GROUPS)
    return community, rng.choice(_COMPOUNDS[street])


def make_enterprise(rng: random.Random, kind: str | None = None) -> Entity:
    """A company (规上 or 规下) whose name, product and industry code agree."""
    if kind is None:
        kind = "above_scale" if rng.random() < 0.35 else "below_scale"
    trade = rng.choices(_TRADES, weights=_TRADE_WEIGHTS)[0]
    word, _, short_word = rng.choice(trade.words).partition("/")
    brand = _brand(rng)
    region = rng.choices(("湘潭", "湖南", "湘潭九华", "湖南省"), weights=(45, 40, 10, 5))[0]
    big = kind == "above_scale"
    suffix = rng.choices(
        ("有限公司", "股份有限公司", "有限责任公司"), weights=(75, 20 if big else 3, 8)
    )[0]
    addr, road, street = _industrial_address(rng)
    community, compound = _community_of(rng, street)
    employees = rng.randint(80, 1500) if big else rng.randint(6, 120)
    revenue = rng.randint(2000, 150000) if big else rng.randint(100, 1999)
    contact = person_name(rng)
    return Entity(
        kind=kind,
        name=f"{region}{brand}{word}{suffix}",
        short_name=brand + (short_word or word),
        industry=trade.division,
        credit_code=make_credit_code(rng, region=rng.choice(("430300", "430300", "430371"))),
        product=rng.choice(trade.products),
        address=addr,
        road=road,
        street=street,
        community=community,
        compound=compound,
        contact=contact,
        position=rng.choice(_POSITIONS),
        phone=mobile_number(rng) if rng.random() < 0.85 else _landline(rng),
        legal_representative=contact if rng.random() < 0.3 else person_name(rng),
        employees=employees,
        revenue_wan=revenue,
        capital_wan=rng.choice((50, 100, 200, 500, 1000, 2000, 3000, 5000, 10000)),
    )


def make_shop(rng: random.Random) -> Entity:
    """An individual business (个体工商户) such as "九华湘味餐饮店" (credit code 92…)."""
    word, division, business = rng.choice(_SHOP_TYPES)
    owner = person_name(rng)
    if rng.random() < 0.25:
        brand = owner[0] + rng.choice(("记", "姐", "哥", "师傅"))
    else:
        brand = rng.choice(_SHOP_BRANDS)
    place = rng.choice(("九华", "九华", "和平", "响水", "经开区"))
    street = {"九华": "九华街道办事处", "和平": "和平街道办事处", "响水": "响水乡人民政府"}.get(
        place, "九华街道办事处"
    )
    community, compound = _community_of(rng, street)
    road = rng.choice([r for r, s in _ROAD_STREET.items() if s == street])
    return Entity(
        kind="shop",
        name=f"{place}{brand}{word}",
        short_name=f"{brand}{word}",
        industry=division,
        credit_code=make_credit_code(rng, region="430300", category="2")
        if rng.random() < 0.9
        else "",
        product=business,
        address=f"湘潭经开区{road}{rng.randint(1, 399)}号门面",
        road=road,
        street=street,
        community=community,
        compound=compound,
        contact=owner,
        position="经营者",
        phone=mobile_number(rng),
        legal_representative=owner,
        employees=rng.randint(1, 12),
        revenue_wan=rng.randint(10, 300),
        capital_wan=None,
    )


_CN_DIGITS = "一二三"


def make_project(rng: random.Random) -> Entity:
    """A project under construction, e.g. "华瑞医疗智能制造基地二期项目" (no credit code)."""
    n = _MANUFACTURING_TRADES
    trade = rng.choices(_TRADES[:n], weights=_TRADE_WEIGHTS[:n])[0]
    word, _, short_word = rng.choice(trade.words).partition("/")
    brand = _brand(rng)
    product = rng.choice(trade.products)
    phase = _CN_DIGITS[rng.randrange(3)]
    core = rng.choice(
        (
            f"{word}产业园{phase}期项目",
            f"年产{rng.choice((2, 5, 10, 20, 30, 50))}万套{product}项目",
            f"{word}研发中心建设项目",
            f"{word}智能制造基地{phase}期项目",
            f"{word}标准厂房建设项目",
        )
    )
    road = rng.choice(ROADS)
    street = _ROAD_STREET[road]
    # A project is a site, not a unit in a building: "保税路湖南省医疗器械产业园" or "保税路东侧".
    if rng.random() < 0.3:
        addr = f"湘潭经开区{road}{rng.choice(_PLANT_PARKS)}"
    else:
        addr = f"湘潭经开区{road}{rng.choice('东南西北')}侧"
    community, compound = _community_of(rng, street)
    return Entity(
        kind="project",
        name=f"{brand}{core}",
        short_name=f"{brand}{short_word or word}项目",
        industry=trade.division,
        credit_code="",
        product=product,
        address=addr,
        road=road,
        street=street,
        community=community,
        compound=compound,
        contact=person_name(rng),
        position="项目负责人",
        phone=mobile_number(rng),
        legal_representative="",
        employees=rng.randint(30, 400),  # workers on site
        revenue_wan=None,
        capital_wan=rng.choice((5000, 8000, 10000, 20000, 30000, 50000, 100000)),  # investment
    )


def make_resident(rng: random.Random) -> Entity:
    """A resident with a home address in one of the three 属地 units."""
    street = rng.choices(tuple(STREETS), weights=(45, 35, 20))[0]
    community, compound = _community_of(rng, street)
    name = person_name(rng)
    short_street = _STREET_SHORT[street]
    if community.endswith("村"):
        addr = f"湘潭经开区{short_street}{community}{compound}{rng.randint(1, 60)}号"
    else:
        addr = (
            f"湘潭经开区{short_street}{community}{compound}{rng.randint(1, 30)}栋"
            f"{rng.randint(1, 4)}单元{rng.randint(1, 30)}0{rng.randint(1, 4)}"
        )
    road = rng.choice([r for r, s in _ROAD_STREET.items() if s == street])
    return Entity(
        kind="resident",
        name=name,
        short_name=name,
        industry="",
        credit_code="",
        product="",
        address=addr,
        road=road,
        street=street,
        community=community,
        compound=compound,
        contact=name,
        position="",
        phone=mobile_number(rng),
        legal_representative="",
        employees=None,
        revenue_wan=None,
        capital_wan=None,
    )


def make_community(rng: random.Random) -> Entity:
    """A 村民委员会/居民委员会 raising a collective demand."""
    street = rng.choices(tuple(STREETS), weights=(40, 30, 30))[0]
    community, compound = _community_of(rng, street)
    committee = "村民委员会" if community.endswith("村") else "居民委员会"
    contact = person_name(rng)
    road = rng.choice([r for r, s in _ROAD_STREET.items() if s == street])
    return Entity(
        kind="community",
        name=f"{community}{committee}",
        short_name=community,
        industry="96",  # 基层群众自治组织及其他组织
        credit_code="",  # 村(居)委会 hold codes, but they are not 市场主体 in the entity table
        product="",
        address=f"湘潭经开区{_STREET_SHORT[street]}{community}",
        road=road,
        street=street,
        community=community,
        compound=compound,
        contact=contact,
        position=rng.choice(
            ("村支书", "村主任", "网格员") if community.endswith("村") else ("社区书记", "网格员")
        ),
        phone=mobile_number(rng),
        legal_representative="",
        employees=None,
        revenue_wan=None,
        capital_wan=None,
    )


_MAKERS: dict[str, Callable[[random.Random], Entity]] = {
    "above_scale": lambda r: make_enterprise(r, "above_scale"),
    "below_scale": lambda r: make_enterprise(r, "below_scale"),
    "shop": make_shop,
    "project": make_project,
    "resident": make_resident,
    "community": make_community,
}


def make_entity(rng: random.Random, kind: str) -> Entity:
    return _MAKERS[kind](rng)


def make_entities(rng: random.Random, counts: dict[str, int] | None = None) -> list[Entity]:
    """Entities with unique names and credit codes, e.g. the seeds' ~1,200 market entities.

    Default mix follows the seed: 226 规上 among 496 served, extended to ~1,200 with shops and
    projects. Residents may share a name (people do); every other kind is unique by name, so at
    most ``len`` of all communities can be asked for ("community").
    """
    counts = counts or {"above_scale": 226, "below_scale": 520, "shop": 380, "project": 74}
    seen_names: set[str] = set()
    seen_codes: set[str] = set()
    out: list[Entity] = []
    for kind, n in counts.items():
        made = attempts = 0
        while made < n:
            attempts += 1
            if attempts > 50 * n + 100:
                raise ValueError(f"cannot make {n} distinct entities of kind {kind!r}")
            e = make_entity(rng, kind)
            if kind != "resident" and e.name in seen_names:
                continue
            if e.credit_code and e.credit_code in seen_codes:
                continue
            seen_names.add(e.name)
            if e.credit_code:
                seen_codes.add(e.credit_code)
            out.append(e)
            made += 1
    return out


def _default_entity(rng: random.Random, category_code: str) -> Entity:
    if parent_of(category_code).for_residents:
        return make_resident(rng)
    return make_enterprise(rng)


# =============================================================================================
# Text templates
# =============================================================================================
#
# Templates live in a small line-based notation rather than Python literals: Chinese sentences
# are long, and as literals they would need splitting every 45 characters to stay within the line
# length. Notation:
#
#   @section            starts a section (a level-2 category code, or e.g. "answer:financing")
#   T / P / R text      demand sections: title, problem, request. Consecutive T lines open a new
#                       *scenario*; the P and R lines after them belong to it, so a title is only
#                       ever combined with a description about the same thing.
#   S / H / E / N text  answers: solved, partly (half), explained, not feasible. "S[power,gas]"
#                       restricts a line to level-2 codes ending in those suffixes.
#   L text              plain list entry (intros, reasons, comments …)
#   "  text"            (indented) continues the previous entry
#   {slot}              filled from the requester entity or drawn at random (see _SLOT_MAKERS)
#   [a|b|c]             picks one alternative
#
# Every slot and section is checked by the tests, so a typo fails CI rather than a demo.

_DEMAND_DSL = """
@financing-loan
T {short}申请流动资金贷款{loan}万元
K company,project
T 关于协调{short}{loan}万元[授信|贷款]的诉求
P 受[原材料价格上涨|下游客户回款周期拉长|新增订单集中备料]影响，公司流动资金缺口约{loan}万元，
  原在{bank}的{loan_small}万元贷款将于{month}到期，续贷审批迟迟未落地。
R 恳请园区协调[驻潭银行|合作银行|{bank2}]给予授信支持，避免出现抽贷、断贷。
R 希望金融服务中心牵头召开银企对接会，帮助企业尽快落实贷款。
T {short}{upgrade}项目融资缺口{loan}万元
T {short}缺少抵押物，{upgrade}贷款难落地
P 公司{product}{upgrade}项目已完成设备选型，需购置{equipment}等设备，尚有{loan}万元资金缺口，
  因厂房为租赁性质，缺少有效抵押物，多家银行未予授信。
R 希望园区推荐企业申请[科创贷|园区信用贷|知识产权质押贷款]，并纳入“白名单”企业名录。
T {short}希望对接低息[信用贷|科创贷|订单贷]
T {short}新增订单{order}万元，备料资金紧张
P 公司今年新接订单约{order}万元，需提前备料，现有授信额度已用满，资金周转十分紧张。
P 公司去年纳税{tax}万元、信用良好，但在{bank}申请的{loan}万元贷款因担保不足被压缩至
  {loan_small}万元，难以满足生产需要。
R 恳请园区协调银行给予{loan}万元授信支持，利率希望不高于{rate}%。
T {short}申请创业担保贷款{loan_small}万元
K shop
P 本店受[周边道路施工|客流减少|房租上涨]影响，营业额下降约{percent}%，
  房租和员工工资压力较大，需要资金周转。
R 希望协调银行办理创业担保贷款，并享受贴息政策。

@financing-subsidy
T {short}申请贷款贴息{subsidy}万元
T {short}咨询贴息贷款政策及申报流程
P 公司去年在{bank}贷款{loan}万元用于{product}生产线建设，按园区政策可享受贴息，
  但至今未收到申报通知，不清楚需要准备哪些材料。
R 请财政局、金融服务中心明确贴息申报时间和材料清单，尽快兑现贴息资金。
T 关于{short}{loan}万元贷款担保的诉求
T {short}融资担保费率偏高
P 公司贷款需第三方担保，担保公司收取{percent}%的担保费，加上利息，综合融资成本偏高，企业负担较重。
R 希望园区协调政府性融资担保机构提供担保，并降低担保费率。
T {short}申请使用[转贷应急资金|过桥资金]
T {short}{loan}万元贷款到期续贷需过桥
P 公司{loan}万元贷款将于{deadline}到期，银行要求先还后贷，需使用约{n_days}天的转贷应急资金。
R 恳请批准使用园区转贷应急资金，确保贷款按期续上。

@financing-listing
T {short}申请纳入上市后备企业库
T {short}股改及上市辅导需求
P 公司近三年营业收入年均增长{percent}%，已启动股份制改造，但对上市路径、中介机构选择缺乏经验。
R 希望园区安排专业机构上门辅导，并将企业纳入上市后备企业库重点培育。
T {short}咨询[新三板挂牌|区域股权市场挂牌|北交所上市]扶持政策
P 公司计划{year_next}年在湖南股权交易所挂牌，需了解股改、挂牌各阶段的奖补标准和兑现条件。
R 请明确股改、挂牌、上市各阶段奖补政策及申报时间。
T {short}希望对接园区产业基金
T {short}引入战略投资者咨询
P 公司拟引入战略投资者，融资{loan}万元用于{product}新产线，
  希望了解园区产业基金的投资方向和申请程序。
R 希望金融服务中心推荐对接产业基金和投资机构。

@financing-arrears
T {short}反映货款被拖欠{amount}万元
T 关于协调清偿{short}账款的诉求
P 公司为{plant_park}项目提供{product}，合同金额{order}万元，验收已满{months}个月，
  尚有{amount}万元未支付。
R 恳请园区协调相关单位制定还款计划，尽快支付欠款。
T {short}承接工程款被拖欠，农民工工资难发
K company,project
P 公司承接的{road}配套工程已完工结算，业主单位以资金紧张为由拖欠工程款{amount}万元，
  公司已拖欠{workers}名农民工工资，存在讨薪风险。
R 希望纳入清理拖欠中小企业账款专项行动，帮助企业回笼资金。
T {short}应收账款{amount}万元[逾期未付|长期未结]
P 下游客户长期拖欠货款约{amount}万元，多次催收无果，公司资金链承受较大压力。
R 希望园区帮助协调，必要时提供法律援助。

@land-supply
T {short}[新增|扩建]项目用地约{mu}亩
K company,project
T 关于{short}二期项目用地报批的诉求
P 公司{product}订单持续增长，现有厂区已无扩建空间，计划在园区新增用地约{mu}亩，建设二期生产线。
R 请自然资源和规划分局加快用地报批和挂牌出让进度，确保项目按期落地。
T {short}意向地块[征收|挂牌]进度慢
K company,project
T {short}申请{road}以{direction}地块
P 公司意向的{road}以{direction}地块约{mu}亩，目前尚未完成土地征收和农转用报批，影响项目开工。
R 希望园区明确供地时间表，确保项目{month}前开工。
T {short}项目约定交地时间已过
K project,company
P 项目已签订投资协议，约定{past_month}交地，但地块内仍有{households}户未完成拆迁，
  {utility_line}尚未迁改。
R 请协调解决地块内的拆迁和管线迁改问题，尽快交付净地。

@land-plant
T {short}[需租赁|求租]标准厂房约{m2}平方米
T {short}申请入驻{plant_park}
P 公司新接{product}订单，现有厂房不足，急需租赁带行车的标准厂房约{m2}平方米，
  层高不低于{height}米。
R 请协助对接园区可用厂房资源，并给予租金优惠。
T {short}租赁厂房{defect}
T {short}申请维修{plant_park}{building}栋厂房
P 公司租赁{plant_park}{building}栋厂房，近期{defect}，已影响{equipment}正常运行。
R 希望产权单位尽快安排维修，维修期间协调临时场地。
T 关于{short}厂房租金减免的诉求
P 按入园协议，公司前{n_years}年可享受厂房租金减免，但今年的减免手续至今未办理，
  物业已催缴租金{amount}万元。
R 请园区开发建设集团按协议落实租金减免政策。

@land-certificate
T {short}[办理|申请]不动产权证
T {short}厂房办证进度缓慢
P 公司厂房已于{date}竣工验收，因{cert_issue}，不动产权证至今未能办理，影响企业向银行抵押融资。
R 恳请自然资源和规划分局开辟绿色通道，帮助企业尽快办理不动产权证。
T {short}厂房产权证分宗办理
T 关于{short}{building}栋厂房办证的诉求
P 公司购买的{plant_park}{building}栋厂房需分宗办理产权证，开发商与登记部门材料对接不畅，
  已拖延{months}个月。
R 请协调开发商和登记部门，尽快完成分宗登记。
T {short}辅助用房办证历史遗留问题
P 公司早年建设的{m2_small}平方米辅助用房未办理规划手续，无法纳入产权证。
R 希望明确补办手续的路径和所需材料，帮助企业解决历史遗留问题。

@land-expropriation
T {village}{group}征地补偿款未兑付
K resident,community
T {road}拓宽工程拆迁补偿诉求
P {road}拓宽工程涉及{village}{group}{households}户，房屋已拆除{months}个月，部分补偿款仍未到位。
R 请征地拆迁事务中心会同属地尽快兑付，给群众一个明确答复。
T {short}项目地块拆迁遗留问题
K project,company
T {short}项目因拆迁未完成无法进场
P 公司项目地块内尚有{households}户未签订拆迁协议，施工队无法进场，每天损失约{amount}万元。
R 请征地拆迁事务中心会同属地尽快协调解决，确保项目正常推进。
T {short}厂区红线内坟墓迁移未落实
K company,project
P 公司厂区红线内有{grave_n}座坟墓尚未迁移，村民要求提高补偿标准，双方多次协商未果。
R 希望园区按政策明确补偿标准，协调完成迁移。

@training-skills
T {short}申请开展[岗前|以工代训|新型学徒制]培训
T {short}新员工{hires}人培训需求
P 公司新招{hires}名员工，需开展[岗前技能|设备操作|质量意识]培训，希望纳入政府补贴性培训。
R 请人社局安排培训机构送训上门，并指导企业申领培训补贴。
T {short}{cert_worker}证培训需求
P 公司有{workers}名一线员工需要取得{cert_worker}证，但湘潭本地培训班次少，需到长沙参训，
  耽误生产。
R 希望在园区设立考点或增开培训班次。
T {short}职业技能培训补贴未到账
P 公司上年度组织了{n_classes}期技能培训，补贴申请材料已于{past_month}提交，至今未到账。
R 请人社局核实审核进度，尽快拨付补贴。

@training-safety
T {short}申请安全生产[送教上门|专题培训]
T {short}{work_type}作业安全培训需求
P 公司新上{equipment}等设备，涉及{work_type}作业，员工安全意识和操作技能需要提升。
R 请应急管理局组织安全生产专家上门培训，并指导开展应急演练。
T {short}[双重预防机制|安全标准化]建设指导需求
P 公司正在创建安全生产标准化三级企业，对风险分级管控和隐患排查治理体系的建设不熟悉。
R 希望提供一对一指导，帮助企业完善双重预防机制。
T {short}消防安全培训和演练需求
K company,shop
P 公司员工{workers}人，多为新进员工，不会使用灭火器材，也没有组织过消防演练。
R 请安排消防专业人员到企业开展培训和演练。

@training-policy
T {short}咨询{policy}申报[条件|流程]
T {short}申请{policy}申报辅导
P 公司符合{policy}的部分条件，但对申报系统操作和材料要求不熟悉，担心错过{month}的申报截止时间。
R 请经济发展和科技局安排专人上门辅导，帮助企业做好申报。
T {short}去年申报{policy}未通过
P 公司去年申报{policy}因材料不全未通过，今年希望提前准备，避免再出问题。
R 希望帮助企业分析原因，逐项指导材料准备。
T {short}希望参加惠企政策宣讲
K company,shop
P 公司新任财务和行政人员不了解园区各项惠企政策，希望有专人讲解。
R 希望园区举办政策宣讲会，并提供惠企政策汇编。

@training-management
T {short}申请[数字化转型诊断|精益管理咨询]
T {short}[生产管理|质量管理]提升需求
P 公司近年规模快速扩大，生产计划、仓储、质量管理仍依赖手工表格，{product}交付延误时有发生。
R 希望园区组织专家开展免费诊断，并推荐优质服务机构。
T {short}专精特新培育辅导需求
P 公司计划申报省级专精特新中小企业，但在研发投入归集、知识产权布局等方面存在短板。
R 请经济发展和科技局安排专人辅导，补齐短板。
T {short}希望参加企业家[研修班|能力提升培训]
P 公司管理层希望学习先进制造企业的精益生产和现代企业管理经验。
R 请安排企业负责人参加相关研修培训。

@market-matching
T {short}希望与园区[整车|主机|龙头]企业配套对接
T {short}{product}本地配套推介
P 公司主营{product}，产品已通过多家客户认证，希望进入园区{anchor}等龙头企业供应链。
R 请园区组织专场供需对接会，帮助企业与龙头企业建立联系。
T {short}寻求{material}本地供应商
P 公司每年外购{material}约{order}万元，主要来自外省，希望在园区及周边寻找本地供应商，降低物流成本。
R 希望园区帮助发布采购需求，促成本地配套。
T {short}订单下滑，急需拓展市场
P 今年订单较去年下降约{percent}%，产能利用率不足六成，急需拓展市场。
R 希望将企业产品纳入园区企业产品宣传手册，在供需对接活动中优先推介。

@market-promotion
T {short}申请参加{expo}
T {short}参展费用补贴申请
P 公司计划参加{expo}，展位费和搭建费约{amount}万元，希望了解园区参展补贴政策。
R 请投资促进局将企业纳入园区组团参展名单，并给予展位费补贴。
T {short}希望借助园区平台推广{product}
P 公司新产品{product}已完成试产，但品牌知名度不高，缺乏推广渠道。
R 希望在园区招商推介、企业交流会上增加企业产品展示。

@market-procurement
T {short}希望参与本地政府采购项目
T {short}产品纳入本地工程配套诉求
P 公司生产的{product}质量已达到行业标准，但在本地政府采购和国有投资项目中较少被采用。
R 请财政局讲解政府采购支持中小企业的政策，同等条件下优先采购本地产品。
T {short}[中标|供货]资金结算缓慢
P 公司参与的{plant_park}配套项目供货已完成，但采购资金结算需经多部门审核，已拖延{months}个月。
R 希望加快结算审核，尽快支付货款。

@infrastructure-road
T {road}[断头路|未硬化路段]影响{short}车辆进出
T 关于{short}厂区门前{road}修建的诉求
P {short}位于{road}，厂门前约{meters}米道路至今未硬化，雨天泥泞，大货车多次陷车，影响发货。
R 请规划建设局将该路段纳入年度建设计划，尽快实施。
T 申请打通{road}至{road2}连接线
K company,project
T {road}与{road2}未连通，{short}货车绕行
P {road}与{road2}之间的连接线尚未打通，公司货车需绕行约{km}公里，每年增加物流成本约{amount}万元。
R 希望尽快打通连接线，方便企业物流运输。
T {road}[路面破损|坑洼]严重，货车通行困难
K company,shop,project
T {road}{meters}米路段沉陷需修复
P {road}经常有重载车辆通行，路面多处破损、沉陷，[已有货车侧翻|夜间存在安全隐患]。
R 希望先行对破损路段进行临时修补，保障企业正常运输。

@infrastructure-drainage
T {road}雨后积水，{short}厂区被淹
T {road}积水倒灌{short}厂区
P 每逢暴雨，{road}段积水深达{depth}厘米，雨水倒灌进入公司厂区，{past_month}一场大雨造成原料受潮，
  损失约{amount}万元。
R 请规划建设局尽快疏通管网，并对该路段排水系统进行改造。
T {short}厂区周边雨水管网不畅
P 公司周边雨水管网淤堵，排水沟被施工渣土填埋，厂区排水不畅。
R 请城管执法局查处渣土乱倒，尽快清淤疏通。
T 关于{road}污水管网接入的诉求
K company,project
T {short}新厂房污水无法接入市政管网
P 公司新建厂房投产在即，{road}市政污水管网尚未铺设到位，生产生活污水无法接入。
R 希望尽快铺设污水管网，确保企业按期投产。

@infrastructure-lighting
T {road}路灯[不亮|损坏]，员工夜间下班不安全
T {road}{meters}米路段无照明
P {road}约{meters}米路段路灯已有{months}个月不亮，公司夜班员工{workers}人下班时路段漆黑，
  存在安全隐患。
R 请城管执法局尽快安排维修，并加强日常巡查养护。
T {short}门前{road}绿化带无人养护
K company,shop
P {road}绿化带长期无人养护，杂草高过人，影响园区形象和行车视线。
R 希望安排专人定期养护。
T {road}缺少[道路指示牌|企业导向标识]
K company,shop
P 客户来访和物流车辆经常找不到公司，{road}沿线缺少道路指示牌和企业导向标识。
R 希望增设道路指示和企业导向标识。

@infrastructure-network
T {short}厂区[5G信号|手机信号]覆盖差
P 公司厂区位于{road}，手机信号弱，车间内基本无信号，影响生产调度和设备联网。
R 请协调通信运营商加快基站建设。
T {short}申请[光纤专线|千兆宽带]接入
P 公司实施智能化改造，需要接入{bandwidth}专线，运营商称线路需从{road2}引入，周期较长。
R 希望园区协调运营商缩短开通时间。
T {plant_park}企业宽带无法办理
P {plant_park}入驻企业增多，现有通信管道容量不足，{short}等多家企业无法办理宽带。
R 希望园区统筹推进通信基础设施建设。

@policy-consult
T {short}咨询{policy}[适用条件|兑现标准]
K company,shop
T {short}不清楚是否符合{policy}
P 公司今年{event}，希望了解是否符合{policy}，具体奖补标准是多少。
R 请相关部门上门进行政策解读，帮助企业应享尽享。
T {short}希望获得适用政策清单
P 园区政策文件较多，公司难以判断哪些政策适用于本企业。
R 希望提供一份适用于本企业的政策清单。
T {short}新增投资{invest_wan}万元政策咨询
P 公司计划新增投资{invest_wan}万元建设{product}生产线，希望提前了解可享受的扶持政策。
R 请相关部门提前介入，讲解政策。
T {short}咨询个体工商户扶持政策
K shop
P 本店是个体工商户，听说有针对小微企业和个体工商户的房租补贴、社保补贴，不清楚是否能享受。
R 希望工作人员讲解相关政策。

@policy-funds
T {short}{policy}奖励资金未到位
T 关于兑现{short}{subsidy}万元奖补资金的诉求
P 公司{last_year}年获批{policy}奖励{subsidy}万元，公示已结束{months}个月，资金至今未拨付。
R 请财政局加快资金拨付，并告知预计到账时间。
T {short}奖补资金审核进度不明
P 公司按要求提交了{policy}兑现材料，但审核进度不明，多次询问未得到明确答复。
R 希望建立奖补资金兑现进度查询机制。
T {short}技改补贴{subsidy}万元未兑现
P 公司技改项目已验收，按政策可获得设备投资额{percent}%的补贴，约{subsidy}万元，尚未兑现。
R 请尽快完成审核并拨付补贴。

@policy-qualification
T {short}申报{srdi}
P 公司主营{product}，拥有发明专利{patent_n}项、实用新型专利{patent_n2}项，拟申报{srdi}。
R 请经济发展和科技局安排专人指导，帮助企业顺利通过认定。
T {short}高新技术企业复审辅导需求
P 公司高新技术企业资格将于{month}到期，复审需要的研发费用专项审计报告尚未完成。
R 希望推荐第三方机构并给予审计费用补助。
T {short}申请认定{platform}
P 公司研发投入占比达到{rd_percent}%，希望申报{platform}，但不熟悉评价指标。
R 请经济发展和科技局给予辅导和推荐。

@policy-investment
T {short}入园协议配套条款未落实
K company,project
T 关于{short}入园协议履约的诉求
P 公司{settle_year}年签订入园协议，约定园区负责{promise}，目前仍未落实，影响企业投产计划。
R 请投资促进局牵头梳理协议履约情况，明确落实时间。
T {short}申请兑现{award}{subsidy}万元
K company,project
P 按投资协议，公司投产后可享受{award}{subsidy}万元，
  相关手续推进缓慢。
R 希望园区兑现招商承诺，增强企业投资信心。

@talent-recruit
T {short}急招{hires}名[普工|操作工|技术工人]
T {short}新产线投产用工缺口{hires}人
P 公司新生产线{month}投产，需招聘{hires}名一线员工，目前仅到岗{arrived}人，严重影响交货。
R 请人社局将企业岗位纳入园区专场招聘会，并协调劳务输出地定向招工。
T {short}{job}招聘难
P 公司长期招不到{job}，开出月薪{salary}元仍少有人应聘，熟练工流失率较高。
R 希望通过园区公众号、人力资源服务机构发布招聘信息。
T {short}[旺季|年后]用工缺口约{hires}人
P 受季节性订单影响，公司{month}前后用工缺口约{hires}人。
R 希望园区组织返岗专车和专场招聘。
T {short}招聘{shop_job}难
K shop
P 本店需招聘{shop_job}{arrived}名，在网上发布招聘信息一个多月，应聘的人很少。
R 希望在园区招聘平台和“微九华”公众号帮忙发布招聘信息。

@talent-introduction
T {short}引进博士等研发人才申请补贴
P 公司今年引进{talent_n}名研发人员，其中博士{phd_n}名，希望了解人才引进补贴和安家费标准。
R 请人社局落实人才补贴政策。
T {short}人才公寓申请
P 公司外地技术骨干{talent_n}人在园区周边租房困难，希望申请园区人才公寓。
R 希望协调安排人才公寓，解决人才住房问题。
T {short}高层次人才[落户|安居]政策咨询
P 公司引进的高级工程师需办理落户和子女入学，不清楚办理流程。
R 希望提供一站式人才服务。

@talent-school
T {short}希望与{college}开展[订单班|定向班]合作
P 公司每年需要机电一体化、数控等专业技能人才约{hires}人，希望与{college}合作开设定向班。
R 请人社局、教育文卫局牵线搭桥，促成校企合作。
T {short}申请建设实习实训基地
P 公司有意与{college}共建实习实训基地，但不清楚政府相关支持政策。
R 希望讲解校企合作支持政策。
T {short}对接{college}毕业生招聘
P 公司参加了园区校企对接会，希望进一步对接{college}的应届毕业生。
R 希望园区协助组织校园专场招聘。

@talent-labour
T {short}员工社保转移接续困难
P 公司有{workers}名外省员工，社保转移接续手续复杂，员工意见较大。
R 请人社局安排专人指导，加快办理。
T {short}工伤认定进度慢
K company,project,shop
P 公司一名员工于{date}在车间受伤，工伤认定材料已提交，认定进度较慢，员工家属情绪激动。
R 希望加快工伤认定，并做好家属沟通。
T {short}申请稳岗返还
P 公司去年未裁员，符合稳岗返还条件，但未收到返还资金。
R 请人社局核实并尽快返还。

@safety-production
T {short}申请安全隐患排查指导
T {short}自查发现隐患需专家指导
P 公司在自查中发现{hazard}，整改方案需要专业意见，希望应急管理局派专家指导。
R 请应急管理局安排专家现场指导，帮助企业消除隐患。
T {short}周边{neighbor}存在安全隐患
K company,shop,project
P 公司相邻的{neighbor}[露天堆放易燃物品|临时用电不规范]，一旦发生事故可能波及公司厂区。
R 希望加强对周边企业和工地的安全检查。
T {short}新建车间安全条件审查
P 公司新建的{equipment}车间需进行安全条件审查，不清楚办理流程。
R 请一次性告知办理要求。

@safety-eia
T {short}扩产项目环评审批
K company,project
T {short}环评审批进度缓慢影响开工
P 公司{product}扩产项目已备案，环评报告表编制完成，但审批进度较慢，影响项目{month}开工计划。
R 请生态环境分局提前介入指导，开辟环评审批绿色通道。
T {short}排污许可证变更
P 公司新增{equipment}，需变更排污许可证，不清楚是否需要重新办理环评。
R 希望上门指导排污许可申领。

@safety-fire
T {short}厂房消防验收[未通过|办理缓慢]
K company,project
T 关于{short}{building}栋厂房消防验收的诉求
P 公司{building}栋厂房已完工，消防验收提出{issue_n}项整改意见，部分意见与设计审查时不一致，
  企业无所适从。
R 请规划建设局组织消防验收专家现场指导，一次性明确整改标准。
T {short}厂房火灾危险性类别调整
P 公司租赁的厂房原设计为丙类，现生产{product}需要调整为乙类，消防改造难度大。
R 希望专家现场评估改造方案。
T {short}消防检查整改指导
K shop
P 本店在消防检查中被指出{fire_issue}，要求限期整改，店主不清楚具体整改标准。
R 希望消防部门上门指导，一次性告知整改要求。

@safety-pollution
T {road}附近企业夜间排放异味
K company,shop
T 反映{road}一带夜间刺鼻气味
P {road}附近有企业夜间排放刺鼻气体，{short}员工反映头晕恶心，已持续{n_days}天。
R 请生态环境分局现场核查，依法处理。
T {short}环保整改完成申请复查复产
P 公司因{pollution_issue}被要求停产整改，整改已于{date}完成，希望尽快复查复产。
R 希望尽快组织复查，帮助企业恢复生产。
T {short}咨询环保设施改造补助
P 公司污水预处理设施运行成本高，希望了解环保设施提标改造的补助政策。
R 请生态环境分局给予政策指导。

@approval-construction
T {short}项目竣工联合验收办理
K company,project
T {short}竣工验收手续[串联改并联|加快办理]
P 公司项目主体已完工，竣工验收涉及规划、消防、人防、质监等多个环节，按以往经验耗时较长。
R 请行政审批服务局组织联合验收，手续由串联改并联。
T {short}申请[容缺受理|承诺制]办理施工许可
K project,company
P 公司项目急于开工，施工图审查已完成，但{missing_doc}尚未取得，无法办理施工许可证。
R 请行政审批服务局实行容缺受理，加快办理。
T {short}改扩建项目是否需办施工许可
K company
P 公司厂房改扩建项目面积{m2_small}平方米，不清楚是否需要办理施工许可。
R 希望安排帮办代办专员指导。

@approval-license
T {short}办理{license}
K company,shop
T {short}营业执照[变更|增项]及{license}办理
P 公司新增{business_scope}业务，需要变更营业执照经营范围并办理{license}，不清楚办理流程。
R 请行政审批服务局一次性告知所需材料，帮助企业尽快办理。
T {short}{license}延续未办结
K company,shop
P 公司{license}将于{month}到期，延续申请材料已提交，尚未办结。
R 希望加快办理，避免影响经营。
T {short}{equipment_special}使用登记办理
P 公司新购置{equipment_special}{equip_n}台，需办理特种设备使用登记。
R 希望提供上门帮办服务。

@approval-planning
T {short}厂区[加建|改建]规划审批
K company
P 公司在现有厂区内拟加建{m2_small}平方米[仓库|办公楼|钢结构厂房]，需办理建设工程规划许可证。
R 请自然资源和规划分局指导办理。
T {short}项目规划核实进度慢
K company,project
T {short}申请分阶段规划核实
P 公司项目已完工，规划核实需要的测量成果尚未出具，影响竣工验收和产权办理。
R 希望分阶段出具测量成果，缩短规划核实时间。
T {short}总平面图调整规划变更
P 公司项目总平面图需调整，不清楚规划变更程序。
R 请尽快出具规划意见。

@utilities-power
T {short}申请增容至{kva}千伏安
P 公司新增{equipment}，现有变压器容量不足，需增容至{kva}千伏安，供电公司回复需等待线路改造。
R 请公用事业服务中心协调国网湘潭供电公司加快办理，保障企业用电。
T {short}新厂房[专线接入|配电房接入]
K company,project
P 公司新厂房已建成，配电房接入需从{road}架设专线约{meters}米，涉及杆线迁改。
R 希望协调供电部门加快接电。
T {short}厂区电压不稳频繁跳闸
P 公司厂区用电高峰期电压波动，{equipment}频繁跳闸，一个月内造成停机{n_times}次。
R 希望供电部门现场排查，尽快解决电压不稳问题。

@utilities-water
T {short}厂区供水水压不足
P 公司所在{road}片区供水水压不足，高峰期二楼以上无法供水，清洗工序受影响。
R 请公用事业服务中心协调供水公司尽快改造。
T {short}申请生产用水接入
K company,project
P 公司新厂房日用水量约{water_t}吨，现有DN{dn}管道无法满足，需重新接驳。
R 希望明确接水报装时限和费用。
T {road}供水管网老化频繁爆管
K company,shop
P {road}供水管网老化，近期多次爆管，{short}等周边企业生产受到影响。
R 希望尽快对老旧管网进行改造。

@utilities-gas
T {short}申请天然气管道接入
K company,project
T 关于{road}天然气管网延伸的诉求
P 公司{equipment}需使用天然气，日用气量约{gas_m3}立方米，目前{road}燃气管网尚未延伸到位。
R 请协调燃气公司加快管网建设。
T {short}天然气接驳费偏高
P 公司天然气接驳费报价约{amount}万元，企业认为收费偏高。
R 希望合理确定接驳费用。
T {short}冬季用气受限影响生产
P 冬季用气高峰期燃气公司限量供应，影响公司正常生产。
R 希望保障企业生产用气。
T {short}申请接入管道天然气
K shop
P 本店为餐饮门店，目前使用瓶装液化气，存在安全隐患，希望接入管道天然气，但燃气公司称需整栋报装。
R 希望协调燃气公司为沿街门店办理报装。

@utilities-outage
T {short}突发停电，请求紧急抢修
T {road}片区突发停电
P {date}{hour}时许，{road}片区突然停电，公司{equipment}正在运行，已造成一批{product}报废。
R 请立即协调抢修，尽快恢复供电。
T {road}片区频繁停电影响生产
K company,shop,project
P {road}片区本月已停电{n_times}次，均未提前通知，[企业无法安排生产|门店无法正常营业]。
R 希望计划停电提前通知企业，减少损失。
T {short}供水管道被挖断全厂停水
K company,project
P 公司厂区外供水管道被施工挖断，全厂停水，生产线被迫停产。
R 请立即协调抢修，尽快恢复供水。

@schooling-enrol
T {short}员工子女[入学|入园]需求{kids}人
T 关于{short}员工子女秋季入学的诉求
P 公司有{kids}名员工子女今年秋季需入读{grade}，员工户籍均不在湘潭，希望就近安排在{school}就读。
R 请教育文卫局统筹安排学位，解决员工后顾之忧。
T {short}员工子女就近入学困难
P 公司员工居住在{compound}，附近学校学位紧张，孩子被安排到较远学校，接送困难。
R 希望就近调剂学位。
T {short}咨询员工子女入学政策
P 公司外地员工较多，对园区企业员工子女入学政策不清楚，担心影响人才稳定。
R 希望明确园区企业员工子女入学政策。

@schooling-transfer
T {short}引进人才子女转学申请
T {short}技术骨干子女转入{school}
P 公司新引进的技术总监子女现就读{grade}，需从外省转入{school}，转学手续较多。
R 请教育文卫局按照人才政策协调办理转学。
T {short}{talent_n}名人才子女[插班|转学]
P 公司{talent_n}名引进人才子女需转学，希望享受人才子女入学优待政策。
R 希望尽快明确可安排的学校。

@schooling-care
T {short}员工子女[暑期托管|课后服务]需求
P 暑假期间员工子女无人照看，不少员工请假或把孩子带到厂里，存在安全隐患。
R 请教育文卫局协调开办暑期托管服务。
T {plant_park}周边缺少[幼儿园|托育机构]
P {plant_park}周边没有幼儿园和托育机构，{short}年轻员工反映孩子入托困难。
R 希望在园区规划建设幼儿园或托育点。

@transport-bus
T {plant_park}员工通勤不便，申请开通公交
T {short}员工上下班通勤难
P 公司员工{workers}人，多数住在城区，{road}一带无公交线路，员工上下班只能骑电动车或拼车。
R 请规划建设局协调公交公司延伸线路或增设站点。
T 申请{bus}路公交延长运营时间
P {bus}路公交末班车时间为{bus_last}，{short}夜班员工下班后无车可乘。
R 希望延长末班车时间或开通夜班通勤专线。
T {plant_park}公交站点距离远
P {plant_park}入驻企业增多，公交站点距离企业较远，员工步行约{walk_min}分钟。
R 希望就近增设公交站点。

@transport-parking
T {road}货车限行影响{short}发货
K company,project
T {short}申请货车通行证
P {road}实行货车限行，公司每天有{truck_n}台货车需进出厂区送货，经常被处罚。
R 请公安分局交警部门为企业办理货车通行证，或调整限行时段。
T {short}门前社会车辆乱停
K company,shop
P 公司门前{road}路边停满社会车辆，送货车辆无法停靠进出。
R 希望城管部门规范周边停车秩序。
T {short}职工停车难
P 公司职工车辆增多，厂区停车位不足，员工只能在路边停车，多次被贴罚单。
R 希望在周边增设临时停车位。

@transport-signal
T {road}与{road2}交叉口缺少红绿灯
P {road}与{road2}交叉口车流量大，没有红绿灯，今年以来已发生{n_times}起交通事故。
R 请公安分局会同规划建设局尽快增设信号灯。
T {road}交通标线模糊
P {road}交通标线磨损严重，夜间无法辨识，存在安全隐患。
R 希望重新施划交通标线。
T {short}门前缺少[斑马线|减速带]
P 公司员工上下班需横穿{road}，没有斑马线和人行信号灯，员工安全无保障。
R 希望在企业门前设置斑马线、减速带和警示标志。

@innovation-platform
T {short}申报{platform}
P 公司与{college}联合开展{product}关键技术研发，已具备申报{platform}的条件。
R 请经济发展和科技局指导申报，并给予推荐。
T {short}申报首台套产品认定
P 公司研制的{product}已完成样机试制，拟申报省首台（套）重大技术装备，需要地方推荐。
R 希望园区给予推荐和配套奖励。
T {short}研发平台建设资金申请
P 公司研发中心投入{invest_wan}万元，希望了解可申请的研发平台建设补助。
R 希望落实研发平台配套奖励。

@innovation-ip
T {short}[专利侵权|产品被仿冒]维权
P 公司发现外省企业仿冒{product}，侵犯公司专利权，涉案金额约{amount}万元，希望获得维权援助。
R 请市场监督管理分局提供知识产权维权援助。
T {short}申请知识产权质押融资
P 公司拥有发明专利{patent_n}项，希望通过知识产权质押融资{loan_small}万元。
R 希望协调银行和评估机构办理。
T {short}知识产权贯标补助咨询
P 公司计划开展知识产权管理体系贯标，希望了解补助政策。
R 希望推荐专业机构，落实专利资助。

@innovation-cooperation
T {short}寻求与{college}开展产学研合作
T {short}{tech_problem}技术难题求助
P 公司在{tech_problem}方面遇到技术瓶颈，希望与{college}相关团队合作攻关。
R 请经济发展和科技局搭建产学研对接平台。
T {short}申请科技特派员服务
P 公司研发人员不足，希望通过科技特派员制度获得{college}专家的技术指导。
R 希望组织高校专家到企业现场对接。

@innovation-digital
T {short}[智能化改造|数字化车间]项目申报
P 公司计划投资{invest_wan}万元对{product}生产线进行智能化改造，引入{equipment}，
  希望了解补贴政策。
R 请经济发展和科技局给予指导并落实技改补贴。
T {short}[设备上云|工业互联网]改造需求
P 公司设备联网改造需要专业服务商，不清楚如何选择，也担心投入产出不匹配。
R 希望推荐工业互联网服务商开展免费诊断。

@trade-customs
T {short}进口{equipment}通关时间长
P 公司从[德国|日本|意大利]进口的{equipment}在口岸滞留{n_days}天，影响生产线调试。
R 请综合保税区管理局协调海关提供通关便利。
T {short}出口货物查验时间长
P 公司出口{product}每月约{containers}个集装箱，报关查验时间长，增加了物流成本。
R 希望协调海关推行提前申报、两步申报。
T {short}首次开展进出口业务指导
P 公司首次开展进出口业务，对海关备案和报关流程不熟悉。
R 希望安排专人指导企业办理海关备案。

@trade-orders
T {short}外贸订单下滑求助
P 受海外需求疲软影响，公司{product}出口订单同比下降{percent}%，希望拓展新兴市场。
R 请综合保税区管理局组织企业参加境外展会。
T {short}申请出口信用保险支持
P 公司出口额约{export}万美元，海外客户账期长，希望投保出口信用保险并获得保费补贴。
R 希望落实出口信保保费补贴。
T {short}[汇率波动|海运费上涨]影响出口
P 今年海运费和人民币汇率波动较大，公司外贸利润明显压缩。
R 希望提供汇率避险和外贸融资服务。

@trade-bonded
T {short}申请开展保税加工业务
T {short}入驻湘潭综合保税区咨询
P 公司计划开展{product}保税加工业务，希望了解入驻湘潭综合保税区的条件和优惠政策。
R 请综合保税区管理局提供政策辅导和场地支持。
T {short}跨境电商出口仓库需求
P 公司拟开展跨境电商出口业务，需要在综保区租赁仓库约{m2}平方米。
R 希望简化入区备案手续，提供仓储场地。

@tax-refund
T {short}申请增值税留抵退税{tax}万元
T 关于{short}留抵退税的诉求
P 公司去年购置{equipment}等设备，形成增值税留抵税额约{tax}万元，希望尽快办理留抵退税，
  缓解资金压力。
R 请税务局加快审核办理。
T {short}出口退税进度缓慢
P 公司{past_month}提交的出口退税申请仍在审核中，涉及退税额{tax}万元。
R 希望加快出口退税审核。
T {short}咨询留抵退税政策适用
P 公司不清楚新的留抵退税政策是否适用于本行业。
R 希望安排税务专管员上门辅导。

@tax-incentive
T {short}咨询研发费用加计扣除政策
P 公司研发投入{invest_wan}万元，对研发费用加计扣除的归集口径把握不准，担心后期被调整。
R 请税务局开展一对一辅导，确保政策应享尽享。
T {short}申请减免[房产税|城镇土地使用税]
K company,shop
P 公司今年经营困难，亏损约{amount}万元，申请困难减免房产税和城镇土地使用税。
R 希望依法给予困难减免。
T {short}高新技术企业税收优惠咨询
P 公司刚认定为高新技术企业，想了解可享受的税收优惠。
R 希望税务局上门讲解。

@tax-fees
T {short}反映[检测|中介]收费偏高
P 公司办理{approval_item}时被要求委托指定机构出具报告，收费{fee}元，明显高于市场价格。
R 请市场监督管理分局核查涉企收费，依法查处违规收费行为。
T {short}城市基础设施配套费减免咨询
P 公司新建厂房需缴纳城市基础设施配套费约{amount}万元，希望了解减免政策。
R 希望明确收费依据和减免政策。
T {short}被要求缴纳协会会费
K company,shop
P 公司被某协会要求入会并缴纳会费{fee}元，否则影响年检，企业认为不合理。
R 请核实是否属于违规收费。

@supply-logistics
T {short}原材料运输受阻
K company,project
P 受{reason_logistics}影响，公司从外省采购的{material}无法按时到货，库存仅够维持{n_days}天生产。
R 请园区协调办理重点物资运输车辆通行证，保障物流畅通。
T {short}货车进出园区受限
K company,project
P 公司货车进出需办理通行证，{truck_n}辆车中仅{truck_ok}辆办理下来，发货受阻。
R 希望尽快为其余车辆办理通行证。
T {short}物流成本上涨求助
P 公司产品主要发往长三角，近期物流价格上涨{percent}%，希望对接园区物流资源。
R 希望对接物流企业，降低运输成本。

@supply-epidemic
T {short}员工返岗政策咨询
K company,project
P 公司{workers}名员工需返岗，部分员工来自外省，不清楚返岗要求。
R 请教育文卫局明确防控要求，指导企业做好防疫工作。
T {short}申请纳入重点保供企业白名单
P 公司承担{product}重点保供任务，希望纳入重点保供企业白名单，保障连续生产。
R 希望尽快纳入白名单。
T {short}防疫物资储备不足
K company,shop
P 公司防疫物资储备不足，口罩、消毒液仅够使用{n_days}天。
R 希望协调保障防疫物资。

@supply-materials
T {short}{material}供应紧张
P 公司主要原材料{material}价格较年初上涨{percent}%，且供应商限量供应，生产成本大幅增加。
R 请经济发展和科技局协调供需对接，帮助稳定原材料供应。
T {short}新增能耗指标申请
P 公司扩产项目需要新增综合能耗约{energy}吨标准煤，能耗指标尚未落实。
R 希望协调落实项目能耗指标。
T {short}进口芯片交期延长
P 公司使用的进口芯片交期延长到{weeks}周，导致{product}交货延误。
R 希望帮助对接国产替代供应商。

@party-organize
T {short}申请成立党支部
P 公司现有正式党员{party_n}名，组织关系多在老家，希望在公司成立党支部。
R 请党群工作部指导企业建立党组织。
T {short}申请建立联合党支部
P 公司党员只有{party_few}名，达不到单独建支部条件，希望与周边企业组建联合党支部。
R 希望选派党建指导员。
T {short}党员组织关系转接
P 公司新入职{party_n}名党员需转接组织关系，不清楚办理流程。
R 请党群工作部给予指导。

@party-activity
T {short}申请建设党员活动室
P 公司计划建设党员活动室，面积约{room_m2}平方米，希望给予阵地建设指导和经费支持。
R 请党群工作部给予指导和经费支持。
T {short}希望开展党建联建
P 公司党支部希望与园区机关党支部开展党建联建，共同为企业发展解难题。
R 希望安排党建联建活动。

@party-union
T {short}申请成立工会
P 公司员工{workers}人，尚未成立工会，希望指导组建工会并开展职工权益保障工作。
R 请党群工作部指导组建群团组织。
T {short}困难职工帮扶申请
P 公司有{n_hard}名困难职工，家庭生活困难，希望工会给予帮扶。
R 希望给予困难职工慰问帮扶。
T {short}职工之家建设申请
P 公司计划建设职工之家，面积约{room_m2}平方米，希望获得上级工会补助。
R 请给予指导和补助。

@business-conduct
T 反映{dept_name}办事[推诿|拖延]
K company,shop,project
T {short}办事多次跑腿
P 公司到{dept_name}办理{approval_item}，前后跑了{n_times}次，每次都被要求补充不同材料。
R 请园区督查核实处理，提高服务效率，一次性告知所需材料。
T {short}诉求交办后长期未回复
K company,shop,project
P 公司{past_month}提出的诉求已交办{n_days}天，承办部门至今未联系企业。
R 希望督促承办部门尽快答复。

@business-enforcement
T {short}反映[重复检查|多头检查]
K company,shop
P 公司本月已迎接{n_times}次不同部门的检查，检查内容重复，影响正常生产。
R 请优化营商环境协调事务中心协调相关部门开展联合检查，减少对企业的干扰。
T {short}希望适用首违不罚
K company,shop
P 公司因{violation}被处以罚款{fee}元，企业认为属于首次轻微违法，希望适用首违不罚。
R 希望依法依规作出处理。

@business-security
T {short}厂区{stolen}被盗
K company,project
P 近期公司厂区多次发生{stolen}被盗事件，损失约{loss}万元，已向派出所报案。
R 请公安分局加强巡逻防控，依法打击违法犯罪。
T {road}夜间治安问题
P {road}路段夜间照明差，{short}员工下夜班时多次遇到可疑人员尾随。
R 希望在企业周边增设监控探头，加强夜间巡逻。
T {short}施工现场被阻工
K project,company
P 有人以承揽土方工程为由，在公司施工现场阻工滋事，影响项目进度。
R 请公安分局依法处置。

@residents-sanitation
T {compound}生活垃圾清运不及时
T {compound}垃圾站异味大
P {compound}垃圾桶满溢已{n_days}天无人清运，气温升高后异味很大，招来蚊蝇。
R 请城管部门尽快清运，并加强日常保洁。
T {road}沿线建筑垃圾乱倒
P {road}路边有人夜间偷倒建筑垃圾，堆积约{tons}吨，占用半幅道路。
R 希望查处偷倒行为，尽快清运。
T {village}{group}沟渠垃圾堆积
P {village}{group}附近的沟渠堆满生活垃圾，下雨后污水漫到村民家门口。
R 希望增设垃圾桶，定时清运。

@livelihood-road
T {compound}门前道路[破损|坑洼]
P {compound}门前约{meters}米道路坑洼不平，雨天积水，老人小孩出行容易摔倒。
R 请规划建设局尽快安排维修。
T {village}{group}[通组公路|入户路]需硬化
P {village}{group}通组公路还是泥巴路，{households}户村民出行不便，农产品运不出去。
R 希望纳入今年的道路硬化计划。
T {road}人行道井盖缺失
P {road}人行道有井盖缺失，已有行人踩空受伤，存在很大安全隐患。
R 请尽快补齐井盖，修复人行道。

@residents-noise
T {compound}附近工地夜间施工噪音扰民
P {compound}旁边的工地每天晚上施工到{night_hour}点，噪音很大，居民无法休息。
R 请相关部门依法查处，禁止夜间违规施工。
T {road}商铺音响噪音扰民
P {road}的商铺用高音喇叭招揽顾客，从早到晚不停，影响周边居民生活。
R 希望城管部门劝导整改。
T {compound}周边企业设备噪音大
P 小区附近一家企业的{equipment}运行时噪音很大，夜间尤其明显，已持续{months}个月。
R 希望督促企业采取降噪措施。

@residents-property
T {compound}物业服务差
P {compound}物业费每月{fee_m2}元/平方米，但[保洁|绿化|安保]服务不到位，业主意见很大。
R 请规划建设局和属地街道督促物业公司整改。
T {compound}{building}栋电梯频繁故障
P {compound}{building}栋电梯经常故障停运，已困人{n_times}次，物业以维修资金不足为由拖延。
R 希望尽快维修电梯，并督促物业履职。
T {compound}业主委员会成立受阻
P 小区业主希望成立业主委员会，但物业公司不配合，一直没有组织起来。
R 希望指导业主依法成立业主委员会。

@grassroots-insurance
T {person}咨询城乡居民养老保险缴费
P 本人今年{age}岁，灵活就业，想了解城乡居民养老保险的缴费档次和补缴政策。
R 请社会事务局给予政策解答。
T {person}异地就医报销问题
P 家中老人在长沙住院，异地就医备案后报销比例偏低，自付{amount_yuan}元，不清楚原因。
R 希望核实报销情况。
T {community}居民社保卡补办不便
P 本人社保卡丢失，补办需要到城区办理，路途较远。
R 希望在社区设立代办点。

@banshi-enterprise-jobs
T {village}村民希望到园区企业就业
P {village}{group}有{households}户村民家中有劳动力闲置，希望了解园区企业的招工信息和岗前培训。
R 希望组织一次家门口的招聘会，并提供技能培训。
T {compound}居民子女实习难
P {compound}有多名职业院校学生找不到对口实习岗位，家长希望园区企业提供实习机会。
R 希望搭建校企对接平台，推荐实习岗位。

@banshi-enterprise-commute
T {compound}到园区上班无公交
P {compound}有不少居民在园区企业上班，早晚没有公交直达，只能骑电动车绕行。
R 希望开通早晚通勤专线。
T {village}{group}通往园区的路口没有红绿灯
P {village}{group}村民每天经路口到园区上班，路口车流大又没有信号灯，存在安全隐患。
R 希望加装信号灯和减速带。

@wishes-wish
T {village}{group}留守儿童的新书包心愿
P {village}{group}有{kids_small}名留守儿童，开学前希望每人有一个新书包和一套文具。
R 希望志愿者帮忙认领微心愿。
T {compound}独居老人希望有人帮忙助餐
P {compound}有几位独居老人行动不便，做饭困难，希望志愿者定期上门送餐。
R 希望社区组织志愿服务。

@livelihood-water
T {village}{group}自来水未通，饮水困难
P {village}{group}{households}户村民至今未通自来水，冬季井水干涸，需到{km}公里外挑水。
R 请尽快协调解决村民饮水问题。
T {compound}自来水浑浊
P {compound}自来水近期出现浑浊，有异味，居民不敢饮用。
R 希望尽快检测水质并公布结果。
T {village}{group}地势高水压不足
P {village}{group}地处高处，水压不足，用水高峰期三楼以上没水。
R 希望加装增压设施。

@wishes-assistance
T {person}申请低保
P 本人家住{addr}，丈夫因病去世，独自抚养{kids_small}个孩子，家庭收入很低，申请低保。
R 请社会事务局核实情况，给予救助。
T {person}因病致困求助
P 家中老人患{disease}，医疗费用已花费{amount_med}万元，家庭生活困难，申请临时救助。
R 希望社区帮助申报相关救助。
T {person}咨询残疾人补贴
P 本人是{disability}残疾，希望了解残疾人两项补贴的申请条件。
R 希望社区帮助申报。

@residents-parking
T {compound}消防通道被占用
P {compound}消防通道长期被私家车占用，一旦发生火灾，消防车无法进入。
R 请城管执法局和公安分局清理占用消防通道车辆，规范停车秩序。
T {compound}停车收费不合理
P {compound}停车场收费由{old_fee}元/月涨到{new_fee}元/月，没有经过业主同意。
R 希望核查收费依据。
T {compound}电动车飞线充电隐患
P 小区电动车多，充电桩少，不少居民从楼上拉线充电，存在火灾隐患。
R 希望在小区增设电动车充电桩。

@grassroots-resettlement
T {village}{group}安置房交房延期
P 本人房屋于{demolish_year}年被征收，安置房原定{past_month}交房，至今未交付，过渡费难以维持租房。
R 请征地拆迁事务中心核实处理，明确交房时间。
T {compound}安置小区不动产证未办
P 安置小区已入住{n_years}年，至今未办理不动产权证，居民无法落户。
R 希望明确办证时间。
T {person}拆迁补偿面积计算有误
P 本人拆迁补偿面积计算有误，少算了{m2_small}平方米，多次反映未得到答复。
R 请核实补偿面积并书面答复。

@livelihood-transit
T {village}不通公交，村民出行难
P 目前{village}还没有公交车通行，小孩上学、村民出行非常不方便，需步行{km}公里到{road}坐车。
R 能不能请经开区帮我们向公交公司协调一下，延伸线路或开通专线。
T {village}公交班次少
P {bus}路公交每小时只有一班，村民到城区就医、买菜很不方便。
R 希望增加公交班次。
T {village}学生上学交通不便
P 村里学生每天上学要走{walk_min}分钟，雨天路滑存在安全隐患。
R 希望开通学生专线或调整公交线路。

@intro:company
L {ent}位于{addr}，主要生产{product}，现有员工{employees}人。
L 我公司是园区{kind_label}，主营{product}，去年实现营业收入约{revenue}万元。
L {short}于{settle_year}年落户湘潭经开区，主要从事{product}的研发、生产和销售。
L 专属服务员走访{short}时，企业提出：
L 企业联系人{contact}（{position}）反映：
L {ent}在“亲商优商企业接待日”反映：
L

@intro:shop
L {ent}位于{addr}，主要经营{product}，有员工{employees}人。
L 店主{contact}反映：
L

@intro:project
L {ent}位于{addr}，计划总投资{invest_yi}亿元，目前{stage}。
L 项目负责人{contact}反映：
L 在重点项目调度会上，{short}提出：
L

@intro:resident
L 我是{community}居民，家住{addr}。
L {community}居民{person}来电反映：
L 群众{person}通过“微九华”留言反映：
L

@intro:community
L {ent}反映：
L {community}{households}户居民联名反映：
L 网格员在走访中收集到{community}群众反映：

@impact:company
L 此事已影响企业正常生产经营，恳请尽快协调。
L 目前企业已多方联系，仍未解决。
L 企业已于{date}向相关部门反映过一次。
L

@impact:resident
L 此事已反映多次，希望这次能真正解决。
L 附近居民意见很大。
L

@contact:company
L 联系人：{contact}，电话：{phone}。
L 联系人{contact}，{phone}。
L

@contact:resident
L 联系电话：{phone}。
L
"""

_ANSWER_DSL = """
@answer:financing
S[loan] 已协调{bank}完成授信审批，{loan}万元贷款已于{date}放款到位。
S[loan,subsidy] 经金融服务中心牵头召开银企对接会，{bank}为企业办理{loan_small}万元信用贷款，
  执行利率{rate}%。
S[subsidy] 已为企业办理转贷应急资金{loan_small}万元，续贷手续已完成。
S[arrears] 经财政局协调，欠款单位已于{date}支付欠款{amount}万元，剩余款项按还款计划支付。
S[listing] 已将企业纳入上市后备企业库，并安排券商、律所上门辅导。
H[loan] 已协调{bank}完成尽职调查，首批{loan_small}万元已放款，剩余额度待抵押登记完成后发放。
H[subsidy] 贴息申报材料已受理，资金正在走拨付程序，预计{month}到账。
H[arrears] 欠款单位已支付部分款项，剩余{amount}万元已签订还款协议，分{n_years}期支付。
E[loan,subsidy] 经核实，企业去年的贷款符合贴息条件，贴息资金按年度集中申报，
  {month}发布通知，届时请按要求申报。
E[subsidy,loan] 根据现行政策，转贷应急资金使用期限不超过{n_days}天，需由合作银行出具续贷承诺函，
  已向企业详细说明。
E[listing] 已向企业讲解股改、挂牌、上市各阶段奖补政策及申报时间节点。
N[loan,subsidy] 因企业资产负债率较高且存在逾期记录，合作银行暂不具备授信条件，
  建议企业先行清理逾期后再申请。
N[arrears] 经核实，该笔账款为企业间商业纠纷，不属于政府拖欠，建议企业通过法律途径解决，
  园区可提供法律咨询。

@answer:land
S[supply] 已完成{road}地块{mu}亩用地报批，土地已挂牌出让，企业已竞得并签订出让合同。
S[plant] 已为企业对接{plant_park}{building}栋厂房约{m2}平方米，企业已于{date}入驻。
S[plant] 已安排维修单位完成屋面防水和地面修复，租金减免手续已办结。
S[certificate] 不动产权证已于{date}办结，企业已领证。
S[expropriation] 补偿款已于{date}兑付到位，相关群众已签字确认。
H[supply] 用地报批材料已上报，目前正在审查，预计{month}获批；地块内管线迁改已完成。
H[plant] 已安排维修屋面漏水部位，租金减免手续正在办理中。
H[expropriation] 已完成{households}户补偿兑付，其余户正在核算，预计{month}前兑付完毕。
E[certificate] 经核实，企业辅助用房属未批先建，需先行补办规划手续，已一次性告知补办材料和流程。
E[expropriation] 补偿标准已按征收补偿方案执行，已向群众逐项解释计算依据。
N[supply] 企业意向地块属于规划绿地，不能作为工业用地供应，已推荐{road2}片区备选地块供企业选择。
N[plant] 目前园区标准厂房已全部租售，新建厂房预计{year_next}年竣工，已将企业列入意向名单。

@answer:training
S 已协调培训机构于{date}上门开展培训，{workers}名员工参训，培训补贴已指导企业申领。
S[safety] 已组织安全生产专家到企业开展专题培训和应急演练。
S[policy,management] 已安排专人上门辅导，企业已于{date}完成申报。
H 首期培训已完成，第二期培训排期在{month}。
E[policy,management] 已向企业详细讲解{policy}的申报条件、材料清单和时间节点，并提供了政策汇编。
E[skills] 已向企业讲解以工代训和职业技能培训补贴政策，企业可自行在网上申领。
N[skills] 取证培训需由具备资质的机构组织，本季度班次已满，已为企业预约下季度名额。

@answer:market
S[matching] 已组织企业参加园区供需对接活动，与{anchor}达成配套意向，首批订单约{order}万元。
S[promotion] 已将企业纳入园区组团参展名单，并在招商推介会上推介企业产品。
S[procurement] 已协调完成结算审核，货款已于{date}支付。
H[matching] 已推荐企业与{anchor}对接，目前正在进行样品测试。
E[procurement] 已向企业讲解政府采购支持中小企业的政策，采购项目信息统一在政府采购网公开，
  请企业及时关注。
N[promotion] 本年度组团参展计划已确定，暂无法增加名额，已将企业纳入下一年度参展计划。

@answer:infrastructure
S[road] 已安排施工单位对{road}破损路段进行修补，{date}已完工通车。
S[drainage] 已疏通{road}段雨水管网约{meters}米，积水问题已解决。
S[lighting] 已更换{road}损坏路灯{lamp_n}盏，恢复正常照明。
S[network] 已协调通信运营商在{road}新建基站，厂区信号已覆盖。
H[road] {road}连接线已纳入年度建设计划，目前正在开展前期工作，已先行对破损路段进行临时修补。
H[drainage] 已完成管网清淤，排水系统改造工程正在设计，预计汛期前完工。
E[road] 该路段属于企业红线内道路，按规定由企业自行建设维护，已向企业说明。
N[road,drainage] {road}改造工程需待征拆完成后实施，目前暂不具备施工条件，已纳入项目计划统筹考虑。

@answer:policy
S[funds,investment] 奖补资金{subsidy}万元已于{date}拨付到企业账户。
S[qualification] 已指导企业完成申报，企业已通过认定。
S[investment] 经协调，投资协议约定的配套条件已全部落实。
H[funds,investment] 奖补资金已完成审核，第一批{subsidy}万元已拨付，剩余部分待年度预算安排后拨付。
E[consult,qualification] 经核实，企业上年度{metric}未达到{policy}的申报条件，已向企业逐条说明。
E[consult] 已向企业提供本年度适用政策清单，并讲解了申报时间和流程。
N[investment,funds] 投资协议约定的奖励以企业达产达效为前提，企业尚未达到约定的税收贡献标准，
  暂不具备兑现条件。

@answer:talent
S[recruit] 已将企业岗位纳入{past_month}园区专场招聘会，现场达成意向{hires}人，已到岗{arrived}人。
S[school] 已协调{college}与企业签订校企合作协议，首期定向班{class_n}人已开班。
S[introduction] 人才补贴已审核通过，人才公寓已安排{talent_n}套。
S[labour] 已安排专人指导，相关手续已办结。
H[recruit] 已通过招聘会帮助企业招聘{arrived}人，剩余用工缺口将通过劳务协作继续补充。
E[labour,recruit] 已向企业讲解稳岗返还、社保补贴政策，企业可在网上服务大厅自行申请。
N[introduction] 人才公寓目前已满租，已将企业人才列入轮候名单，建议先申请租房补贴。

@answer:safety
S[production] 已组织安全生产专家到企业现场指导，{issue_n}项隐患已全部整改到位。
S[eia] 环评文件已于{date}批复，企业可按计划开工。
S[fire] 已组织消防验收专家现场指导，企业按要求整改后已通过消防验收。
S[pollution] 已对相关企业开展现场执法检查，责令其整改废气处理设施，异味问题已解决。
H[eia] 环评审批已进入技术评估环节，预计{n_days}个工作日内完成；排污许可变更正在办理。
E[eia] 根据规定，企业新增设备未导致污染物排放量增加，无需重新办理环评，仅需变更排污许可。
N[fire] 企业生产工艺属于乙类火灾危险性，现有丙类厂房不具备改造条件，建议另行选址。

@answer:approval
S[construction] 已实行容缺受理，施工许可证已于{date}核发。
S[construction] 已组织规划、消防、人防等部门开展联合验收，项目已于{date}通过竣工验收。
S[license] 营业执照变更及相关许可已办结，已送证上门。
S[planning] 已分阶段出具测量成果，规划核实已于{date}完成。
H[construction] 施工许可已容缺受理，待企业补齐{missing_doc}后发证。
E[construction] 经核实，企业改建工程投资额和面积未达到办理施工许可的限额标准，无需办理施工许可。
N[planning] 企业加建部分超出规划条件核定的容积率，暂不能办理规划许可，已建议企业调整设计方案。

@answer:utilities
S[power] 已协调国网湘潭供电公司完成增容，变压器容量已增至{kva}千伏安。
S[water] 已协调供水公司更换DN{dn}管道，企业用水已恢复正常。
S[outage] 经协调抢修，已于{hour}时恢复供电（供水）。
S[gas] 燃气管网已延伸至{road}，企业已通气。
H[power] 增容方案已确定，线路改造工程预计{month}完工，期间已协调临时用电。
E[outage,power] 经核实，停电系上级电网计划检修，已提前在网上公告，已要求供电所今后电话通知园区企业。
N[gas] {road}燃气管网延伸需整体规划建设，目前用户数量较少，暂不具备单独接驳条件。

@answer:schooling
S[enrol] 已协调安排{kids}名员工子女在{school}就读。
S[transfer] 人才子女转学手续已办结，已于{date}入学。
S[care] 已协调开办暑期托管班，首期接收学生{kids}人。
H[enrol] 已安排部分学生就近入学，其余学生按学区划分安排在{school}。
E[enrol,transfer] 根据今年义务教育招生政策，随迁子女需提供居住证明和务工证明，已向企业详细说明。
N[transfer,enrol] {school}学位已满，暂无法接收插班生，已协调安排至就近学校就读。

@answer:transport
S[bus] 已协调公交公司将{bus}路延伸至{road}，并增设站点，已于{date}开通。
S[parking] 已为企业办理货车通行证{truck_n}张。
S[signal] 已在{road}与{road2}交叉口增设信号灯和减速带。
H[signal] 已在{road}施划交通标线，信号灯安装已纳入计划。
E[parking] {road}货车限行系依据城市交通管理规定实施，已向企业说明通行证办理条件和流程。
N[bus] 该线路客流量较小，公交公司暂不具备开通条件，已协调在早晚高峰开通通勤专线。

@answer:innovation
S[platform] 已指导企业完成申报，企业已获批{platform}。
S[cooperation] 已协调{college}与企业签订产学研合作协议。
S[ip] 已为企业办理知识产权质押融资{loan_small}万元。
S[digital] 已为企业落实智能化改造补贴{subsidy}万元。
H[platform,digital] 申报材料已推荐上报，目前正在评审。
E[platform,digital] 已向企业讲解相关政策，企业目前研发投入占比尚未达到要求，建议明年申报。
N[platform] 首台（套）认定需具备销售业绩，企业产品尚未实现销售，暂不具备申报条件。

@answer:trade
S[customs] 已协调海关开辟绿色通道，进口设备已于{date}通关。
S[orders] 已为企业落实出口信用保险保费补贴{subsidy}万元。
S[bonded] 已为企业在综保区安排仓库约{m2}平方米。
H[orders] 已组织企业参加{expo}，海外市场开拓工作正在推进。
E[bonded] 已向企业讲解综保区保税政策和入区条件，企业可根据业务需要选择入区模式。
N[bonded] 企业业务类型不属于综保区准入范围，暂不能入区，已推荐其他外贸服务方式。

@answer:tax
S[refund] 增值税留抵退税{tax}万元已于{date}退付到账。
S[incentive] 已安排税务专管员上门辅导，企业已按规定享受研发费用加计扣除。
S[fees] 经核查，已责令违规收费单位退还费用{fee}元。
H[refund] 出口退税已审核通过一部分，剩余部分待单证齐全后办理。
E[refund,incentive] 根据政策规定，企业所属行业适用相关政策，已向企业讲解申请条件和流程。
N[incentive] 企业不符合困难减免条件，暂不能办理房产税减免，已告知可享受的其他优惠政策。

@answer:supply
S[logistics] 已为企业办理重点物资运输车辆通行证{truck_n}张，原材料已到厂。
S[epidemic] 已将企业纳入重点保供企业白名单，保障连续生产。
S[materials] 已协调对接本地供应商{n_sup}家，原材料供应已稳定。
H[logistics,materials] 已协调部分物资到位，剩余物资正在运输中。
E[epidemic] 已向企业讲解最新防控要求和员工返岗政策。
N[materials] 能耗指标由上级统筹分配，本年度指标已用完，已将企业需求纳入下一年度计划。

@answer:party
S[organize] 已指导企业成立党支部，选举产生支部委员会。
S[activity] 已拨付党建活动经费{party_fund}元，党员活动室已建成。
S[union] 已指导企业成立工会，并开展困难职工慰问。
H[organize] 联合党支部组建方案已确定，正在办理审批。
E[organize] 已向企业讲解党组织组建条件和组织关系转接流程。
N[organize] 企业正式党员不足3人，暂不具备单独建立党支部条件，已纳入联合党支部。

@answer:business
S[conduct] 已约谈相关部门负责人，企业事项已于{date}办结。
S[enforcement] 已协调开展联合检查，今后对企业实行“综合查一次”。
S[security] 已加强夜间巡逻，并在企业周边增设监控探头{camera_n}个。
H[conduct] 已责成承办部门{n_days}个工作日内答复企业，部分事项已办理完毕。
E[enforcement] 经核实，行政处罚程序合法，已向企业讲解首违不罚的适用条件及申请行政复议的途径。
N[security,enforcement] 企业所反映的纠纷属于民事合同纠纷，已引导企业通过法律途径解决。

@answer:residents
S[sanitation] 已安排清运车辆清理垃圾约{tons}吨，并增设垃圾桶{bin_n}个。
S[road] 已完成{meters}米道路修补，井盖已补齐。
S[noise] 已责令施工单位停止夜间施工，并纳入日常巡查。
S[property] 已督促物业公司完成电梯维修，并约谈物业负责人。
S[insurance] 已为群众办结相关手续。
H[sanitation,noise] 已临时处置，长效管理机制正在建立。
E[insurance] 已向群众讲解城乡居民社保医保缴费标准和报销政策。
N[road,property] 该路段属于小区内部道路，按规定由物业和业主共同维护，已协调物业制定维修计划。

@answer:livelihood
S[water] 已为{village}{group}铺设自来水管道，{households}户村民已通水。
S[assistance] 经入户核实，已为申请人办理临时救助{aid}元。
S[parking] 已清理占用消防通道车辆，并施划禁停标线。
S[transit] 已协调公交公司开通{bus}路延伸线，村里已通公交。
H[resettlement] 安置房主体已完工，正在进行配套建设，预计{month}交房；过渡费已按标准补发。
E[assistance] 已向申请人讲解低保申请条件和流程，社区将协助其提交材料。
N[assistance] 经入户核实，申请人家庭收入超过低保标准，不符合低保条件，已告知其他救助渠道。

@answer:generic
S 经协调，{requester}反映的问题已解决，并于{date}电话回访确认。
S 已按诉求办理完毕，{requester}表示认可。
H 诉求中的主要事项已办理，剩余事项正在推进，预计{month}完成，届时另行答复。
H 已完成阶段性工作，因涉及多个部门，剩余部分需进一步协调。
E 经核实，已向{requester}详细解释相关政策规定及办理条件，{requester}表示理解。
E 已就{requester}关注的问题进行政策解读，并提供了书面答复和办理指南。
N 经研究，该事项受{constraint}限制，目前暂不具备解决条件，已纳入台账持续跟踪。
N 经核实，该诉求超出现行政策范围，暂不具备办理条件，已向{requester}说明原因。

@answer-open
L 收到交办件后，我{unit}高度重视，于{date}安排专人与{contact}联系并到现场核实。
L {dept}接件后立即组织调查。
L {dept}会同{co}于{date}赴现场办公。
L 现将办理情况答复如下：
L

@answer-close
L 下一步，我们将持续跟踪，确保问题彻底解决。
L 如有疑问，请联系经办人{officer}，电话{office_phone}。
L
L

@return:not_our_duty
L 该诉求涉及{topic}，属于{other_dept}职责范围，不属于我{unit}职能，建议改派{other_dept}办理。
L 经研究，诉求核心是{topic}，应由{other_dept}主办，我{unit}可配合，请重新交办。
@return:not_our_area
L 经核实，诉求地点位于{other_street}辖区，建议转{other_street}属地处理。
L 诉求人住址不在本辖区，属地应为{other_street}，请改派。
@return:incomplete
L 诉求未提供{missing}，无法核实，请补充后重新交办。
L 多次联系诉求人未果（电话无人接听），且诉求未写明{missing}，请补充信息。
@return:other
L 该事项已通过{channel}受理并正在办理，属重复交办，建议合并处理。
L 该事项已进入司法诉讼程序，不宜行政介入，建议退回并告知诉求人。

@extension
L 该事项需报请{superior}审批，审批周期较长，申请延期{ext_days}个工作日。
L 涉及多个部门会商，协调会定于{date}召开，申请延期{ext_days}个工作日。
L 现场施工受连续降雨影响，无法按期完工，申请延期{ext_days}个工作日。
L 需等待{requester}补充{missing}，申请延期{ext_days}个工作日。
L 资金需纳入预算调整后拨付，预计{month}到位，申请延期。
L 需委托第三方机构出具评估报告，预计{ext_days}个工作日完成，申请延期。

@visit
L {date}，专属服务员{liaison}走访{short}，与{contact}（{position}）座谈。
  企业{status}。{findings}。企业提出诉求{n_req}项，现场解答{n_done}项，其余已录入平台交办。
L {date}，{liaison}到{short}开展“送政策、解难题、优服务”联企走访。{findings}；
  企业{status}，提出诉求{n_req}项。
L {liaison}电话回访{short}，{contact}表示企业{status}，暂无新的诉求。

@visit:resident
L {date}，网格员{liaison}走访{community}，入户{households}户，听取群众意见。
  群众集中反映{topic}等问题{n_req}条，已登记交办。
L {liaison}到{community}开展“我为群众办实事”走访，收集微心愿{n_req}个，现场解答{n_done}个。

@rating:satisfied
L 办理及时，非常满意！
L 感谢{dept}的同志，问题解决得很快。
L 服务员多次上门，态度很好，问题得到圆满解决。
L 真正做到了“企业有呼、园区必应”，点赞！
L 满意。
L
@rating:basic
L 问题基本解决，但办理时间稍长。
L 答复比较清楚，希望后续能跟踪落实。
L 部分问题还需要继续协调。
L 基本满意。
L
@rating:dissatisfied
L 问题没有实质解决，只是解释了政策。
L 答复与实际情况不符，希望重新核实。
L 办理时间太长，前后找了好几次。
L 不满意，希望领导关注。

@urge
L 该件已超期{overdue}个工作日，请{dept}于{date}前办结并反馈，逾期将纳入月度通报。
L 请{dept}加快办理，{date}前报送办理进展。
L 该诉求企业反映强烈，请{dept}主要负责同志亲自过问，尽快给出明确答复。
"""


class _Scenario(NamedTuple):
    titles: tuple[str, ...]
    problems: tuple[str, ...]
    requests: tuple[str, ...]
    kinds: tuple[str, ...]  # requester groups it fits: company, shop, project, resident, community


class _Line(NamedTuple):
    tag: str
    only: tuple[str, ...]  # suffix filter for answers; empty = all
    text: str


_LINE = re.compile(r"^([A-Z])(?:\[([\w,\-]+)\])?(?:\s+(.*))?$")


def _parse_sections(dsl: str) -> dict[str, list[_Line]]:
    sections: dict[str, list[_Line]] = {}
    current: list[_Line] | None = None
    for raw in dsl.splitlines():
        if not raw.strip():
            continue
        if raw.startswith("@"):
            current = sections.setdefault(raw[1:].strip(), [])
            continue
        if current is None:
            raise ValueError(f"template outside a section: {raw!r}")
        if raw[0].isspace():
            tag, only, text = current[-1]
            current[-1] = _Line(tag, only, text + raw.strip())
            continue
        m = _LINE.match(raw)
        if not m:
            raise ValueError(f"bad template line: {raw!r}")
        only = tuple(m.group(2).split(",")) if m.group(2) else ()
        current.append(_Line(m.group(1), only, (m.group(3) or "").strip()))
    return sections


def _scenarios(lines: list[_Line], default_kinds: tuple[str, ...]) -> tuple[_Scenario, ...]:
    out: list[_Scenario] = []
    titles: list[str] = []
    problems: list[str] = []
    requests: list[str] = []
    kinds: list[str] = []

    def flush() -> None:
        if titles:
            out.append(
                _Scenario(
                    tuple(titles), tuple(problems), tuple(requests), tuple(kinds) or default_kinds
                )
            )

    for line in lines:
        if line.tag == "T" and (problems or requests):
            flush()
            titles, problems, requests, kinds = [], [], [], []
        if line.tag == "K":
            kinds.extend(k.strip() for k in line.text.split(","))
            continue
        {"T": titles, "P": problems, "R": requests}[line.tag].append(line.text)
    flush()
    return tuple(out)


_DEMAND_SECTIONS = _parse_sections(_DEMAND_DSL)
_ANSWER_SECTIONS = _parse_sections(_ANSWER_DSL)
_SCENARIOS: dict[str, tuple[_Scenario, ...]] = {
    code: _scenarios(
        _DEMAND_SECTIONS[code],
        ("resident", "community") if _PARENT[code].for_residents else ("company",),
    )
    for code in SUBCATEGORIES
}


def _kind_group(kind: str) -> str:
    return "company" if kind in ("above_scale", "below_scale") else kind


def categories_for(kind: str) -> tuple[str, ...]:
    """Level-2 codes with at least one demand scenario fitting a requester kind.

    A shop does not ask for 用地报批 nor a project for 子女就学; seeding should draw categories
    through this (or ``random_category(..., kind=…)``) so texts fit their requester.
    """
    group = _kind_group(kind)
    return tuple(
        code for code, scenarios in _SCENARIOS.items() if any(group in s.kinds for s in scenarios)
    )


def _texts(sections: dict[str, list[_Line]], name: str) -> tuple[str, ...]:
    return tuple(line.text for line in sections[name])


# ---------------------------------------------------------------------------------------------
# Slots
# ---------------------------------------------------------------------------------------------

_BANKS = (
    "工商银行湘潭分行",
    "建设银行湘潭九华支行",
    "农业银行湘潭分行",
    "中国银行湘潭分行",
    "湘潭农商银行",
    "长沙银行湘潭分行",
    "湖南银行湘潭分行",
    "邮储银行湘潭市分行",
    "交通银行湘潭分行",
    "兴业银行湘潭分行",
)
_COLLEGES = (
    "湘潭大学",
    "湖南科技大学",
    "湖南工程学院",
    "湘潭理工学院",
    "湘潭技师学院",
    "湖南软件职业技术大学",
    "湖南电气职业技术学院",
)
# Invented school names for the demo.
_SCHOOLS = ("九华实验小学", "九华和平小学", "九华中学", "响水学校", "九华第一幼儿园")
_POLICIES = (
    "专精特新企业奖励",
    "技术改造补贴",
    "研发投入奖补",
    "高新技术企业认定奖励",
    "首台套保险补偿",
    "新增规模以上工业企业奖励",
    "稳岗返还",
    "贷款贴息",
    "标准厂房租金补贴",
    "外贸出口奖励",
    "智能制造示范奖励",
    "人才引进补贴",
)
_EQUIPMENT = (
    "数控加工中心",
    "激光切割机",
    "工业机器人",
    "注塑机",
    "冲压生产线",
    "自动化焊接线",
    "喷涂生产线",
    "十万级洁净车间",
    "空压机组",
    "环氧乙烷灭菌柜",
    "SMT贴片线",
    "热处理炉",
    "五轴加工中心",
    "压铸机",
)
_MATERIALS = ("钢材", "铝锭", "铜材", "塑料粒子", "芯片", "电子元器件", "医用级原料", "水泥")
# Equipment and raw materials by 大类, so a 软件 company does not buy a 压铸机.
_EQUIPMENT_BY_DIVISION: dict[str, tuple[str, ...]] = {
    "36": ("冲压生产线", "压铸机", "自动化焊接线", "喷涂生产线", "五轴加工中心"),
    "35": ("十万级洁净车间", "环氧乙烷灭菌柜", "精密注塑机", "激光焊接机", "数控龙门铣床"),
    "34": ("数控加工中心", "五轴加工中心", "热处理炉", "数控磨齿机", "工业机器人"),
    "38": ("自动绕线机", "真空浇注设备", "电芯化成设备", "自动化装配线"),
    "39": ("SMT贴片线", "回流焊炉", "AOI检测设备", "洁净车间"),
    "40": ("精密装配线", "标定检测台", "SMT贴片线"),
    "33": ("激光切割机", "数控折弯机", "自动化焊接线", "抛丸机"),
    "29": ("注塑机", "挤出生产线", "硫化机"),
    "30": ("混凝土搅拌站", "蒸压釜", "预制构件生产线"),
    "26": ("反应釜", "RTO废气焚烧炉", "灌装生产线"),
    "27": ("提取罐", "冻干机", "洁净车间"),
    "13": ("烘干设备", "包装生产线", "冷库"),
    "14": ("杀菌釜", "包装生产线", "冷库"),
    "22": ("瓦楞纸板生产线", "印刷开槽机"),
    "23": ("四色印刷机", "覆膜机"),
    "42": ("破碎分选线", "打包机"),
    "59": ("冷库", "自动化立体货架"),
    "65": ("服务器集群", "数据中心机柜"),
}
_MATERIALS_BY_DIVISION: dict[str, tuple[str, ...]] = {
    "36": ("钢材", "铝锭", "汽车级钢板"),
    "35": ("医用级原料", "医用高分子粒料", "不锈钢材"),
    "34": ("钢材", "铸件", "轴承钢"),
    "38": ("铜材", "硅钢片", "电芯"),
    "39": ("芯片", "电子元器件", "覆铜板"),
    "40": ("芯片", "电子元器件"),
    "33": ("钢材", "不锈钢板"),
    "29": ("塑料粒子", "天然橡胶"),
    "30": ("水泥", "砂石骨料"),
    "26": ("化工原料", "树脂"),
    "27": ("中药材", "原料药"),
    "14": ("湘莲", "食品原料"),
    "22": ("原纸", "瓦楞原纸"),
}
_EXPOS = (
    "中国国际医疗器械博览会",
    "中部投资贸易博览会",
    "中非经贸博览会",
    "上海国际汽车零部件展",
    "广交会",
    "中国国际工业博览会",
)
_ANCHORS = ("吉利汽车", "舍弗勒", "利欧泵业", "威孚汽车", "中铁城建")  # named in the seeds
_HAZARDS = (
    "粉尘涉爆除尘系统未设置泄爆装置",
    "有限空间作业未设置警示标识",
    "危化品仓库通风不良",
    "部分电气线路老化",
    "行车限位器失灵",
    "消防通道堆放物料",
)
_LICENSES = (
    "食品经营许可证",
    "道路运输经营许可证",
    "危险化学品经营许可证",
    "第二类医疗器械经营备案",
    "排水许可证",
    "医疗器械生产许可证",
)
_PLATFORMS = ("省级工程技术研究中心", "省级企业技术中心", "省级重点实验室", "市级工程技术研究中心")
_STAGES = (
    "主体结构已封顶",
    "正在进行设备安装",
    "正在办理施工许可",
    "一期已投产、二期正在建设",
    "正在进行场平施工",
)


def _n(lo: int, hi: int) -> Callable[[random.Random, Entity, _Slots], str]:
    return lambda r, e, s: str(r.randint(lo, hi))


def _of(*options: object) -> Callable[[random.Random, Entity, _Slots], str]:
    return lambda r, e, s: str(r.choice(options))


def _month(r: random.Random, e: Entity, s: _Slots) -> str:
    """A month ahead ("将于{month}到期", "预计{month}完成"): 1–4 months after ``today``."""
    if s.today is None:
        return f"{r.randint(1, 12)}月"
    return f"{(s.today.month - 1 + r.randint(1, 4)) % 12 + 1}月"


def _past_month(r: random.Random, e: Entity, s: _Slots) -> str:
    """A month gone by ("{past_month}提交的申请"): 1–5 months before ``today``."""
    if s.today is None:
        return f"{r.randint(1, 12)}月"
    return f"{(s.today.month - 1 - r.randint(1, 5)) % 12 + 1}月"


def _date(r: random.Random, e: Entity, s: _Slots) -> str:
    if s.today is not None:
        d = s.today - dt.timedelta(days=r.randint(1, 45))
    else:
        month = r.randint(1, 12)
        d = dt.date(2000, month, r.randint(1, 28))
    return f"{d.month}月{d.day}日"


def _future_date(r: random.Random, e: Entity, s: _Slots) -> str:
    if s.today is None:
        return _date(r, e, s)
    d = s.today + dt.timedelta(days=r.randint(3, 20))
    return f"{d.month}月{d.day}日"


def _road2(r: random.Random, e: Entity, s: _Slots) -> str:
    road = s["road"]
    return r.choice([x for x in ROADS if x != road])


def _village(r: random.Random, e: Entity, s: _Slots) -> str:
    if e.community.endswith("村"):
        return e.community
    return r.choice(STREETS["响水乡人民政府"])


def _group(r: random.Random, e: Entity, s: _Slots) -> str:
    if e.community.endswith("村"):
        return e.compound
    return r.choice(_VILLAGE_GROUPS)


def _compound(r: random.Random, e: Entity, s: _Slots) -> str:
    if e.compound and not e.community.endswith("村"):
        return e.compound
    return r.choice(_COMPOUNDS[r.choice(("九华街道办事处", "和平街道办事处"))])


def _product(r: random.Random, e: Entity, s: _Slots) -> str:
    return e.product or r.choice(_TRADES[r.randrange(len(_TRADES))].products)


def _unit(r: random.Random, e: Entity, s: _Slots) -> str:
    # How a department refers to itself in a reply: 我局 / 我中心 / 我办 / 我乡 …
    name = s["dept"]
    for ending, word in (
        ("中心", "中心"),
        ("局", "局"),
        ("办事处", "办"),
        ("政府", "乡"),
        ("集团", "集团"),
        ("部", "部"),
        ("办公室", "办"),
    ):
        if name.endswith(ending):
            return word
    return "单位"


_SLOT_MAKERS: dict[str, Callable[[random.Random, Entity, _Slots], str]] = {
    # requester
    "ent": lambda r, e, s: e.name,
    "short": lambda r, e, s: e.short_name,
    "person": lambda r, e, s: e.contact if e.is_person else person_name(r),
    "contact": lambda r, e, s: e.contact or person_name(r),
    "position": lambda r, e, s: e.position or "负责人",
    "phone": lambda r, e, s: e.phone or mobile_number(r),
    "addr": lambda r, e, s: e.address,
    "kind_label": lambda r, e, s: e.kind_label,
    "requester": lambda r, e, s: "群众" if e.is_person else "企业",
    "product": _product,
    "employees": lambda r, e, s: str(e.employees or r.randint(20, 300)),
    "revenue": lambda r, e, s: str(e.revenue_wan or r.randint(500, 20000)),
    "invest_yi": lambda r, e, s: f"{(e.capital_wan or 20000) / 10000:g}",
    "stage": _of(*_STAGES),
    "upgrade": _of("扩产", "技改"),
    "rd_percent": _of("3.5", "4.2", "5", "6.3", "8"),
    "defect": _of("屋面多处漏雨", "车间地面开裂下沉", "行车轨道变形", "外墙渗水"),
    "work_type": _of("有限空间", "动火", "高处", "吊装"),
    "srdi": _of("省级专精特新中小企业", "专精特新“小巨人”企业", "创新型中小企业"),
    "award": _of("落户奖励", "设备投资补助", "厂房租金补贴"),
    "stolen": _of("电缆", "铜材", "成品", "原材料"),
    "shop_job": _of("服务员", "厨师", "店员", "理发师", "修理工"),
    "fire_issue": _of(
        "灭火器过期", "疏散通道堆放杂物", "电线私拉乱接", "未设置应急照明", "住人与经营场所未分隔"
    ),
    "settle_year": _n(2008, 2021),
    # places
    "road": lambda r, e, s: e.road or r.choice(ROADS),
    "road2": _road2,
    "direction": _of("东", "南", "西", "北"),
    "community": lambda r, e, s: e.community or r.choice(STREETS["九华街道办事处"]),
    "compound": _compound,
    "village": _village,
    "group": _group,
    "plant_park": _of(*_PLANT_PARKS),
    "building": _n(1, 36),
    "other_street": lambda r, e, s: r.choice([x for x in STREETS if x != e.street]),
    # money and quantities
    "loan": _of(200, 300, 500, 800, 1000, 1500, 2000, 3000, 5000),
    "loan_small": _of(50, 80, 100, 150, 200, 300),
    "rate": _of("3.45", "3.65", "3.85", "4.2", "4.35", "4.5"),
    "bank": _of(*_BANKS),
    "bank2": lambda r, e, s: r.choice([b for b in _BANKS if b != s["bank"]]),
    "subsidy": _of(5, 8, 10, 12, 15, 20, 30, 50, 80, 100),
    "amount": _of(12, 18, 25, 36, 48, 60, 85, 120, 160, 230, 380),
    "amount_yuan": _of(3200, 5800, 8600, 12000, 21000),
    "amount_med": _of(3, 5, 8, 12, 18, 26),
    "loss": _of(2, 3.5, 5, 8, 12, 20),
    "tax": _of(35, 60, 120, 180, 260, 420, 680),
    "order": _of(200, 350, 500, 800, 1200, 2000, 3500),
    "export": _of(80, 150, 300, 600, 1200),
    "invest_wan": _of(300, 500, 800, 1200, 2000, 3500, 5000),
    "percent": _of(5, 8, 10, 12, 15, 20, 25, 30, 35),
    "fee": _of(800, 1500, 2600, 3800, 5000, 8000, 12000),
    "fee_m2": _of("1.2", "1.5", "1.8", "2.2", "2.5"),
    "old_fee": _of(100, 120, 150, 200),
    "new_fee": _of(250, 300, 350),
    "aid": _of(1000, 2000, 3000, 5000),
    "party_fund": _of(5000, 10000, 20000),
    "mu": _of(15, 20, 30, 45, 50, 60, 80, 100, 120),
    "m2": _of(1200, 1500, 2000, 2400, 3000, 4500, 6000, 8000, 12000),
    "m2_small": _of(12, 18, 25, 36, 300, 450, 800),
    "height": _of(8, 9, 10, 12),
    "room_m2": _of(30, 40, 60, 80),
    "meters": _of(80, 120, 200, 300, 450, 600, 800),
    "km": _of(2, 3, 4, 5, 6, 8),
    "depth": _of(30, 40, 50, 60, 80),
    "kva": _of(630, 800, 1000, 1250, 1600, 2000, 2500, 3150),
    "water_t": _of(50, 80, 120, 200, 300),
    "dn": _of(100, 150, 200, 300),
    "gas_m3": _of(500, 800, 1500, 3000, 5000),
    "energy": _of(800, 1500, 3000, 5000),
    "tons": _of(5, 10, 20, 30, 50),
    # counts
    "workers": _n(15, 260),
    "hires": _of(20, 30, 50, 60, 80, 100, 150, 200),
    "arrived": _n(5, 18),
    "kids": _n(3, 36),
    "kids_small": _of(1, 2, 3),
    "talent_n": _n(2, 12),
    "phd_n": _of(1, 2, 3),
    "class_n": _of(30, 40, 45, 50),
    "households": _n(3, 120),
    "grave_n": _n(2, 40),
    "n_days": _of(3, 5, 7, 10, 15, 20, 30),
    "ext_days": _of(5, 10, 15, 20),
    "months": _n(2, 14),
    "n_years": _of(2, 3, 5),
    "n_times": _n(2, 9),
    "n_classes": _n(2, 8),
    "n_hard": _n(2, 15),
    "n_sup": _n(2, 6),
    "n_req": _n(1, 6),
    "n_done": _n(1, 3),
    "issue_n": _n(3, 17),
    "equip_n": _n(1, 12),
    "truck_n": _n(4, 30),
    "truck_ok": _n(1, 3),
    "patent_n": _n(2, 15),
    "patent_n2": _n(5, 40),
    "party_n": _n(3, 15),
    "party_few": _of(1, 2),
    "lamp_n": _n(4, 40),
    "camera_n": _n(2, 10),
    "bin_n": _n(4, 20),
    "containers": _n(6, 80),
    "weeks": _of(20, 26, 40, 52),
    "walk_min": _of(15, 20, 25, 30, 40),
    "bus": _of(5, 11, 19, 24, 33, 58, 63, 101, 126),
    "bus_last": _of("18:30", "19:00", "19:30", "20:00"),
    "overdue": _n(1, 12),
    "age": _n(35, 64),
    "salary": _of(5000, 5500, 6000, 6500, 7000, 8000),
    "night_hour": _of("十一", "十二", "凌晨一", "凌晨两"),
    "hour": _n(0, 23),
    "demolish_year": _n(2012, 2020),
    "year_next": _of("明", "后"),
    "last_year": _of("去", "前"),
    # times
    "month": _month,
    "past_month": _past_month,
    "date": _date,
    "deadline": _future_date,
    # vocabulary
    "equipment": lambda r, e, s: r.choice(_EQUIPMENT_BY_DIVISION.get(e.industry, _EQUIPMENT)),
    "equipment_special": _of("叉车", "桥式起重机", "压力容器", "货运电梯", "燃气锅炉"),
    "material": lambda r, e, s: r.choice(_MATERIALS_BY_DIVISION.get(e.industry, _MATERIALS)),
    "policy": _of(*_POLICIES),
    "platform": _of(*_PLATFORMS),
    "metric": _of("研发投入占比", "营业收入增速", "发明专利数量", "主营业务收入"),
    "college": _of(*_COLLEGES),
    "school": _of(*_SCHOOLS),
    "grade": _of("一年级", "三年级", "初一", "幼儿园中班", "五年级"),
    "expo": _of(*_EXPOS),
    "anchor": _of(*_ANCHORS),
    "hazard": _of(*_HAZARDS),
    "license": _of(*_LICENSES),
    "job": _of("焊工", "电工", "数控操作工", "质检员", "模具钳工", "叉车司机"),
    "cert_worker": _of("焊工特种作业操作", "低压电工作业", "叉车司机", "高处作业"),
    "cert_issue": _of(
        "土地出让金分期缴纳尚未结清",
        "规划核实资料不全",
        "测绘成果与设计图不一致",
        "开发商未办理首次登记",
    ),
    "utility_line": _of("10千伏高压线", "通信光缆", "供水主管", "燃气管道"),
    "event": _of(
        "产值首次突破亿元",
        "新增一条生产线",
        "获评省级专精特新企业",
        "引进两名博士",
        "出口额增长三成",
    ),
    "promise": _of(
        "厂区门前道路和管网配套", "双回路供电接入", "天然气管道接入", "员工宿舍配套", "厂房租金减免"
    ),
    "neighbor": _of("物流公司", "在建工地", "废品回收站", "小型加工厂"),
    "pollution_issue": _of("废气收集设施不完善", "危废贮存不规范", "雨污分流不到位"),
    "missing_doc": _of("人防审查意见", "消防设计审查意见", "工程款支付担保", "土地证"),
    "business_scope": _of("医疗器械销售", "道路货物运输", "食品销售", "进出口"),
    "approval_item": _of("施工许可", "排污许可变更", "不动产登记", "消防验收备案", "环评审批"),
    "violation": _of("未按规定公示年报", "广告用语不规范", "特种设备未按期检验", "消防器材过期"),
    "dept_name": _of(*_BUREAU_NAMES),
    "tech_problem": _of(
        "精密铸造良品率",
        "焊接变形控制",
        "表面涂层耐腐蚀",
        "电机能效提升",
        "医用高分子材料改性",
        "软件算法优化",
    ),
    "bandwidth": _of("1000兆", "500兆", "双路由200兆"),
    "reason_logistics": _of("疫情防控", "高速交通管制", "冰雪天气", "上游港口拥堵"),
    "disease": _of("尿毒症", "脑梗", "恶性肿瘤", "白血病"),
    "disability": _of("肢体二级", "视力三级", "听力二级"),
    "constraint": _of("规划条件", "上级政策", "年度预算", "用地指标", "现场施工条件"),
    "missing": _of(
        "具体地址", "准确联系方式", "合同及付款凭证", "企业名称和统一社会信用代码", "现场照片"
    ),
    "channel": _of("12345政务服务便民热线", "营商环境投诉热线", "亲商优商企业接待日", "信访渠道"),
    "superior": _of(
        "湘潭市自然资源和规划局",
        "湖南省自然资源厅",
        "湘潭市生态环境局",
        "国网湘潭供电公司",
        "湘潭市人力资源和社会保障局",
        "长沙海关",
    ),
    "status": _of(
        "生产经营正常，订单饱满",
        "订单较去年有所下降，产能利用率约六成",
        "新生产线正在调试",
        "正在筹备扩产",
        "用工较为紧张",
    ),
    "findings": _of(
        "宣传了贷款贴息、稳岗返还等惠企政策",
        "查看了安全生产台账和消防设施",
        "了解了企业用工和融资需求",
        "帮助企业梳理了可申报的政策清单",
    ),
    "liaison": lambda r, e, s: person_name(r),
    "officer": lambda r, e, s: person_name(r),
    "office_phone": lambda r, e, s: _landline(r),
    # filled by the caller: department context
    "dept": _of(*_BUREAU_NAMES),
    "co": _of(*_BUREAU_NAMES),
    "unit": _unit,
    "topic": lambda r, e, s: r.choice(list(SUBCATEGORIES.values())).name,
    "other_dept": _of(*_BUREAU_NAMES),
}


class _Slots(dict[str, str]):
    """Slot values for one text, drawn lazily and then kept.

    Lazy so that only slots a template uses consume random numbers; kept so that a value used in
    the title (e.g. 申请贷款500万元) is the same in the description.
    """

    def __init__(
        self, rng: random.Random, entity: Entity, today: dt.date | None = None, **fixed: str
    ) -> None:
        super().__init__(fixed)
        self.rng = rng
        self.entity = entity
        self.today = today

    def __missing__(self, key: str) -> str:
        value = _SLOT_MAKERS[key](self.rng, self.entity, self)
        self[key] = value
        return value


_ALTERNATION = re.compile(r"\[([^\[\]]*\|[^\[\]]*)\]")
_SLOT_NAME = re.compile(r"\{(\w+)\}")


def _render(rng: random.Random, template: str, slots: _Slots) -> str:
    text = _ALTERNATION.sub(lambda m: rng.choice(m.group(1).split("|")), template)
    return text.format_map(slots)


def template_slots() -> set[str]:
    """Every slot name used by any template (the tests check each one has a maker)."""
    names: set[str] = set()
    for sections in (_DEMAND_SECTIONS, _ANSWER_SECTIONS):
        for lines in sections.values():
            for line in lines:
                names.update(_SLOT_NAME.findall(line.text))
    return names


def _pick(rng: random.Random, options: Sequence[str]) -> str:
    return rng.choice(options) if options else ""


def _join(*parts: str) -> str:
    return "".join(p for p in parts if p)


# ---------------------------------------------------------------------------------------------
# Public text generators
# ---------------------------------------------------------------------------------------------


def _intro_section(entity: Entity) -> str:
    if entity.kind in ("above_scale", "below_scale"):
        return "intro:company"
    return f"intro:{entity.kind}"


def demand_text(
    rng: random.Random,
    category_code: str,
    entity: Entity | None = None,
    *,
    today: dt.date | None = None,
) -> tuple[str, str]:
    """(title, description) of a demand of a level-2 category raised by ``entity``.

    A scenario (a matching set of titles, problems and requests) is drawn for the category,
    then an intro fitting the requester kind, the problem, sometimes an impact sentence, the
    request and sometimes contact details. ``today`` anchors the dates mentioned (within the
    previous 45 days); without it dates are arbitrary days of the year.
    """
    if category_code not in SUBCATEGORIES:
        raise KeyError(f"未知的二级诉求类别：{category_code!r}")
    if entity is None:
        entity = _default_entity(rng, category_code)
    slots = _Slots(rng, entity, today)
    scenario = rng.choice(_fitting_scenarios(category_code, entity))
    title = _wrap_title(rng, _render(rng, rng.choice(scenario.titles), slots), slots)
    person = entity.is_person
    intro = _render(rng, rng.choice(_texts(_DEMAND_SECTIONS, _intro_section(entity))), slots)
    problem = _render(rng, rng.choice(scenario.problems), slots)
    request = _render(rng, _pick(rng, scenario.requests), slots)
    if entity.kind == "shop":
        # Scenarios shared with companies say 公司/厂区; a shopkeeper says 本店/店面.
        title, problem, request = (_as_shop(x) for x in (title, problem, request))
    audience = "resident" if person else "company"
    impact = ""
    if rng.random() < 0.3:
        impact = _render(rng, rng.choice(_texts(_DEMAND_SECTIONS, f"impact:{audience}")), slots)
    contact = _render(rng, rng.choice(_texts(_DEMAND_SECTIONS, f"contact:{audience}")), slots)
    return title, _join(intro, problem, impact, request, contact)


def _as_shop(text: str) -> str:
    return text.replace("我公司", "本店").replace("公司", "本店").replace("厂区", "店面")


def _fitting_scenarios(category_code: str, entity: Entity) -> tuple[_Scenario, ...]:
    """Scenarios of the category fitting the requester; all of them if none fits."""
    scenarios = _SCENARIOS[category_code]
    group = _kind_group(entity.kind)
    fitting = tuple(s for s in scenarios if group in s.kinds) or scenarios
    if entity.is_person:
        # Villagers get village scenarios, flat owners compound ones, where the category has both.
        avoid = ("{compound}",) if entity.community.endswith("村") else ("{village}", "{group}")
        local = tuple(
            s for s in fitting if not any(a in t for t in (*s.titles, *s.problems) for a in avoid)
        )
        fitting = local or fitting
    return fitting


_NOUN_ENDINGS = ("需求", "诉求", "问题", "求助", "申请", "咨询", "辅导", "指导")


def _wrap_title(rng: random.Random, title: str, slots: _Slots) -> str:
    """Vary how a ledger phrases a title, as different clerks do.

    Titles naming a place rather than the requester get "X反映…" now and then, and any title may be
    put as "关于…的诉求/问题". Besides realism this keeps 1,500 demo titles from repeating.
    """
    entity = slots.entity
    roll = rng.random()
    if entity.short_name not in title and roll < 0.5:
        who = (
            entity.short_name
            if not entity.is_person
            else rng.choice((entity.contact, f"{entity.community}居民", entity.contact))
        )
        return f"{who}反映{title}"
    if roll > 0.85 and not title.startswith("关于") and not title.endswith(_NOUN_ENDINGS):
        return f"关于{title}的{rng.choice(('诉求', '问题', '请求'))}"
    return title


def _outcome_code(outcome: str) -> str:
    if outcome in OUTCOMES:
        return outcome
    for code, label in OUTCOMES.items():
        if outcome == label:
            return code
    raise KeyError(f"未知的办理结果：{outcome!r}")


_OUTCOME_TAG = {"solved": "S", "partly": "H", "explained": "E", "not_feasible": "N"}


def answer_text(
    rng: random.Random,
    category_code: str,
    outcome: str,
    entity: Entity | None = None,
    *,
    department: str | None = None,
    today: dt.date | None = None,
) -> str:
    """A department's reply for a level-2 category and an outcome.

    ``outcome`` is a code of ``OUTCOMES`` ("solved", "partly", "explained", "not_feasible") or
    its label (已解决 …). ``department`` defaults to the category's lead department.
    """
    tag = _OUTCOME_TAG[_outcome_code(outcome)]
    if category_code not in SUBCATEGORIES:
        raise KeyError(f"未知的二级诉求类别：{category_code!r}")
    parent = parent_of(category_code)
    suffix = category_code.split("-", 1)[1]
    if entity is None:
        entity = _default_entity(rng, category_code)
    lead, co = route(category_code, entity.street or None)
    dept = department or lead
    slots = _Slots(rng, entity, today, dept=dept, co=rng.choice(co) if co else DISPATCH_CENTRE.name)
    specific = [
        line.text
        for line in _ANSWER_SECTIONS.get(f"answer:{parent.code}", [])
        if line.tag == tag and (not line.only or suffix in line.only)
    ]
    generic = [line.text for line in _ANSWER_SECTIONS["answer:generic"] if line.tag == tag]
    # Mostly the category-specific reply; sometimes the generic one, as real ledgers mix both.
    body_pool = specific if specific and rng.random() < 0.8 else generic
    body = _render(rng, rng.choice(body_pool), slots)
    opening = _render(rng, rng.choice(_texts(_ANSWER_SECTIONS, "answer-open")), slots)
    closing = _render(rng, rng.choice(_texts(_ANSWER_SECTIONS, "answer-close")), slots)
    return _join(opening, body, closing)


def return_reason_text(
    rng: random.Random,
    reason: str = "not_our_duty",
    category_code: str | None = None,
    *,
    department: str | None = None,
    entity: Entity | None = None,
) -> str:
    """Why a department returns (退单) a task; ``reason`` is a RETURN_REASONS code or label."""
    if reason not in RETURN_REASONS:
        reason = next((c for c, label in RETURN_REASONS.items() if label == reason), "other")
    entity = entity or make_resident(rng)
    dept = department or (SUBCATEGORIES[category_code].lead if category_code else "规划建设局")
    fixed: dict[str, str] = {"dept": dept}
    if category_code:
        sub = SUBCATEGORIES[category_code]
        fixed["topic"] = sub.name
        # Suggest a plausible real owner: a co-department or the lead of a sibling category.
        siblings = [c.lead for c in parent_of(category_code).children]
        others = [d for d in (*sub.co, *siblings) if d != dept and d in _BUREAU_NAMES]
        others = others or [d for d in _BUREAU_NAMES if d != dept]
        fixed["other_dept"] = rng.choice(others)
    slots = _Slots(rng, entity, None, **fixed)
    return _render(rng, rng.choice(_texts(_ANSWER_SECTIONS, f"return:{reason}")), slots)


def extension_reason_text(
    rng: random.Random,
    category_code: str | None = None,
    *,
    today: dt.date | None = None,
) -> str:
    """Reason given with a request to extend the deadline (延期申请)."""
    entity = _default_entity(rng, category_code) if category_code else make_enterprise(rng)
    slots = _Slots(rng, entity, today)
    if today is not None:
        slots["date"] = _future_date(rng, entity, slots)
    return _render(rng, rng.choice(_texts(_ANSWER_SECTIONS, "extension")), slots)


def visit_note_text(
    rng: random.Random,
    entity: Entity,
    *,
    liaison: str | None = None,
    today: dt.date | None = None,
) -> str:
    """Note of a liaison's visit (走访记录) to an enterprise, or a grid worker's to a community."""
    fixed = {"liaison": liaison} if liaison else {}
    if entity.is_person:
        fixed["topic"] = rng.choice(
            [s.name for c in CATALOGUE if c.for_residents for s in c.children]
        )
    slots = _Slots(rng, entity, today, **fixed)
    section = "visit:resident" if entity.is_person else "visit"
    note = _render(rng, rng.choice(_texts(_ANSWER_SECTIONS, section)), slots)
    # n_done must not exceed n_req; fix up rather than constrain the random draws.
    if "n_req" in slots and "n_done" in slots and int(slots["n_done"]) > int(slots["n_req"]):
        note = note.replace(f"现场解答{slots['n_done']}", f"现场解答{slots['n_req']}")
    return note


def rating_comment(rng: random.Random, satisfaction: str, *, department: str | None = None) -> str:
    """Requester's comment with a rating ("satisfied" / "basic" / "dissatisfied" or label).

    May be "" (many people rate without a comment).
    """
    if satisfaction not in SATISFACTIONS:
        satisfaction = next(
            (c for c, label in SATISFACTIONS.items() if label == satisfaction), "basic"
        )
    fixed = {"dept": department} if department else {}
    slots = _Slots(rng, make_resident(rng), None, **fixed)
    return _render(rng, rng.choice(_texts(_ANSWER_SECTIONS, f"rating:{satisfaction}")), slots)


def urge_text(
    rng: random.Random,
    department: str,
    *,
    overdue_days: int | None = None,
    today: dt.date | None = None,
) -> str:
    """Supervision note (督办意见) from the dispatch centre to a department."""
    fixed = {"dept": department}
    if overdue_days is not None:
        fixed["overdue"] = str(overdue_days)
    entity = make_enterprise(rng)
    slots = _Slots(rng, entity, today, **fixed)
    slots["date"] = _future_date(rng, entity, slots)
    return _render(rng, rng.choice(_texts(_ANSWER_SECTIONS, "urge")), slots)


def _check_catalogue(categories: Iterable[Category]) -> None:
    # Import-time sanity: cheap, and a broken catalogue must never reach the seeding command.
    for cat in categories:
        for sub in cat.children:
            for name in (sub.lead, *sub.co):
                if name not in DEPARTMENT_BY_NAME:
                    raise ValueError(f"{sub.code}: unknown department {name!r}")
            if sub.code not in _DEMAND_SECTIONS:
                raise ValueError(f"{sub.code}: no demand templates")

    for trade in _TRADES:
        if trade.division not in DIVISION_NAMES:
            raise ValueError(f"trade {trade.words[0]}: unknown 大类 {trade.division}")


_check_catalogue(CATALOGUE)
