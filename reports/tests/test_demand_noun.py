"""How the dashboard and the briefing name a scope's demands (metrics.demand_noun): the park's
kinds are read first, then the scope only when the park has several; the answer must stay the
one the scope's own distinct kinds give."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from demands import services as s
from demands.models import Channel, Demand, RequesterKind
from reports import facts, metrics
from reports.metrics import Scope
from reports.periods import parse

pytestmark = pytest.mark.django_db


def by_distinct_kinds(scope: Scope) -> str:
    """The definition: the nouns of the scope's distinct requester kinds."""
    facts.process_stale()
    kinds = set(
        scope.demand_facts().order_by().values_list("demand__requester_kind", flat=True).distinct()
    )
    nouns = {metrics.NOUNS.get(k, "诉求") for k in kinds}
    return nouns.pop() if len(nouns) == 1 else "诉求"


def add(world, channel: str, kind: str, park=None, user=None) -> Demand:
    enterprise = kind == RequesterKind.ENTERPRISE
    return s.create_demand(
        user or world.users["dispatcher"],
        park or world.park,
        s.Intake(
            title="路灯不亮",
            description="园区东路的路灯晚上不亮，请尽快修复。",
            channel=Channel(channel),
            enterprise_id=world.enterprise.pk if enterprise else None,
            requester_kind=RequesterKind(kind),
            requester_name="" if enterprise else "张先生",
            requester_phone="" if enterprise else "13800002222",
        ),
    )


def scopes(world) -> dict[str, Scope]:
    year = parse(str(dt.date.today().year))
    return {
        "park": Scope.for_period(world.park, year),
        "all time": Scope.for_period(world.park, None),
        "visit": Scope.for_period(world.park, year, channel=Channel.VISIT),
        "hotline": Scope.for_period(world.park, year, channel=Channel.HOTLINE),
        "reception": Scope.for_period(world.park, year, channel=Channel.RECEPTION),
        "portal (empty)": Scope.for_period(world.park, year, channel=Channel.PORTAL),
        "2020 (empty)": Scope.for_period(world.park, parse("2020")),
    }


def check(world, expected: dict[str, str]) -> None:
    got = {k: metrics.demand_noun(sc) for k, sc in scopes(world).items()}
    assert got == {k: by_distinct_kinds(sc) for k, sc in scopes(world).items()}
    assert {k: got[k] for k in expected} == expected


def test_a_park_of_enterprises_names_them_without_joining_the_facts_to_the_demands(world):
    add(world, Channel.VISIT, RequesterKind.ENTERPRISE)
    add(world, Channel.HOTLINE, RequesterKind.ENTERPRISE)
    check(world, {"park": "企业诉求", "hotline": "企业诉求", "portal (empty)": "诉求"})
    with CaptureQueriesContext(connection) as q:
        assert metrics.demand_noun(scopes(world)["park"]) == "企业诉求"
    # The park's kinds from the demands' index, the scope's existence from the facts alone.
    assert not [x["sql"] for x in q.captured_queries if "JOIN" in x["sql"].upper()]


def test_a_mixed_park_names_each_slice_by_its_own_demands(world):
    add(world, Channel.VISIT, RequesterKind.ENTERPRISE)
    add(world, Channel.HOTLINE, RequesterKind.RESIDENT)
    add(world, Channel.RECEPTION, RequesterKind.COMMUNITY)
    add(world, Channel.RECEPTION, RequesterKind.RESIDENT)
    check(
        world,
        {
            "park": "诉求",
            "all time": "诉求",
            "visit": "企业诉求",
            # residents and villages are both 群众诉求
            "hotline": "群众诉求",
            "reception": "群众诉求",
            "portal (empty)": "诉求",
            "2020 (empty)": "诉求",
        },
    )


def test_a_merged_duplicate_and_a_kind_outside_the_choices(world):
    add(world, Channel.VISIT, RequesterKind.ENTERPRISE)
    first = add(world, Channel.VISIT, RequesterKind.ENTERPRISE)
    dup = add(world, Channel.VISIT, RequesterKind.RESIDENT)
    # A merged duplicate is not in the figures: the park has residents, the visits do not.
    s.merge(world.users["dispatcher"], dup, into_id=first.pk)
    odd = add(world, Channel.HOTLINE, RequesterKind.RESIDENT)
    Demand.objects.filter(pk=odd.pk).update(requester_kind="bureau")
    facts.refresh([odd.pk])
    check(world, {"visit": "企业诉求", "hotline": "诉求", "park": "诉求"})
    # Another park of one kind is named by its own.
    other = world.other_users
    add(
        world,
        Channel.VISIT,
        RequesterKind.RESIDENT,
        park=world.other_park,
        user=other["dispatcher"],
    )
    year = parse(str(dt.date.today().year))
    assert metrics.demand_noun(Scope.for_period(world.other_park, year)) == "群众诉求"
