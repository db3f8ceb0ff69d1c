"""Every figure of the dashboard and of the home pages equals the count of its drill-down, on a
reduced demo park (a year of the ledger played through the services up to now).

The pages mark each number that has a drill-down with `data-count`; this test walks every such
link on the pages each reporting role lands on, opens the drill-down and compares its count
(`#drill-count`). A drill link without a count fails too: no figure may escape the walk.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from demands import workbench
from demo.seeding import build_demo
from orgs.models import Park, User
from reports import dashboard, metrics
from reports.metrics import Scope
from reports.periods import current

ANCHOR = re.compile(r"<a\b[^>]*>", re.S)
HREF = re.compile(r'href="([^"]*)"')
COUNT = re.compile(r'data-count="([^"]*)"')
DRILL_COUNT = re.compile(r'id="drill-count">(\d+)<')
# One worker builds the park once for the whole module.
pytestmark = pytest.mark.xdist_group("demo_figures")


@pytest.fixture(scope="module")
def park(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        build_demo(11, entities=80, staff=100, demands=160, now=timezone.now(), log=lambda *_: None)
        yield Park.objects.get(code="xtjk")
        from django.core.management import call_command

        call_command("flush", "--noinput", verbosity=0)


def drill_links(body: str) -> list[tuple[str, int]]:
    """(url, count) of every link to a drill-down; fails on one that shows no count."""
    out = []
    for tag in ANCHOR.findall(body):
        href = HREF.search(tag)
        if not href or "/reports/drill/" not in href[1]:
            continue
        url = html.unescape(href[1])
        count = COUNT.search(tag)
        assert count, f"a figure without its count: {url}"
        out.append((url, int(count[1])))
    return out


def drill_count(client: Client, url: str) -> int:
    r = client.get(url)
    assert r.status_code == 200, url
    m = DRILL_COUNT.search(r.content.decode())
    assert m, url
    return int(m[1])


def walk(client: Client, pages: list[str]) -> int:
    seen: dict[str, int] = {}
    for page in pages:
        r = client.get(page)
        assert r.status_code == 200, page
        links = drill_links(r.content.decode())
        assert links, f"{page} shows no figure with a drill-down"
        for url, n in links:
            if url not in seen:
                seen[url] = drill_count(client, url)
            assert seen[url] == n, (
                f"{page}: the figure says {n}, its drill-down lists {seen[url]} ({url})"
            )
    return len(seen)


def login(username: str) -> Client:
    c = Client()
    c.force_login(User.objects.get(username=username))
    return c


@pytest.mark.django_db
def test_every_figure_of_the_leader_and_the_dashboard_equals_its_drill_down(park):
    year = current(timezone.localdate()).code
    pages = ["/leader/", "/reports/", f"/reports/?period={year}-Q4", "/reports/?period=all"]
    checked = walk(login("leader"), pages)
    assert checked > 60  # cards, tiers, months, categories and the department league


@pytest.mark.django_db
def test_every_figure_of_a_department_head_equals_its_drill_down(park):
    checked = walk(login("head"), ["/department/", "/reports/"])
    assert checked > 10


@pytest.mark.django_db
def test_dashboard_filters_keep_figures_and_drill_downs_equal(park):
    c = login("dispatcher")
    dept = User.objects.get(username="head").department_id
    cat = park.categories.filter(parent=None).first()
    pages = [f"/reports/?{urlencode({'department': dept})}", "/reports/?channel=hotline"]
    if cat is not None:
        pages.append(f"/reports/?{urlencode({'category': cat.pk})}")
    walk(c, pages)


@pytest.mark.django_db
def test_chart_cells_equal_their_drill_downs(park):
    """The heat map and the trend are clicked in the chart, not in a link: their data is walked."""
    today = timezone.localdate()
    period = current(today)
    scope = Scope.for_period(park, period, today=today)
    data = dashboard.build(scope, period)
    c = login("leader")
    for cell in data["heatmap"]["cells"]:
        assert drill_count(c, cell["url"]) == cell["value"], cell
    for url, n in zip(data["trend"]["urls"], data["trend"]["received"], strict=True):
        assert drill_count(c, url) == n, url
    assert data["legacy"]["count"] == drill_count(c, data["legacy"]["url"])


@pytest.mark.django_db
def test_task_figures_are_named_and_listed_as_tasks(park):
    today = timezone.localdate()
    scope = Scope.for_period(park, current(today), today=today)
    f = metrics.summary(scope)
    body = login("leader").get("/reports/").content.decode()
    assert f"未按时办结 {f.late_tasks} 项任务" in body
    assert f"未按时响应 {f.response_late} 项任务" in body
    url = dashboard.drill_url(scope, current(today), "late")
    page = login("leader").get(url).content.decode()
    assert "项任务" in page and "未按时办结的任务" in page
    assert set(parse_qs(urlsplit(url).query)["metric"]) == {"late"}


@pytest.mark.django_db
def test_workbench_counts_equal_their_queues(park):
    """The dispatch centre's and the inbox's tab counts are the sizes of the queues they open."""
    today = timezone.localdate()
    dispatcher = User.objects.get(username="dispatcher")
    counts = workbench.dispatch_counts(dispatcher, park, today)
    assert counts["received"] == workbench.received(dispatcher, park).count()
    assert counts["returned"] == workbench.returned_tasks(dispatcher, park).count()
    assert counts["extensions"] == workbench.pending_extensions(dispatcher, park).count()
    assert counts["late"] == workbench.late(dispatcher, park, today).count()
    assert counts["callback"] == workbench.answered(dispatcher, park).count()
    assert counts["confirmed"] == workbench.confirmed(dispatcher, park).count()
    handler = User.objects.get(username="handler")
    inbox = workbench.inbox_counts(handler, park, today)
    for tab, n in inbox.items():
        assert workbench.inbox(handler, park, tab, today).count() == n, tab
