"""Deterministic generators for a realistic demo park modelled on 湘潭经开区 (九华).

Everything takes a seeded ``random.Random`` and uses nothing else that varies, so one seed always
yields the same park: departments, catalogue, enterprises, residents, demand texts and replies.
The texts and tables are data files under ``demo/data/`` (TOML, described in its README.md), so
that they can be edited without touching Python; this module reads them once at import and holds
the functions that combine them. It imports no Django and loads in a few tens of milliseconds.

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
import tomllib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

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

DATA = Path(__file__).with_name("data")


def _load(name: str) -> dict[str, Any]:
    with (DATA / name).open("rb") as f:
        return tomllib.load(f)


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
_ORG = _load("departments.toml")
DEPARTMENTS: tuple[Department, ...] = tuple(Department(**d) for d in _ORG["department"])

DEPARTMENT_BY_NAME: dict[str, Department] = {d.name: d for d in DEPARTMENTS}
DEPARTMENT_BY_CODE: dict[str, Department] = {d.code: d for d in DEPARTMENTS}
DISPATCH_CENTRE: Department = DEPARTMENTS[0]
# Functional departments (not the dispatch centre, not 属地 units): candidates for "wrong office"
# and "which office was slow" texts.
_BUREAU_NAMES: tuple[str, ...] = tuple(
    d.name for d in DEPARTMENTS if d.kind not in ("dispatch", "territorial")
)

# 属地 units with their communities and the short forms used in addresses.
STREETS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _ORG["streets"].items()}
_STREET_SHORT: dict[str, str] = _ORG["street_short"]

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


_CATALOGUE = _load("catalogue.toml")
CATALOGUE: tuple[Category, ...] = tuple(
    Category(
        c["code"],
        c["name"],
        c["for_residents"],
        c["weight"],
        tuple(
            Subcategory(
                s["code"],
                s["name"],
                s["lead"],
                tuple(s.get("co", ())),
                s["days"],
                s.get("territorial", False),
            )
            for s in c["children"]
        ),
    )
    for c in _CATALOGUE["category"]
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
_PEOPLE = _load("people.toml")
_PLACES = _load("places.toml")
_FIRMS = _load("enterprises.toml")

# Surnames with rough weights (national frequency adjusted for Hunan/湘潭).
_SURNAMES: tuple[tuple[str, int], ...] = tuple(_PEOPLE["surnames"].items())
_SURNAME_POOL = tuple(s for s, w in _SURNAMES if w)
_SURNAME_WEIGHTS = tuple(w for _, w in _SURNAMES if w)

_GIVEN = _PEOPLE["given"]
_GIVEN_MALE_1: str = _GIVEN["male"]["single"]
_GIVEN_MALE_A: str = _GIVEN["male"]["first"]
_GIVEN_MALE_B: str = _GIVEN["male"]["second"]
_GIVEN_FEMALE_1: str = _GIVEN["female"]["single"]
_GIVEN_FEMALE_A: str = _GIVEN["female"]["first"]
_GIVEN_FEMALE_B: str = _GIVEN["female"]["second"]


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
_MOBILE_PREFIXES: tuple[str, ...] = tuple(_PEOPLE["phones"]["mobile_prefixes"])


def mobile_number(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8))


def _landline(rng: random.Random) -> str:
    # 湘潭 local numbers are 8 digits starting with 5 (0731-5xxxxxxx).
    return "0731-5" + rng.choice("2345678") + "".join(rng.choice("0123456789") for _ in range(6))


# Roads with the 属地 unit each falls in, plant parks, compounds and village groups.
_ROAD_STREET: dict[str, str] = _PLACES["roads"]
ROADS: tuple[str, ...] = tuple(_ROAD_STREET)
_PLANT_PARKS: tuple[str, ...] = tuple(_PLACES["parks"]["plant_parks"])
_COMPOUNDS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _PLACES["compounds"].items()}
_VILLAGE_GROUPS: tuple[str, ...] = tuple(_PLACES["villages"]["groups"])


class _Trade(NamedTuple):
    division: str  # GB/T 4754 大类 the business belongs to
    words: tuple[str, ...]  # name words, "全称/简称"
    products: tuple[str, ...]
    weight: int


# Trade words and products per 大类, so that an enterprise's name, product and industry code agree
# (e.g. medical devices are 35 专用设备制造业, auto parts 36, batteries and switchgear 38).
_TRADES: tuple[_Trade, ...] = tuple(
    _Trade(t["division"], tuple(t["words"]), tuple(t["products"]), t["weight"])
    for t in _FIRMS["trade"]
)
_MANUFACTURING_TRADES = sum(1 for t in _TRADES if "13" <= t.division <= "43")
_TRADE_WEIGHTS = tuple(t.weight for t in _TRADES)

# 字号 characters: common in Hunan company names; two are combined into a brand.
_BRAND_A: str = _FIRMS["brands"]["first"]
_BRAND_B: str = _FIRMS["brands"]["second"]


def _brand(rng: random.Random) -> str:
    a = rng.choice(_BRAND_A)
    b = rng.choice(_BRAND_B)
    while b == a:
        b = rng.choice(_BRAND_B)
    return a + b


# (name word, 大类, business)
_SHOP_TYPES: tuple[tuple[str, str, str], ...] = tuple(
    (w, d, b) for w, d, b in _FIRMS["shops"]["types"]
)
_SHOP_BRANDS: tuple[str, ...] = tuple(_FIRMS["brands"]["shops"])
_POSITIONS: tuple[str, ...] = tuple(_FIRMS["people"]["positions"])

ENTITY_KINDS = ("above_scale", "below_scale", "shop", "project", "resident", "community")
_KIND_LABEL: dict[str, str] = _FIRMS["kind_labels"]


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
# demands.toml holds each level-2 category's scenarios (titles, problems and requests that belong
# together, and the requester kinds they fit) and the intro, impact and contact phrases;
# replies.toml the departments' answers by level-1 category and outcome (an entry may be limited
# to some level-2 codes), openings, closings and the other process texts; slots.toml the values of
# the simple {slots}. In any text, {slot} is filled from the requester entity or drawn at random
# (see _SLOT_MAKERS) and [a|b|c] picks one alternative. Every slot and section is checked by the
# tests, so a typo fails CI rather than a demo.

_DEMANDS = _load("demands.toml")
_REPLIES = _load("replies.toml")
_SLOT_DATA = _load("slots.toml")


class _Scenario(NamedTuple):
    titles: tuple[str, ...]
    problems: tuple[str, ...]
    requests: tuple[str, ...]
    kinds: tuple[str, ...]  # requester groups it fits: company, shop, project, resident, community


class _Reply(NamedTuple):
    only: tuple[str, ...]  # level-2 code suffixes it is limited to; empty = all
    text: str


def _scenarios(
    items: list[dict[str, Any]], default_kinds: tuple[str, ...]
) -> tuple[_Scenario, ...]:
    return tuple(
        _Scenario(
            tuple(s["titles"]),
            tuple(s.get("problems", ())),
            tuple(s.get("requests", ())),
            tuple(s.get("kinds", ())) or default_kinds,
        )
        for s in items
    )


_SCENARIOS: dict[str, tuple[_Scenario, ...]] = {
    code: _scenarios(
        _DEMANDS["scenario"].get(code, []),
        ("resident", "community") if _PARENT[code].for_residents else ("company",),
    )
    for code in SUBCATEGORIES
}
# Answer bodies by level-1 code ("generic" for any) and outcome, in file order.
_ANSWERS: dict[str, dict[str, tuple[_Reply, ...]]] = {
    code: {
        outcome: tuple(
            _Reply(tuple(x["for"]), x["text"]) if isinstance(x, dict) else _Reply((), x)
            for x in items
        )
        for outcome, items in by_outcome.items()
    }
    for code, by_outcome in _REPLIES["answers"].items()
}
# Every other list of phrases, by the name the generators ask for.
_PHRASES: dict[str, tuple[str, ...]] = {
    **{
        f"{group}:{kind}": tuple(texts)
        for group in ("intro", "impact", "contact")
        for kind, texts in _DEMANDS[group].items()
    },
    "answer-open": tuple(_REPLIES["opening"]),
    "answer-close": tuple(_REPLIES["closing"]),
    "extension": tuple(_REPLIES["extension"]),
    "urge": tuple(_REPLIES["urge"]),
    "visit": tuple(_REPLIES["visit"]["company"]),
    "visit:resident": tuple(_REPLIES["visit"]["resident"]),
    **{f"return:{k}": tuple(v) for k, v in _REPLIES["returns"].items()},
    **{f"rating:{k}": tuple(v) for k, v in _REPLIES["rating"].items()},
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


def _texts(name: str) -> tuple[str, ...]:
    return _PHRASES[name]


# ---------------------------------------------------------------------------------------------
# Slots
# ---------------------------------------------------------------------------------------------

_CHOOSE: dict[str, list[Any]] = _SLOT_DATA["choose"]
_BY_INDUSTRY: dict[str, dict[str, list[str]]] = _SLOT_DATA["by_industry"]
_EQUIPMENT: tuple[str, ...] = tuple(_BY_INDUSTRY["equipment"]["default"])
_MATERIALS: tuple[str, ...] = tuple(_BY_INDUSTRY["material"]["default"])
# Equipment and raw materials by 大类, so a 软件 company does not buy a 压铸机.
_EQUIPMENT_BY_DIVISION: dict[str, tuple[str, ...]] = {
    k: tuple(v) for k, v in _BY_INDUSTRY["equipment"].items() if k != "default"
}
_MATERIALS_BY_DIVISION: dict[str, tuple[str, ...]] = {
    k: tuple(v) for k, v in _BY_INDUSTRY["material"].items() if k != "default"
}
_BANKS: tuple[str, ...] = tuple(_CHOOSE["bank"])


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


# Slots that need the requester, other slots or code; the simple ones (a value from a list, a
# number in a range) come from slots.toml.
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
    # places
    "road": lambda r, e, s: e.road or r.choice(ROADS),
    "road2": _road2,
    "community": lambda r, e, s: e.community or r.choice(STREETS["九华街道办事处"]),
    "compound": _compound,
    "village": _village,
    "group": _group,
    "plant_park": _of(*_PLANT_PARKS),
    "other_street": lambda r, e, s: r.choice([x for x in STREETS if x != e.street]),
    # money and quantities
    "bank2": lambda r, e, s: r.choice([b for b in _BANKS if b != s["bank"]]),
    # times
    "month": _month,
    "past_month": _past_month,
    "date": _date,
    "deadline": _future_date,
    # vocabulary
    "equipment": lambda r, e, s: r.choice(_EQUIPMENT_BY_DIVISION.get(e.industry, _EQUIPMENT)),
    "material": lambda r, e, s: r.choice(_MATERIALS_BY_DIVISION.get(e.industry, _MATERIALS)),
    "dept_name": _of(*_BUREAU_NAMES),
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
for _name, _options in _CHOOSE.items():
    _SLOT_MAKERS.setdefault(_name, _of(*_options))
for _name, _range in _SLOT_DATA["numbers"].items():
    _SLOT_MAKERS.setdefault(_name, _n(_range["from"], _range["to"]))


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

    def walk(value: object) -> None:
        if isinstance(value, str):
            names.update(_SLOT_NAME.findall(value))
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(_DEMANDS)
    walk(_REPLIES)
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
    intro = _render(rng, rng.choice(_texts(_intro_section(entity))), slots)
    problem = _render(rng, rng.choice(scenario.problems), slots)
    request = _render(rng, _pick(rng, scenario.requests), slots)
    if entity.kind == "shop":
        # Scenarios shared with companies say 公司/厂区; a shopkeeper says 本店/店面.
        title, problem, request = (_as_shop(x) for x in (title, problem, request))
    audience = "resident" if person else "company"
    impact = ""
    if rng.random() < 0.3:
        impact = _render(rng, rng.choice(_texts(f"impact:{audience}")), slots)
    contact = _render(rng, rng.choice(_texts(f"contact:{audience}")), slots)
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
    code = _outcome_code(outcome)
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
        r.text
        for r in _ANSWERS.get(parent.code, {}).get(code, ())
        if not r.only or suffix in r.only
    ]
    generic = [r.text for r in _ANSWERS["generic"][code]]
    # Mostly the category-specific reply; sometimes the generic one, as real ledgers mix both.
    body_pool = specific if specific and rng.random() < 0.8 else generic
    body = _render(rng, rng.choice(body_pool), slots)
    opening = _render(rng, rng.choice(_texts("answer-open")), slots)
    closing = _render(rng, rng.choice(_texts("answer-close")), slots)
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
    return _render(rng, rng.choice(_texts(f"return:{reason}")), slots)


def extension_reason_text(
    rng: random.Random,
    category_code: str | None = None,
    *,
    today: dt.date | None = None,
    days: int | None = None,
) -> str:
    """Reason given with a request to extend the deadline (延期申请). With ``days`` (the working
    days actually requested) the text asks for that many, never for a number of its own."""
    entity = _default_entity(rng, category_code) if category_code else make_enterprise(rng)
    slots = _Slots(rng, entity, today)
    if days is not None:
        slots["ext_days"] = str(days)
    if today is not None:
        slots["date"] = _future_date(rng, entity, slots)
    return _render(rng, rng.choice(_texts("extension")), slots)


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
    note = _render(rng, rng.choice(_texts(section)), slots)
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
    return _render(rng, rng.choice(_texts(f"rating:{satisfaction}")), slots)


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
    return _render(rng, rng.choice(_texts("urge")), slots)


def _check_catalogue(categories: Iterable[Category]) -> None:
    # Import-time sanity: cheap, and a broken catalogue must never reach the seeding command.
    for cat in categories:
        for sub in cat.children:
            for name in (sub.lead, *sub.co):
                if name not in DEPARTMENT_BY_NAME:
                    raise ValueError(f"{sub.code}: unknown department {name!r}")
            if not _SCENARIOS[sub.code]:
                raise ValueError(f"{sub.code}: no demand templates")

    for trade in _TRADES:
        if trade.division not in DIVISION_NAMES:
            raise ValueError(f"trade {trade.words[0]}: unknown 大类 {trade.division}")


_check_catalogue(CATALOGUE)
