"""access.department_tasks: a department's tasks the user may see, asked without the visibility
subquery where it cannot narrow them, and the same tasks as through it for everyone."""

import pytest
from django.utils import timezone

from demands import access
from demands import services as ledger
from demands.models import Task, TaskRole
from experts.tests.helpers import demand

pytestmark = pytest.mark.django_db


def _through_visibility(user, park):  # type: ignore[no-untyped-def]
    if not user.department_id:
        return set()
    return set(
        Task.objects.filter(
            department_id=user.department_id, demand__in=access.visible_demands(user, park)
        ).values_list("pk", flat=True)
    )


def test_department_tasks_equal_the_visible_ones_for_every_user_and_park(world):
    disp = world.users["dispatcher"]
    for i, co in enumerate(([], [world.dept_c.pk], [world.dept_b.pk])):
        d = demand(world, f"2026-0{i + 1}-05", title=f"第{i}件用地审批")
        ledger.dispatch(disp, d, lead_department_id=world.dept_a.pk, co_department_ids=co)
    d = demand(world, "2026-04-05", title="乙局主办")
    ledger.dispatch(disp, d, lead_department_id=world.dept_c.pk)
    # A task of this park's department on a demand of the other park (no service makes one):
    # the park still decides.
    o = ledger.create_demand(
        world.other_users["dispatcher"],
        world.other_park,
        ledger.Intake(
            title="另一园区的诉求",
            description="另一园区居民反映的道路积水问题。",
            channel="visit",
            requester_name="李先生",
            requester_phone="13807320000",
        ),
    )
    Task.objects.create(
        demand=o,
        department=world.dept_a,
        role=TaskRole.CO,
        time_limit_days=5,
        assigned_at=timezone.now(),
    )
    seen = 0
    for user in [*world.users.values(), *world.other_users.values()]:
        for park in (world.park, world.other_park):
            got = set(access.department_tasks(user, park).values_list("pk", flat=True))
            assert got == _through_visibility(user, park), (user.username, park.code)
            seen += len(got)
    assert seen > 0
    handler = world.users["handler"]
    assert access.department_tasks(handler, world.park).count() == 3
    # Asked as the department's tasks in the park: no subquery over the ledger.
    sql = str(access.department_tasks(handler, world.park).query)
    assert "SELECT" not in sql[len("SELECT") :], sql
    assert access.department_tasks(handler, world.other_park).count() == 0
    # The liaison of 人社局 sees only the demands of the enterprises it serves: through them.
    liaison = world.users["liaison"]
    assert access.department_tasks(liaison, world.park).count() == 2
