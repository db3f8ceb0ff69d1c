"""Every figure against values worked out by hand from the story in ledger.py."""

import datetime as dt

import pytest
from django.utils import timezone

from demands import services as s
from demands.models import Demand, Tier
from reports import facts, metrics
from reports.metrics import Rate, Scope
from reports.models import DemandFact, TaskFact
from reports.periods import parse
from reports.tests.ledger import TODAY, at, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(world):
    return build(world)


def year(world, **kw) -> Scope:
    kw.setdefault("today", TODAY)
    return Scope.for_period(world.park, parse("2026"), **kw)


def test_counts_of_the_year_leave_out_the_merged_duplicate_and_last_year(world, ledger):
    f = metrics.summary(year(world))
    assert (f.received, f.answered, f.closed, f.open) == (5, 3, 2, 3)
    # 遗留问题 by the park's rule (default: open more than 60 working days, or escalated to
    # 专家协商), as the 清零 board counts them: D5 (escalated), and D3 and D6, open since April
    # and June — not only D5, the one the `is_legacy` flag marks.
    assert (f.overdue, f.legacy_open, f.tasks, f.overdue_tasks) == (1, 3, 5, 1)
    assert metrics.received(year(world)) == 5
    assert metrics.answered(year(world)) == 3
    assert metrics.closed(year(world)) == 2


def test_on_the_spot_and_tier_shares(world, ledger):
    assert metrics.on_spot_rate(year(world)) == Rate(1, 5)
    tiers = metrics.tier_shares(year(world))
    assert tiers[Tier.ON_SPOT] == Rate(1, 5)
    assert tiers[Tier.DEPARTMENT] == Rate(2, 5)
    # D5 is at the expert tier but not answered yet: not solved there.
    assert tiers[Tier.EXPERT] == Rate(0, 5)
    assert tiers[Tier.RECEPTION_DAY] == tiers[Tier.PROJECT_MEETING] == Rate(0, 5)


def test_response_counts_working_days_across_national_day_and_the_make_up_saturday(world, ledger):
    # D2 lead signed 8 Oct (1 working day after 30 Sep: in time), D2 co signed 9 Oct (2: late),
    # D3 returned the same day (in time), D3's re-routed task signed after 清明 (2: late),
    # D5 never signed and its window is long past (late).
    assert metrics.response_rate(year(world)) == Rate(2, 5)
    assert str(metrics.response_rate(year(world))) == "40.0%"


def test_response_window_is_configurable(world, ledger):
    assert metrics.response_rate(year(world, response_window=2)) == Rate(4, 5)


def test_a_task_still_inside_its_window_is_not_yet_counted(world, ledger):
    h1 = Scope.for_period(world.park, parse("2026-H1"), today=dt.date(2026, 5, 7))
    # D5 was assigned 6 May; on 7 May one working day has passed: not yet late.
    assert metrics.response_rate(h1) == Rate(1, 2)
    assert metrics.response_rate(h1.but(today=dt.date(2026, 5, 8))) == Rate(1, 3)


def test_on_time_uses_extended_and_paused_deadlines(world, ledger):
    # D2 lead answered on its paused-and-resumed deadline, D2 co on its extended one; D3's first
    # answer was late; D5 is open past its deadline; D3's returned task never answered: not due.
    assert metrics.on_time_rate(year(world)) == Rate(2, 4)


def test_average_answer_days_exclude_paused_days(world, ledger):
    # D2 lead: 7 working days less 2 paused = 5; D2 co: 8; D3: 4.
    assert metrics.avg_answer_days(year(world)) == round(17 / 3, 2)
    by_task = dict(
        TaskFact.objects.values_list("task__department__code", "answer_days").filter(
            demand_id=ledger.d2.pk
        )
    )
    assert by_task == {"econ": 5, "land": 8}


def test_solve_satisfaction_reopen_and_returns(world, ledger):
    scope = year(world)
    assert metrics.solve_rate(scope) == Rate(2.5, 3)  # solved 1 + partly 0.5 + solved 1
    assert metrics.solve_rate(scope, credit={"solved": 1, "partly": 1}) == Rate(3, 3)
    # D1 满意, D2 基本满意, D3 不满意 then 满意: every 回访 is one rating.
    assert metrics.satisfaction_rate(scope) == Rate(3, 4)
    assert metrics.reopen_rate(scope) == Rate(1, 3)
    assert metrics.return_rate(scope) == Rate(1, 5)


def test_sanlv_composite_and_weights(world, ledger):
    # 30% × 40% + 35% × 83.33% + 35% × 75% = 67.42
    assert metrics.sanlv(year(world)) == 67.4
    assert metrics.sanlv(year(world), weights=(1, 0, 0)) == 40.0
    assert metrics.composite([Rate(1, 2), Rate(0, 0), Rate(1, 1)], (30, 35, 35)) == round(
        100 * (0.5 * 30 + 1 * 35) / 65, 1
    )
    with pytest.raises(ValueError):
        metrics.composite([Rate(1, 2)] * 3, (0, 0, 0))


def test_half_year(world, ledger):
    f = metrics.summary(Scope.for_period(world.park, parse("2026-H1"), today=TODAY))
    assert (f.received, f.answered, f.closed) == (4, 2, 1)
    assert f.on_spot == Rate(1, 4)
    assert f.response == Rate(1, 3)
    assert f.on_time == Rate(0, 2)
    assert f.returns == Rate(1, 3)
    assert f.satisfaction == Rate(2, 3)
    assert f.solve == Rate(2, 2)
    assert f.reopen == Rate(1, 2)


def test_department_slices(world, ledger):
    econ = metrics.summary(year(world, department_id=world.dept_a.pk))
    assert (econ.received, econ.answered, econ.closed) == (2, 2, 1)  # leads D2 and D3
    assert econ.satisfaction == Rate(2, 3)
    assert (econ.response, econ.on_time, econ.returns) == (Rate(1, 2), Rate(1, 2), Rate(0, 2))
    assert econ.avg_answer_days == 4.5
    hr = metrics.summary(year(world, department_id=world.dept_c.pk))
    assert hr.received == 0 and hr.returns == Rate(1, 1) and hr.response == Rate(1, 1)
    land = metrics.summary(year(world, department_id=world.dept_b.pk))
    assert (land.received, land.response, land.on_time) == (1, Rate(0, 2), Rate(1, 2))


def test_league_agrees_with_department_slices(world, ledger):
    rows = {d.code: f for d, f in metrics.league(year(world))}
    assert set(rows) == {"econ", "land", "hr"}
    for code, dept in (("econ", world.dept_a), ("land", world.dept_b), ("hr", world.dept_c)):
        assert rows[code] == metrics.summary(year(world, department_id=dept.pk))


def test_category_channel_and_liaison_slices(world, ledger):
    assert metrics.received(year(world, category_id=world.cat_parent.pk)) == 4
    assert metrics.received(year(world, category_id=world.cat_land.pk)) == 1
    assert metrics.received(year(world, channel="hotline")) == 1
    assert metrics.received(year(world, liaison_id=world.users["liaison"].pk)) == 4
    cats = {c.code: f.received for c, f in metrics.by_category(year(world))}
    assert cats == {"finance": 4, "land": 1}


def test_monthly_trend(world, ledger):
    rows = dict(metrics.monthly(year(world)))
    assert list(rows) == [202600 + m for m in range(1, 13)]
    assert {m: f.received for m, f in rows.items() if f.received} == {
        202603: 1,
        202604: 1,
        202605: 1,
        202606: 1,
        202609: 1,
    }
    assert rows[202604].satisfaction == Rate(1, 2)


def test_heatmap(world, ledger):
    hm = metrics.heatmap(year(world))
    assert hm.cells == {
        (world.cat_parent.pk, world.dept_a.pk): 2,
        (world.cat_land.parent_id, world.dept_b.pk): 1,
    }
    assert hm.overdue[(world.cat_land.parent_id, world.dept_b.pk)] == 1


def test_liaison_coverage(world, ledger):
    world.enterprise.last_contact_at = at(10, 25)
    world.enterprise.save()
    cov = metrics.liaison_coverage(year(world))
    assert (cov.entities, cov.with_liaison, cov.contacted) == (2, 1, 1)
    assert str(cov.liaison_rate) == "50.0%"
    late = metrics.liaison_coverage(year(world, today=dt.date(2027, 1, 30)))
    assert late.contacted == 0  # 97 days > the park's default 30-day cadence of its tier


def test_liaison_coverage_uses_the_parks_own_cadence_like_the_overdue_list(world, ledger):
    from liaisons.services import overdue_entities, rules_for

    world.enterprise.last_contact_at = at(10, 25)
    world.enterprise.save()
    rules = rules_for(world.park)
    rules.cadence_days = {**rules.cadence_days, str(world.enterprise.tier): 20}
    rules.save()
    day = dt.date(2026, 11, 30)  # 36 days after the contact: past the park's 20
    cov = metrics.liaison_coverage(year(world, today=day))
    now = timezone.make_aware(dt.datetime.combine(day, dt.time.max))
    overdue = set(overdue_entities(world.park, now=now).values_list("pk", flat=True))
    assert world.enterprise.pk in overdue
    assert cov.contacted == 0


def test_drill_down_lists_the_demands_behind_each_figure(world, ledger):
    scope = year(world)
    ids = {k: set(metrics.drill_demand_ids(scope, k)) for k in metrics.DRILLS if k != "tier"}
    L = ledger
    assert ids["received"] == {L.d1.pk, L.d2.pk, L.d3.pk, L.d5.pk, L.d6.pk}
    assert ids["on_spot"] == {L.d1.pk}
    assert ids["response_late"] == {L.d2.pk, L.d3.pk, L.d5.pk}
    assert ids["late"] == {L.d3.pk, L.d5.pk}
    assert ids["returned"] == ids["reopened"] == ids["dissatisfied"] == {L.d3.pk}
    assert ids["overdue"] == ids["overdue_tasks"] == {L.d5.pk}
    assert ids["legacy_open"] == {L.d3.pk, L.d5.pk, L.d6.pk}
    assert ids["unsolved"] == {L.d2.pk}
    assert set(metrics.drill_ids(scope, "tier", tier="department")) == {L.d2.pk, L.d3.pk}
    assert set(metrics.drill_ids(scope, "received", month=202604)) == {L.d3.pk}


@pytest.mark.parametrize("rollups", [True, False])
def test_each_drill_lists_as_many_items_as_its_figure_counts(world, ledger, rollups):
    scope = year(world).but(rollups=rollups)
    f = metrics.summary(scope)
    n = {k: metrics.drill_count(scope, k) for k in metrics.DRILLS if k != "tier"}
    assert n["received"] == f.received and n["closed"] == f.closed
    assert n["response_late"] == f.response_late == 3  # tasks: D2's co, D3's second, D5
    assert n["late"] == f.late_tasks
    assert n["tasks"] == f.tasks and n["answered_tasks"] == f.answered_tasks
    assert n["overdue_tasks"] == f.overdue_tasks and n["overdue"] == f.overdue
    assert n["unsolved"] == f.unsolved and n["solve"] == f.solve.den
    assert n["rated"] == f.satisfaction.den == 4  # D1, D2 and D3 twice (two ratings of one demand)
    assert n["dissatisfied"] == f.ratings["dissatisfied"]
    assert n["returned"] == f.returns.num
    assert n["reopened"] == f.reopen.num and n["on_spot"] == f.on_spot.num


def test_figures_follow_the_ledger_without_a_manual_refresh(world, ledger):
    before = metrics.response_rate(year(world))
    s.sign(world.users["handler_b"], ledger.d5, at=at(11, 2, 9))
    # Signed at last, but months after its window: still late, now counted as answered late.
    assert metrics.response_rate(year(world)) == before
    assert TaskFact.objects.get(demand_id=ledger.d5.pk).response_days > 100
    s.reply(
        world.users["handler_b"],
        Demand.objects.get(pk=ledger.d5.pk),
        answer="已协调。",
        outcome="solved",
        at=at(11, 2, 15),
    )
    assert metrics.answered(year(world)) == 4


def test_rebuilding_gives_the_same_facts_as_the_incremental_refresh(world, ledger):
    metrics.summary(year(world))
    d_before = list(DemandFact.objects.order_by("pk").values())
    t_before = list(TaskFact.objects.order_by("pk").values())
    DemandFact.objects.all().delete()
    TaskFact.objects.all().delete()
    assert facts.rebuild(world.park.pk) == 7
    assert list(DemandFact.objects.order_by("pk").values()) == d_before
    assert list(TaskFact.objects.order_by("pk").values()) == t_before


def test_another_park_sees_nothing_of_this_one(world, ledger):
    other = Scope.for_period(world.other_park, parse("2026"), today=TODAY)
    f = metrics.summary(other)
    assert (f.received, f.tasks) == (0, 0)
    assert f.response.value is None and str(f.response) == "—" and f.sanlv is None


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"department_id": "dept_a"},
        {"department_id": "dept_b"},
        {"category_id": "cat_parent"},
        {"channel": "hotline"},
        {"today": dt.date(2026, 5, 8)},
        {"response_window": 2},
    ],
)
def test_the_monthly_rollups_give_the_same_figures_as_the_facts(world, ledger, kw):
    kw = {
        k: getattr(world, v).pk if isinstance(v, str) and k.endswith("_id") else v
        for k, v in kw.items()
    }
    for code in ("2026", "2026-H1", "2026-10"):
        scope = Scope.for_period(world.park, parse(code), **{"today": TODAY, **kw})
        assert metrics.use_rollups(scope)
        plain = scope.but(rollups=False)
        assert metrics.summary(scope) == metrics.summary(plain), code
        assert metrics.monthly(scope) == metrics.monthly(plain)
        assert metrics.league(scope) == metrics.league(plain)
        assert metrics.by_category(scope) == metrics.by_category(plain)
        assert metrics.heatmap(scope) == metrics.heatmap(plain)


def test_slices_the_rollups_cannot_answer_read_the_facts(world, ledger):
    assert not metrics.use_rollups(year(world, liaison_id=world.users["liaison"].pk))
    assert not metrics.use_rollups(year(world, category_id=world.cat_land.pk))  # level 2
    assert not metrics.use_rollups(Scope.for_period(world.park, parse("2026-03-02~2026-06-30")))
    assert not metrics.use_rollups(year(world, response_window=6))


def test_rollups_follow_changes_and_match_a_rebuild(world, ledger):
    from reports import rollup
    from reports.models import DemandRollup, TaskRollup

    metrics.summary(year(world))
    d5 = s.sign(world.users["handler_b"], ledger.d5, at=at(11, 2, 9))
    s.reply(world.users["handler_b"], d5, answer="已协调。", outcome="solved", at=at(11, 2, 15))
    s.merge(
        world.users["dispatcher"],
        Demand.objects.get(pk=ledger.d6.pk),
        into_id=ledger.d5.pk,
        at=at(11, 2, 16),
    )
    after = metrics.summary(year(world))
    assert after == metrics.summary(year(world, rollups=False))

    def table(model):
        cols = [f.name for f in model._meta.fields if f.name != "id"]
        return sorted(tuple(r) for r in model.objects.values_list(*cols) if any(r[5:]))

    incremental = (table(DemandRollup), table(TaskRollup))
    rollup.rebuild(world.park.pk)
    assert (table(DemandRollup), table(TaskRollup)) == incremental


def test_legacy_open_follows_the_parks_rule_like_the_board(world, ledger):
    from experts import legacy
    from experts import services as es

    L = ledger
    disp = world.users["dispatcher"]

    def board() -> set[int]:
        return set(legacy.legacy_open(world.park, TODAY).values_list("pk", flat=True))

    # The board counts D7 too (answered on the spot in December 2025, never rated): the year's
    # scope leaves it out.
    assert board() == {L.d3.pk, L.d5.pk, L.d6.pk, L.d7.pk}
    assert metrics.legacy_open(year(world)) == 3
    # A park that waits 1000 working days: only the item escalated to 专家协商 is legacy.
    es.set_rule(disp, world.park, open_working_days=1000, overdue_urges=2, count_escalated=True)
    assert board() == {L.d5.pk} == set(metrics.drill_demand_ids(year(world), "legacy_open"))
    assert metrics.summary(year(world)).legacy_open == 1
    # …and none when escalated items are not counted, although D5 still carries the flag.
    es.set_rule(disp, world.park, open_working_days=1000, overdue_urges=2, count_escalated=False)
    L.d5.refresh_from_db()
    assert L.d5.is_legacy and board() == set()
    assert metrics.summary(year(world)).legacy_open == 0
    # The breakdowns count the same way (the department league: D5's 主办).
    assert all(f.legacy_open == 0 for _, f in metrics.league(year(world)))
