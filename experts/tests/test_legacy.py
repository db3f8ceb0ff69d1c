"""The legacy rule and the 清零 figures against hand counts on a small ledger."""

import datetime as dt

import pytest
from django.utils import timezone

from demands import services as ledger
from demands.models import Demand, Tier
from experts import legacy
from experts.models import LegacyRule
from experts.tests.helpers import at, closed, demand, dispatched
from workcal import calendar as wcal

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 7, 1), dt.date(2026, 9, 30)


def _ledger(world):  # type: ignore[no-untyped-def]
    LegacyRule.objects.create(park=world.park, open_working_days=60, overdue_urges=2)
    d = {}
    d["A"] = dispatched(world, "2026-01-05", title="A 老问题仍在办")
    d["B"] = closed(world, "2026-01-05", "2026-08-14")  # legacy at the start, cleared in it
    d["C"] = dispatched(world, "2026-06-01", title="C 期内变老")
    d["D"] = dispatched(world, "2026-08-03", title="D 提级专家")
    ledger.escalate(
        world.users["leader"], d["D"], tier=Tier.EXPERT, note="多部门协调未果", at=at("2026-08-20")
    )
    d["E"] = closed(world, "2026-01-05", "2026-03-02")  # closed before it grew old
    d["F"] = closed(world, "2026-02-02", "2026-06-15")  # legacy, but cleared before the period
    d["G"] = demand(world, "2026-10-15", title="G 新问题")
    d["H"] = dispatched(world, "2026-08-03", days=1, title="H 逾期两次催办")
    for day in ("2026-08-10", "2026-08-11"):
        ledger.urge(world.users["dispatcher"], d["H"], note="请抓紧办理", at=at(day))
    # As the ledger stands (escalate and urge saved is_legacy and urge_level on their own copies).
    fresh = Demand.objects.in_bulk([x.pk for x in d.values()])
    return {k: fresh[x.pk] for k, x in d.items()}


def test_since_follows_the_rule(world):
    d = _ledger(world)
    rule = legacy.rule_for(world.park)
    hist = legacy.histories([x.pk for x in d.values()])
    since = {k: legacy.legacy_since(v, rule, hist.get(v.pk)) for k, v in d.items()}
    assert since["A"][0] == wcal.add_working_days(dt.date(2026, 1, 5), 61)
    assert "办理超过 60 个工作日" in since["A"][1]
    assert since["D"] == (dt.date(2026, 8, 20), "已提级专家协商")
    assert since["H"] == (dt.date(2026, 8, 11), "逾期且催办/督办达 2 次")
    assert since["E"] is None  # closed after 40 working days
    assert since["G"][0] > END


def test_period_figures_by_hand(world):
    _ledger(world)
    f = legacy.period_figures(world.park, START, END)
    # At the start A and B; C grows old, D is escalated and H urged twice in the period;
    # B is cleared; F was cleared before; E never became legacy; G is too young.
    assert (f["open_at_start"], f["became"], f["cleared"], f["open_at_end"]) == (2, 3, 1, 4)


def test_open_now_and_the_rule_changes_the_answer(world):
    d = _ledger(world)
    names = {x.title[0] for x in legacy.legacy_open(world.park, END)}
    assert names == {"A", "C", "D", "H"}
    rule = LegacyRule.objects.get(park=world.park)
    rule.open_working_days, rule.overdue_urges, rule.count_escalated = 150, 0, False
    rule.save()
    assert {x.title[0] for x in legacy.legacy_open(world.park, END)} == {"A"}
    # Under the stricter rule A (and B, if it grew that old before its 销号) turn legacy in August.
    birth = wcal.add_working_days(dt.date(2026, 1, 5), 151)
    assert START <= birth <= END
    f = legacy.period_figures(world.park, START, END)
    assert (f["open_at_start"], f["became"]) == (0, 1 + (birth <= dt.date(2026, 8, 14)))
    assert d["A"].pk in set(legacy.legacy_open(world.park, END).values_list("pk", flat=True))


def test_burndown_points(world):
    _ledger(world)
    chart = legacy.burndown(world.park, START, END, dt.date(2026, 12, 31))
    assert chart["days"][0] == "2026-07-05" and chart["days"][-1] == "2026-09-30"
    assert chart["actual"][0] == 2  # A, B
    assert chart["actual"][-1] == 4  # A, C, D, H
    assert chart["ideal"][0] == 2.0 and chart["ideal"][-1] < 2.0
    assert legacy.burndown(world.other_park, START, END, None)["actual"] == [0] * len(chart["days"])


def test_other_park_has_its_own_rule_and_items(world):
    _ledger(world)
    assert legacy.rule_for(world.other_park).pk is None  # defaults, unsaved
    assert legacy.legacy_open(world.other_park, END).count() == 0


def test_sql_day_equals_the_python_rule(world):
    """`annotate` (SQL) and `legacy_since` (Python) give each demand the same legacy day."""
    d = _ledger(world)
    rule = legacy.rule_for(world.park)
    hist = legacy.histories([x.pk for x in d.values()])
    for start, end in ((dt.date(2025, 12, 1), dt.date(2026, 12, 31)), (START, END)):
        qs, ages = legacy.annotate(world.park, start, end)
        got = {
            pk: min(ages.since(timezone.localtime(created).date()), other)
            for pk, created, other in qs.values_list("pk", "created_at", "lg_other")
        }
        for key, x in d.items():
            since = legacy.legacy_since(x, rule, hist.get(x.pk))
            if x.pk not in got:  # closed before the window or received after it
                assert (x.closed_at and x.closed_at.date() < start) or x.created_at.date() > end
                continue
            clip = (
                max(start - dt.timedelta(days=1), min(end + dt.timedelta(days=1), since[0]))
                if since
                else None
            )
            if since is None:
                # Closed before it grew old: SQL gives a later day, never counted.
                assert x.closed_at.date() < got[x.pk], key
            else:
                assert got[x.pk] == clip, key


def test_figures_age_bands_departments_and_drill(world):
    d = _ledger(world)
    f = legacy.figures(world.park, START, END, target=dt.date(2026, 12, 31))
    assert (f["open_at_start"], f["became"], f["cleared"], f["open_at_end"]) == (2, 3, 1, 4)
    # Open on 30 September: A (2026-01-05, 186 working days), C (2026-06-01, 84), D and H
    # (2026-08-03, 42).
    ages = {k: legacy.working_age(d[k], END) for k in "ACDH"}
    assert [legacy.bucket(a) for a in ages.values()] == [2, 1, 0, 0]
    assert f["ages"] == [2, 1, 1, 0]
    assert f["departments"] == [
        {"id": world.dept_a.pk, "name": "经济发展局", "counts": [2, 1, 1, 0], "total": 4}
    ]
    name = {x.pk: k for k, x in d.items()}
    titles = {
        part: {name[x.pk] for x in legacy.items(world.park, START, END, part)}
        for part in legacy.PARTS
    }
    assert titles == {
        "open": {"A", "C", "D", "H"},
        "start": {"A", "B"},
        "became": {"C", "D", "H"},
        "cleared": {"B"},
    }
    assert {name[x.pk] for x in legacy.items(world.park, START, END, band=0)} == {"D", "H"}
    assert legacy.items(world.park, START, END, department_id="none").count() == 0
    other = legacy.Slice(department_id=world.dept_b.pk)
    assert legacy.figures(world.park, START, END, other)["open_at_end"] == 0


def test_query_count_does_not_grow_with_the_ledger(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _ledger(world)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            legacy.figures(world.park, START, END)
            list(legacy.items(world.park, START, END, "cleared"))
        return len(ctx.captured_queries)

    count()  # the working-day calendar is read once and cached
    small = count()
    for i in range(30):
        dispatched(world, f"2026-0{1 + i % 6}-0{1 + i % 9}", title=f"X{i}")
    assert count() == small <= 5  # two rule look-ups, figures 2, the list 1


def test_first_items_are_the_oldest_of_the_drill_in_two_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    d = _ledger(world)
    name = {x.pk: k for k, x in d.items()}
    with CaptureQueriesContext(connection) as ctx:
        rows = legacy.first_items(world.park, START, END, n=3)
        titles = [(name[x.pk], x.enterprise.name, x.lead_department.name) for x in rows]
    # Open at the end, oldest first: A (January), C (June), then D or H (both 3 August; by id).
    assert [t[0] for t in titles] == ["A", "C", "D"]
    assert len(ctx.captured_queries) == 3  # the rule, the page's ids, those rows with joins
    everything = legacy.items(world.park, START, END).order_by("created_at", "id")
    assert [x.pk for x in legacy.first_items(world.park, START, END, n=20)] == [
        x.pk for x in everything
    ]
    assert legacy.first_items(world.park, START, END, "cleared", n=5) == [d["B"]]


def test_an_escalation_counts_while_the_demand_is_marked_legacy(world):
    """The SQL reads the escalation event only for demands marked 遗留 (escalate sets the mark,
    nothing clears it); with the mark cleared by hand both forms stop counting it."""
    d = _ledger(world)
    Demand.objects.filter(pk=d["D"].pk).update(is_legacy=False)
    x = Demand.objects.get(pk=d["D"].pk)
    rule = legacy.rule_for(world.park)
    since = legacy.legacy_since(x, rule, legacy.histories([x.pk]).get(x.pk))
    assert since is not None and since[1] != "已提级专家协商" and since[0] > END
    assert {x.title[0] for x in legacy.legacy_open(world.park, END)} == {"A", "C", "H"}


def test_postgresql_reads_the_candidates_from_the_covering_index_alone(world):
    """The candidate condition must be the index's own expression, or PostgreSQL can never use
    demand_legacy_cover (migration 0017) and goes back to the heap pages of every candidate."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the covering index exists on PostgreSQL only")
    _ledger(world)
    qs, _ = legacy.annotate(world.park, START, END)
    sql, params = qs.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cur:
        # On a handful of rows the planner's choice says nothing: every other way is switched
        # off, so an index-only scan is taken if one can answer — only the covering index can.
        for way in ("seqscan", "bitmapscan", "indexscan"):
            cur.execute(f"SET LOCAL enable_{way} = off")
        cur.execute("EXPLAIN " + sql, params)
        plan = "\n".join(r[0] for r in cur.fetchall())
    assert "Index Only Scan using demand_legacy_cover" in plan, plan
