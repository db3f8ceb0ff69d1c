"""Idempotency-Key on every POST of the API (idempotency/services.py)."""

import datetime as dt
import json
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from demands.models import Demand, Event
from demands.tests.helpers import new_demand
from idempotency import services
from idempotency.models import IdempotentRequest

pytestmark = pytest.mark.django_db


def _body(world, **kw):
    body = {
        "title": "申请用电增容",
        "description": "新厂房需要增容 800 千伏安",
        "channel": "visit",
        "enterprise_id": world.enterprise.pk,
    }
    body.update(kw)
    return body


def _post(api, path, data, key):
    return api.c.post(
        "/api/v1" + path,
        json.dumps(data),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key,
        **api.h,
    )


def test_a_retry_returns_the_first_answer_and_creates_nothing(world):
    api = world.client("dispatcher")
    first = _post(api, "/demands", _body(world), "k-1")
    assert first.status_code == 201
    again = _post(api, "/demands", _body(world), "k-1")
    assert again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Demand.objects.count() == 1
    # Re-serialised JSON with the keys in another order is the same request.
    body = dict(reversed(list(_body(world).items())))
    assert _post(api, "/demands", body, "k-1").content == first.content
    assert Demand.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(world):
    api = world.client("dispatcher")
    assert _post(api, "/demands", _body(world), "k-2").status_code == 201
    r = _post(api, "/demands", _body(world, title="另一件事"), "k-2")
    assert r.status_code == 422
    assert "幂等键" in r.json()["detail"]
    assert Demand.objects.count() == 1


def test_keys_belong_to_one_user(world):
    assert _post(world.client("dispatcher"), "/demands", _body(world), "shared").status_code == 201
    assert _post(world.client("liaison"), "/demands", _body(world), "shared").status_code == 201
    assert Demand.objects.count() == 2


def test_actions_are_idempotent_too(world):
    api = world.client("dispatcher")
    d = new_demand(api, world.enterprise.pk)
    path = f"/demands/{d['id']}/actions/comment"
    first = _post(api, path, {"note": "已电话联系企业"}, "c-1")
    assert first.status_code == 200
    events = Event.objects.count()
    again = _post(api, path, {"note": "已电话联系企业"}, "c-1")
    assert again.status_code == 200 and again.content == first.content
    assert Event.objects.count() == events
    # The same body on another demand is another request.
    d2 = new_demand(api, world.enterprise.pk)
    r = _post(api, f"/demands/{d2['id']}/actions/comment", {"note": "已电话联系企业"}, "c-1")
    assert r.status_code == 422


def test_a_refused_request_keeps_nothing(world):
    api = world.client("dispatcher")
    assert _post(api, "/demands", _body(world, title=" "), "k-3").status_code == 422
    assert not IdempotentRequest.objects.exists()
    assert _post(api, "/demands", _body(world), "k-3").status_code == 201
    assert Demand.objects.count() == 1


def test_requests_without_a_key_are_unchanged(world):
    api = world.client("dispatcher")
    api.post("/demands", _body(world))
    api.post("/demands", _body(world))
    assert Demand.objects.count() == 2
    assert not IdempotentRequest.objects.exists()


@pytest.mark.parametrize("key", ["", "x" * 256, "含中文", "a b"])
def test_malformed_keys(world, key):
    r = _post(world.client("dispatcher"), "/demands", _body(world), key)
    assert r.status_code == 422 and "Idempotency-Key" in r.json()["detail"]
    assert not Demand.objects.exists()


def test_keys_expire_after_a_day(world):
    api = world.client("dispatcher")
    assert _post(api, "/demands", _body(world), "old").status_code == 201
    IdempotentRequest.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    # Expired and not purged yet: the key is free again.
    r = _post(api, "/demands", _body(world), "old")
    assert r.status_code == 201 and not r.has_header("Idempotent-Replayed")
    assert Demand.objects.count() == 2
    IdempotentRequest.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    _post(api, "/demands", _body(world), "fresh")
    assert services.purge_expired() == 1
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["fresh"]


def test_the_purge_is_a_periodic_job_of_the_scheduler():
    from django.utils.module_loading import import_string

    from scheduling.schedule import jobs

    job = next(j for j in jobs() if j.name == "purge_idempotency_keys")
    assert import_string(job.task).func is import_string("idempotency.tasks.purge_expired").func
    assert job.every_minutes and job.every_minutes <= 24 * 60
    assert settings.IDEMPOTENCY_KEY_TTL_HOURS == 24


def test_every_post_operation_documents_the_header(client):
    schema = client.get("/api/v1/openapi.json").json()
    posts = [ops["post"] for ops in schema["paths"].values() if "post" in ops]
    assert len(posts) >= 3
    for op in posts:
        assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in op["parameters"])
    assert "Idempotency-Key" in schema["info"]["description"]


@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_with_one_key_create_one_demand(world):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite's test database is in memory)")
    api = world.client("dispatcher")
    barrier = threading.Barrier(4)
    answers: list = []

    def send() -> None:
        barrier.wait()
        c = Client()
        r = c.post(
            "/api/v1/demands",
            json.dumps(_body(world)),
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="race",
            **api.h,
        )
        answers.append((r.status_code, r.content))
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert [s for s, _ in answers] == [201] * 4
    assert len({body for _, body in answers}) == 1
    assert Demand.objects.count() == 1
