"""A small ledger with a known history, built through the service functions with `at=` times.

Every figure in test_metrics.py was worked out by hand from the story below (2026 calendar:
国庆 1–7 October off with Saturday 10 October a make-up workday; 清明 4–6 April off):

D1  2 Mar  received by the liaison, answered on the spot (solved); rated 满意; closed.
D2  29 Sep received; dispatched 30 Sep 16:00, just before 国庆, to 经济发展局 (lead, 5 working days,
    due 13 Oct) and 自然资源和规划分局 (co, 5 days, due 13 Oct).
    经济发展局 signs 8 Oct (1 working day: in time), pauses 9 Oct, resumes 12 Oct (2 working days
    lost: 10 Oct make-up Saturday and 12 Oct; deadline 15 Oct), answers 15 Oct (on time, partly):
    7 working days elapsed, 5 worked.
    自然资源和规划分局 signs 9 Oct (2 working days: late), is granted 3 more days on 13 Oct (due
    16 Oct), answers 16 Oct (on time thanks to the extension; 8 working days). Rated 基本满意; closed.
D3  1 Apr received; dispatched to 人力资源和社会保障局, which returns it the same day (in time);
    re-routed 2 Apr to 经济发展局 (3 days, due 8 Apr after 清明), signed 7 Apr (2 working days:
    late), answered 9 Apr (late; 4 working days). Rated 不满意 → redone, answered 14 Apr, rated
    满意, closed 15 Apr, reopened 20 Apr, answered again 22 Apr (solved). Still awaiting rating.
D4  2 Apr a duplicate of D3, merged into it: counted nowhere.
D5  6 May dispatched to 自然资源和规划分局 (10 days), never signed; 20 May escalated to 专家协商
    (a legacy problem). Open and overdue.
D6  10 Jun received from the hotline for the second enterprise; not yet dispatched.
D7  15 Dec 2025 answered on the spot: outside 2026.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from demands import services as s
from demands.models import Demand

TODAY = dt.date(2026, 11, 2)


def at(month: int, day: int, hour: int = 10, year: int = 2026) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


@dataclass
class Ledger:
    d1: Demand
    d2: Demand
    d3: Demand
    d4: Demand
    d5: Demand
    d6: Demand
    d7: Demand


def _intake(
    world,
    who: str,
    when: dt.datetime,
    *,
    title: str,
    category: str = "finance-loan",
    channel: str = "visit",
    enterprise=None,
) -> Demand:  # type: ignore[no-untyped-def]
    ent = enterprise or world.enterprise
    return s.create_demand(
        world.users[who],
        world.park,
        s.Intake(
            title=title,
            description=f"{title}：企业反映的具体情况。",
            channel=channel,
            enterprise_id=ent.pk,
            category_code=category,
            created_at=when,
        ),
    )


def build(world) -> Ledger:  # type: ignore[no-untyped-def]
    u = world.users
    disp, ent = u["dispatcher"], u["enterprise"]
    ha, hb, hc = u["handler"], u["handler_b"], u["handler_c"]

    d1 = _intake(world, "liaison", at(3, 2, 9), title="咨询技改贴息政策")
    d1 = s.resolve_on_spot(
        u["liaison"], d1, answer="现场讲解贴息申报条件。", outcome="solved", at=at(3, 2, 10)
    )
    d1 = s.confirm(ent, d1, satisfaction="satisfied", at=at(3, 3))
    d1 = s.close(disp, d1, at=at(3, 4))

    d2 = _intake(world, "dispatcher", at(9, 29, 9), title="申请流动资金贷款贴息")
    d2 = s.dispatch(
        disp,
        d2,
        lead_department_id=world.dept_a.pk,
        co_department_ids=[world.dept_b.pk],
        time_limit_days=5,
        at=at(9, 30, 16),
    )
    d2 = s.sign(ha, d2, at=at(10, 8, 9))
    d2 = s.pause(ha, d2, note="请补充近三年财务报表", at=at(10, 9, 10))
    d2 = s.resume(ha, d2, note="材料已补齐", at=at(10, 12, 9))
    d2 = s.sign(hb, d2, at=at(10, 9, 11))
    d2 = s.request_extension(hb, d2, days=3, reason="需现场核实用地情况", at=at(10, 13, 9))
    co_task = d2.tasks.get(department=world.dept_b)
    d2 = s.decide_extension(disp, d2, approve=True, task_id=co_task.pk, at=at(10, 13, 11))
    d2 = s.reply(ha, d2, answer="已对接银行，贴息部分落实。", outcome="partly", at=at(10, 15, 16))
    d2 = s.reply(hb, d2, answer="用地情况已核实。", outcome="explained", at=at(10, 16, 16))
    d2 = s.confirm(ent, d2, satisfaction="basic", at=at(10, 19, 9))
    d2 = s.close(disp, d2, at=at(10, 19, 10))

    d3 = _intake(world, "dispatcher", at(4, 1, 9), title="员工社保补贴申领")
    d3 = s.dispatch(
        disp, d3, lead_department_id=world.dept_c.pk, time_limit_days=5, at=at(4, 1, 10)
    )
    d3 = s.return_task(hc, d3, reason="not_our_duty", at=at(4, 1, 15))
    returned = d3.tasks.get(department=world.dept_c)
    d3 = s.redispatch(
        disp,
        d3,
        task_id=returned.pk,
        department_id=world.dept_a.pk,
        time_limit_days=3,
        at=at(4, 2, 9),
    )
    d3 = s.sign(ha, d3, at=at(4, 7, 9))
    d3 = s.reply(ha, d3, answer="已说明申领流程。", outcome="explained", at=at(4, 9, 16))
    d3 = s.confirm(ent, d3, satisfaction="dissatisfied", comment="没有解决实际问题", at=at(4, 10))
    d3 = s.reply(ha, d3, answer="已协调补贴发放。", outcome="solved", at=at(4, 14, 16))
    d3 = s.confirm(ent, d3, satisfaction="satisfied", at=at(4, 15, 9))
    d3 = s.close(disp, d3, at=at(4, 15, 10))
    d3 = s.reopen(ent, d3, reason="补贴只到账一半", at=at(4, 20))
    d3 = s.reply(ha, d3, answer="余款已到账。", outcome="solved", at=at(4, 22, 16))

    d4 = _intake(world, "dispatcher", at(4, 2, 11), title="社保补贴（重复反映）")
    d4 = s.merge(disp, d4, into_id=d3.pk, at=at(4, 2, 12))

    d5 = _intake(world, "dispatcher", at(5, 6, 9), title="厂房用地指标", category="land-use")
    d5 = s.dispatch(
        disp, d5, lead_department_id=world.dept_b.pk, time_limit_days=10, at=at(5, 6, 10)
    )
    d5 = s.escalate(disp, d5, tier="expert", note="涉及历史遗留用地手续", at=at(5, 20))

    d6 = _intake(
        world,
        "dispatcher",
        at(6, 10, 9),
        title="用电增容",
        channel="hotline",
        enterprise=world.enterprise2,
    )

    d7 = _intake(world, "liaison", at(12, 15, 9, year=2025), title="去年的咨询")
    d7 = s.resolve_on_spot(u["liaison"], d7, answer="已答复。", at=at(12, 15, 10, year=2025))

    return Ledger(*(Demand.objects.get(pk=d.pk) for d in (d1, d2, d3, d4, d5, d6, d7)))
