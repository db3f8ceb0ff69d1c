"""Expert pool, the park's legacy rule and consultations (专家会诊): every change goes through a
function here, checks who may act and its input first, runs in one transaction and is recorded.

A conclusion reaches the ledger only through demands.services (decide_answer / decide_tasks),
which write the demand's events and make tasks with working-day deadlines as dispatch does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from demands import services as ledger
from demands.models import OPEN_STATUSES, Demand, Outcome, Tier
from experts import access, legacy
from experts.models import (
    ConclusionKind,
    Consultation,
    ConsultationEvent,
    ConsultationStatus,
    Expert,
    LegacyRule,
    Opinion,
    PoolEvent,
)
from orgs.models import Department, Park, Role, User
from qinshang import inputs
from qinshang.errors import Forbidden, InvalidInput, InvalidState
from qinshang.limits import INT_MAX
from qinshang.validators import check_phone, normalize_phone

TEXT_MAX = 10_000
MAX_PANEL = 15


def _now() -> dt.datetime:
    return timezone.now()


def _text(value: Any, label: str, *, required: bool = True, limit: int = TEXT_MAX) -> str:
    return inputs.text(value, label, required=required, limit=limit)


def _int(value: Any, label: str, low: int, high: int) -> int:
    return inputs.integer(value, label, low, high)


def _require_manager(actor: User, park: Park) -> None:
    if not access.can_manage(actor, park):
        raise Forbidden("只有园区领导和派单中心可以执行该操作")


def _record(
    c: Consultation,
    action: str,
    actor: User | None,
    *,
    note: str = "",
    data: dict[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> ConsultationEvent:
    return ConsultationEvent.objects.create(
        consultation=c,
        actor=actor,
        action=action,
        note=note,
        data=data or {},
        created_at=at or _now(),
    )


# --------------------------------------------------------------------------- pool


def save_expert(
    actor: User,
    park: Park,
    *,
    user_id: Any,
    field: Any,
    organisation: Any,
    title: Any = "",
    phone: Any = "",
    email: Any = "",
    is_active: bool = True,
    at: dt.datetime | None = None,
) -> Expert:
    """Add an expert account to the pool, or update its profile."""
    _require_manager(actor, park)
    try:
        user = User.objects.filter(pk=int(user_id), park=park, role=Role.EXPERT).first()
    except (TypeError, ValueError):
        user = None
    if user is None:
        raise InvalidInput("请选择本园区角色为“专家”的账号", field="user_id")
    values: dict[str, Any] = {
        "field": _text(field, "专业领域", limit=100),
        "organisation": _text(organisation, "工作单位", limit=200),
        "title": _text(title, "职称/职务", required=False, limit=100),
        "phone": "",
        "email": _text(email, "电子邮箱", required=False, limit=200),
        "is_active": bool(is_active),
    }
    raw_phone = _text(phone, "联系电话", required=False, limit=20)
    if raw_phone:
        problem = check_phone(raw_phone)
        if problem:
            raise InvalidInput(problem, field="phone")
        values["phone"] = normalize_phone(raw_phone)
    if values["email"] and "@" not in values["email"]:
        raise InvalidInput("电子邮箱格式不正确", field="email")
    with transaction.atomic():
        before = Expert.objects.filter(user=user).values(*values).first()
        expert, created = Expert.objects.update_or_create(
            user=user, defaults={"park": park, **values}
        )
        changes = {
            k: [before.get(k) if before else None, v]
            for k, v in values.items()
            if not before or before.get(k) != v
        }
        PoolEvent.objects.create(
            park=park,
            actor=actor,
            action="expert_add" if created else "expert_update",
            data={"expert": user.display_name, "changes": changes},
            created_at=at or _now(),
        )
    return expert


# --------------------------------------------------------------------------- rule


def set_rule(
    actor: User,
    park: Park,
    *,
    open_working_days: Any,
    overdue_urges: Any,
    count_escalated: Any,
    target_date: Any = None,
    at: dt.datetime | None = None,
) -> LegacyRule:
    _require_manager(actor, park)
    now = at or _now()
    days = _int(open_working_days, "办理工作日数", 10, 1000)
    urges = _int(overdue_urges, "催办次数", 0, 3)
    target = inputs.optional_date(target_date, "清零目标日期", field="target_date")
    if target is not None:
        if target < timezone.localtime(now).date():
            raise InvalidInput("清零目标日期不能早于今天", field="target_date")
    fields = ("open_working_days", "overdue_urges", "count_escalated", "target_date")
    with transaction.atomic():
        rule, _ = LegacyRule.objects.select_for_update().get_or_create(park=park)
        before = {f: getattr(rule, f) for f in fields}
        rule.open_working_days = days
        rule.overdue_urges = urges
        rule.count_escalated = count_escalated in (True, "1", "on", "true", 1)
        rule.target_date = target
        rule.updated_by = actor
        rule.updated_at = now
        rule.save()
        changes = {
            f: [str(before[f]) if before[f] is not None else None, str(getattr(rule, f))]
            for f in fields
            if before[f] != getattr(rule, f)
        }
        PoolEvent.objects.create(
            park=park, actor=actor, action="rule", data={"changes": changes}, created_at=now
        )
    return rule


# --------------------------------------------------------------------------- consultations


def _panel(park: Park, expert_ids: Any) -> list[Expert]:
    if isinstance(expert_ids, (str, int)):
        expert_ids = [expert_ids]
    try:
        ids = sorted({int(x) for x in (expert_ids or []) if str(x).strip()})
    except (TypeError, ValueError):
        raise InvalidInput("专家编号无效", field="expert_ids")
    if not ids:
        raise InvalidInput("请至少选择一位专家组成专家组", field="expert_ids")
    if len(ids) > MAX_PANEL:
        raise InvalidInput(f"专家组最多 {MAX_PANEL} 人", field="expert_ids")
    experts = list(
        Expert.objects.filter(pk__in=ids, park=park, is_active=True).select_related("user")
    )
    if len(experts) != len(ids):
        raise InvalidInput("所选专家不在本园区专家库中或已停用", field="expert_ids")
    return experts


def _chair(park: Park, chair_id: Any) -> User:
    try:
        chair = User.objects.filter(
            pk=int(chair_id), role__in=(Role.LEADER, Role.DISPATCHER), is_active=True
        ).first()
    except (TypeError, ValueError):
        chair = None
    if chair is None or not chair.in_park(park.pk):
        raise InvalidInput("主持人须为本园区的园区领导或派单员", field="chair_id")
    return chair


LIVE = (ConsultationStatus.PREPARING, ConsultationStatus.OPEN)


def _no_other(demand: Demand) -> None:
    if Consultation.objects.filter(demand=demand, status__in=LIVE).exists():
        raise InvalidState("该诉求已有进行中的会诊")


def prepare_consultation(
    actor: User,
    demand: Demand,
    *,
    topic: Any,
    referred_by: Any,
    chair_id: Any,
    background: Any = "",
    field: Any = "",
    at: dt.datetime | None = None,
) -> Consultation:
    """A meeting refers an item to 专家会诊: the consultation is opened 待组建专家组, linked to the
    demand (the meeting's decision links to it), and the chair or the dispatch centre then
    picks the panel (`form_panel`). Whatever the item's age: the meeting has judged it."""
    park = demand.park
    _require_manager(actor, park)
    if demand.status not in OPEN_STATUSES:
        raise InvalidState(f"诉求已{demand.get_status_display()}，无需会诊")
    _no_other(demand)
    topic = _text(topic, "会诊议题", limit=200)
    referred_by = _text(referred_by, "转会诊来源", limit=100)
    background = _text(background, "情况说明", required=False)
    field = _text(field, "会诊领域", required=False, limit=100)
    chair = _chair(park, chair_id)
    now = at or _now()
    with transaction.atomic():
        c = Consultation.objects.create(
            park=park,
            demand=demand,
            topic=topic,
            background=background,
            chair=chair,
            status=ConsultationStatus.PREPARING,
            legacy_reason=f"由{referred_by}转专家会诊",
            created_by=actor,
            created_at=now,
        )
        _record(
            c,
            "prepare",
            actor,
            note=background,
            at=now,
            data={"referred_by": referred_by, "field": field, "chair": chair.display_name},
        )
        link = reverse("experts:consultation", args=[c.pk])
        transaction.on_commit(lambda: _ask_for_panel(c, link, now))
    return c


def _ask_for_panel(c: Consultation, link: str, at: dt.datetime) -> None:
    from notifications.models import Kind
    from notifications.services import notify_link

    notify_link(
        [c.chair],
        c.park,
        Kind.CONSULTATION,
        f"{c.legacy_reason}：{c.topic}（{c.demand.number}），请组建专家组",
        link,
        at=at,
    )


def form_panel(
    actor: User,
    c: Consultation,
    *,
    expert_ids: Any,
    chair_id: Any = None,
    at: dt.datetime | None = None,
) -> Consultation:
    """The chair or the dispatch centre picks the panel of a consultation a meeting referred;
    the demand is escalated to 专家协商 and the panel is told, as when a consultation opens."""
    park = c.park
    if not (access.can_manage(actor, park) or actor.pk == c.chair_id):
        raise Forbidden("只有会诊主持人、园区领导和派单中心可以组建专家组")
    experts = _panel(park, expert_ids)
    chair = _chair(park, chair_id) if chair_id not in (None, "") else None
    now = at or _now()
    with transaction.atomic():
        c = Consultation.objects.select_for_update().select_related("demand").get(pk=c.pk)
        if c.status != ConsultationStatus.PREPARING:
            raise InvalidState("专家组已组建")
        demand = c.demand
        if demand.status not in OPEN_STATUSES:
            raise InvalidState(f"诉求已{demand.get_status_display()}，无需会诊")
        if demand.tier != Tier.EXPERT:
            ledger.escalate(
                actor, demand, tier=Tier.EXPERT, note=f"{c.legacy_reason}：{c.topic}", at=now
            )
        if chair is not None:
            c.chair = chair
        c.status = ConsultationStatus.OPEN
        c.save(update_fields=["chair", "status"])
        c.experts.set(experts)
        _record(
            c,
            "panel",
            actor,
            at=now,
            data={"experts": [e.user.display_name for e in experts], "chair": c.chair.display_name},
        )
        link = reverse("experts:consultation", args=[c.pk])
        transaction.on_commit(lambda: _announce(c, experts, link, now))
    return c


def open_consultation(
    actor: User,
    demand: Demand,
    *,
    topic: Any,
    chair_id: Any,
    expert_ids: Any,
    background: Any = "",
    referred_by: str = "",
    at: dt.datetime | None = None,
) -> Consultation:
    """Put a legacy item before a panel. The demand is escalated to 专家协商 if it was not.

    `referred_by` names a meeting that referred the item (a decision of a 调度会 or 接待日): such
    an item goes to the panel whether or not the park's rule already calls it legacy."""
    park = demand.park
    _require_manager(actor, park)
    if demand.status not in OPEN_STATUSES:
        raise InvalidState(f"诉求已{demand.get_status_display()}，无需会诊")
    rule = legacy.rule_for(park)
    since = legacy.legacy_since(demand, rule, legacy.histories([demand.pk]).get(demand.pk))
    now = at or _now()
    today = timezone.localtime(now).date()
    referred_by = _text(referred_by, "转会诊来源", required=False, limit=100)
    if referred_by:
        since = (today, f"由{referred_by}转专家会诊")
    elif since is None or since[0] > today:
        raise InvalidInput(
            f"该诉求尚不属于遗留问题（本园区规则：办理超过 {rule.open_working_days} 个工作日"
            + (f"，或逾期且催办达 {rule.overdue_urges} 次" if rule.overdue_urges else "")
            + "），请先按常规流程督办",
            field="demand_id",
        )
    _no_other(demand)
    topic = _text(topic, "会诊议题", limit=200)
    background = _text(background, "情况说明", required=False)
    chair = _chair(park, chair_id)
    experts = _panel(park, expert_ids)
    with transaction.atomic():
        if demand.tier != Tier.EXPERT:
            ledger.escalate(actor, demand, tier=Tier.EXPERT, note=f"提交专家会诊：{topic}", at=now)
        c = Consultation.objects.create(
            park=park,
            demand=demand,
            topic=topic,
            background=background,
            chair=chair,
            legacy_reason=since[1],
            created_by=actor,
            created_at=now,
        )
        c.experts.set(experts)
        _record(
            c,
            "open",
            actor,
            note=background,
            at=now,
            data={
                "experts": [e.user.display_name for e in experts],
                "chair": chair.display_name,
                "referred_by": referred_by,
            },
        )
        link = reverse("experts:consultation", args=[c.pk])
        transaction.on_commit(lambda: _announce(c, experts, link, now))
    return c


def _announce(c: Consultation, experts: list[Expert], link: str, at: dt.datetime) -> None:
    from notifications.models import Kind
    from notifications.services import notify_link

    notify_link(
        [e.user for e in experts] + [c.chair],
        c.park,
        Kind.CONSULTATION,
        f"专家会诊：{c.topic}（{c.demand.number}），请发表意见",
        link,
        at=at,
    )


def panel_member(user: User, c: Consultation) -> Expert | None:
    return c.experts.filter(user=user).first()


def write_opinion(
    actor: User, c: Consultation, *, text: Any, at: dt.datetime | None = None
) -> Opinion:
    """Each panel expert writes (and may revise) one opinion while the consultation is open."""
    expert = panel_member(actor, c)
    if expert is None:
        raise Forbidden("您不在本次会诊的专家组中，不能发表意见")
    text = _text(text, "专家意见")
    now = at or _now()
    with transaction.atomic():
        c = Consultation.objects.select_for_update().get(pk=c.pk)
        if c.status == ConsultationStatus.PREPARING:
            raise InvalidState("专家组尚未组建，暂不能发表意见")
        if c.status != ConsultationStatus.OPEN:
            raise InvalidState("会诊已形成结论，不能再修改意见")
        op = Opinion.objects.filter(consultation=c, expert=expert).first()
        revised = op is not None
        if op is None:
            op = Opinion(consultation=c, expert=expert, created_at=now)
        op.text = text
        op.updated_at = now
        op.save()
        _record(c, "opinion_revised" if revised else "opinion", actor, note=text, at=now)
    return op


def conclude(
    actor: User,
    c: Consultation,
    *,
    conclusion: Any,
    kind: Any,
    outcome: Any = Outcome.SOLVED,
    lead_department_id: Any = None,
    co_department_ids: Any = (),
    time_limit_days: Any = None,
    at: dt.datetime | None = None,
) -> Consultation:
    """The chair records the joint conclusion; it becomes the demand's answer or new tasks."""
    if not (actor.is_superuser or actor.pk == c.chair_id):
        raise Forbidden("只有本次会诊的主持人可以记录会诊结论")
    conclusion = _text(conclusion, "会诊结论")
    if kind not in ConclusionKind.values:
        raise InvalidInput(
            "请选择结论去向：answer（直接答复企业）或 tasks（重新交办部门）", field="kind"
        )
    if c.status == ConsultationStatus.PREPARING:
        raise InvalidState("专家组尚未组建，不能形成会诊结论")
    if not c.opinions.exists():
        raise InvalidState("专家组尚未提交意见，不能形成会诊结论")
    if isinstance(co_department_ids, (str, int)):
        co_department_ids = [co_department_ids]
    # The ledger takes typed values: what a form or a body gave is made so here.
    if outcome not in Outcome.values:
        raise InvalidInput(f"办理结果“{outcome}”无效", field="outcome")
    outcome = Outcome(outcome)
    lead_id, co_ids, days = 0, [], 0
    if kind == ConclusionKind.TASKS:
        if lead_department_id in (None, ""):
            raise InvalidInput("请指定主办部门", field="lead_department_id")
        if time_limit_days in (None, ""):
            raise InvalidInput("请填写办理时限", field="time_limit_days")
        lead_id = _int(lead_department_id, "主办部门", 1, INT_MAX)
        co_ids = [_int(i, "协办部门", 1, INT_MAX) for i in co_department_ids or [] if i != ""]
        days = _int(time_limit_days, "办理时限", -INT_MAX, INT_MAX)  # the ledger bounds it
    now = at or _now()
    source = {"consultation": c.pk, "source_label": f"专家会诊：{c.topic}"}
    with transaction.atomic():
        c = Consultation.objects.select_for_update().select_related("demand__park").get(pk=c.pk)
        if c.status == ConsultationStatus.PREPARING:
            raise InvalidState("专家组尚未组建，不能形成会诊结论")
        if c.status != ConsultationStatus.OPEN:
            raise InvalidState("会诊已形成结论")
        demand = c.demand
        if kind == ConclusionKind.ANSWER:
            ledger.decide_answer(
                actor, demand, answer=conclusion, outcome=outcome, source=source, at=now
            )
        else:
            ledger.decide_tasks(
                actor,
                demand,
                lead_department_id=lead_id,
                co_department_ids=co_ids,
                time_limit_days=days,
                note=conclusion,
                source=source,
                at=now,
            )
            c.departments.set(Department.objects.filter(park=c.park, pk__in=[lead_id, *co_ids]))
        c.status = ConsultationStatus.CONCLUDED
        c.conclusion = conclusion
        c.conclusion_kind = kind
        c.concluded_at = now
        c.save()
        _record(c, "conclude", actor, note=conclusion, at=now, data={"kind": kind})
    return c
