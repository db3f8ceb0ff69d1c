"""The dashboard's 遗留问题清零 panel and the briefing count by the park's rule (experts.legacy),
against the hand-counted ledger of experts/tests/test_legacy.py; each figure drills down to
exactly the items it counts."""

import re

import pytest
from django.test import Client

from experts.tests.test_legacy import _ledger
from reports import briefing, dashboard
from reports.metrics import Scope
from reports.periods import parse

pytestmark = pytest.mark.django_db

PERIOD = "2026-07-01~2026-09-30"
HAND = {"legacy_start": "AB", "legacy_became": "CDH", "legacy_cleared": "B", "legacy_end": "ACDH"}
ANCHOR = {
    "legacy_start": "legacy-start",
    "legacy_became": "legacy-became",
    "legacy_cleared": "legacy-cleared",
    "legacy_end": "legacy-open",
}


def _login(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def test_panel_figures_by_hand(world):
    d = _ledger(world)
    p = parse(PERIOD)
    panel = dashboard.legacy(Scope.for_period(world.park, p), p)
    assert (panel["open_at_start"], panel["became"], panel["cleared"], panel["count"]) == (
        2,
        3,
        1,
        4,
    )
    assert [a["n"] for a in panel["ages"]] == [2, 1, 1, 0]
    assert {r.pk for r in panel["rows"]} == {d[k].pk for k in "ACDH"}
    assert [(r["name"], r["total"]) for r in panel["departments"]] == [("经济发展局", 4)]
    assert (
        "period=2026-07-01" in panel["url_cleared"]
        and "metric=legacy_cleared" in panel["url_cleared"]
    )


@pytest.mark.parametrize("who", ["leader", "head"])
def test_each_figure_drills_to_exactly_its_items(world, who):
    d = _ledger(world)
    c = _login(world.users[who])
    page = c.get("/reports/", {"period": PERIOD}).content.decode()
    for metric, keys in HAND.items():
        shown = re.search(rf'id="{ANCHOR[metric]}">(\d+)<', page)
        assert shown and int(shown[1]) == len(keys), metric
        r = c.get("/reports/drill/", {"period": PERIOD, "metric": metric})
        body = r.content.decode()
        assert f'id="drill-count">{len(keys)}<' in body, metric
        for k, x in d.items():
            assert (x.number in body) == (k in keys), (metric, k)
    body = c.get("/reports/drill/", {"period": PERIOD, "metric": "legacy_end", "band": 0})
    assert 'id="drill-count">2<' in body.content.decode()
    x = c.get("/reports/drill/export.xlsx", {"period": PERIOD, "metric": "legacy_cleared"})
    assert x.status_code == 200
    assert c.get("/reports/drill/", {"metric": "legacy_end", "band": 9}).status_code == 422


def test_another_department_and_another_park_count_none(world):
    _ledger(world)
    p = parse(PERIOD)
    other_dept = dashboard.legacy(Scope.for_period(world.park, p, department_id=world.dept_b.pk), p)
    assert other_dept["count"] == other_dept["cleared"] == 0
    other = dashboard.legacy(Scope.for_period(world.other_park, p), p)
    assert (other["open_at_start"], other["became"], other["cleared"], other["count"]) == (
        0,
        0,
        0,
        0,
    )
    c = _login(world.other_users["dispatcher"])
    body = c.get("/reports/drill/", {"period": PERIOD, "metric": "legacy_end"}).content.decode()
    assert 'id="drill-count">0<' in body


def test_the_briefing_says_the_same(world):
    _ledger(world)
    data = briefing.collect(world.park, parse(PERIOD))
    text = briefing.docx_text(briefing.build_docx(data))
    assert (
        "2026年7月1日至2026年9月30日，期初遗留问题2项，期内新认定3项，清零（销号）1项，期末尚有4项"
        in text
    )
    assert data.legacy_count == 4 and len(data.legacy) == 4
