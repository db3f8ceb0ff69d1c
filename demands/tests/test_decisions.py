"""decide_answer / decide_tasks: how a higher rung (a consultation, a meeting) writes its decision
into the ledger."""

import pytest
from django.utils import timezone

from demands import services
from demands.models import Status, TaskStatus, Tier
from demands.tests.helpers import unchanged
from qinshang.errors import Forbidden, InvalidInput, InvalidState
from workcal import calendar as wcal

pytestmark = pytest.mark.django_db


def _dispatched(world):  # type: ignore[no-untyped-def]
    d = services.create_demand(
        world.users["dispatcher"],
        world.park,
        services.Intake(
            title="排水管网接驳",
            description="厂区雨污水管网无法接入市政管网",
            channel="visit",
            enterprise_id=world.enterprise.pk,
            category_id=world.cat_land.pk,
        ),
    )
    return services.dispatch(world.users["dispatcher"], d, lead_department_id=world.dept_a.pk)


@pytest.mark.parametrize("who", ["handler", "head", "liaison", "expert", "enterprise"])
def test_only_leaders_and_dispatch_decide(world, who):
    d = _dispatched(world)
    with unchanged(), pytest.raises(Forbidden):
        services.decide_answer(world.users[who], d, answer="x")
    with unchanged(), pytest.raises(Forbidden):
        services.decide_tasks(
            world.users[who], d, lead_department_id=world.dept_b.pk, time_limit_days=5
        )
    with unchanged(), pytest.raises(Forbidden):
        services.decide_answer(world.other_users["dispatcher"], d, answer="x")


def test_decide_tasks_supersedes_and_assigns(world):
    d = _dispatched(world)
    old = d.tasks.get()
    d = services.decide_tasks(
        world.users["leader"],
        d,
        lead_department_id=world.dept_b.pk,
        co_department_ids=[world.dept_a.pk],
        time_limit_days=7,
        note="接待日议定",
        tier=Tier.RECEPTION_DAY,
        source={"source_label": "第6期企业接待日"},
    )
    old.refresh_from_db()
    assert old.status == TaskStatus.CANCELLED
    assert d.status == Status.DISPATCHED and d.tier == Tier.RECEPTION_DAY
    lead = d.tasks.get(role="lead", status=TaskStatus.PENDING)
    assert lead.department == world.dept_b
    assert lead.deadline == wcal.add_working_days(timezone.localdate(), 7)
    ev = d.events.get(action="decide_tasks")
    assert ev.data["superseded"] == [world.dept_a.name] and ev.data["co"] == [world.dept_a.name]
    # The new lead works the item through the usual loop.
    h = world.users["handler_b"]
    d = services.sign(h, d)
    d = services.reply(h, d, answer="已接驳", outcome="solved")
    assert d.status == Status.IN_PROGRESS  # the 协办 has not answered yet
    d = services.sign(world.users["handler"], d)
    d = services.reply(world.users["handler"], d, answer="已配合", outcome="solved")
    assert d.status == Status.ANSWERED and d.lead_department == world.dept_b


@pytest.mark.parametrize(
    "kw,msg",
    [
        ({"time_limit_days": 0}, "1 到 120"),
        ({"time_limit_days": 10000}, "1 到 120"),
        ({"lead_department_id": 999999}, "主办部门"),
        ({"co_department_ids": [999999]}, "协办部门"),
    ],
)
def test_decide_tasks_bad_input(world, kw, msg):
    d = _dispatched(world)
    args = {"lead_department_id": world.dept_b.pk, "time_limit_days": 5, **kw}
    with unchanged(), pytest.raises(InvalidInput, match=msg):
        services.decide_tasks(world.users["leader"], d, **args)


def test_decide_answer_and_closed_items(world):
    d = _dispatched(world)
    d = services.decide_answer(
        world.users["dispatcher"], d, answer="按政策解释", outcome="explained"
    )
    assert d.status == Status.ANSWERED and not d.tasks.filter(status=TaskStatus.PENDING).exists()
    d = services.confirm(world.users["dispatcher"], d, satisfaction="satisfied", method="phone")
    d = services.close(world.users["dispatcher"], d)
    with unchanged(), pytest.raises(InvalidState, match="不能再作出协调决定"):
        services.decide_answer(world.users["leader"], d, answer="再答复")
