"""A demand that came in through the API without a category must still be workable from the web:
the dispatcher's page, the 派单中心 and a refused upload on it answer normally."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from demands.models import Attachment, Demand
from demands.tests.helpers import new_demand

pytestmark = pytest.mark.django_db


@pytest.fixture
def uncategorised(world) -> Demand:
    created = new_demand(world.client("enterprise"), world.enterprise.pk, category=None)
    d = Demand.objects.get(pk=created["id"])
    assert d.category_id is None
    return d


def _dispatcher(world) -> Client:
    c = Client()
    c.force_login(world.users["dispatcher"])
    return c


def test_dispatcher_opens_an_uncategorised_demand(world, uncategorised):
    c = _dispatcher(world)
    r = c.get(f"/demands/{uncategorised.pk}/")
    assert r.status_code == 200
    assert "待分类" in r.content.decode()
    assert "交办" in r.content.decode()


def test_dispatch_centre_lists_an_uncategorised_demand(world, uncategorised):
    r = _dispatcher(world).get("/dispatch/")
    assert r.status_code == 200
    assert uncategorised.number in r.content.decode()


def test_a_refused_upload_on_an_uncategorised_demand_is_422(world, uncategorised):
    c = _dispatcher(world)
    bad = SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    r = c.post(f"/demands/{uncategorised.pk}/upload/", {"files": bad})
    assert r.status_code == 422
    assert "类型不受支持" in r.content.decode()
    assert not Attachment.objects.filter(demand=uncategorised).exists()


def test_dispatching_it_from_the_web_sets_the_category(world, uncategorised):
    c = _dispatcher(world)
    r = c.post(
        f"/demands/{uncategorised.pk}/act/dispatch/",
        {"lead_department_id": world.dept_a.pk, "category_id": world.cat_finance.pk},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    uncategorised.refresh_from_db()
    assert uncategorised.category_id == world.cat_finance.pk
    assert uncategorised.lead_department_id == world.dept_a.pk
