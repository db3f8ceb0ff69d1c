"""Small builders shared by the meeting tests."""

import datetime as dt

from demands import services as ds
from demands.models import Channel, Demand, Tier
from meetings import services
from meetings.models import DecisionKind, Meeting, MeetingKind


def demand(world, title="厂房扩建用地指标", enterprise=None, **kw) -> Demand:
    return ds.create_demand(
        world.users["dispatcher"],
        world.park,
        ds.Intake(
            title=title,
            description=title + "，需园区协调解决。",
            channel=Channel.HOTLINE,
            enterprise_id=(enterprise or world.enterprise).pk,
            category_id=world.cat_land.pk,
            **kw,
        ),
    )


def escalated(world, title="厂房扩建用地指标", enterprise=None) -> Demand:
    d = demand(world, title, enterprise)
    return ds.escalate(world.users["dispatcher"], d, tier=Tier.RECEPTION_DAY, note="部门难以协调")


def meeting(world, kind=MeetingKind.RECEPTION, date=None, **kw) -> Meeting:
    return services.create_meeting(
        world.users["dispatcher"],
        world.park,
        services.MeetingInput(
            kind=kind,
            date=services.first_working_day(date) if date else services._today(),
            place="管委会三楼会议室",
            chair_id=world.users["leader"].pk,
            department_ids=kw.pop("department_ids", [world.dept_a.pk, world.dept_b.pk]),
            **kw,
        ),
    )


def held(world, m: Meeting) -> Meeting:
    services.hold(world.users["leader"], m)
    services.set_attendance(
        world.users["dispatcher"],
        m,
        department_ids=[world.dept_a.pk, world.dept_b.pk],
        enterprise_ids=[world.enterprise.pk],
    )
    m.refresh_from_db()
    return m


def tasks_decision(world, m, item, specs, text="由经济发展局牵头，限期协调解决"):
    return services.decide(
        world.users["leader"],
        m,
        item_id=item.pk,
        kind=DecisionKind.TASKS,
        text=text,
        tasks=[services.TaskSpec(d.pk, role, days) for d, role, days in specs],
    )


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
