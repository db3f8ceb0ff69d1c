"""The intake assistant in the product: read a pasted note against the park's registry
(routing.extract does the reading), pre-fill the intake form, and find an enterprise from part
of its name, a short name, part of its credit code or a contact's phone (the hotline's lookup).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from demands import access, privacy, queries
from demands.models import OPEN_STATUSES, Demand
from entities.models import Contact, MarketEntity
from entities.services import visible_entities
from orgs.models import Park, Role, User
from qinshang.errors import Forbidden, InvalidInput
from routing.extract import Extraction, Registered, extract, short_names

# Who types demands in for someone else (the requesters fill in their own).
INTAKE_STAFF = (Role.DISPATCHER, Role.ADMIN, Role.LIAISON, Role.LEADER)
MAX_TEXT = 5000
LOOKUP_LIMIT = 10
_COMMUNITY = re.compile(r"[\u4e00-\u9fa5]{2,8}?(?:村|社区)(?![\u4e00-\u9fa5]*(?:委|干部|书记))")


def _require_staff(user: User) -> None:
    if user.role not in INTAKE_STAFF and not user.is_superuser:
        raise Forbidden("只有派单员、专属服务员、园区领导和管理员可以使用登记助手")


def registry(user: User, park: Park) -> list[Registered]:
    rows = (
        visible_entities(user, park).filter(is_active=True).values_list("pk", "name", "credit_code")
    )
    return [Registered(pk, name, code or "") for pk, name, code in rows]


def read_note(user: User, park: Park, text: str, today: dt.date | None = None) -> Extraction:
    """What a note says, with the enterprise matched in the user's view of the registry."""
    from workcal import calendar as wc

    _require_staff(user)
    text = (text or "").strip()
    if not text:
        raise InvalidInput(
            "请先在诉求内容中粘贴或输入来电记录、微信消息或走访记录", field="description"
        )
    if len(text) > MAX_TEXT:
        raise InvalidInput(
            f"文本过长（{len(text)} 字），请不超过 {MAX_TEXT} 字", field="description"
        )
    return extract(
        text,
        today or wc.today(),
        registry(user, park),
        add_working_days=wc.add_working_days,
    )


@dataclass
class Prefill:
    """The intake form's values after reading the note, and which of them were read."""

    form: dict[str, str]
    extracted: dict[str, str]  # form field → what in the text it came from
    found: Extraction
    notes: list[str]


def prefill(
    user: User,
    park: Park,
    form: dict[str, str],
    my_entity_ids: set[int] | None = None,
    today: dt.date | None = None,
) -> Prefill:
    """Fill the empty fields of an intake form from its title and description; what the user
    already typed is kept. `my_entity_ids`: the liaison's select offers only their enterprises."""
    text = f"{form.get('title', '')}\n{form.get('description', '')}".strip()
    found = read_note(user, park, text, today)
    out = dict(form)
    marks: dict[str, str] = {}
    notes: list[str] = []

    def put(name: str, value: str, source: str) -> None:
        if value and not (out.get(name) or "").strip():
            out[name] = value
            marks[name] = source

    ent = found.enterprise
    if ent is not None:
        if my_entity_ids is not None:
            if ent.id in my_entity_ids:
                put("enterprise_id", str(ent.id), ent.text)
            else:
                notes.append(f"文中提到的“{ent.name}”不在您联系的企业中，请核对")
        else:
            put("enterprise", ent.name, ent.text)
        if "enterprise_id" in marks or "enterprise" in marks:
            out["requester_kind"] = "enterprise"
    elif found.credit_code:
        notes.append(f"统一社会信用代码 {found.credit_code} 不在本园区企业名录中")
    put("requester_name", found.contact_name, found.contact_name)
    put("requester_phone", found.phone, found.phone)
    community = _COMMUNITY.search(found.address or text)
    if community:
        put("community", community.group(), community.group())
    if not (out.get("title") or "").strip():
        first = re.split(r"[。！？!?\n]", (form.get("description") or "").strip())[0]
        title = first[:40].strip(" ，,")
        put("title", title, "内容首句")
    if found.is_empty():
        notes.append("未从文本中识别出企业、联系人、电话、地址、金额或日期，请手工填写")
    return Prefill(out, marks, found, notes)


# --------------------------------------------------------------------------- lookup


@dataclass(frozen=True)
class Candidate:
    id: int
    name: str
    credit_code: str
    matched_by: str  # 名称 / 简称 / 统一社会信用代码 / 联系人电话
    contact: str  # the contact whose phone matched, or ""


def lookup(user: User, park: Park, q: str, limit: int = LOOKUP_LIMIT) -> list[Candidate]:
    """Enterprises for the hotline's search box: part of the name, a short name, part of the
    credit code, (four digits or more) part of a contact's phone, or a contact's name; best
    matches first."""
    _require_staff(user)
    q = re.sub(r"\s+", "", q or "")[:100]
    if len(q) < 2:
        return []
    ents = visible_entities(user, park).filter(is_active=True)
    out: dict[int, tuple[tuple[int, int, str], Candidate]] = {}

    def add(e: MarketEntity, how: str, rank: int, contact: str = "") -> None:
        pos = e.name.find(q)
        key = (rank, pos if pos >= 0 else 99, e.name)
        if e.pk not in out or key < out[e.pk][0]:
            out[e.pk] = (key, Candidate(e.pk, e.name, e.credit_code, how, contact))

    fields = ("id", "name", "credit_code")
    for e in ents.filter(name=q).only(*fields):
        add(e, "名称", 0)
    for e in ents.filter(name__contains=q).only(*fields)[:200]:
        add(e, "名称", 1)
    core = q
    for s in short_names(q):
        core = s  # "恒欣公司" → "恒欣"
        break
    if core != q and len(core) >= 2:
        for e in ents.filter(name__contains=core).only(*fields)[:200]:
            add(e, "简称", 2)
    if re.fullmatch(r"[0-9A-Za-z]{4,18}", q):
        for e in ents.filter(credit_code__contains=q.upper()).only(*fields)[:200]:
            add(e, "统一社会信用代码", 1 if len(q) == 18 else 3)
    digits = re.sub(r"\D", "", q)
    if len(digits) >= 4 and len(digits) >= len(q) - 2:
        contacts = (
            Contact.objects.filter(entity__in=ents, phone__contains=digits)
            .select_related("entity")
            .only("name", "entity__id", "entity__name", "entity__credit_code")[:200]
        )
        for c in contacts:
            add(c.entity, "联系人电话", 4, c.name)
    if not digits and len(q) >= 2:
        # The caller says who they are ("我是王经理"): a contact's name finds their enterprise.
        named = (
            Contact.objects.filter(entity__in=ents, name__contains=q)
            .select_related("entity")
            .only("name", "entity__id", "entity__name", "entity__credit_code")[:200]
        )
        for c in named:
            add(c.entity, "联系人", 5, c.name)
    ranked = sorted(out.values(), key=lambda kv: kv[0])
    return [c for _, c in ranked[:limit]]


CALLER_DIGITS = 7  # a landline without its area code; fewer digits match too many people
CALLER_OPEN = 5  # open demands shown per enterprise


@dataclass
class CallerMatch:
    entity: MarketEntity
    contact: str  # the contact whose phone it is
    liaison: User | None
    open_demands: list[Demand]
    open_count: int

    @property
    def more(self) -> int:
        return self.open_count - len(self.open_demands)


@dataclass
class CallerCard:
    """What the hotline sees as soon as the caller's number is typed: the enterprises whose
    contact has that number, each with its liaison and its open demands, and the number's own
    earlier demands (a resident calls again)."""

    digits: str
    matches: list[CallerMatch]
    earlier: list[Demand]

    @property
    def empty(self) -> bool:
        return not self.matches and not self.earlier


def caller(user: User, park: Park, phone: str) -> CallerCard | None:
    """None until the number has enough digits to mean one caller."""
    _require_staff(user)
    digits = re.sub(r"\D", "", phone or "")[:20]
    if len(digits) < CALLER_DIGITS:
        return None
    ents = visible_entities(user, park).filter(is_active=True)
    contacts = (
        Contact.objects.filter(entity__in=ents, phone__contains=digits)
        .select_related("entity", "entity__liaison")
        .order_by("entity__name", "id")[:LOOKUP_LIMIT]
    )
    seen: dict[int, CallerMatch] = {}
    visible = access.visible_demands(user, park)
    for c in contacts:
        if c.entity_id in seen:
            continue
        mine = visible.filter(enterprise_id=c.entity_id, status__in=OPEN_STATUSES)
        seen[c.entity_id] = CallerMatch(
            c.entity,
            c.name,
            c.entity.liaison,
            privacy.apply(user, list(mine.order_by("-created_at")[:CALLER_OPEN])),
            mine.count(),
        )
    # Narrowed by the ledger's search index (its runs of digits), as the ledger's phone search
    # is: a LIKE over every demand's phone took 0.7–1 s at 100,000 demands (docs/benchmarks.md).
    earlier = list(
        visible.filter(queries.own_texts(digits, Q(requester_phone__contains=digits)))
        .exclude(enterprise_id__in=list(seen))
        .order_by("-created_at")[:CALLER_OPEN]
    )
    return CallerCard(digits, list(seen.values()), privacy.apply(user, earlier))


def extraction_payload(found: Extraction) -> dict[str, Any]:
    """The API's shape of an extraction."""
    ent = found.enterprise
    deadline = found.deadline
    return {
        "enterprise": None
        if ent is None
        else {"id": ent.id, "name": ent.name, "matched_text": ent.text, "matched_by": ent.how},
        "credit_code": found.credit_code,
        "contact_name": found.contact_name,
        "mobiles": found.mobiles,
        "landlines": found.landlines,
        "address": found.address,
        "amounts": [
            {"value": str(a.value), "unit": a.unit, "wan": f"{a.wan.normalize():f}", "text": a.text}
            for a in found.amounts
        ],
        "dates": [
            {"date": d.date.isoformat(), "deadline": d.deadline, "text": d.text}
            for d in found.dates
        ],
        "deadline": deadline.date.isoformat() if deadline else None,
        "empty": found.is_empty(),
    }
