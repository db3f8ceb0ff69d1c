"""The demo year's key projects: about 60 signed with investors among the park's enterprises,
about 34 of them through 竣工 and 投产 within the year, milestones (some slipping, which feeds the
调度会 agenda) and a few 工地巡查 with rectification. All through `projects.services` with `at=`.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from entities.models import EntityKind, MarketEntity
from orgs.models import Park, Role, User
from projects import services as ps
from projects.models import Level, Stage

TZ = timezone.get_fixed_timezone(8 * 60)

# GB/T 4754 大类 the park's industries fall in (装备制造, 新材料, 电子信息, 新能源, 食品, 物流, 软件).
DIVISIONS = ["34", "35", "38", "39", "36", "30", "26", "32", "13", "44", "59", "65"]
PRODUCTS = [
    "智能装备产业园",
    "新能源汽车零部件生产线",
    "高端电机及控制系统",
    "锂电池正极材料",
    "精密轴承生产基地",
    "半导体封装测试",
    "风电装备制造",
    "绿色建材产业化",
    "食品精深加工",
    "冷链物流中心",
    "工业互联网平台",
    "特种钢材深加工",
    "氢能装备研发制造",
    "光伏组件生产线",
    "电子元器件智能工厂",
]
MILESTONES = ["土地摘牌", "开工建设", "主体封顶", "设备安装调试", "竣工验收"]
FINDINGS = [
    "施工现场扬尘防控措施不到位，裸土未全部覆盖",
    "临边防护栏杆缺失，高处作业安全带未规范佩戴",
    "塔吊安全检查记录不全，特种作业人员持证情况需核实",
    "施工围挡破损，夜间施工未办理许可",
]


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def build_projects(
    rng: random.Random, park: Park, now: dt.datetime, *, n: int = 60
) -> dict[str, int]:
    finished = round(n * 34 / 60)
    today = timezone.localtime(now).date()
    year_start = today - dt.timedelta(days=365)
    disp = User.objects.get(username="dispatcher")
    leaders = list(User.objects.filter(park=park, role=Role.LEADER).order_by("pk"))
    investors = [
        e
        for e in MarketEntity.objects.filter(park=park, liaison__isnull=False).order_by("pk")
        if e.kind in (EntityKind.PROJECT, EntityKind.ABOVE_SCALE)
    ]
    picks = rng.sample(investors, min(n, len(investors)))
    out = {"projects": 0, "operating": 0, "slipping": 0, "inspections": 0}
    for i, inv in enumerate(picks):
        done = i < finished
        # Finished ones were signed one to three years ago; the rest over the last two years.
        if done:
            completed = year_start + dt.timedelta(days=rng.randint(10, 340))
            signed = completed - dt.timedelta(days=rng.randint(300, 900))
        else:
            signed = today - dt.timedelta(days=rng.randint(20, 700))
        level = rng.choices(list(Level.values), weights=[8, 20, 35, 37])[0]
        wan = rng.choice([8000, 15000, 30000, 50000, 120000, 200000]) * rng.uniform(0.6, 1.4)
        short = inv.name.split("有限")[0][:12]
        with transaction.atomic():
            p = ps.create_project(
                disp,
                park,
                ps.ProjectInput(
                    name=f"{short}{rng.choice(PRODUCTS)}项目",
                    investor_id=inv.pk,
                    investment_wan=f"{wan:.2f}",
                    industry=rng.choice(DIVISIONS),
                    level=level,
                    leader_id=rng.choice(leaders).pk,
                    liaison_id=inv.liaison_id,
                    signed_on=signed,
                    address=inv.address or "湘潭经开区",
                    description="新建生产厂房、研发中心及配套设施，购置生产设备。",
                ),
                at=_at(signed),
            )
            span = (completed - signed).days if done else rng.randint(300, 800)
            plan = [
                signed + dt.timedelta(days=max(1, span * k // len(MILESTONES)))
                for k in range(1, len(MILESTONES) + 1)
            ]
            ms = [
                ps.add_milestone(disp, p, name=name, planned_on=day, at=_at(signed, 15))
                for name, day in zip(MILESTONES, plan, strict=True)
            ]
            # Stages and milestones done so far, some a few weeks behind the plan.
            stages = [Stage.STARTED, Stage.BUILDING, Stage.COMPLETED]
            reached = 0
            for k, (m, day) in enumerate(zip(ms, plan, strict=True)):
                late = rng.choice([0, 0, 0, 5, 12, 25])
                actual = day + dt.timedelta(days=late)
                if done and k == len(ms) - 1:
                    actual = completed
                if actual > today or (not done and rng.random() < 0.12):
                    if day < today:
                        # Behind plan: the liaison records a forecast (a slip the 调度会 hears).
                        forecast = today + dt.timedelta(days=rng.randint(10, 60))
                        ps.update_milestone(
                            p.liaison,
                            m,
                            forecast_on=forecast,
                            note="受要素保障影响，节点预计推迟",
                            at=_at(today - dt.timedelta(days=rng.randint(1, 10)), 16),
                            today=today,
                        )
                        out["slipping"] += 1
                    break
                ps.update_milestone(
                    p.liaison, m, actual_on=actual, at=_at(actual, 17), today=actual
                )
                if k in (1, 2, 4) and reached < len(stages):
                    stage = stages[reached]
                    p = ps.change_stage(disp, p, stage=stage, on=actual, at=_at(actual, 18))
                    reached += 1
            if done:
                op = min(today, completed + dt.timedelta(days=rng.randint(5, 40)))
                ps.change_stage(
                    disp, p, stage=Stage.OPERATING, on=op, note="项目正式投产", at=_at(op, 11)
                )
                out["operating"] += 1
            if rng.random() < 0.15:
                day = min(today, signed + dt.timedelta(days=rng.randint(60, max(61, span))))
                ins = ps.record_inspection(
                    p.liaison,
                    p,
                    inspected_on=day,
                    findings=rng.choice(FINDINGS),
                    rectification_days=rng.choice([3, 5, 10]),
                    at=_at(day, 14),
                )
                out["inspections"] += 1
                fix = day + dt.timedelta(days=rng.randint(3, 12))
                if fix < today and rng.random() < 0.7:
                    ps.close_inspection(
                        p.liaison, ins, note="已按要求整改到位，复查合格", on=fix, at=_at(fix, 15)
                    )
        out["projects"] += 1
    return out
