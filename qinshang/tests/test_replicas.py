"""Read replicas: dashboards and exports read the alias "replica", writes never go there.

The replica alias is added for these tests only, pointing at the test database itself (as
DATABASE_REPLICA_URL pointing at the primary would); every statement each connection runs is
recorded, so the tests see which alias did what."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connections, transaction

from demands import services as s
from demands.models import Channel, Demand
from qinshang.replicas import REPLICA, ReplicaRouter, replica_context

WRITES = ("INSERT", "UPDATE", "DELETE")


# Registered at import, before pytest-django creates the test database, so that the test runner
# makes it a mirror of the test database and the marked tests may use it. This also puts it into
# settings.DATABASES for the whole test process, so the router ignores it until a test sets
# READ_REPLICA (the `replica` fixture): other tests of the process must keep reading the primary.
connections.settings.setdefault(
    REPLICA, {**connections.settings["default"], "TEST": {"MIRROR": "default"}}
)
BOTH = ["default", REPLICA]


@pytest.fixture
def replica(settings: Any) -> Iterator[dict[str, list[str]]]:
    """The replica enabled; yields the SQL each alias ran."""
    settings.DATABASES = {**settings.DATABASES, REPLICA: connections[REPLICA].settings_dict}
    settings.READ_REPLICA = True
    seen: dict[str, list[str]] = {"default": [], REPLICA: []}

    def recorder(alias: str) -> Callable[..., Any]:
        def wrap(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
            seen[alias].append(sql)
            return execute(sql, *args)

        return wrap

    with (
        connections["default"].execute_wrapper(recorder("default")),
        connections[REPLICA].execute_wrapper(recorder(REPLICA)),
    ):
        yield seen
    connections[REPLICA].close()


def writes(sqls: list[str]) -> list[str]:
    return [q for q in sqls if q.lstrip().upper().startswith(WRITES)]


def reads(sqls: list[str]) -> list[str]:
    return [q for q in sqls if q.lstrip().upper().startswith("SELECT")]


def test_the_router_sends_only_marked_reads_to_the_replica(settings: Any) -> None:
    router = ReplicaRouter()
    settings.DATABASES = {**settings.DATABASES, REPLICA: settings.DATABASES["default"]}
    settings.READ_REPLICA = True
    assert router.db_for_read(Demand) is None
    with replica_context():
        assert router.db_for_read(Demand) == REPLICA
        assert router.db_for_write(Demand) == "default"
    assert router.db_for_write(Demand) == "default"
    assert router.allow_migrate(REPLICA, "demands") is False
    assert router.allow_migrate("default", "demands") is True


def test_without_a_replica_everything_reads_the_primary(settings: Any) -> None:
    settings.DATABASES = {"default": settings.DATABASES["default"]}
    with replica_context():
        assert ReplicaRouter().db_for_read(Demand) is None


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_a_read_inside_a_transaction_stays_on_the_primary(replica: Any) -> None:
    with replica_context(), transaction.atomic():
        assert ReplicaRouter().db_for_read(Demand) == "default"


def _demands(world: Any, n: int = 3) -> None:
    for i in range(n):
        s.create_demand(
            world.users["dispatcher"],
            world.park,
            s.Intake(
                title=f"厂房用电增容 {i}",
                description="需要增容",
                channel=Channel.HOTLINE,
                enterprise_id=world.enterprise.pk,
                category_id=world.cat_land.pk,
            ),
        )


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_the_dashboard_and_its_drill_down_read_the_replica(world: Any, replica: Any) -> None:
    from django.test import Client

    _demands(world)
    c = Client()
    c.force_login(world.users["leader"])
    replica[REPLICA].clear()
    replica["default"].clear()
    for url in ("/reports/", "/reports/data.json", "/reports/drill/?metric=received"):
        assert c.get(url).status_code == 200, url
    assert any("demands_demand" in q or "reports_" in q for q in reads(replica[REPLICA]))
    assert writes(replica[REPLICA]) == []


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_the_ledger_export_reads_the_replica_and_logs_on_the_primary(
    world: Any, replica: Any
) -> None:
    from django.test import Client

    _demands(world)
    c = Client()
    c.force_login(world.users["dispatcher"])
    replica[REPLICA].clear()
    r = c.get("/demands/export.xlsx")
    assert r.status_code == 200
    assert any("demands_demand" in q for q in reads(replica[REPLICA]))
    assert writes(replica[REPLICA]) == []


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_other_pages_and_every_write_use_the_primary(world: Any, replica: Any) -> None:
    from django.test import Client

    c = Client()
    c.force_login(world.users["dispatcher"])
    replica[REPLICA].clear()
    assert c.get("/demands/").status_code == 200
    assert c.get("/dispatch/").status_code == 200
    _demands(world, 1)
    assert replica[REPLICA] == []
    assert writes(replica["default"])


def test_the_replica_alias_alone_does_not_route_reads(settings: Any) -> None:
    # This module registers the alias for the whole process; the other tests of the process
    # (a dashboard in a browser test) must still read the primary.
    assert REPLICA in settings.DATABASES and not settings.READ_REPLICA
    with replica_context():
        assert ReplicaRouter().db_for_read(Demand) is None
