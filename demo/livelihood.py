"""The demo park's 重点民生项目清单 (我为群众办实事): projects listed through projects.livelihood,
each a ledger demand dispatched to its unit; over the year the units report progress, most finish
(answered, called back, closed) and one or two run past their completion date."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from demands import services as ds
from demands.models import CallbackMethod, Category, Outcome, Satisfaction, Status
from orgs.models import Department, Park, Role, User
from projects import livelihood

PROJECTS = (  # name, unit, class code, what it is, 村/社区
    (
        "综保区至万达广场河东公交专线",
        "规划建设局",
        "livelihood",
        "塘高村无公交，协调公交公司开通专线",
        "塘高村",
    ),
    (
        "桂花村螃蟹组机井饮水工程",
        "产业发展局",
        "livelihood",
        "地质性缺水，打造机井解决居民吃水",
        "桂花村",
    ),
    (
        "金水湾小区消防通道整治",
        "城市管理和综合执法局",
        "residents",
        "清理占道停车，规范停车收费",
        "民乐社区",
    ),
    (
        "民乐社区老旧小区雨污分流",
        "规划建设局",
        "residents",
        "老旧小区雨污合流，雨天返水",
        "民乐社区",
    ),
    (
        "园区企业家门口招聘会",
        "人力资源和社会保障局",
        "banshi-enterprise",
        "校企对接，定向培养",
        "红砂村",
    ),
    (
        "安置小区社保医保代办点",
        "社会事务局",
        "grassroots",
        "在安置小区设立代办点，群众少跑腿",
        "和平街道",
    ),
    ("留守儿童微心愿认领", "社会事务局", "wishes", "志愿者认领书包、文具等微心愿", "响水乡"),
    ("独居老人助餐志愿服务", "社会事务局", "wishes", "志愿者定期上门送餐", "九华街道"),
)


def build(rng: random.Random, park: Park, now: dt.datetime) -> dict[str, int]:
    dispatcher = User.objects.get(park=park, username="dispatcher")
    made = closed = 0
    start = now - dt.timedelta(days=300)
    for i, (name, unit, cls, what, community) in enumerate(PROJECTS):
        dept = Department.objects.filter(park=park, name=unit).first()
        cat = Category.objects.filter(park=park, parent__code=cls).order_by("sort", "pk").first()
        if dept is None:
            continue
        at = start + dt.timedelta(days=30 * i + rng.randint(0, 10))
        due = timezone.localtime(at).date() + dt.timedelta(days=rng.choice((60, 90, 120, 150)))
        p = livelihood.add_project(
            dispatcher,
            park,
            livelihood.LivelihoodInput(
                name=name,
                department_id=dept.pk,
                due=due,
                description=f"{what}。列入我为群众办实事重点民生项目清单。",
                community=community,
                contact=f"{community}村（居）委会",
                phone=f"0731-5{rng.randint(1000000, 9999999)}",
                category_id=cat.pk if cat else None,
            ),
            at=at,
        )
        made += 1
        handler = (
            User.objects.filter(park=park, department=dept, is_active=True)
            .exclude(role=Role.DEPARTMENT_HEAD)
            .first()
            or User.objects.filter(park=park, department=dept).first()
        )
        if handler is None:
            continue
        d = ds.sign(handler, p.demand, at=at + dt.timedelta(hours=20))
        finish = timezone.make_aware(dt.datetime.combine(due, dt.time(15))) - dt.timedelta(
            days=rng.randint(-20, 25)
        )
        steps = 4
        for k in range(1, steps):
            when = at + (finish - at) * k / steps
            if when >= now:
                break
            livelihood.report_progress(
                handler, p, progress=25 * k, note=f"已完成{25 * k}%", at=when
            )
        if finish >= now:
            continue
        d = ds.reply(handler, d, answer=f"{name}已完成。", outcome=Outcome.SOLVED, at=finish)
        livelihood.report_progress(handler, p, progress=100, note="已完成", at=finish)
        d = ds.confirm(
            dispatcher,
            d,
            satisfaction=rng.choice(
                (Satisfaction.SATISFIED, Satisfaction.SATISFIED, Satisfaction.BASIC)
            ),
            method=CallbackMethod.VISIT,
            at=finish + dt.timedelta(days=3),
        )
        if d.status == Status.CONFIRMED:
            ds.close(dispatcher, d, at=finish + dt.timedelta(days=4))
            closed += 1
    return {"projects": made, "closed": closed}
