import datetime as dt
from decimal import Decimal

import pytest

from demands.models import Status
from demands.services import Intake, create_demand
from notifications.models import Kind, Notification
from projects import services
from projects.models import InspectionResult, KeyProject, Milestone, ProjectEvent, Stage
from projects.tests.helpers import make_project, project_input, unchanged
from qinshang.errors import Forbidden, InvalidInput, InvalidState

pytestmark = pytest.mark.django_db


def test_create_records_who_and_what(world):
    p = make_project(world)
    assert p.stage == Stage.SIGNED
    assert p.investment_wan == Decimal("130000")
    ev = ProjectEvent.objects.get(project=p)
    assert ev.action == "create" and ev.actor == world.users["dispatcher"]
    assert ev.data["investor"] == world.enterprise2.name


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("investment_wan", "-5", "必须大于 0"),
        ("investment_wan", "十亿", "必须是数字"),
        ("investment_wan", "NaN", "必须是数字"),
        ("investment_wan", "", "请填写总投资"),
        ("industry", "99", "GB/T 4754"),
        ("level", "national", "重点项目级别"),
        ("name", "  ", "项目名称不能为空"),
        ("signed_on", "2026-02-30", "不是有效日期"),
        ("leader_id", None, "请选择联系领导"),
    ],
)
def test_bad_project_input_is_refused(world, field, value, message):
    with unchanged(), pytest.raises(InvalidInput) as exc:
        services.create_project(
            world.users["dispatcher"], world.park, project_input(world, **{field: value})
        )
    assert message in exc.value.message


def test_investor_and_staff_of_another_park_are_refused(world):
    from entities.models import MarketEntity

    other_ent = MarketEntity.objects.get(park=world.other_park)
    with unchanged(), pytest.raises(InvalidInput, match="投资主体"):
        make_project(world, investor_id=other_ent.pk)
    with unchanged(), pytest.raises(InvalidInput, match="专属服务员"):
        make_project(world, liaison_id=world.other_users["handler"].pk)


def test_only_managers_create(world):
    for who in ("handler", "liaison", "enterprise", "expert"):
        with unchanged(), pytest.raises(Forbidden):
            services.create_project(world.users[who], world.park, project_input(world))


def test_milestone_before_signing_is_refused(world):
    p = make_project(world)
    with unchanged(), pytest.raises(InvalidInput) as exc:
        services.add_milestone(world.users["leader"], p, name="主体封顶", planned_on="2026-03-01")
    assert exc.value.message == "节点计划日期（2026-03-01）不能早于项目签约日期（2026-03-02）"


def test_stage_moves_forward_with_dates(world):
    p = make_project(world)
    disp = world.users["dispatcher"]
    services.change_stage(disp, p, stage=Stage.STARTED, on="2026-04-01")
    services.change_stage(disp, p, stage=Stage.COMPLETED, on="2026-09-30", note="竣工验收通过")
    p.refresh_from_db()
    assert (p.stage, p.started_on, p.completed_on) == (
        Stage.COMPLETED,
        dt.date(2026, 4, 1),
        dt.date(2026, 9, 30),
    )
    with unchanged(), pytest.raises(InvalidState, match="只能推进到后续阶段"):
        services.change_stage(disp, p, stage=Stage.BUILDING, on="2026-10-01")
    with unchanged(), pytest.raises(InvalidInput, match="不能早于上一阶段"):
        services.change_stage(disp, p, stage=Stage.OPERATING, on="2026-09-01")
    stages = [e.data for e in ProjectEvent.objects.filter(project=p, action="stage")]
    assert [s["to"] for s in stages] == [Stage.STARTED, Stage.COMPLETED]


def test_update_needs_a_reason_and_records_changes(world):
    p = make_project(world)
    with unchanged(), pytest.raises(InvalidInput, match="修改理由"):
        services.update_project(
            world.users["leader"], p, project_input(world, investment_wan="150000"), reason=""
        )
    services.update_project(
        world.users["leader"], p, project_input(world, investment_wan="150000"), reason="追加投资"
    )
    ev = ProjectEvent.objects.filter(project=p, action="update").get()
    assert ev.note == "追加投资"
    assert list(ev.data["changes"]) == ["investment_wan"]
    assert ev.data["changes"]["investment_wan"][1] == "150000"


@pytest.mark.parametrize("days", ["0", "10000", "-1", "三天"])
def test_bad_rectification_deadline_is_refused(world, days):
    p = make_project(world)
    with unchanged(), pytest.raises(InvalidInput) as exc:
        services.record_inspection(
            world.users["handler_b"],
            p,
            inspected_on="2026-04-10",
            findings="基坑支护未按方案施工",
            rectification_days=days,
        )
    assert "整改时限" in exc.value.message


def test_inspection_deadline_counts_working_days(world):
    p = make_project(world)
    # Across the National Day holiday: the one calendar module counts, not Monday–Friday.
    from workcal import calendar as wcal

    ins = services.record_inspection(
        world.users["liaison"],
        p,
        inspected_on="2026-09-25",
        findings="塔吊基础沉降观测记录缺失",
        rectification_days=5,
    )
    assert ins.rectification_deadline == wcal.add_working_days(dt.date(2026, 9, 25), 5)
    assert ins.rectification_deadline > dt.date(2026, 10, 2)  # five weekdays would end here
    assert ins.result == InspectionResult.PENDING
    services.close_inspection(world.users["liaison"], ins, note="已补齐观测记录", on="2026-10-12")
    ins.refresh_from_db()
    assert ins.result == InspectionResult.RECTIFIED
    ok = services.record_inspection(
        world.users["liaison"], p, inspected_on="2026-09-28", findings="现场文明施工良好"
    )
    assert ok.result == InspectionResult.PASSED and ok.rectification_deadline is None


def _milestone(world, p, planned="2026-05-15"):  # type: ignore[no-untyped-def]
    return services.add_milestone(
        world.users["dispatcher"], p, name="主体结构封顶", planned_on=planned
    )


def test_slip_is_announced_once_per_slip(world):
    p = make_project(world)
    m = _milestone(world, p)
    assert services.scan_slips(dt.date(2026, 5, 15)) == 0  # due today: not late yet
    assert services.scan_slips(dt.date(2026, 5, 18)) == 1
    assert services.scan_slips(dt.date(2026, 5, 19)) == 0  # the same slip: no second alert
    slips = Notification.objects.filter(kind=Kind.PROJECT_SLIP)
    assert {n.user for n in slips} == {world.users["leader"], world.users["liaison"]}
    assert slips.first().link == f"/projects/{p.pk}/"
    # A later forecast is a new slip: one more alert to each.
    services.update_milestone(
        world.users["liaison"], m, forecast_on="2099-06-30", note="钢材到货推迟"
    )
    assert Notification.objects.filter(kind=Kind.PROJECT_SLIP).count() == 4
    assert services.scan_slips(dt.date(2026, 5, 20)) == 0


def test_done_milestone_does_not_slip(world):
    p = make_project(world)
    m = _milestone(world, p, planned="2026-03-20")
    services.update_milestone(world.users["liaison"], m, actual_on="2026-03-25")
    assert services.slipping_milestones(world.park, dt.date(2026, 6, 1)).count() == 0


def test_replanning_needs_a_reason_and_a_manager(world):
    p = make_project(world)
    m = _milestone(world, p)
    with unchanged(), pytest.raises(InvalidInput, match="说明不能为空"):
        services.update_milestone(world.users["leader"], m, planned_on="2026-07-01")
    with unchanged(), pytest.raises(Forbidden):
        services.update_milestone(
            world.users["liaison"], m, planned_on="2026-07-01", note="业主调整"
        )
    with unchanged(), pytest.raises(InvalidInput, match="不能早于项目签约日期"):
        services.update_milestone(world.users["leader"], m, actual_on="2026-01-05")
    with unchanged(), pytest.raises(Forbidden):
        services.update_milestone(world.users["handler"], m, actual_on="2026-05-10")


def test_slipping_projects_for_the_meeting_agenda(world):
    slipping = make_project(world, name="甲项目")
    m = _milestone(world, slipping)
    calm = make_project(world, name="乙项目", investor_id=world.enterprise.pk)
    _milestone(world, calm, planned="2099-01-01")
    finished = make_project(world, name="丙项目")
    services.change_stage(world.users["leader"], finished, stage=Stage.OPERATING, on="2026-06-01")
    assert services.slipping_projects(world.park, dt.date(2026, 5, 10)) == []
    found = services.slipping_projects(world.park, dt.date(2026, 5, 20))
    assert [s.project for s in found] == [slipping]
    assert found[0].milestones[0][0] == m
    assert "已超期 3 个工作日" in found[0].reasons[0]
    # An open demand of an investor puts its project (not yet in operation) on the agenda too.
    create_demand(
        world.users["enterprise"],
        world.park,
        Intake(
            title="施工用电增容", description="申请临时用电增容至 2000 千伏安", channel="portal"
        ),
    )
    found = services.slipping_projects(world.park, dt.date(2026, 5, 20))
    assert [s.project.name for s in found] == ["甲项目", "乙项目"]
    assert found[1].open_demands[0].status == Status.RECEIVED
    assert found[1].reasons == ["投资主体有 1 件诉求未办结"]
    assert services.slipping_projects(world.other_park, dt.date(2026, 5, 20)) == []


def test_figures_against_hand_counts(world):
    lead = world.users["leader"]
    rows = [
        # name, investment (万元), stages reached with dates
        ("A", "100000", [(Stage.STARTED, "2026-03-10"), (Stage.COMPLETED, "2026-06-30")]),
        ("B", "250000.5", [(Stage.STARTED, "2026-03-10"), (Stage.OPERATING, "2026-08-01")]),
        ("C", "99999.99", [(Stage.BUILDING, "2026-04-01")]),
        ("D", "5000", []),
        ("E", "20000", [(Stage.COMPLETED, "2026-03-05")]),
    ]
    for name, wan, stages in rows:
        p = make_project(world, name=name, investment_wan=wan)
        for stage, day in stages:
            services.change_stage(lead, p, stage=stage, on=day)
    # A project completed last year and put into operation this year counts last year only.
    old = make_project(world, name="F", investment_wan="30000", signed_on="2025-01-06")
    services.change_stage(lead, old, stage=Stage.COMPLETED, on="2025-12-30")
    services.change_stage(lead, old, stage=Stage.OPERATING, on="2026-01-15")
    f = services.figures(KeyProject.objects.filter(park=world.park), 2026)
    by = {r["stage"]: (r["count"], r["investment_wan"]) for r in f["by_stage"]}
    assert by == {
        Stage.SIGNED: (1, Decimal("5000")),
        Stage.STARTED: (0, Decimal("0")),
        Stage.BUILDING: (1, Decimal("99999.99")),
        Stage.COMPLETED: (2, Decimal("120000")),
        Stage.OPERATING: (2, Decimal("280000.5")),
    }
    assert f["total"] == 6
    assert f["investment_wan"] == Decimal("505000.49")
    assert f["finished_this_year"] == 3  # A, B (straight to 投产), E; not F
    assert f["big_projects"] == 2  # A (exactly 10 亿元) and B; not C
    assert (
        services.figures(KeyProject.objects.filter(park=world.park), 2025)["finished_this_year"]
        == 1
    )


def test_milestones_and_events_are_kept(world):
    p = make_project(world)
    _milestone(world, p)
    assert Milestone.objects.filter(project=p).count() == 1
    assert list(ProjectEvent.objects.filter(project=p).values_list("action", flat=True)) == [
        "create",
        "milestone_add",
    ]


def test_scan_command_and_task(world):
    from io import StringIO

    from django.core.management import call_command

    p = make_project(world)
    _milestone(world, p, planned="2026-04-01")
    out = StringIO()
    call_command("scan_project_slips", "--date", "2026-04-10", stdout=out)
    assert "已提醒 1 个滞后节点" in out.getvalue()
    call_command("scan_project_slips", "--date", "2026-04-11", stdout=out)
    assert "已提醒 0 个滞后节点" in out.getvalue()
    from projects.tasks import scan_slips

    assert scan_slips.call() == 0
