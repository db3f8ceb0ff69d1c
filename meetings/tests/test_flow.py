"""The meeting workflow on the services: agenda from the ledger, the meeting, decisions that
create ledger tasks, the 往期 report, bad input that changes nothing, and the metrics."""

import datetime as dt

import pytest

from demands import services as ds
from demands.models import Event, Task, TaskRole, TaskStatus, Tier
from demands.models import Status as DStatus
from meetings import agenda, metrics, services
from meetings.models import (
    AgendaItem,
    AgendaSource,
    Decision,
    DecisionKind,
    DecisionTask,
    Meeting,
    MeetingEvent,
    MeetingKind,
    MeetingStatus,
    Registration,
)
from meetings.tests.helpers import at, demand, escalated, held, meeting, tasks_decision
from notifications.models import Notification
from qinshang.errors import Forbidden, InvalidInput, InvalidState

LEAD, CO = TaskRole.LEAD, TaskRole.CO


def test_escalated_demand_goes_on_the_next_reception_day(world):
    m = meeting(world, date=services._today() + dt.timedelta(days=20))
    d = escalated(world)
    item = m.items.get()
    assert (item.demand, item.source, item.enterprise) == (
        d,
        AgendaSource.ESCALATED,
        world.enterprise,
    )
    assert m.events.filter(action="add_item").count() == 1
    # A meeting created later picks up escalated demands that wait, not ones already on an agenda.
    d2 = escalated(world, "融资担保")
    m2 = meeting(world, date=services._today() + dt.timedelta(days=40))
    assert list(m2.items.values_list("demand", flat=True)) == []
    assert list(m.items.values_list("demand", flat=True)) == [d.pk, d2.pk]


def test_refresh_picks_up_escalations_and_keeps_trimmed_items_off(world):
    d1, d2 = escalated(world, "用地"), escalated(world, "融资")
    m = meeting(world)
    assert [i.demand for i in m.items.all()] == [d1, d2]
    disp = world.users["dispatcher"]
    with pytest.raises(InvalidInput, match="移出理由"):
        services.remove_item(disp, m, item_id=m.items.first().pk, reason="")
    services.remove_item(disp, m, item_id=m.items.first().pk, reason="已由部门解决")
    assert agenda.refresh(m, disp) == 0
    assert list(m.items.filter(removed=False).values_list("demand", flat=True)) == [d2.pk]
    assert m.events.get(action="remove_item").note == "已由部门解决"


def test_reorder_and_manual_addition(world):
    d1, _d2 = escalated(world, "用地"), escalated(world, "融资")
    m = meeting(world)
    disp = world.users["dispatcher"]
    i1, i2 = list(m.items.all())
    services.move_item(disp, m, item_id=i2.pk, up=True)
    assert list(m.items.filter(removed=False).values_list("pk", flat=True)) == [i2.pk, i1.pk]
    other = demand(world, "招工难", enterprise=world.enterprise2)
    item = services.add_item(disp, m, services.ItemInput(demand_number=other.number))
    other.refresh_from_db()
    assert item.source == AgendaSource.MANUAL and other.tier == Tier.RECEPTION_DAY
    assert m.items.filter(demand=other).count() == 1  # the escalation did not add it twice
    new = services.add_item(
        disp,
        m,
        services.ItemInput(
            enterprise_id=world.enterprise2.pk, title="物流通道", description="货车进出难"
        ),
    )
    assert new.demand.channel == "reception" and new.demand.enterprise == world.enterprise2
    with pytest.raises(InvalidInput, match="已在本次会议议程中"):
        services.add_item(disp, m, services.ItemInput(demand_number=other.number))
    with pytest.raises(Forbidden):
        services.add_item(world.users["handler"], m, services.ItemInput(demand_number=d1.number))


def test_portal_registration(world):
    ent = world.users["enterprise"]
    d = demand(world, "供电扩容")
    reg, item = services.register(ent, world.park, demand_id=d.pk, note="希望当面沟通")
    assert item is None and reg.item is None  # no 接待日 being prepared yet: it waits
    m = meeting(world, date=services._today() + dt.timedelta(days=8))
    reg.refresh_from_db()
    assert reg.item.meeting == m and reg.item.source == AgendaSource.PORTAL
    with pytest.raises(InvalidInput, match="已报名"):
        services.register(ent, world.park, demand_id=d.pk)
    foreign = demand(world, "别家的事", enterprise=world.enterprise2)
    with pytest.raises(InvalidInput, match="本企业"):
        services.register(ent, world.park, demand_id=foreign.pk)
    with pytest.raises(Forbidden):
        services.register(world.users["dispatcher"], world.park, demand_id=d.pk)
    # With a meeting in preparation the registration goes straight on its agenda.
    d2 = demand(world, "人才公寓")
    _, item2 = services.register(ent, world.park, demand_id=d2.pk)
    assert item2.meeting == m


def test_decision_creates_tasks_in_two_departments_and_the_next_meeting_reports_them(
    world, django_capture_on_commit_callbacks
):
    d = escalated(world)
    m = held(world, meeting(world))
    item = m.items.get()
    services.set_notes(world.users["dispatcher"], m, item_id=item.pk, notes="企业介绍了扩建进度")
    with django_capture_on_commit_callbacks(execute=True):
        dec = tasks_decision(world, m, item, [(world.dept_b, LEAD, 5), (world.dept_a, CO, 3)])
    d.refresh_from_db()
    assert d.status == DStatus.DISPATCHED and d.tier == Tier.RECEPTION_DAY
    tasks = {t.department: t for t in d.tasks.all()}
    assert set(tasks) == {world.dept_b, world.dept_a}
    assert (tasks[world.dept_b].role, tasks[world.dept_b].time_limit_days) == (LEAD, 5)
    assert (tasks[world.dept_a].role, tasks[world.dept_a].time_limit_days) == (CO, 3)
    assert set(DecisionTask.objects.filter(decision=dec).values_list("task", flat=True)) == {
        t.pk for t in tasks.values()
    }
    ev = Event.objects.get(demand=d, action="dispatch")
    assert ev.data["meeting_id"] == m.pk and ev.actor == world.users["leader"]
    # In the department inboxes at once: the bell of each department's staff.
    for who in ("handler", "head", "handler_b"):
        assert Notification.objects.filter(
            user=world.users[who], demand=d, kind="assigned"
        ).exists()
    assert m.events.get(action="decide").data["tasks"][0]["department"] == world.dept_b.name

    # The departments work through the normal workflow.
    for who, dept in (("handler_b", world.dept_b), ("handler", world.dept_a)):
        t = tasks[dept]
        ds.sign(world.users[who], d, task_id=t.pk)
        ds.reply(world.users[who], d, task_id=t.pk, answer="已协调落实", outcome="solved")
    d.refresh_from_db()
    assert d.status == DStatus.ANSWERED

    nxt = meeting(world, date=services._today() + dt.timedelta(days=30))
    [f] = agenda.previous(nxt)
    assert f.decision == dec and f.state == agenda.TaskState.ON_TIME
    assert [s for _, s in f.tasks] == [agenda.TaskState.ON_TIME] * 2
    assert agenda.summary([f])["on_time"] == 1
    # The heard-and-decided demand is not proposed again.
    assert not nxt.items.filter(demand=d).exists()


def test_decision_on_a_dispatched_demand_adds_tasks(world):
    d = demand(world)
    ds.dispatch(world.users["dispatcher"], d, lead_department_id=world.dept_b.pk)
    ds.escalate(world.users["dispatcher"], d, tier=Tier.RECEPTION_DAY, note="涉及多个部门")
    m = held(world, meeting(world))
    with pytest.raises(InvalidInput, match="已有该诉求在办任务"):
        tasks_decision(world, m, m.items.get(), [(world.dept_b, LEAD, 5)])
    tasks_decision(world, m, m.items.get(), [(world.dept_c, LEAD, 5), (world.dept_a, CO, 5)])
    assert d.tasks.count() == 3
    d.refresh_from_db()
    assert d.status == DStatus.DISPATCHED and d.lead_department == world.dept_b


def test_other_decision_kinds_and_the_redispatch_link(world):
    d1, _d2, d3 = (
        escalated(world, "政策咨询"),
        escalated(world, "历史遗留"),
        escalated(world, "用地"),
    )
    m = held(world, meeting(world))
    i1, i2, i3 = list(m.items.all())
    leader = world.users["leader"]
    services.decide(
        leader, m, item_id=i1.pk, kind=DecisionKind.EXPLAINED, text="按现行政策解释到位"
    )
    dec = services.decide(
        leader, m, item_id=i2.pk, kind=DecisionKind.EXPERT, text="提请专家会诊", expert_field="规划"
    )
    assert dec.expert_field == "规划" and not dec.links.exists()
    assert Event.objects.filter(demand=d1, action="comment", note__contains="政策解释").exists()
    # A task of the meeting re-routed by 改派 stays linked through the new department's task.
    dec3 = tasks_decision(world, m, i3, [(world.dept_a, LEAD, 5)])
    t = dec3.links.get().task
    d3.refresh_from_db()
    ds.return_task(
        world.users["handler"], d3, task_id=t.pk, reason="not_our_duty", note="非本部门职责"
    )
    d3.refresh_from_db()
    ds.redispatch(world.users["dispatcher"], d3, task_id=t.pk, department_id=world.dept_c.pk)
    depts = set(dec3.links.values_list("task__department", flat=True))
    assert depts == {world.dept_a.pk, world.dept_c.pk}
    [f] = [f for f in agenda.follow_ups(Decision.objects.filter(pk=dec3.pk), services._today())]
    assert [task.department for task, _ in f.tasks] == [world.dept_c]  # the cancelled one is gone


@pytest.mark.parametrize(
    "specs, message",
    [
        ([], "责任单位"),
        ([(None, LEAD, 5)], "责任单位"),
        ([("dept_a", LEAD, 0)], "1 到 120"),
        ([("dept_a", LEAD, 10_000)], "1 到 120"),
        ([("dept_a", LEAD, None)], "办结时限"),
        ([("dept_a", CO, 5)], "主办部门"),
        ([("dept_a", LEAD, 5), ("dept_a", CO, 5)], "重复"),
        ([("other", LEAD, 5)], "不属于本园区"),
    ],
)
def test_bad_decisions_change_nothing(world, specs, message):
    escalated(world)
    m = held(world, meeting(world))
    item = m.items.get()
    depts = {"dept_a": world.dept_a.pk, "other": world.other_park.departments.first().pk}
    tasks = [services.TaskSpec(depts.get(d, d), role, days) for d, role, days in specs]
    before = (Task.objects.count(), Event.objects.count(), MeetingEvent.objects.count())
    with pytest.raises(InvalidInput, match=message):
        services.decide(
            world.users["leader"],
            m,
            item_id=item.pk,
            kind=DecisionKind.TASKS,
            text="交办",
            tasks=tasks,
        )
    assert (Task.objects.count(), Event.objects.count(), MeetingEvent.objects.count()) == before
    assert not Decision.objects.exists()


def test_decision_on_a_meeting_not_yet_held_is_refused(world):
    escalated(world)
    m = meeting(world)
    with pytest.raises(InvalidState, match="会议尚未召开"):
        tasks_decision(world, m, m.items.get(), [(world.dept_a, LEAD, 5)])
    assert not Task.objects.exists() and not Decision.objects.exists()
    # Nor before its date, and not by a department.
    later = meeting(world, date=services._today() + dt.timedelta(days=10))
    services.add_item(
        world.users["dispatcher"], later, services.ItemInput(demand_number=demand(world).number)
    )
    with pytest.raises(InvalidState, match="尚未到会议日期"):
        services.hold(world.users["leader"], later)
    with pytest.raises(Forbidden):
        services.hold(world.users["handler"], m)


def test_meeting_dated_in_the_past_is_refused(world):
    with pytest.raises(InvalidInput, match="已经过去"):
        meeting(world, date=services._today() - dt.timedelta(days=1))
    with pytest.raises(InvalidInput, match="园区领导"):
        services.create_meeting(
            world.users["dispatcher"],
            world.park,
            services.MeetingInput(
                kind=MeetingKind.TOPIC,
                date=services._today(),
                place="x",
                chair_id=world.users["handler"].pk,
            ),
        )
    with pytest.raises(InvalidInput, match="会议类型"):
        meeting(world, kind="banquet")
    assert not Meeting.objects.exists()


def test_issue_minutes_freezes_and_notifies_responsible_departments(
    world, django_capture_on_commit_callbacks
):
    escalated(world)
    m = held(world, meeting(world))
    tasks_decision(world, m, m.items.get(), [(world.dept_a, LEAD, 5)])
    with django_capture_on_commit_callbacks(execute=True):
        services.issue_minutes(world.users["dispatcher"], m)
    m.refresh_from_db()
    assert m.status == MeetingStatus.ISSUED and m.issued_by == world.users["dispatcher"]
    told = set(
        Notification.objects.filter(kind="meeting", link=f"/meetings/{m.pk}/").values_list(
            "user__username", flat=True
        )
    )
    assert told >= {"hand_a", "head_a"} and "hand_b" not in told
    with pytest.raises(InvalidState, match="纪要已印发"):
        services.set_notes(world.users["dispatcher"], m, item_id=m.items.get().pk, notes="x")


def _reply(world, who, task, day):
    d = task.demand
    ds.sign(world.users[who], d, task_id=task.pk, at=at(task.assigned_at.date()))
    ds.reply(world.users[who], d, task_id=task.pk, answer="已办结", outcome="solved", at=at(day))


def test_metrics_against_hand_computed_values(world):
    # Meeting 1 hears three items (a fourth is trimmed): tasks done on time, tasks done late,
    # and an answer on the spot. Meeting 2 hears two items, one decided
    # with a task still open.
    a, b, c, e = (escalated(world, t) for t in ("用地", "融资", "政策", "撤回"))
    prep = meeting(world, date=services._today() + dt.timedelta(days=3))  # takes all four
    services.remove_item(
        world.users["dispatcher"], prep, item_id=prep.items.get(demand=e).pk, reason="企业撤回"
    )
    Meeting.objects.filter(pk=prep.pk).update(date=services._today())
    m1 = held(world, Meeting.objects.get(pk=prep.pk))
    ia, ib, ic = (m1.items.get(demand=x) for x in (a, b, c))
    da = tasks_decision(world, m1, ia, [(world.dept_a, LEAD, 5), (world.dept_b, CO, 5)])
    db_ = tasks_decision(world, m1, ib, [(world.dept_c, LEAD, 3)])
    services.decide(
        world.users["leader"], m1, item_id=ic.pk, kind=DecisionKind.ON_SPOT, text="现场答复"
    )
    for link in da.links.all():
        who = "handler" if link.task.department == world.dept_a else "handler_b"
        _reply(world, who, link.task, link.task.deadline)  # on the deadline day: on time
    late = db_.links.get().task
    _reply(world, "handler_c", late, late.deadline + dt.timedelta(days=3))

    f = escalated(world, "招工")
    m2 = held(world, meeting(world))
    # The item trimmed from meeting 1 is still escalated and unheard: proposed again.
    assert list(m2.items.values_list("demand", flat=True)) == [e.pk, f.pk]
    item_f = m2.items.get(demand=f)
    open_task = tasks_decision(world, m2, item_f, [(world.dept_a, LEAD, 2)]).links.get().task

    later = late.deadline + dt.timedelta(days=10)
    got = metrics.for_meetings([m1, m2], as_of=later)
    x1, x2 = got[m1.pk], got[m2.pk]
    assert (x1.items_heard, x1.decisions, x1.with_tasks) == (3, 3, 2)
    assert (x1.on_time, x1.late, x1.open, x1.overdue, x1.settled) == (1, 1, 0, 0, 1)
    assert x1.on_time_rate == 0.5
    assert (x2.items_heard, x2.decisions, x2.with_tasks, x2.on_time, x2.overdue) == (2, 1, 1, 0, 1)
    assert x2.on_time_rate == 0.0
    # As the ledger stood on the meeting day no reply had come (they are dated later): all open.
    today = metrics.for_meetings([m1, m2], as_of=services._today())
    assert (today[m2.pk].open, today[m2.pk].overdue) == (1, 0)
    assert (today[m1.pk].on_time, today[m1.pk].late, today[m1.pk].open) == (0, 0, 2)
    assert open_task.deadline > services._today()
    # A meeting still being prepared has heard nothing.
    assert (
        metrics.for_meeting(
            meeting(world, date=services._today() + dt.timedelta(days=5))
        ).items_heard
        == 0
    )


def test_every_change_is_an_event(world):
    escalated(world)
    m = held(world, meeting(world))
    tasks_decision(world, m, m.items.get(), [(world.dept_a, LEAD, 5)])
    actions = list(m.events.values_list("action", flat=True))
    assert actions == ["create", "add_item", "hold", "attendance", "decide"]
    assert all(e.actor_id for e in m.events.all())
    assert AgendaItem.objects.filter(meeting=m).count() == 1 and not Registration.objects.exists()
    assert TaskStatus.PENDING == Task.objects.get().status


def test_agenda_source_hook_for_other_apps(world, settings):
    """Another app (key projects) proposes items through the hook, without meetings importing it."""
    calls = []

    def slipping_projects(m, today):
        calls.append(m.pk)
        if m.kind != MeetingKind.PROJECT:
            return []
        return [
            agenda.Proposal(
                AgendaSource.PROJECT,
                enterprise=world.enterprise,
                title="二期厂房项目竣工节点滞后",
                source_ref="project:7",
            )
        ]

    agenda.register_source(slipping_projects)
    agenda.register_source(slipping_projects)  # once only
    try:
        m = meeting(world, kind=MeetingKind.PROJECT)
        assert calls == [m.pk]
        item = m.items.get()
        assert (item.source, item.source_ref, item.demand) == (
            AgendaSource.PROJECT,
            "project:7",
            None,
        )
        assert (
            agenda.refresh(m, world.users["dispatcher"]) == 0
        )  # the same project is not added twice
        # Deciding tasks on an item without a demand records one in the ledger first.
        held(world, m)
        dec = tasks_decision(world, m, item, [(world.dept_a, LEAD, 10)])
        item.refresh_from_db()
        assert item.demand.channel == "reception" and dec.links.get().task.demand == item.demand
    finally:
        agenda._registered.remove(slipping_projects)
    settings.MEETING_AGENDA_SOURCES = ["meetings.agenda.registrations"]
    assert agenda.sources().count(agenda.registrations) == 2  # settings paths are read too


def test_a_demand_an_escalation_rule_proposes_is_put_on_the_agenda(world):
    from escalation import services as esc
    from escalation.models import Proposal as RuleProposal

    d = demand(world, "厂房漏水迟迟未修")
    d = ds.dispatch(world.users["dispatcher"], d, lead_department_id=world.dept_a.pk)
    for _ in range(2):
        ds.urge(world.users["dispatcher"], d, note="请加快")
    type(d).objects.filter(pk=d.pk).update(due_date=services._today() - dt.timedelta(days=5))
    assert esc.scan(world.park).proposed == 1
    m = meeting(world, date=services._today() + dt.timedelta(days=20))
    item = m.items.get(demand=d)  # a new meeting's agenda is filled from every source
    assert item.source == AgendaSource.RULE
    # Accepting the proposal moves the demand up; it stays on this agenda, once.
    esc.accept(world.users["dispatcher"], RuleProposal.objects.get(demand=d), "上接待日")
    assert agenda.refresh(m, world.users["dispatcher"]) == 0
    assert m.items.filter(demand=d, removed=False).count() == 1


def test_a_key_project_with_a_slipping_milestone_is_on_the_next_project_meeting(world):
    from projects import services as ps
    from projects.tests.helpers import make_project

    p = make_project(world, name="医疗器械产业园二期")
    ps.add_milestone(world.users["dispatcher"], p, name="主体结构封顶", planned_on="2026-05-15")
    make_project(world, name="按期项目", investor_id=world.enterprise.pk)
    m = meeting(world, kind=MeetingKind.PROJECT, date=services._today() + dt.timedelta(days=10))
    (item,) = m.items.filter(source=AgendaSource.PROJECT)
    assert item.source_ref == f"project:{p.pk}" and item.enterprise == p.investor
    assert item.title.startswith("医疗器械产业园二期：节点「主体结构封顶」")
    # Trimmed by the dispatcher, it stays off this meeting; a reception day never gets it.
    services.remove_item(world.users["dispatcher"], m, item_id=item.pk, reason="本周已专题调度")
    assert agenda.refresh(m, world.users["dispatcher"]) == 0
    r = meeting(world, date=services._today() + dt.timedelta(days=12))
    assert not r.items.filter(source=AgendaSource.PROJECT).exists()
