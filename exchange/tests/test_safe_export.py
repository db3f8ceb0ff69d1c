"""Formula injection (issue 10, point 2): a demand an enterprise files with a title such as
=HYPERLINK("http://x","查看附件") reaches the dispatcher's ledger export and the leader's
drill-down export as text, never as a live formula."""

import pytest
from django.test import Client

from demands.models import Demand
from demands.workbook import export_ledger
from qinshang.tests.sheetcheck import PAYLOADS, assert_text_cells

pytestmark = pytest.mark.django_db


def login(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def filed(world):  # type: ignore[no-untyped-def]
    """One demand per payload, filed by the enterprise through the API (title and description);
    the texts as the ledger stored them (intake strips surrounding white space: "\t=1" is "=1").
    A title is one line, so the API refuses a tab in it (qinshang.limits): the title gets the
    stripped text, the description the payload as it is, followed by a few words."""
    api = world.client("enterprise")
    ids = []
    for p in PAYLOADS:
        # intake refuses a description too short to act on; the payload still leads the cell
        body = {"title": p.strip(), "description": p + "（请处理）", "channel": "portal"}
        r = api.post("/demands", body)
        assert r.status_code == 201, r.content
        ids.append(r.json()["id"])
    stored = Demand.objects.filter(pk__in=ids).values_list("title", "description")
    return ids, tuple({t for pair in stored for t in pair})


def test_the_dispatchers_ledger_export_writes_them_as_text(world, filed):
    r = login(world.users["dispatcher"]).get("/demands/export.xlsx")
    assert r.status_code == 200
    assert_text_cells(r.content, filed[1])


def test_the_leaders_drill_down_export_writes_them_as_text(world, filed):
    r = login(world.users["leader"]).get(
        "/reports/drill/export.xlsx", {"period": "all", "metric": "received"}
    )
    assert r.status_code == 200
    assert_text_cells(r.content, filed[1])


def test_columns_kept_from_an_imported_sheet_are_safe_too(world, filed):
    first = filed[0][0]
    Demand.objects.filter(pk=first).update(extra={"=备注": "@SUM(A1)", "批次": "-2+3"})
    assert_text_cells(export_ledger(Demand.objects.filter(pk=first)), ("=备注", "@SUM(A1)", "-2+3"))
