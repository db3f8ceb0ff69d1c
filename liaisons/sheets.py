"""The spreadsheets parks already keep: the 市场主体名录 and the 联企干部名单.

`import_entities` / `import_staff` read any such sheet (Chinese headers, a title row above them,
columns in any order), check every row and report each problem with its row number, column and a
Chinese message. Nothing is written while any row is wrong, unless the caller explicitly asks to
import only the valid rows. Entities are created through `entities.services.create_entity`, so a
sheet obeys exactly the rules of the form. `export_entities` / `export_staff` write the same
headers back, so an export can be corrected and imported again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from django.contrib.auth.hashers import make_password
from django.db.models import QuerySet
from django.utils import timezone

from entities.models import KINDS_WITHOUT_CODE, EntityKind, MarketEntity, Tier
from entities.services import EntityInput, create_entity
from orgs.models import Department, Park, Role, User
from qinshang import industries, sheets
from qinshang.errors import Forbidden
from qinshang.sheets import Column, Row, import_rows
from qinshang.validators import (
    check_credit_code,
    check_phone,
    normalize_credit_code,
    normalize_phone,
    phone_kind,
    to_halfwidth,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from liaisons.services import StaffLoad

EDIT_ROLES = (Role.DISPATCHER, Role.ADMIN)
MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024


ENTITY_COLUMNS: tuple[Column, ...] = (
    Column(
        "name",
        "企业名称",
        (
            "市场主体名称",
            "主体名称",
            "单位名称",
            "企业（单位）名称",
            "企业(单位)名称",
            "名称",
            "企业",
            "项目名称",
            "商户名称",
        ),
        True,
        30,
    ),
    Column(
        "credit_code",
        "统一社会信用代码",
        ("信用代码", "社会信用代码", "统一代码", "统一社会信用代码/注册号"),
        False,
        22,
    ),
    Column("kind", "企业类型", ("主体类型", "市场主体类型", "企业类别", "类型", "类别"), True, 14),
    Column(
        "industry",
        "所属行业",
        ("行业", "行业代码", "行业类别", "国民经济行业", "行业分类", "所属行业代码"),
        False,
        30,
    ),
    Column("tier", "服务层级", ("层级", "分层", "服务分层"), False, 16),
    Column(
        "address", "地址", ("企业地址", "注册地址", "经营地址", "项目地址", "详细地址"), False, 30
    ),
    Column("contact", "联系人", ("企业联系人", "联络人"), False, 10),
    Column("phone", "联系电话", ("电话", "联系方式", "手机", "手机号码", "联系人电话"), False, 16),
    Column("legal", "法定代表人", ("法人", "法人代表", "负责人"), False, 10),
    Column("employees", "从业人数", ("员工人数", "职工人数", "用工人数"), False, 10),
    Column(
        "revenue",
        "营业收入（万元）",
        ("营业收入", "年营业收入", "年营业收入（万元）", "营业收入(万元)"),
        False,
        12,
    ),
    Column("assets", "资产总额（万元）", ("资产总额", "总资产", "资产总额(万元)"), False, 12),
    Column("main_business", "主营业务", ("主营产品", "主要产品", "主营"), False, 24),
    Column("business_scope", "经营范围", ("经营范围及方式", "许可经营范围"), False, 40),
)
# Only written by the export (an import ignores them: liaisons are assigned by the engine).
ENTITY_EXPORT_ONLY = (
    ("专属服务员", 12),
    ("服务员手机", 14),
    ("服务员部门", 20),
    ("B角", 12),
    ("最近联系", 18),
)

STAFF_COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("干部姓名", "人员姓名", "联企干部", "服务员姓名"), True, 10),
    Column("department", "部门", ("所在部门", "单位", "所在单位", "工作部门", "科室"), False, 22),
    Column("title", "职务", ("现任职务", "岗位"), False, 16),
    Column("rank", "职级", ("级别", "职级层次"), False, 12),
    Column("phone", "手机", ("手机号", "手机号码", "联系电话", "电话"), True, 14),
    Column("role", "角色", ("系统角色",), False, 12),
)
STAFF_EXPORT_ONLY = (("联系企业数", 10), ("B角企业数", 10), ("状态", 8))

KIND_WORDS = {
    EntityKind.ABOVE_SCALE: ("规上企业", "规上", "规模以上企业", "规模以上", "规上工业企业"),
    EntityKind.BELOW_SCALE: (
        "规下企业",
        "规下",
        "规模以下企业",
        "规模以下",
        "小微企业",
        "中小企业",
        "一般企业",
    ),
    EntityKind.SHOP: ("个体工商户/门店", "个体工商户", "个体户", "门店", "商户", "个体"),
    EntityKind.PROJECT: ("在建项目", "项目", "重点项目", "建设项目"),
}
TIER_WORDS = {
    1: ("1", "一", "重点", "重点企业", "重点（领导联系）", "领导联系", "第一层级"),
    2: ("2", "二", "规上/重点项目", "第二层级", "规上"),
    3: ("3", "三", "一般", "第三层级"),
}
RANK_WORDS = {
    1: ("1", "园区领导", "领导", "区领导", "处级", "县处级", "正处", "副处", "党工委委员"),
    2: (
        "2",
        "科级以上干部",
        "科级以上",
        "部门负责人",
        "科级",
        "正科",
        "副科",
        "正科级",
        "副科级",
        "中层",
        "中层干部",
    ),
    3: (
        "3",
        "一般干部职工",
        "一般干部",
        "干部职工",
        "科员",
        "办事员",
        "职员",
        "一般",
        "服务专员",
        "工作人员",
    ),
}
ROLE_WORDS = {
    Role.LIAISON: ("专属服务员", "服务员", "联企干部"),
    Role.HANDLER: ("部门经办人", "经办人"),
    Role.DEPARTMENT_HEAD: ("部门负责人",),
    Role.LEADER: ("园区领导", "领导"),
    Role.DISPATCHER: ("派单员", "派单员/督查", "督查"),
    Role.ADMIN: ("系统管理员",),
}


def _norm(text: Any) -> str:
    return re.sub(r"\s+", "", to_halfwidth(str(text or ""))).replace("*", "")


def _lookup(words: dict[Any, tuple[str, ...]], value: str) -> Any:
    v = _norm(value)
    for key, names in words.items():
        if v in {_norm(n) for n in names} or v == str(key):
            return key
    return None


@dataclass
class ImportReport(sheets.RowReport):
    """The report of an entity or staff import (`kind` "entities" | "staff")."""

    def summary(self) -> str:
        what = "市场主体" if self.kind == "entities" else "人员"
        bad = len(self.bad_rows)
        if self.committed:
            text = f"共 {self.total} 行，已导入{what}：新增 {self.created}"
            if self.kind == "staff":
                text += f"，更新 {self.updated}"
            if bad:
                text += f"；{bad} 行有误未导入"
            return text
        if self.dry_run and not bad:
            return f"共 {self.total} 行，全部通过检查（试导入，未写入）"
        if bad:
            return (
                f"共 {self.total} 行，其中 {bad} 行有误；未导入任何数据。"
                "请修改后重新上传，或选择“只导入无误的行”"
            )
        return f"共 {self.total} 行，未导入"


# --------------------------------------------------------------------------- reading


def read_rows(
    data: bytes | IO[bytes], columns: tuple[Column, ...]
) -> tuple[dict[str, int], list[str], list[tuple[int, list[str]]]]:
    return sheets.read_rows(data, columns, max_rows=MAX_ROWS, max_bytes=MAX_BYTES)


def parse_industry(value: str) -> tuple[str, str | None]:
    """'39' / 'C39' / 'C39 计算机…' / '计算机、通信和其他电子设备制造业' / '3911' -> ('39', None);
    otherwise ('', message)."""
    v = _norm(value).upper()
    if not v:
        return "", None
    m = re.match(r"^([A-T])?(\d{2})(\d{0,2})", v)
    if m and industries.is_division(m.group(2)):
        code = m.group(2)
        if m.group(1) and industries.section_of(code) != m.group(1):
            return (
                "",
                f"“{value}”的门类字母与大类代码不符（{code} 属于 {industries.section_of(code)} 门类）",
            )
        return code, None
    for code, name in industries.DIVISION_NAMES.items():
        if _norm(name) == _norm(value):
            return code, None
    if len(v) == 1 and v in industries.SECTION_NAMES:
        return "", f"“{value}”只是门类，请填写两位大类代码（如制造业下的 39）"
    for code, name in industries.SECTION_NAMES.items():
        if _norm(name) == _norm(value):
            return (
                "",
                f"“{value}”只是门类，请填写具体大类（如“{industries.label(industries.divisions_of(code)[0][0])}”）",
            )
    return "", f"未知的行业“{value}”：请填写 GB/T 4754 大类代码（如 39）或大类名称"


# --------------------------------------------------------------------------- entities


def _check_actor(actor: User, park: Park) -> None:
    if not (actor.is_superuser or actor.role in EDIT_ROLES):
        raise Forbidden("只有派单员或系统管理员可以导入")
    if not actor.is_superuser and not actor.in_park(park.pk):
        raise Forbidden("您无权向该园区导入")


FIELD_COLUMN = {
    "name": "企业名称",
    "credit_code": "统一社会信用代码",
    "kind": "企业类型",
    "industry": "所属行业",
    "tier": "服务层级",
    "contacts": "联系电话",
    "employees": "从业人数",
    "address": "地址",
    "annual_revenue_wan": "营业收入（万元）",
    "total_assets_wan": "资产总额（万元）",
    "business_scope": "经营范围",
    "main_business": "主营业务",
}


def import_entities(
    actor: User,
    park: Park,
    data: bytes | IO[bytes],
    *,
    dry_run: bool = False,
    valid_only: bool = False,
) -> ImportReport:
    _check_actor(actor, park)
    index, ignored, body = read_rows(data, ENTITY_COLUMNS)
    report = ImportReport(
        "entities", ignored_headers=ignored, dry_run=dry_run, valid_only=valid_only
    )
    existing_codes = dict(
        MarketEntity.objects.filter(park=park)
        .exclude(credit_code="")
        .values_list("credit_code", "name")
    )
    existing_names = set(MarketEntity.objects.filter(park=park).values_list("name", flat=True))
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, int] = {}

    def check(row: Row) -> EntityInput | None:
        val, bad, n = row.val, row.bad, row.n
        name = val("name")
        if not name:
            bad("企业名称", "不能为空")
        elif len(name) > 200:
            bad("企业名称", "不能超过 200 字")
        elif name in seen_names:
            bad("企业名称", f"与第 {seen_names[name]} 行重复")
        elif name in existing_names:
            bad("企业名称", f"“{name}”已登记，不能重复导入")
        kind_text = val("kind")
        kind = _lookup(KIND_WORDS, kind_text) if kind_text else None
        if not kind_text:
            bad("企业类型", "不能为空（规上企业、规下企业、个体工商户/门店、在建项目）")
        elif kind is None:
            bad(
                "企业类型",
                f"“{kind_text}”无法识别，可填：规上企业、规下企业、个体工商户/门店、在建项目",
            )
        code = normalize_credit_code(val("credit_code"))
        if code:
            err = check_credit_code(code)
            if err:
                bad("统一社会信用代码", err)
            elif code in seen_codes:
                bad("统一社会信用代码", f"{code} 与第 {seen_codes[code]} 行重复")
            elif code in existing_codes:
                bad("统一社会信用代码", f"{code} 已登记为“{existing_codes[code]}”")
        elif kind is not None and kind not in KINDS_WITHOUT_CODE:
            bad("统一社会信用代码", "企业须填写统一社会信用代码（个体工商户/门店、在建项目可不填）")
        industry, ind_err = parse_industry(val("industry"))
        if ind_err:
            bad("所属行业", ind_err)
        tier_text = val("tier")
        tier = _lookup(TIER_WORDS, tier_text) if tier_text else None
        if tier is None and re.match(r"^[123]\s", tier_text):
            tier = int(tier_text[:1])  # our export writes "1 重点（领导联系）"
        if tier_text and tier is None:
            bad("服务层级", f"“{tier_text}”无法识别，可填 1（重点）、2（规上/重点项目）、3（一般）")
        contact, phone = val("contact"), val("phone")
        if phone:
            err = check_phone(phone)
            if err:
                bad("联系电话", err)
            elif not contact:
                bad("联系人", "填写了联系电话，请同时填写联系人")
        employees_text = val("employees")
        employees = None
        if employees_text:
            try:
                employees = int(float(employees_text))
                if employees < 0:
                    raise ValueError
            except ValueError:
                bad("从业人数", f"“{employees_text}”不是有效的人数")
        if name:
            seen_names.setdefault(name, n)
        if code and not check_credit_code(code):
            seen_codes.setdefault(code, n)
        return EntityInput(
            name=name,
            kind=str(kind),
            credit_code=code,
            industry=industry,
            address=val("address"),
            tier=tier,
            legal_representative=val("legal"),
            employees=employees,
            annual_revenue_wan=val("revenue"),
            total_assets_wan=val("assets"),
            main_business=val("main_business"),
            business_scope=val("business_scope"),
            contacts=[{"name": contact, "phone": phone, "is_primary": True}] if phone else [],
        )

    def write(n: int, data_in: EntityInput) -> None:
        made = create_entity(actor, park, data_in)
        report.created += 1
        hint = made.industry_suggestion
        if not made.industry and hint:
            words = "、".join(hint.get("words", [])[:3])
            report.notes.append(
                f"第 {n} 行：未填所属行业，按名称和经营范围建议 {hint['division_label']}"
                f"（置信度 {hint['confidence']:.0%}，依据：{words or '名称'}）"
            )

    return import_rows(body, index, report, check=check, write=write, columns_of=FIELD_COLUMN)


# --------------------------------------------------------------------------- staff


def import_staff(
    actor: User,
    park: Park,
    data: bytes | IO[bytes],
    *,
    dry_run: bool = False,
    valid_only: bool = False,
) -> ImportReport:
    """Create or update staff accounts (matched by mobile number within the park). New accounts
    get the mobile number as user name and no usable password until an administrator sets one."""
    _check_actor(actor, park)
    index, ignored, body = read_rows(data, STAFF_COLUMNS)
    report = ImportReport("staff", ignored_headers=ignored, dry_run=dry_run, valid_only=valid_only)
    depts = {_norm(d.name): d for d in Department.objects.filter(park=park, is_active=True)}
    mine = {u.phone: u for u in User.objects.filter(park=park).exclude(phone="")}
    taken = set(User.objects.exclude(park=park).values_list("username", flat=True))
    seen: dict[str, int] = {}
    is_admin = actor.is_superuser or actor.role == Role.ADMIN

    def check(row: Row) -> dict[str, Any] | None:
        val, bad = row.val, row.bad
        name = val("name")
        if not name:
            bad("姓名", "不能为空")
        elif len(name) > 50:
            bad("姓名", "不能超过 50 字")
        dept_text = val("department")
        dept = depts.get(_norm(dept_text)) if dept_text else None
        if dept_text and dept is None:
            bad("部门", f"本园区没有“{dept_text}”这个部门（请先在系统管理中添加，或核对名称）")
        rank_text = val("rank")
        rank = _lookup(RANK_WORDS, rank_text) if rank_text else 3
        if rank is None:
            bad(
                "职级",
                f"“{rank_text}”无法识别，可填：园区领导、科级以上干部、一般干部职工（或 1、2、3）",
            )
        role_text = val("role")
        role = _lookup(ROLE_WORDS, role_text) if role_text else None
        if role_text and role is None:
            bad(
                "角色",
                f"“{role_text}”无法识别，可填：专属服务员、部门经办人、部门负责人、园区领导、派单员",
            )
        if role == Role.ADMIN and not is_admin:
            bad("角色", "只有系统管理员可以通过导入设置系统管理员")
        phone_raw = val("phone")
        phone = normalize_phone(phone_raw)
        if not phone_raw:
            bad("手机", "不能为空（用作登录账号）")
        elif check_phone(phone_raw) or phone_kind(phone_raw) != "mobile":
            bad("手机", check_phone(phone_raw) or f"“{phone_raw}”不是手机号码")
        elif phone in seen:
            bad("手机", f"{phone} 与第 {seen[phone]} 行重复")
        elif phone not in mine and phone in taken:
            bad("手机", f"{phone} 已是其他园区的账号")
        elif phone in mine and mine[phone].role == Role.ADMIN and not is_admin:
            bad("手机", f"{phone} 是系统管理员的账号，只有系统管理员可以修改")
        if phone:
            seen.setdefault(phone, row.n)
        return {
            "name": name,
            "dept": dept,
            "title": val("title")[:50],
            "rank": rank,
            "role": role,
            "phone": phone,
        }

    def write(_n: int, row: dict[str, Any]) -> None:
        user = mine.get(row["phone"])
        if user is None:
            User.objects.create(
                username=row["phone"],
                password=make_password(None),
                park=park,
                full_name=row["name"],
                phone=row["phone"],
                department=row["dept"],
                title=row["title"],
                rank=row["rank"],
                role=row["role"] or (Role.LEADER if row["rank"] == 1 else Role.LIAISON),
            )
            report.created += 1
        else:
            user.full_name = row["name"]
            user.department = row["dept"] or user.department
            user.title = row["title"] or user.title
            user.rank = row["rank"]
            if row["role"]:
                user.role = row["role"]
            user.save(update_fields=["full_name", "department", "title", "rank", "role"])
            report.updated += 1

    import_rows(body, index, report, check=check, write=write)
    if report.committed and report.updated:
        report.notes.append(f"{report.updated} 人按手机号匹配到已有账号，已更新其部门、职务和职级")
    return report


# --------------------------------------------------------------------------- export


def _workbook(title: str, headers: list[tuple[str, int]], rows: Iterable[list[Any]]) -> bytes:
    wb, ws = sheets.new_workbook(title)
    sheets.write_table(ws, headers, rows)
    return sheets.to_bytes(wb)


def _industry_label(code: str) -> str:
    try:
        return industries.label(code) if code else ""
    except KeyError:
        return code


def export_entities(entities: QuerySet[MarketEntity]) -> bytes:
    """The entity list with each one's liaison (the caller scopes the queryset)."""
    kinds = dict(EntityKind.choices)
    tiers = dict(Tier.choices)
    qs = (
        entities.select_related("liaison__department", "backup_liaison")
        .prefetch_related("contacts")
        .order_by("tier", "name")
    )

    def rows() -> Iterable[list[Any]]:
        for e in qs:
            contact = next(iter(e.contacts.all()), None)
            lia = e.liaison
            last = (
                timezone.localtime(e.last_contact_at).strftime("%Y-%m-%d %H:%M")
                if e.last_contact_at
                else ""
            )
            yield [
                e.name,
                e.credit_code,
                kinds.get(e.kind, e.kind),
                _industry_label(e.industry),
                f"{e.tier} {tiers.get(e.tier, '')}",
                e.address,
                contact.name if contact else "",
                contact.phone if contact else "",
                e.legal_representative,
                e.employees,
                e.annual_revenue_wan,
                e.total_assets_wan,
                e.main_business,
                e.business_scope,
                lia.display_name if lia else "",
                lia.phone if lia else "",
                lia.department.name if lia and lia.department else "",
                e.backup_liaison.display_name if e.backup_liaison else "",
                last,
            ]

    headers = [(c.header, c.width) for c in ENTITY_COLUMNS] + list(ENTITY_EXPORT_ONLY)
    return _workbook("市场主体", headers, rows())


def export_staff(staff: QuerySet[WithAnnotations[User, StaffLoad]]) -> bytes:
    """Staff with their loads; `staff` comes from `liaisons.services.staff_loads`."""
    ranks = {1: "园区领导", 2: "科级以上干部", 3: "一般干部职工"}

    def rows() -> Iterable[list[Any]]:
        for u in staff.order_by("department__sort", "rank", "pk"):
            yield [
                u.display_name,
                u.department.name if u.department else "",
                u.title,
                ranks.get(u.rank, str(u.rank)),
                u.phone,
                u.get_role_display(),
                u.n_primary,
                u.n_backup,
                "在岗" if u.is_active else "停用",
            ]

    headers = [(c.header, c.width) for c in STAFF_COLUMNS] + list(STAFF_EXPORT_ONLY)
    return _workbook("联企人员", headers, rows())
