"""The dashboard's ladder panel: meetings held in the period and what their decisions came to,
against hand-counted values; the briefing says the same."""

import datetime as dt

import pytest
from django.test import Client

from demands import services as ds
from demands.models import TaskRole
from meetings import services
from meetings.models import Meeting, MeetingKind
from meetings.tests.helpers import escalated, held, meeting, tasks_decision
from reports import dashboard
from reports.metrics import Scope

pytestmark = pytest.mark.django_db


def test_meetings_and_their_decisions_in_the_period(world):
    a, b = escalated(world, "用地"), escalated(world, "融资")
    m = meeting(world, date=services._today() + dt.timedelta(days=3))
    Meeting.objects.filter(pk=m.pk).update(date=services._today())
    m = held(world, Meeting.objects.get(pk=m.pk))
    d1 = tasks_decision(world, m, m.items.get(demand=a), [(world.dept_a, TaskRole.LEAD, 5)])
    tasks_decision(world, m, m.items.get(demand=b), [(world.dept_b, TaskRole.LEAD, 2)])
    task = d1.links.get().task
    ds.sign(world.users["handler"], task.demand, task_id=task.pk)
    task.refresh_from_db()
    ds.reply(
        world.users["handler"], task.demand, task_id=task.pk, answer="已协调", outcome="solved"
    )
    meeting(world, kind=MeetingKind.PROJECT, date=services._today() + dt.timedelta(days=5))
    today = services._today()
    later = d1.links.get().task.deadline + dt.timedelta(days=30)
    panel = dashboard.ladder(Scope(world.park, dt.date(today.year, 1, 1), later, today=later), None)
    (row,) = panel["meetings"]  # the 调度会 is still being prepared: not counted
    assert row["kind"] == MeetingKind.RECEPTION
    assert (row["held"], row["items_heard"], row["decisions"], row["with_tasks"]) == (1, 2, 2, 2)
    assert (row["on_time"], row["late"], row["open"], row["overdue"]) == (1, 0, 0, 1)
    assert row["on_time_rate"]["text"] == "50.0%"
    assert panel["url_board"].startswith("/experts/board/?start=")


def test_the_dashboard_shows_the_panel(world):
    c = Client()
    c.force_login(world.users["leader"])
    page = c.get("/reports/").content.decode()
    assert 'id="ladder"' in page and "本期没有召开的接待日、调度会或专题会议" in page


def test_the_briefing_says_the_same(world):
    a = escalated(world, "用地")
    m = meeting(world, date=services._today() + dt.timedelta(days=3))
    Meeting.objects.filter(pk=m.pk).update(date=services._today())
    m = held(world, Meeting.objects.get(pk=m.pk))
    tasks_decision(world, m, m.items.get(demand=a), [(world.dept_a, TaskRole.LEAD, 5)])
    from reports import briefing
    from reports.periods import parse

    data = briefing.collect(world.park, parse(str(services._today().year)))
    text = briefing.docx_text(briefing.build_docx(data))
    row = data.ladder["meetings"][0]
    assert f"召开{row['label']}1次，听取议题1项，议定事项1项，其中交办部门1项" in text
