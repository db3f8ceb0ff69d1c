"""A list costs a constant number of queries however many rows it shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from demands.tests.helpers import new_demand

pytestmark = pytest.mark.django_db


def _count(client, path):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(path)
    assert r.status_code == 200
    return len(ctx.captured_queries)


def test_api_list_is_constant(world):
    disp = world.client("dispatcher")
    for _ in range(3):
        d = new_demand(disp, world.enterprise.pk)
        disp.act(d["id"], "dispatch", lead_department_id=world.dept_a.pk)
    few = _count(disp, "/demands?page_size=50")
    for _ in range(20):
        d = new_demand(disp, world.enterprise2.pk, category="land-use")
        disp.act(d["id"], "dispatch", lead_department_id=world.dept_b.pk)
    many = _count(disp, "/demands?page_size=50")
    assert few == many
    assert many <= 6


def test_api_detail_is_constant_in_timeline_length(world):
    disp = world.client("dispatcher")
    d = new_demand(disp, world.enterprise.pk)
    disp.act(d["id"], "dispatch", lead_department_id=world.dept_a.pk)
    short = _count(disp, f"/demands/{d['id']}")
    for _ in range(10):
        disp.act(d["id"], "comment", note="跟进中")
        disp.act(d["id"], "urge", note="请加快")
    long = _count(disp, f"/demands/{d['id']}")
    assert short == long
    assert long <= 10


def test_counts_stop_at_the_cap(world, monkeypatch):
    from demands import queries

    monkeypatch.setattr(queries, "COUNT_CAP", 3)
    monkeypatch.setattr(queries.capped_count, "__defaults__", (3,))
    disp = world.client("dispatcher")
    for _ in range(5):
        new_demand(disp, world.enterprise.pk)
    body = disp.get("/demands?page_size=2").json()
    assert body["count"] == 3 and body["count_exact"] is False
    assert len(body["results"]) == 2
    body = disp.get("/demands?page_size=2&page=3").json()
    assert len(body["results"]) == 1  # the rows beyond the cap are still reachable
    assert disp.get(f"/demands?enterprise_id={world.enterprise2.pk}").json()["count_exact"]


def test_open_and_overdue_filters_agree_with_the_statuses(world):
    import datetime as dt

    from django.utils import timezone

    from demands.models import Demand

    disp = world.client("dispatcher")
    a = new_demand(disp, world.enterprise.pk)
    b = new_demand(disp, world.enterprise.pk)
    disp.act(b["id"], "resolve_on_spot", answer="已答复", outcome="solved")
    world.client("enterprise").act(b["id"], "confirm", satisfaction="satisfied")
    disp.act(b["id"], "close")
    assert [d["id"] for d in disp.get("/demands?status=open").json()["results"]] == [a["id"]]
    disp.act(a["id"], "dispatch", lead_department_id=world.dept_a.pk)
    Demand.objects.filter(pk=a["id"]).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    assert [d["id"] for d in disp.get("/demands?overdue=true").json()["results"]] == [a["id"]]
