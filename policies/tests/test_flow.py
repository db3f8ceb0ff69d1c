"""免申即享 grants confirmed; overlapping grants refused; 快申快享 deadlines; liaison tasks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from notifications.models import Notification
from policies import services
from policies.models import Grant, GrantStatus, Unclaimed
from policies.tests.test_engine import make
from qinshang.errors import Forbidden, InvalidInput
from workcal import calendar

pytestmark = pytest.mark.django_db


def test_auto_grants_are_proposed_confirmed_and_never_doubled(world, fixture_park):
    policy = make(world, "auto")
    disp = world.users["dispatcher"]
    made = services.propose_grants(disp, world.park, policy)
    assert sorted(g.entity.name for g in made) == ["湘潭庚汽配有限公司", "湘潭甲精密有限公司"]
    assert all(g.status == GrantStatus.PROPOSED and g.basis["qualifies"] for g in made)
    g = services.confirm_grant(world.users["leader"], made[0], "财政局已核")
    assert g.status == GrantStatus.CONFIRMED and g.decided_by == world.users["leader"]
    with pytest.raises(InvalidInput):
        services.confirm_grant(disp, g)
    assert services.propose_grants(disp, world.park, policy) == []
    # An overlapping grant is refused with a Chinese message, and nothing is written.
    before = Grant.objects.count()
    with pytest.raises(InvalidInput) as exc:
        services.record_grant(
            disp, policy, g.entity, g.period_start + dt.timedelta(days=40), g.period_end, "5"
        )
    assert "享受期不能重叠" in exc.value.message
    assert Grant.objects.count() == before
    with pytest.raises(Forbidden):
        services.confirm_grant(world.users["liaison"], made[1])


def test_fast_application_has_a_60_working_day_deadline(world, fixture_park):
    policy = make(world, "fast")
    e = fixture_park["甲精密"]
    app = services.apply(world.users["liaison"], policy, e)
    today = timezone.localdate()
    assert app.payout_deadline == calendar.add_working_days(today, 60)
    with pytest.raises(InvalidInput) as exc:
        services.apply(world.users["liaison"], policy, e)
    assert "请勿重复申请" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        services.apply(world.users["liaison"], policy, fixture_park["乙电子"])
    assert "暂不符合" in exc.value.message and "企业规模" in exc.value.message
    services.approve_application(world.users["dispatcher"], app)
    app = services.pay_application(world.users["dispatcher"], app)
    assert app.status == "paid" and Grant.objects.get(application=app).status == "confirmed"


def test_unclaimed_benefit_becomes_a_liaison_task_until_claimed(world, fixture_park):
    policy = make(world, "fast")
    r = services.scan_unclaimed(world.park)
    assert r.opened == 2
    rows = Unclaimed.objects.filter(closed_at__isnull=True)
    assert {u.entity.name for u in rows} == {"湘潭庚汽配有限公司", "湘潭甲精密有限公司"}
    assert all(u.liaison == world.users["liaison"] for u in rows)
    n = Notification.objects.filter(user=world.users["liaison"], kind="policy")
    assert n.count() == 2 and "有政策未享受" in n.first().text
    assert services.scan_unclaimed(world.park).opened == 0  # idempotent, no second message
    services.apply(world.users["liaison"], policy, fixture_park["甲精密"])
    assert {u.entity.name for u in Unclaimed.objects.filter(closed_at__isnull=True)} == {
        "湘潭庚汽配有限公司"
    }
