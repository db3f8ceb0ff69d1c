"""The demo's expert pool and 遗留问题清零: about 20 experts with profiles; old items (received
early in the year or before, stuck with their department and urged) cleared over the year by
consultations — opinions, the chair's conclusion (an answer or new tasks) — some still open."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from demands import services as ds
from demands.models import Demand, Status, TaskRole
from experts import services as es
from experts.models import ConclusionKind
from orgs.models import Role, User
from workcal import calendar as wcal

Ladder = Any  # demo.ladder.Ladder; not imported, ladder imports this module

TZ = timezone.get_fixed_timezone(8 * 60)

FIELDS = [
    ("规划与土地", "湘潭市规划设计研究院", "高级工程师"),
    ("财税政策", "湖南工程学院经济学院", "教授"),
    ("安全生产", "湘潭市安全生产协会", "注册安全工程师"),
    ("法律事务", "湖南金州律师事务所", "执业律师"),
    ("环境保护", "湘潭大学环境与资源学院", "副教授"),
    ("建设工程", "湖南省建筑设计院湘潭分院", "正高级工程师"),
    ("金融服务", "湘潭农村商业银行", "高级经济师"),
    ("人力资源", "湘潭市人才发展集团", "高级人力资源管理师"),
    ("知识产权", "湘潭市知识产权保护中心", "专利代理师"),
    ("电力与能源", "国网湘潭供电公司", "高级工程师"),
]
OPINIONS = [
    "经查阅相关规定，该事项可在现行政策框架内解决，建议由主责部门按程序补办手续后予以办理。",
    "问题的症结在于前期审批衔接不畅，建议明确牵头部门，一次性告知所需材料并限时办结。",
    "建议参照园区同类项目的处理先例，采取“先行办理、限期补正”的方式化解。",
    "从技术角度看方案可行，建议企业补充第三方评估报告后由部门联合审查。",
]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def pool(ladder: Ladder) -> list[int]:
    park = ladder.park
    ids = []
    with transaction.atomic():
        for i, u in enumerate(User.objects.filter(park=park, role=Role.EXPERT).order_by("pk")):
            f, org, title = FIELDS[i % len(FIELDS)]
            e = es.save_expert(
                ladder.disp, park, user_id=u.pk, field=f, organisation=org, title=title
            )
            ids.append(e.pk)
        es.set_rule(ladder.disp, park, open_working_days=60, overdue_urges=3, count_escalated=True)
    return ids


def consult(ladder: Ladder, d: Demand, day: dt.date, experts: list[int]) -> None:
    """One consultation from opening to the conclusion, the answer and the rating."""
    rng = ladder.rng
    sim = ladder.sim
    d.refresh_from_db()
    if d.status not in ds.DECIDABLE_STATUSES:
        return
    chair = ladder.chair or ladder.disp
    opened = _at(day, 9)
    panel = rng.sample(experts, 3)
    with ds.quiet(), transaction.atomic():
        c = es.open_consultation(
            ladder.disp,
            d,
            topic=d.title[:100],
            chair_id=chair.pk,
            expert_ids=panel,
            background="该事项办理时间长、涉及部门多，经多次督办仍未解决，列入遗留问题清零台账。",
            at=opened,
        )
    written = _at(wcal.add_working_days(day, rng.randint(2, 5)), 15)
    if written >= ladder.now:
        return
    with ds.quiet(), transaction.atomic():
        for e in c.experts.select_related("user"):
            es.write_opinion(e.user, c, text=rng.choice(OPINIONS), at=written)
    done = _at(wcal.add_working_days(written.date(), rng.randint(1, 4)), 10)
    if done >= ladder.now or rng.random() < 0.15:
        return  # some panels are still deliberating
    answer = rng.random() < 0.5
    with ds.quiet(), transaction.atomic():
        if answer:
            es.conclude(
                chair,
                c,
                conclusion="经专家组会诊，该问题可按现行政策解决，已形成书面答复意见告知企业。",
                kind=ConclusionKind.ANSWER,
                at=done,
            )
        else:
            lead = (
                d.tasks.filter(role=TaskRole.LEAD).values_list("department_id", flat=True).first()
            )
            es.conclude(
                chair,
                c,
                conclusion="专家组意见明确了解决路径，重新交办责任部门限时落实。",
                kind=ConclusionKind.TASKS,
                lead_department_id=lead,
                time_limit_days=rng.choice([5, 10]),
                at=done,
            )
    d.refresh_from_db()
    if d.status == Status.ANSWERED:
        code = ladder.codes.get(d.pk) or (d.category.code if d.category else "")
        with ds.quiet(), transaction.atomic():
            sim.rate_and_close(d, done, code if code in sim.cats else next(iter(sim.cats)))
    else:
        ladder.answer(d, done)
