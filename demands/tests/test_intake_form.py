"""The intake and dispatch forms as the first walk found them: the logged-in requester is the
contact, a resident reads residents' words, and 协办 is picked with checkboxes (a phone cannot
Ctrl-click a multi-select)."""

from __future__ import annotations

import pytest
from django.test import Client

from demands import services

pytestmark = pytest.mark.django_db


def _client(world, who: str) -> Client:
    c = Client()
    c.force_login(world.users[who])
    return c


def test_the_logged_in_requester_is_the_contact(world):
    world.users["enterprise"].full_name = "李会计"
    world.users["enterprise"].phone = "13907320000"
    world.users["enterprise"].save(update_fields=["full_name", "phone"])
    body = _client(world, "enterprise").get("/demands/new/").content.decode()
    assert 'name="requester_name" value="李会计"' in body
    assert 'name="requester_phone" value="13907320000"' in body
    body = _client(world, "resident").get("/demands/new/").content.decode()
    assert 'name="requester_phone" value="13800001111"' in body
    # staff register for someone else: nothing of their own is put in
    body = _client(world, "dispatcher").get("/demands/new/").content.decode()
    assert 'name="requester_phone" value=""' in body


def test_a_resident_reads_residents_words(world):
    body = _client(world, "resident").get("/demands/new/").content.decode()
    assert "我为群众办实事" in body and "营商环境" not in body
    body = _client(world, "enterprise").get("/demands/new/").content.decode()
    assert "亲商优商" in body


def test_co_departments_are_checkboxes(world):
    d = services.create_demand(
        world.users["dispatcher"],
        world.park,
        services.Intake(
            title="厂区道路破损",
            description="厂区门口道路破损严重，影响货车进出，请协调修复。",
            channel="hotline",
            enterprise_id=world.enterprise.pk,
        ),
    )
    body = _client(world, "dispatcher").get(f"/demands/{d.pk}/").content.decode()
    assert 'type="checkbox" name="co_department_ids"' in body
    assert 'name="co_department_ids" multiple' not in body


def test_a_short_but_meaningful_description_is_taken(world):
    api = world.client("enterprise")
    r = api.post("/demands", {"title": "路灯", "description": "路灯不亮", "channel": "portal"})
    assert r.status_code == 201, r.content
    r = api.post("/demands", {"title": "贷款", "description": "急", "channel": "portal"})
    assert r.status_code == 422 and "太短" in r.json()["detail"]
