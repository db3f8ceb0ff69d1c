"""The park administrator's maintenance: departments, staff accounts, categories, park settings and
the yearly holiday schedule. Each save checks its input, changes the row in a transaction and logs
an `AdminChange` with the values before and after. Nothing is deleted: what is no longer used is
switched off, so the ledger's history keeps pointing at real rows.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from demands.models import ACTIVE_TASK_STATUSES, Category, ReplyTemplate, Task
from demands.replies import PLACEHOLDER_NAMES
from finance.models import Institution, InstitutionUser
from finance.services import link_user
from liaisons.services import served_by
from notifications.models import Kind
from notifications.services import notify_link
from orgs.models import DEPARTMENT_ROLES, Department, Park, Role, User
from parkadmin.models import AdminChange, ChangeAction, ChangeKind
from qinshang.errors import Forbidden, InvalidInput, InvalidState, NotFound
from qinshang.inputs import flag as _flag
from qinshang.inputs import integer, optional_integer, text
from qinshang.validators import check_phone, normalize_phone
from workcal import calendar as wcal
from workcal.models import YearSchedule

# Accounts the park administrator may create and edit. Enterprise and resident accounts are
# created by their own registration (or the enterprise's liaison), never here. A 金融机构 account
# belongs to one financial institution of the park (finance.InstitutionUser).
STAFF_ROLE_CHOICES = [
    (r.value, r.label)
    for r in (
        Role.DISPATCHER,
        Role.HANDLER,
        Role.DEPARTMENT_HEAD,
        Role.LIAISON,
        Role.LEADER,
        Role.EXPERT,
        Role.ADMIN,
        Role.BANK,
    )
]
STAFF_ROLES = tuple(v for v, _ in STAFF_ROLE_CHOICES)
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{3,30}$")
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,30}$")


def require_admin(user: User, park: Park) -> None:
    if user.is_superuser:
        return
    if user.role != Role.ADMIN or not user.in_park(park.pk):
        raise Forbidden("园区管理仅供本园区的系统管理员使用")


def _record(
    actor: User,
    park: Park,
    kind: str,
    action: str,
    obj_id: int | None,
    label: str,
    before: dict[str, Any],
    after: dict[str, Any],
    reason: str = "",
) -> AdminChange:
    return AdminChange.objects.create(
        park=park,
        actor=actor,
        at=timezone.now(),
        kind=kind,
        action=action,
        object_id=obj_id,
        label=label[:200],
        before=before,
        after=after,
        reason=reason[:300],
    )


def _log_save(
    actor: User,
    park: Park,
    kind: str,
    obj: Any,
    label: str,
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    created: bool,
    was_active: bool | None,
) -> None:
    """One AdminChange for a save that changed something: 新增, 启用/停用 when the switch moved,
    else 修改."""
    if before == after:
        return
    if created:
        action = ChangeAction.CREATED
    elif was_active != obj.is_active:
        action = ChangeAction.ACTIVATED if obj.is_active else ChangeAction.DEACTIVATED
    else:
        action = ChangeAction.UPDATED
    _record(actor, park, kind, action, obj.pk, label, before, after)


def _int(value: Any, label: str, lo: int, hi: int, *, default: int | None = None) -> int:
    if default is not None:
        return optional_integer(value, label, lo, hi, default=default)
    return integer(value, label, lo, hi)


def _code(value: Any, label: str) -> str:
    code = text(value, label, limit=30)
    if not CODE_RE.fullmatch(code):
        raise InvalidInput(
            f"{label}只能由字母、数字、下划线和连字符组成（不超过30位）", field=label
        )
    return code


# --------------------------------------------------------------------------- departments


def departments(park: Park) -> QuerySet[Department]:
    open_tasks = Count("tasks", filter=Q(tasks__status__in=ACTIVE_TASK_STATUSES))
    return (
        Department.objects.filter(park=park)
        .annotate(open_tasks=open_tasks, staff_count=Count("staff", distinct=True))
        .order_by("-is_active", "sort", "id")
    )


def get_department(park: Park, pk: int) -> Department:
    dept = Department.objects.filter(park=park, pk=pk).first()
    if dept is None:
        raise NotFound("没有这个部门")
    return dept


def _dept_state(d: Department) -> dict[str, Any]:
    return {
        "名称": d.name,
        "代码": d.code,
        "职责": d.duties,
        "派单中心": "是" if d.is_dispatch_centre else "否",
        "答复须经负责人审核": "是" if d.review_replies else "否",
        "启用": "是" if d.is_active else "否",
        "排序": d.sort,
    }


@dataclass(frozen=True)
class DepartmentInput:
    name: str
    code: str
    duties: str
    is_dispatch_centre: bool
    is_active: bool
    sort: int
    review_replies: bool = False

    @classmethod
    def parse(cls, data: Any) -> DepartmentInput:
        return cls(
            name=text(data.get("name"), "部门名称", limit=100),
            code=_code(data.get("code"), "部门代码"),
            duties=text(data.get("duties"), "职责", required=False, limit=5000),
            is_dispatch_centre=_flag(data.get("is_dispatch_centre")),
            is_active=_flag(data.get("is_active")),
            sort=_int(data.get("sort"), "排序", 0, 999, default=100),
            review_replies=_flag(data.get("review_replies")),
        )


def save_department(
    actor: User, park: Park, data: DepartmentInput, department: Department | None = None
) -> Department:
    require_admin(actor, park)
    with transaction.atomic():
        if department is not None:
            department = Department.objects.select_for_update().get(pk=department.pk, park=park)
        others = Department.objects.filter(park=park)
        if department is not None:
            others = others.exclude(pk=department.pk)
        if others.filter(name=data.name).exists():
            raise InvalidInput(f"本园区已有名为“{data.name}”的部门", field="部门名称")
        if others.filter(code=data.code).exists():
            raise InvalidInput(f"部门代码“{data.code}”已被使用", field="部门代码")
        if department is not None and department.is_active and not data.is_active:
            n = Task.objects.filter(department=department, status__in=ACTIVE_TASK_STATUSES).count()
            if n:
                raise InvalidState(
                    f"{department.name}还有 {n} 件未办结的任务，不能停用；请先在派单中心改派"
                )
            if Category.objects.filter(default_department=department, is_active=True).exists():
                raise InvalidState(
                    f"{department.name}仍是启用中诉求类别的默认主办部门，请先修改这些类别"
                )
        if data.is_dispatch_centre is False and department is not None:
            if (
                department.is_dispatch_centre
                and not others.filter(is_dispatch_centre=True, is_active=True).exists()
            ):
                raise InvalidState("园区至少要有一个启用的派单中心")
        before = _dept_state(department) if department else {}
        was_active = department.is_active if department else None
        dept = department or Department(park=park)
        dept.name, dept.code, dept.duties = data.name, data.code, data.duties
        dept.is_dispatch_centre, dept.is_active, dept.sort = (
            data.is_dispatch_centre,
            data.is_active,
            data.sort,
        )
        dept.review_replies = data.review_replies
        dept.save()
        after = _dept_state(dept)
        _log_save(
            actor,
            park,
            ChangeKind.DEPARTMENT,
            dept,
            dept.name,
            before,
            after,
            created=department is None,
            was_active=was_active,
        )
    return dept


# --------------------------------------------------------------------------- staff


def staff(
    park: Park, *, q: str = "", role: str = "", department_id: int | None = None, active: str = ""
) -> QuerySet[User]:
    qs = User.objects.filter(park=park, role__in=STAFF_ROLES).select_related(
        "department", "institution_link__institution"
    )
    if q:
        qs = qs.filter(
            Q(full_name__icontains=q)
            | Q(username__icontains=q)
            | Q(phone__contains=q)
            | Q(title__icontains=q)
        )
    if role in STAFF_ROLES:
        qs = qs.filter(role=role)
    if department_id:
        qs = qs.filter(department_id=department_id)
    if active == "1":
        qs = qs.filter(is_active=True)
    elif active == "0":
        qs = qs.filter(is_active=False)
    return qs.order_by("-is_active", "department__sort", "rank", "id")


def get_staff(park: Park, pk: int) -> User:
    person = User.objects.filter(park=park, role__in=STAFF_ROLES, pk=pk).first()
    if person is None:
        raise NotFound("没有这个工作人员账号")
    return person


def _institution_name(u: User) -> str:
    link = InstitutionUser.objects.filter(user=u).select_related("institution").first()
    return link.institution.name if link else ""


def _staff_state(u: User) -> dict[str, Any]:
    state = {
        "账号": u.username,
        "姓名": u.full_name,
        "手机号": u.phone,
        "角色": Role(u.role).label if u.role in Role.values else u.role,
        "部门": u.department.name if u.department_id and u.department else "",
        "职务": u.title,
        "职级": u.rank,
        "启用": "是" if u.is_active else "否",
    }
    if u.role == Role.BANK:
        state["金融机构"] = _institution_name(u)
    return state


@dataclass(frozen=True)
class StaffInput:
    username: str
    full_name: str
    phone: str
    role: str
    department_id: int | None
    title: str
    rank: int
    is_active: bool
    institution_id: int | None = None  # a 金融机构 account's institution

    @classmethod
    def parse(cls, data: Any) -> StaffInput:
        username = text(data.get("username"), "登录账号", limit=30)
        if not USERNAME_RE.fullmatch(username):
            raise InvalidInput(
                "登录账号为 3–30 位字母、数字或 _ . @ -（可用拼音或工号）", field="登录账号"
            )
        phone = text(data.get("phone"), "手机号", required=False, limit=20)
        if phone:
            problem = check_phone(phone)
            if problem:
                raise InvalidInput(problem, field="手机号")
            phone = normalize_phone(phone)
        role = text(data.get("role"), "角色", limit=20)
        if role not in STAFF_ROLES:
            raise InvalidInput("请选择一个工作人员角色", field="角色")
        raw_dept = str(data.get("department_id") or "").strip()
        dept_id = _int(raw_dept, "部门", 1, 10**12) if raw_dept else None
        raw_inst = str(data.get("institution_id") or "").strip()
        inst_id = _int(raw_inst, "金融机构", 1, 10**12) if raw_inst else None
        return cls(
            username=username,
            full_name=text(data.get("full_name"), "姓名", limit=50),
            phone=phone,
            role=role,
            department_id=dept_id,
            title=text(data.get("title"), "职务", required=False, limit=50),
            rank=_int(data.get("rank"), "职级", 1, 3, default=3),
            is_active=_flag(data.get("is_active")),
            institution_id=inst_id,
        )


def _institution_for(
    park: Park, data: StaffInput, person: User | None, dept: Department | None
) -> Institution | None:
    """A 金融机构 account needs an active institution of the park and no department. An account
    never changes between the bank's side and the park's: a park official's account turned into
    a bank's (or back) would carry one side's access and history to the other."""
    was_bank = person is not None and person.role == Role.BANK
    if person is not None and was_bank != (data.role == Role.BANK):
        raise InvalidState("金融机构账号与园区工作人员账号不能互相转换，请另建账号")
    if data.role != Role.BANK:
        return None
    if dept is not None:
        raise InvalidInput("金融机构账号不属于园区部门，请不要选择部门", field="部门")
    if data.institution_id is None:
        raise InvalidInput("金融机构账号必须选择所属金融机构", field="金融机构")
    inst = Institution.objects.filter(park=park, pk=data.institution_id).first()
    if inst is None:
        raise InvalidInput("所选金融机构不属于本园区", field="金融机构")
    current = InstitutionUser.objects.filter(user=person).first() if person else None
    if not inst.is_active and (current is None or current.institution_id != inst.pk):
        raise InvalidInput(f"{inst.name}已停用，不能再添加账号", field="金融机构")
    return inst


def institutions(park: Park) -> QuerySet[Institution]:
    return Institution.objects.filter(park=park).order_by("-is_active", "name")


def temporary_password() -> str:
    # Readable over the phone: no 0/O or 1/l; long enough for the password validators.
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


def save_staff(
    actor: User, park: Park, data: StaffInput, person: User | None = None
) -> tuple[User, str]:
    """Create or edit a staff account. A new account gets a temporary password, returned once."""
    require_admin(actor, park)
    dept: Department | None = None
    if data.department_id is not None:
        dept = Department.objects.filter(park=park, pk=data.department_id).first()
        if dept is None:
            raise InvalidInput("所选部门不属于本园区", field="部门")
        if not dept.is_active and (person is None or person.department_id != dept.pk):
            raise InvalidInput(f"{dept.name}已停用，不能再分配人员", field="部门")
    if data.role in DEPARTMENT_ROLES and dept is None:
        raise InvalidInput("部门经办人和部门负责人必须选择所在部门", field="部门")
    institution = _institution_for(park, data, person, dept)
    if person is not None and person.pk == actor.pk:
        if data.role != person.role or not data.is_active:
            raise InvalidState("不能修改自己的角色或停用自己的账号，请由另一位管理员操作")
    password = ""
    with transaction.atomic():
        if person is not None:
            person = User.objects.select_for_update().get(pk=person.pk)
        clash = User.objects.filter(username__iexact=data.username)
        if person is not None:
            clash = clash.exclude(pk=person.pk)
        if clash.exists():
            raise InvalidInput(f"登录账号“{data.username}”已被使用", field="登录账号")
        if person is not None and person.is_active and not data.is_active:
            n = served_by(person).count()
            if n:
                raise InvalidState(
                    f"{person.display_name}仍是 {n} 家市场主体的专属服务员或B角，"
                    "须先在“专属服务员”中办理工作交接，才能停用账号"
                )
        before = _staff_state(person) if person else {}
        was_active = person.is_active if person else None
        u = person or User(park=park)
        u.username, u.full_name, u.phone = data.username, data.full_name, data.phone
        u.role, u.department, u.title, u.rank = data.role, dept, data.title, data.rank
        u.is_active = data.is_active
        if person is None:
            password = temporary_password()
            u.set_password(password)
        u.save()
        if (
            institution is not None
            and not InstitutionUser.objects.filter(user=u, institution=institution).exists()
        ):
            # finance's own service links the account (and records it in the FinanceEvent log)
            link_user(actor, u, institution)
        after = _staff_state(u)
        _log_save(
            actor,
            park,
            ChangeKind.STAFF,
            u,
            u.display_name,
            before,
            after,
            created=person is None,
            was_active=was_active,
        )
    return u, password


def reset_password(actor: User, park: Park, person: User) -> str:
    """A new temporary password for someone who forgot theirs; their API tokens stop working."""
    require_admin(actor, park)
    password = temporary_password()
    try:
        validate_password(password, person)
    except ValidationError:  # pragma: no cover - 12 random characters always pass
        password = temporary_password()
    with transaction.atomic():
        person.set_password(password)
        person.save(update_fields=["password"])
        _record(
            actor,
            park,
            ChangeKind.STAFF,
            ChangeAction.PASSWORD_RESET,
            person.pk,
            person.display_name,
            {},
            {},
            "管理员重置登录密码",
        )
    return password


# --------------------------------------------------------------------------- categories


def categories(park: Park) -> QuerySet[Category]:
    return (
        Category.objects.filter(park=park)
        .select_related("parent", "default_department")
        .prefetch_related("default_co_departments")
        .order_by("-is_active", "parent__sort", "parent_id", "sort", "id")
    )


def category_tree(park: Park) -> list[tuple[Category, list[Category]]]:
    rows = list(categories(park))
    tops = sorted((c for c in rows if c.parent_id is None), key=lambda c: (c.sort, c.pk))
    children: dict[int, list[Category]] = {}
    for c in rows:
        if c.parent_id is not None:
            children.setdefault(c.parent_id, []).append(c)
    return [(t, sorted(children.get(t.pk, []), key=lambda c: (c.sort, c.pk))) for t in tops]


def get_category(park: Park, pk: int) -> Category:
    cat = Category.objects.filter(park=park, pk=pk).first()
    if cat is None:
        raise NotFound("没有这个诉求类别")
    return cat


def _cat_state(c: Category) -> dict[str, Any]:
    co = ", ".join(d.name for d in c.default_co_departments.all()) if c.pk else ""
    return {
        "名称": c.name,
        "代码": c.code,
        "上级类别": c.parent.name if c.parent_id and c.parent else "",
        "默认主办部门": c.default_department.name
        if c.default_department_id and c.default_department
        else "",
        "默认协办部门": co,
        "办理时限（工作日）": c.time_limit_days,
        "群众诉求类": "是" if c.for_residents else "否",
        "启用": "是" if c.is_active else "否",
        "排序": c.sort,
    }


@dataclass(frozen=True)
class CategoryInput:
    name: str
    code: str
    parent_id: int | None
    default_department_id: int | None
    co_department_ids: tuple[int, ...]
    time_limit_days: int
    for_residents: bool
    is_active: bool
    sort: int

    @classmethod
    def parse(cls, data: Any, co_ids: Iterable[Any] = ()) -> CategoryInput:
        def opt_id(key: str, label: str) -> int | None:
            raw = str(data.get(key) or "").strip()
            return _int(raw, label, 1, 10**12) if raw else None

        return cls(
            name=text(data.get("name"), "类别名称", limit=50),
            code=_code(data.get("code"), "类别代码"),
            parent_id=opt_id("parent_id", "上级类别"),
            default_department_id=opt_id("default_department_id", "默认主办部门"),
            co_department_ids=tuple(
                sorted({_int(x, "协办部门", 1, 10**12) for x in co_ids if str(x).strip()})
            ),
            time_limit_days=_int(data.get("time_limit_days"), "办理时限", 1, 365),
            for_residents=_flag(data.get("for_residents")),
            is_active=_flag(data.get("is_active")),
            sort=_int(data.get("sort"), "排序", 0, 999, default=100),
        )


def save_category(
    actor: User, park: Park, data: CategoryInput, category: Category | None = None
) -> Category:
    require_admin(actor, park)
    parent: Category | None = None
    if data.parent_id is not None:
        parent = Category.objects.filter(park=park, pk=data.parent_id).first()
        if parent is None:
            raise InvalidInput("上级类别不属于本园区", field="上级类别")
        if parent.parent_id is not None:
            raise InvalidInput("类别只有两级：上级类别必须是一级类别", field="上级类别")
        if category is not None and parent.pk == category.pk:
            raise InvalidInput("类别不能以自己为上级", field="上级类别")
        if category is not None and category.children.exists():
            raise InvalidInput("该类别下已有二级类别，不能再挂到其他类别下", field="上级类别")
    depts = {d.pk: d for d in Department.objects.filter(park=park, is_active=True)}
    lead = None
    if data.default_department_id is not None:
        lead = depts.get(data.default_department_id)
        if lead is None:
            raise InvalidInput("默认主办部门须是本园区启用中的部门", field="默认主办部门")
    if any(i not in depts for i in data.co_department_ids):
        raise InvalidInput("协办部门须是本园区启用中的部门", field="协办部门")
    if lead is not None and lead.pk in data.co_department_ids:
        raise InvalidInput("默认主办部门不能同时是协办部门", field="协办部门")
    with transaction.atomic():
        if category is not None:
            category = Category.objects.select_for_update().get(pk=category.pk, park=park)
        clash = Category.objects.filter(park=park, code=data.code)
        if category is not None:
            clash = clash.exclude(pk=category.pk)
        if clash.exists():
            raise InvalidInput(f"类别代码“{data.code}”已被使用", field="类别代码")
        before = _cat_state(category) if category else {}
        was_active = category.is_active if category else None
        c = category or Category(park=park)
        c.name, c.code, c.parent, c.default_department = data.name, data.code, parent, lead
        c.time_limit_days, c.for_residents = data.time_limit_days, data.for_residents
        c.is_active, c.sort = data.is_active, data.sort
        c.save()
        c.default_co_departments.set([depts[i] for i in data.co_department_ids])
        after = _cat_state(c)
        _log_save(
            actor,
            park,
            ChangeKind.CATEGORY,
            c,
            str(c),
            before,
            after,
            created=category is None,
            was_active=was_active,
        )
    return c


# --------------------------------------------------------------------------- reply templates


def reply_templates(park: Park) -> QuerySet[ReplyTemplate]:
    return (
        ReplyTemplate.objects.filter(park=park)
        .select_related("category", "category__parent")
        .order_by("-is_active", "sort", "id")
    )


def get_reply_template(park: Park, pk: int) -> ReplyTemplate:
    tpl = ReplyTemplate.objects.filter(park=park, pk=pk).first()
    if tpl is None:
        raise NotFound("没有这个答复模板")
    return tpl


def _tpl_state(t: ReplyTemplate) -> dict[str, Any]:
    return {
        "模板名称": t.title,
        "适用类别": str(t.category) if t.category_id and t.category else "通用",
        "答复内容": t.body,
        "启用": "是" if t.is_active else "否",
        "排序": t.sort,
    }


@dataclass(frozen=True)
class TemplateInput:
    title: str
    category_id: int | None
    body: str
    is_active: bool
    sort: int

    @classmethod
    def parse(cls, data: Any) -> TemplateInput:
        raw_cat = str(data.get("category_id") or "").strip()
        body = text(data.get("body"), "答复内容", limit=2000)
        if len(body) < 10:
            raise InvalidInput("答复内容太短：模板至少写 10 个字", field="答复内容")
        return cls(
            title=text(data.get("title"), "模板名称", limit=40),
            category_id=integer(raw_cat, "适用类别", 1, 10**12) if raw_cat else None,
            body=body,
            is_active=_flag(data.get("is_active")),
            sort=_int(data.get("sort"), "排序", 0, 999, default=100),
        )


def save_reply_template(
    actor: User, park: Park, data: TemplateInput, template: ReplyTemplate | None = None
) -> ReplyTemplate:
    require_admin(actor, park)
    category = None
    if data.category_id is not None:
        category = Category.objects.filter(park=park, pk=data.category_id).first()
        if category is None:
            raise InvalidInput("适用类别不属于本园区", field="适用类别")
    unknown = sorted(set(re.findall(r"\{([^{}]{1,20})\}", data.body)) - set(PLACEHOLDER_NAMES))
    if unknown:
        raise InvalidInput(
            f"答复内容里的“{{{unknown[0]}}}”不是可用的占位符；可用：{'、'.join(PLACEHOLDER_NAMES)}",
            field="答复内容",
        )
    with transaction.atomic():
        if template is not None:
            template = ReplyTemplate.objects.select_for_update().get(pk=template.pk, park=park)
        clash = ReplyTemplate.objects.filter(park=park, title=data.title)
        if template is not None:
            clash = clash.exclude(pk=template.pk)
        if clash.exists():
            raise InvalidInput(f"已有名为“{data.title}”的答复模板", field="模板名称")
        before = _tpl_state(template) if template else {}
        was_active = template.is_active if template else None
        t = template or ReplyTemplate(park=park)
        t.title, t.category, t.body = data.title, category, data.body
        t.is_active, t.sort = data.is_active, data.sort
        t.save()
        _log_save(
            actor,
            park,
            ChangeKind.TEMPLATE,
            t,
            t.title,
            before,
            _tpl_state(t),
            created=template is None,
            was_active=was_active,
        )
    return t


# --------------------------------------------------------------------------- park settings

SETTING_FIELDS: list[tuple[str, str, int, int]] = [
    ("response_window_working_days", "签收时限（工作日）", 1, 10),
    ("due_soon_working_days", "即将到期提醒（工作日）", 0, 10),
    ("auto_close_working_days", "未评价可销号（工作日）", 1, 30),
    ("info_wait_working_days", "补充材料逾期未答复可销号（工作日）", 1, 60),
]


def _settings_state(p: Park) -> dict[str, Any]:
    out: dict[str, Any] = {label: getattr(p, f) for f, label, _, _ in SETTING_FIELDS}
    t = p.auto_dispatch_threshold
    out["自动派单置信度阈值"] = "不自动派单" if t is None else f"{t:.2f}"
    return out


def save_settings(actor: User, park: Park, data: Any, reason: str = "") -> Park:
    require_admin(actor, park)
    values = {f: _int(data.get(f), label, lo, hi) for f, label, lo, hi in SETTING_FIELDS}
    raw = str(data.get("auto_dispatch_threshold") or "").strip()
    threshold: float | None = None
    if raw:
        try:
            threshold = float(raw)
        except ValueError:
            raise InvalidInput("自动派单置信度阈值应为 0.50–1.00 之间的小数，或留空", field="阈值")
        if not 0.5 <= threshold <= 1.0:
            raise InvalidInput("自动派单置信度阈值应为 0.50–1.00 之间的小数，或留空", field="阈值")
    with transaction.atomic():
        p = Park.objects.select_for_update().get(pk=park.pk)
        before = _settings_state(p)
        for f, v in values.items():
            setattr(p, f, v)
        p.auto_dispatch_threshold = threshold
        p.save(update_fields=[*values, "auto_dispatch_threshold"])
        after = _settings_state(p)
        if before != after:
            _record(
                actor,
                park,
                ChangeKind.SETTINGS,
                ChangeAction.UPDATED,
                p.pk,
                p.name,
                before,
                after,
                text(reason, "说明", required=False, limit=300),
            )
    return p


# --------------------------------------------------------------------------- holiday schedule


@dataclass(frozen=True)
class YearStatus:
    year: int
    source: str  # entered / package / fallback
    schedule: YearSchedule | None
    holidays: int
    workdays: int

    @property
    def label(self) -> str:
        return {"entered": "已录入", "package": "内置数据", "fallback": "缺少安排"}[self.source]


def calendar_years(today: dt.date) -> list[YearStatus]:
    """The years a deadline can reach now: last year to next year, and every entered year."""
    entered = {s.year: s for s in YearSchedule.objects.all()}
    years = sorted({today.year - 1, today.year, today.year + 1, *entered}, reverse=True)
    out = []
    for y in years:
        rules = wcal.rules_for(y)
        out.append(
            YearStatus(y, rules.source, entered.get(y), len(rules.holidays), len(rules.workdays))
        )
    return out


def missing_next_year(today: dt.date) -> int | None:
    """Next year, when it is November or December and its official schedule is still missing:
    deadlines set now already reach into it."""
    nxt = today.year + 1
    if today.month >= 11 and wcal.rules_for(nxt).source == "fallback":
        return nxt
    return None


def save_year_schedule(
    actor: User, park: Park, year: int, holidays: str, workdays: str, source: str
) -> YearSchedule:
    require_admin(actor, park)
    year = _int(year, "年份", 2000, 2100)
    sched = YearSchedule.objects.filter(year=year).first()
    before = (
        {"放假日期": sched.holidays, "调休上班日期": sched.workdays, "依据": sched.source}
        if sched
        else {}
    )
    new = sched or YearSchedule(year=year)
    new.holidays = text(holidays, "放假日期", limit=5000)
    new.workdays = text(workdays, "调休上班日期", required=False, limit=2000)
    new.source = text(source, "依据", required=False, limit=200)
    new.entered_by = actor
    try:
        new.full_clean()
    except ValidationError as exc:
        messages = [m for ms in exc.message_dict.values() for m in ms]
        raise InvalidInput("；".join(messages) or "节假日安排有误")
    hol = wcal.parse_dates(new.holidays)
    work = wcal.parse_dates(new.workdays)
    both = sorted(hol & work)
    if both:
        raise InvalidInput(f"{both[0].isoformat()} 不能既是放假日又是调休上班日")
    weekday_work = sorted(d for d in work if d.weekday() < 5)
    if weekday_work:
        raise InvalidInput(f"{weekday_work[0].isoformat()} 是工作日，不必列为调休上班日")
    with transaction.atomic():
        new.save()
        after = {"放假日期": new.holidays, "调休上班日期": new.workdays, "依据": new.source}
        if before != after:
            _record(
                actor,
                park,
                ChangeKind.CALENDAR,
                ChangeAction.UPDATED if sched else ChangeAction.CREATED,
                new.pk,
                f"{year} 年节假日安排",
                before,
                after,
            )
    wcal.clear_cache()
    return new


def open_tasks_due_in(park: Park, year: int) -> int:
    """Open tasks whose deadline falls in `year`: computed before its schedule was known."""
    return Task.objects.filter(
        demand__park=park, status__in=ACTIVE_TASK_STATUSES, deadline__year=year
    ).count()


def remind_missing_schedule(today: dt.date | None = None) -> int:
    """Tell every park's administrators, once per year, that next year's schedule is missing."""
    today = today or wcal.today()
    year = missing_next_year(today)
    if year is None:
        return 0
    sent = 0
    for park in Park.objects.all():
        admins = User.objects.filter(park=park, role=Role.ADMIN, is_active=True)
        sent += notify_link(
            admins,
            park,
            Kind.SYSTEM,
            f"{year} 年节假日和调休安排尚未录入，跨年的办理时限只能按周一至周五计算。"
            "国务院办公厅通知发布后，请在“园区管理 · 节假日安排”中录入。",
            f"/manage/calendar/{year}/",
            dedupe_key=f"calendar-missing-{year}",
        )
    return sent


# --------------------------------------------------------------------------- the change log


def changes(park: Park, kind: str = "") -> QuerySet[AdminChange]:
    qs = AdminChange.objects.filter(park=park).select_related("actor")
    if kind in ChangeKind.values:
        qs = qs.filter(kind=kind)
    return qs


def history(park: Park, kind: str, obj_id: int) -> list[AdminChange]:
    return list(changes(park, kind).filter(object_id=obj_id)[:50])
