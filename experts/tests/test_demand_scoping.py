"""An expert reads only the demands of consultations they sit on (panel member or chair): not
every escalated or legacy demand, not another panel's, nothing of another park. Lists, detail,
API, exports and the expert's home all go through `demands.access.visible_demands`."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from conftest import ApiClient
from demands import access
from demands import services as ledger
from demands.models import Tier
from experts import services
from experts.tests.helpers import dispatched, experts
from orgs.models import ApiToken, Role, User

pytestmark = pytest.mark.django_db


def _login(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _scene(world):  # type: ignore[no-untyped-def]
    panel = experts(world)  # panel[0] is world.users["expert"], panel[1] another expert
    sat = dispatched(world, "2025-06-02", title="会诊中的老问题")
    services.open_consultation(
        world.users["dispatcher"],
        sat,
        topic="产权分宗",
        chair_id=world.users["leader"].pk,
        expert_ids=[panel[0].pk],
    )
    # Escalated to 专家协商 and flagged legacy, but no consultation of this expert's.
    escalated = dispatched(world, "2025-06-02", title="仅提级的老问题")
    ledger.escalate(world.users["leader"], escalated, tier=Tier.EXPERT, note="多部门协调未果")
    plain = dispatched(world, "2026-03-02", title="普通诉求")
    return panel, sat, escalated, plain


def test_scoping_function(world):
    panel, sat, escalated, plain = _scene(world)
    mine = set(
        access.visible_demands(world.users["expert"], world.park).values_list("pk", flat=True)
    )
    assert mine == {sat.pk}
    other_expert = panel[1].user
    assert not access.visible_demands(other_expert, world.park).exists()
    # Another park: the same expert sees nothing there, an expert of that park nothing here.
    assert not access.visible_demands(world.users["expert"], world.other_park).exists()
    foreign = User.objects.create_user(username="o_exp", role=Role.EXPERT, park=world.other_park)
    assert not access.visible_demands(foreign, world.park).exists()
    assert not access.visible_demands(foreign, world.other_park).exists()


def test_pages_api_and_exports(world):
    panel, sat, escalated, plain = _scene(world)
    me = _login(world.users["expert"])
    assert me.get(f"/demands/{sat.pk}/").status_code == 200
    for d in (escalated, plain):
        assert me.get(f"/demands/{d.pk}/").status_code == 403
    ledger_page = me.get("/demands/").content.decode()
    assert sat.number in ledger_page
    assert escalated.number not in ledger_page and plain.number not in ledger_page
    home = me.get("/expert/").content.decode()
    assert sat.number in home and escalated.number not in home
    r = me.get("/demands/export.xlsx")
    assert r.status_code == 200
    cells = {
        str(c.value)
        for row in load_workbook(io.BytesIO(r.content)).active.iter_rows()
        for c in row
        if c.value is not None
    }
    assert sat.number in cells and escalated.number not in cells and plain.number not in cells

    api = world.client("expert")
    listed = api.get("/demands").json()
    assert [x["number"] for x in listed["results"]] == [sat.number]
    assert api.get(f"/demands/{sat.pk}").status_code == 200
    assert api.get(f"/demands/{escalated.pk}").status_code == 403

    # A pool expert not on this panel: refused everywhere.
    other = panel[1].user
    assert _login(other).get(f"/demands/{sat.pk}/").status_code == 403
    assert ApiClient(ApiToken.issue(other)).get("/demands").json()["count"] == 0

    # An expert of another park: this park's demand is missing, not merely refused.
    foreign = User.objects.create_user(username="o_exp", role=Role.EXPERT, park=world.other_park)
    assert ApiClient(ApiToken.issue(foreign)).get(f"/demands/{sat.pk}").status_code == 404
    assert _login(foreign).get(f"/demands/{sat.pk}/").status_code == 404


def test_the_chair_of_a_consultation_is_a_manager_and_sees_all(world):
    _, sat, escalated, plain = _scene(world)
    seen = set(
        access.visible_demands(world.users["leader"], world.park).values_list("pk", flat=True)
    )
    assert {sat.pk, escalated.pk, plain.pk} <= seen
