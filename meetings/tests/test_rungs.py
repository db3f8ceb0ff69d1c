"""Where what a meeting hears is counted, and the meeting services played on a past day.

The rung shares (reports.metrics.tier_shares, the seeds' 70 / 20 / 10) count a demand at the
rung that solved it: a problem first raised at a 接待日, or a key project's slip decided at a
调度会, is solved at that meeting even when the decision then gives it to departments."""

import datetime as dt

import pytest

from demands import services as ds
from demands.models import Event, Outcome, TaskRole, Tier
from meetings import services
from meetings.models import AgendaSource, DecisionKind, MeetingEvent, MeetingKind, MeetingStatus
from meetings.tests.helpers import at, demand, held, meeting, tasks_decision
from notifications.models import Notification
from qinshang.errors import InvalidInput
from reports import metrics

LEAD = TaskRole.LEAD


def _answer(world, d, who="handler"):
    d.refresh_from_db()
    for t in d.tasks.all():
        ds.sign(world.users[who], d, task_id=t.pk)
        ds.reply(world.users[who], d, task_id=t.pk, answer="已协调解决", outcome=Outcome.SOLVED)
    d.refresh_from_db()
    return d


def test_problems_raised_at_a_meeting_count_at_its_rung(world):
    from projects import services as ps
    from projects.tests.helpers import make_project

    disp = world.users["dispatcher"]
    # Hand counts: one answered on the spot, one through 限时交办, one new problem raised at a
    # 接待日, one key project's slip decided at a 调度会; one more 接待日 item still open.
    spot = ds.resolve_on_spot(disp, demand(world, "政策咨询"), answer="已当场解答")
    dept = demand(world, "道路破损")
    ds.dispatch(disp, dept, lead_department_id=world.dept_a.pk, time_limit_days=5)
    _answer(world, dept)

    reception = meeting(world)
    raised = services.add_item(
        disp,
        reception,
        services.ItemInput(
            enterprise_id=world.enterprise2.pk, title="物流通道", description="货车进出难"
        ),
    )
    waiting = services.add_item(
        disp,
        reception,
        services.ItemInput(enterprise_id=world.enterprise.pk, title="招工难", description="缺工"),
    )
    held(world, reception)
    tasks_decision(world, reception, raised, [(world.dept_a, LEAD, 10)])
    tasks_decision(world, reception, waiting, [(world.dept_a, LEAD, 10)])
    raised.refresh_from_db()
    _answer(world, raised.demand)

    p = make_project(world, name="医疗器械产业园二期")
    ps.add_milestone(disp, p, name="主体结构封顶", planned_on="2026-05-15")
    project = meeting(world, kind=MeetingKind.PROJECT)
    (slip,) = project.items.filter(source=AgendaSource.PROJECT)
    assert slip.demand is None
    held(world, project)
    tasks_decision(world, project, slip, [(world.dept_a, LEAD, 10)])
    slip.refresh_from_db()
    assert slip.demand.tier == Tier.PROJECT_MEETING
    _answer(world, slip.demand)

    shares = metrics.tier_shares(metrics.Scope(world.park, today=services._today()))
    got = {t: r.num for t, r in shares.items()}
    assert got == {
        Tier.ON_SPOT: 1,
        Tier.DEPARTMENT: 1,
        Tier.RECEPTION_DAY: 1,
        Tier.PROJECT_MEETING: 1,
        Tier.EXPERT: 0,
    }
    assert {r.den for r in shares.values()} == {5}  # received: the open 接待日 item counts too
    assert spot.tier == Tier.ON_SPOT and dept.tier == Tier.DEPARTMENT
    # The tier history shows how each got there (the ledger's escalate events).
    assert Event.objects.filter(demand=slip.demand, action="escalate").get().data["tier"] == (
        Tier.PROJECT_MEETING
    )


def test_the_meeting_services_take_the_moment_they_act(world, django_capture_on_commit_callbacks):
    """A meeting played on a past day (the demo park's year): its events, dates, tasks and
    notifications carry that day, and “in the past” is judged against it."""
    day = services.first_working_day(services._today() - dt.timedelta(days=60))
    prep, opened, issued = at(day - dt.timedelta(days=7), 9), at(day, 9), at(day, 16)
    disp, leader = world.users["dispatcher"], world.users["leader"]
    # Created on its own day: the date is not in the past of that moment.
    with django_capture_on_commit_callbacks(execute=True):
        m = services.create_meeting(
            disp,
            world.park,
            services.MeetingInput(
                kind=MeetingKind.RECEPTION,
                date=day,
                place="管委会三楼会议室",
                chair_id=leader.pk,
                department_ids=[world.dept_a.pk],
            ),
            at=prep,
        )
    assert m.created_at == prep
    assert Notification.objects.filter(link=f"/meetings/{m.pk}/").values_list(
        "created_at", flat=True
    ).distinct().get() == (prep)
    d = demand(world, "厂房扩建用地指标", created_at=prep)
    item = services.add_item(disp, m, services.ItemInput(demand_number=d.number), at=prep)
    assert item.created_at == prep
    m = services.hold(leader, m, at=opened)
    services.set_attendance(disp, m, department_ids=[world.dept_a.pk], at=opened)
    services.set_notes(disp, m, item_id=item.pk, notes="企业介绍了情况", at=opened)
    dec = services.decide(
        leader,
        m,
        item_id=item.pk,
        kind=DecisionKind.TASKS,
        text="限期解决",
        tasks=[services.TaskSpec(world.dept_a.pk, LEAD, 5)],
        at=opened,
    )
    services.issue_minutes(disp, m, at=issued)
    m.refresh_from_db()
    assert (m.status, m.held_at, m.issued_at) == (MeetingStatus.ISSUED, opened, issued)
    assert dec.created_at == opened
    task = dec.links.get().task
    assert task.assigned_at == opened
    assert task.deadline == services.wcal.add_working_days(day, 5)
    times = set(MeetingEvent.objects.filter(meeting=m).values_list("created_at", flat=True))
    assert times == {prep, opened, issued}
    assert set(d.events.values_list("created_at", flat=True)) == {prep, opened}
    # Without `at` the same date is in the past now, and refused.
    with pytest.raises(InvalidInput, match="已经过去"):
        services.create_meeting(
            disp,
            world.park,
            services.MeetingInput(
                kind=MeetingKind.TOPIC, date=day, place="管委会", chair_id=leader.pk
            ),
        )


def test_the_scheduler_prepares_on_the_day_it_is_told(world):
    day = dt.date(2026, 3, 2)  # a Monday; the 9th is a Monday too
    morning = at(day, 8)
    made = services.schedule_meetings(park=world.park, at=morning)
    (m,) = made
    assert (m.date, m.created_at) == (dt.date(2026, 3, 9), morning)
    assert m.events.get(action="create").created_at == morning
    # The same slot is not created twice, whatever the moment.
    assert services.schedule_meetings(park=world.park, at=morning + dt.timedelta(hours=3)) == []
