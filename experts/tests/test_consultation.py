import pytest
from django.utils import timezone

from demands.models import Status, TaskRole, TaskStatus, Tier
from experts import access, services
from experts.models import ConsultationStatus, Expert
from experts.tests.helpers import closed, dispatched, experts, unchanged
from notifications.models import Kind, Notification
from orgs.models import Role, User
from qinshang.errors import Forbidden, InvalidInput, InvalidState
from workcal import calendar as wcal

pytestmark = pytest.mark.django_db


def _open(world, d=None, panel=None):  # type: ignore[no-untyped-def]
    d = d or dispatched(world, "2025-06-02")
    panel = panel if panel is not None else experts(world)
    c = services.open_consultation(
        world.users["dispatcher"],
        d,
        topic="8# 厂房产权证分宗",
        chair_id=world.users["leader"].pk,
        expert_ids=[e.pk for e in panel],
        background="涉及规划、不动产登记两部门",
    )
    return c, panel


def test_open_escalates_and_tells_the_panel(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        c, panel = _open(world)
    d = c.demand
    d.refresh_from_db()
    assert d.tier == Tier.EXPERT and d.is_legacy
    assert d.events.filter(action="escalate").count() == 1
    assert "办理超过" in c.legacy_reason
    told = set(Notification.objects.filter(kind=Kind.CONSULTATION).values_list("user", flat=True))
    assert told == {e.user_id for e in panel} | {world.users["leader"].pk}


def test_bad_openings_change_nothing(world):
    old = dispatched(world, "2025-06-02")
    young = dispatched(world, timezone.localdate().isoformat())
    panel = experts(world)
    kw = {"topic": "会诊", "chair_id": world.users["leader"].pk, "expert_ids": [panel[0].pk]}
    with unchanged(), pytest.raises(InvalidInput, match="请至少选择一位专家"):
        services.open_consultation(world.users["dispatcher"], old, **{**kw, "expert_ids": []})
    with unchanged(), pytest.raises(InvalidInput, match="尚不属于遗留问题"):
        services.open_consultation(world.users["dispatcher"], young, **kw)
    with unchanged(), pytest.raises(InvalidInput, match="主持人须为"):
        services.open_consultation(
            world.users["dispatcher"], old, **{**kw, "chair_id": world.users["handler"].pk}
        )
    other = User.objects.create_user(username="oexp", role=Role.EXPERT, park=world.other_park)
    foreign = Expert.objects.create(
        user=other, park=world.other_park, field="环评", organisation="外"
    )
    with unchanged(), pytest.raises(InvalidInput, match="不在本园区专家库"):
        services.open_consultation(
            world.users["dispatcher"], old, **{**kw, "expert_ids": [foreign.pk]}
        )
    with unchanged(), pytest.raises(Forbidden):
        services.open_consultation(world.users["handler"], old, **kw)
    done = closed(world, "2025-01-06", "2025-03-03")
    with unchanged(), pytest.raises(InvalidState, match="无需会诊"):
        services.open_consultation(world.users["dispatcher"], done, **kw)


def test_opinions_only_from_the_panel(world):
    c, panel = _open(world, panel=None)
    outsider_user = User.objects.create_user(username="x9", role=Role.EXPERT, park=world.park)
    Expert.objects.create(user=outsider_user, park=world.park, field="财税", organisation="税务")
    with unchanged(), pytest.raises(Forbidden, match="不在本次会诊的专家组"):
        services.write_opinion(outsider_user, c, text="建议……")
    with unchanged(), pytest.raises(Forbidden):
        services.write_opinion(world.users["leader"], c, text="领导不是专家组成员")
    services.write_opinion(world.users["expert"], c, text="建议按历史遗留分宗政策办理")
    services.write_opinion(world.users["expert"], c, text="补充：先做测绘")  # a revision
    assert c.opinions.get().text == "补充：先做测绘"
    assert list(c.events.values_list("action", flat=True)) == ["open", "opinion", "opinion_revised"]


def test_conclusion_becomes_new_tasks(world, django_capture_on_commit_callbacks):
    c, panel = _open(world)
    old_task = c.demand.tasks.get()
    with unchanged(), pytest.raises(InvalidState, match="尚未提交意见"):
        services.conclude(world.users["leader"], c, conclusion="x", kind="answer")
    services.write_opinion(panel[0].user, c, text="由规划分局牵头，人社局配合")
    kw = {
        "conclusion": "由自然资源和规划分局牵头办理分宗，人社局配合",
        "kind": "tasks",
        "lead_department_id": world.dept_b.pk,
        "co_department_ids": [world.dept_c.pk],
        "time_limit_days": 15,
    }
    with unchanged(), pytest.raises(Forbidden, match="主持人"):
        services.conclude(world.users["dispatcher"], c, **kw)
    for bad, msg in (
        ({"time_limit_days": 0}, "1 到 120"),
        ({"time_limit_days": 10000}, "1 到 120"),
        ({"lead_department_id": None}, "请指定主办部门"),
        ({"kind": "vote"}, "结论去向"),
        ({"conclusion": " "}, "会诊结论不能为空"),
    ):
        with unchanged(), pytest.raises(InvalidInput, match=msg):
            services.conclude(world.users["leader"], c, **{**kw, **bad})
    with django_capture_on_commit_callbacks(execute=True):
        services.conclude(world.users["leader"], c, **kw)
    c.refresh_from_db()
    d = c.demand
    d.refresh_from_db()
    assert c.status == ConsultationStatus.CONCLUDED
    assert d.status == Status.DISPATCHED and d.lead_department == world.dept_b
    old_task.refresh_from_db()
    assert old_task.status == TaskStatus.CANCELLED
    new = {t.department: t for t in d.tasks.exclude(pk=old_task.pk)}
    assert new[world.dept_b].role == TaskRole.LEAD and new[world.dept_c].role == TaskRole.CO
    today = timezone.localdate()
    assert new[world.dept_b].deadline == wcal.add_working_days(today, 15)
    ev = d.events.get(action="decide_tasks")
    assert ev.data["consultation"] == c.pk and ev.data["superseded"] == [world.dept_a.name]
    # The departments hear of the new tasks, and may read the consultation that gave them.
    assigned = Notification.objects.filter(kind=Kind.ASSIGNED, demand=d)
    assert {n.user for n in assigned} == {
        world.users["handler_b"],
        world.users["handler_c"],
    }
    assert access.get_consultation(world.users["handler_b"], world.park, c.pk) == c
    with pytest.raises(Forbidden):
        access.get_consultation(world.users["handler"], world.park, c.pk)
    with pytest.raises(InvalidState):
        services.write_opinion(panel[0].user, c, text="结论之后")
    from django.test import Client

    client = Client()
    client.force_login(world.users["handler_b"])
    html = client.get(f"/experts/consultations/{c.pk}/").content.decode()
    assert "自然资源和规划分局（主办）" in html and "人力资源和社会保障局（协办）" in html


def test_conclusion_becomes_the_answer(world):
    c, panel = _open(world)
    services.write_opinion(panel[1].user, c, text="属政策范围外，建议解释")
    services.conclude(
        world.users["leader"],
        c,
        conclusion="经专家组研究，按现行政策答复如下……",
        kind="answer",
        outcome="explained",
    )
    d = c.demand
    d.refresh_from_db()
    assert d.status == Status.ANSWERED and d.outcome == "explained"
    assert d.answer.startswith("经专家组研究")
    assert not d.tasks.filter(status__in=[TaskStatus.PENDING, TaskStatus.SIGNED]).exists()
    # The loop carries on as usual: 回访 and 销号.
    from demands import services as ledger

    d = ledger.confirm(world.users["dispatcher"], d, satisfaction="satisfied", method="phone")
    d = ledger.close(world.users["dispatcher"], d)
    assert d.status == Status.CLOSED


def test_scoping_of_consultations(world):
    c, panel = _open(world)
    assert access.get_consultation(world.users["expert"], world.park, c.pk) == c
    for who in ("leader", "dispatcher", "admin"):
        assert access.visible_consultations(world.users[who], world.park).count() == 1
    for who in ("handler", "liaison", "enterprise", "resident"):
        assert access.visible_consultations(world.users[who], world.park).count() == 0
    loner = User.objects.create_user(username="lone", role=Role.EXPERT, park=world.park)
    with pytest.raises(Forbidden):
        access.get_consultation(loner, world.park, c.pk)
    from qinshang.errors import NotFound

    with pytest.raises(NotFound):
        access.get_consultation(world.other_users["dispatcher"], world.other_park, c.pk)
    assert access.visible_consultations(world.other_users["admin"], world.other_park).count() == 0


def test_pool_and_rule_need_managers(world):
    with unchanged(), pytest.raises(Forbidden):
        services.save_expert(
            world.users["handler"],
            world.park,
            user_id=world.users["expert"].pk,
            field="x",
            organisation="y",
        )
    with pytest.raises(InvalidInput, match="角色为“专家”"):
        services.save_expert(
            world.users["leader"],
            world.park,
            user_id=world.users["handler"].pk,
            field="x",
            organisation="y",
        )
    e = services.save_expert(
        world.users["leader"],
        world.park,
        user_id=world.users["expert"].pk,
        field="规划",
        organisation="湘潭大学",
        phone="13907321234",
    )
    assert e.phone == "13907321234"
    with pytest.raises(InvalidInput, match="办理工作日数应在 10 到 1000"):
        services.set_rule(
            world.users["leader"],
            world.park,
            open_working_days=0,
            overdue_urges=2,
            count_escalated=True,
        )
    with pytest.raises(Forbidden):
        services.set_rule(
            world.users["expert"],
            world.park,
            open_working_days=60,
            overdue_urges=2,
            count_escalated=True,
        )
    r = services.set_rule(
        world.users["dispatcher"],
        world.park,
        open_working_days=90,
        overdue_urges=0,
        count_escalated=False,
    )
    assert (r.open_working_days, r.overdue_urges, r.count_escalated) == (90, 0, False)


def test_a_meeting_may_refer_a_young_item(world):
    young = dispatched(world, timezone.localdate().isoformat())
    panel = experts(world, 1)
    c = services.open_consultation(
        world.users["leader"],
        young,
        topic="调度会转专家会诊",
        chair_id=world.users["leader"].pk,
        expert_ids=[panel[0].pk],
        referred_by="第3期重点项目调度会",
    )
    assert c.legacy_reason == "由第3期重点项目调度会转专家会诊"
    young.refresh_from_db()
    assert young.tier == Tier.EXPERT
