"""Role × route × park: every page and API operation, as every persona, in both parks.

The routes come from the URL conf and the OpenAPI; `permission_matrix.TABLE` says who may use
each. For every route and persona:
- GET by an allowed role succeeds (2xx, or a redirect that is not to the login page);
- GET by any other role is refused: 403, 404 (an object it may not see), or the login page;
- POST with an empty body by an allowed role is not refused (a 422 or a form error is fine);
- POST by any other role is refused and never succeeds (403/404/login; 400/409/422 where the
  body is checked before the role, which changes nothing either);
- a user of the other park gets 403/404 on every object of this park, and no page or answer of
  theirs shows this park's data. Nothing ever answers 5xx.
"""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import build_world, fresh, shared_per_module
from orgs.models import ApiToken
from qinshang.tests import matrix
from qinshang.tests.permission_matrix import PENDING, PUBLIC, TABLE, Rule
from qinshang.tests.scene import OTHER_ENTERPRISE_ITEM, build_scene, scheduler_beats

pytestmark = pytest.mark.django_db

PERSONAS = [
    "dispatcher",
    "handler",
    "head",
    "liaison",
    "leader",
    "enterprise",
    "resident",
    "expert",
    "admin",
    "bank",  # 金融机构: nothing but 银企对接 (finance.gate)
    "anonymous",
]
OUTSIDERS = ["dispatcher", "handler", "enterprise", "admin"]  # world.other_users
REFUSED = {401, 403, 404}
REFUSED_POST = REFUSED | {400, 405, 409, 422}


def _build():  # type: ignore[no-untyped-def]
    world = build_world()
    return world, build_scene(world, every_kind=True)


# One park and scene for the module, not one per persona: each test runs in its own savepoint
# inside the module's transaction, so what one persona's POSTs change is undone before the next
# persona sweeps, and every test gets its own copy of the objects.
_shared = shared_per_module(_build)


@pytest.fixture
def copied(_shared, db):  # type: ignore[no-untyped-def]
    # The scene was built minutes ago: its scheduler must still look alive to /healthz.
    scheduler_beats()
    return fresh(_shared)  # one copy of both, so the scene's objects are the world's


@pytest.fixture
def world(copied):  # type: ignore[no-untyped-def]
    return copied[0]


@pytest.fixture
def scene(copied):  # type: ignore[no-untyped-def]
    return copied[1]


def test_every_route_has_a_line_in_the_table():
    missing, stale = matrix.undeclared(TABLE)
    assert not missing, (
        "Routes without a line in qinshang/tests/permission_matrix.py (say who may use them): "
        + ", ".join(missing)
    )
    assert not stale, "Lines in permission_matrix.py for routes that no longer exist: " + ", ".join(
        stale
    )


def test_a_route_without_a_line_is_named():
    table = {k: v for k, v in TABLE.items() if k not in ("demands:detail", "GET /api/v1/me")}
    assert matrix.undeclared(table) == (["GET /api/v1/me", "demands:detail"], [])


def test_a_refused_role_activating_a_model_version_gets_403(world, scene):  # type: ignore[no-untyped-def]
    """Found by the matrix: the refusal used to be a message on a redirect (302)."""
    c = Client()
    c.force_login(world.users["dispatcher"])
    r = c.post(f"/routing/versions/{scene.ids['version_id']}/activate/")
    assert r.status_code == 403
    c.force_login(world.other_users["admin"])
    r = c.post(f"/routing/versions/{scene.ids['version_id']}/activate/")
    assert r.status_code == 404


def _client(user) -> tuple[Client, str | None]:  # type: ignore[no-untyped-def]
    c = Client()
    if user is None:
        return c, None
    c.force_login(user)
    return c, ApiToken.issue(user)


def _judge(route, rule: Rule, method: str, allowed: bool, response, path: str) -> str | None:  # type: ignore[no-untyped-def]
    code = response.status_code
    where = f"{method} {path} ({route.key})"
    if code >= 500:
        return f"{where}: {code}"
    refused = code in (REFUSED if method == "GET" else REFUSED_POST) or matrix.to_login(response)
    if allowed and rule.ends_session:
        return (
            None if matrix.to_login(response) else f"{where}: answered {code}, not the login page"
        )
    if allowed and (code in REFUSED or matrix.to_login(response)):
        return f"{where}: allowed but refused with {code}"
    if allowed and method == "GET" and not (200 <= code < 400):
        return f"{where}: allowed but answered {code}"
    if not allowed and not refused:
        return f"{where}: should be refused but answered {code}"
    return None


def _methods(route, rule: Rule) -> list[tuple[str, frozenset[str]]]:  # type: ignore[no-untyped-def]
    if route.method:
        allowed = rule.get if route.method == "GET" else rule.post
        return [(route.method, allowed or frozenset())]
    out = []
    if rule.get is not None:
        out.append(("GET", rule.get))
    if rule.post is not None:
        out.append(("POST", rule.post))
    return out


def _ghost(path: str, ids: dict[str, int]) -> str:
    """The same path with each of the scene's ids replaced by one that exists nowhere."""
    parts = path.split("/")
    known = {str(v) for v in ids.values()}
    return "/".join("987654321" if p in known else p for p in parts)


def _sweep(world, user, persona: str, ids: dict[str, int], markers: list[str], outsider: bool):  # type: ignore[no-untyped-def]
    client, token = _client(user)
    problems: list[str] = []
    for route in matrix.site_routes():
        rule = TABLE[route.key]
        for method, allowed_roles in _methods(route, rule):
            allowed = persona in allowed_roles
            if not outsider and (route.key, persona) in PENDING:
                continue
            for path in matrix.fill(route, rule, ids):
                response = matrix.send(client, token, method, path, rule.data)
                if method == "POST" and user is not None:
                    client.force_login(user)  # a POST may have been the logout
                if outsider and matrix.has_object(route, rule, ids) and allowed_roles != PUBLIC:
                    # This park's object: the other park's user must not reach it. A typed body
                    # refused before any lookup (422) is fine if a missing object gets the very
                    # same answer: then it tells nothing about this park's object.
                    if response.status_code == 422 and method == "POST":
                        ghost = matrix.send(client, token, method, _ghost(path, ids), rule.data)
                        if (ghost.status_code, ghost.content) == (422, response.content):
                            continue
                    if response.status_code not in (403, 404) and not matrix.to_login(response):
                        problems.append(
                            f"{method} {path} ({route.key}): the other park's {persona} got "
                            f"{response.status_code}"
                        )
                    continue
                problem = _judge(route, rule, method, allowed, response, path)
                if problem:
                    problems.append(f"{persona}: {problem}")
                if markers and not getattr(response, "streaming", False):
                    body = response.content.decode("utf-8", "replace")
                    leaked = [m for m in markers if m in body]
                    if leaked:
                        who = f"the other park's {persona}" if outsider else persona
                        problems.append(f"{method} {path} ({route.key}): {who} sees {leaked}")
    return problems


def _markers(world, scene) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        world.park.name,
        world.enterprise.name,
        world.enterprise2.name,
        scene.dispatched.title,
        scene.resident_demand.title,
    ]


def _not_theirs(world, scene, persona: str) -> list[str]:  # type: ignore[no-untyped-def]
    """What a requester of the own park must never see: another requester's matters."""
    if persona == "enterprise":
        return [world.enterprise2.name, OTHER_ENTERPRISE_ITEM, scene.resident_demand.title]
    if persona == "bank":  # consented: the enterprise's name and needs, nothing else
        return [
            world.enterprise2.name,
            world.enterprise.credit_code,
            "13907321234",  # the enterprise's contact
            OTHER_ENTERPRISE_ITEM,
            scene.dispatched.title,
            scene.resident_demand.title,
        ]
    if persona == "resident":
        return [world.enterprise.name, world.enterprise2.name, scene.dispatched.title]
    return []


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_route_as_each_role_in_the_own_park(world, scene, persona):  # type: ignore[no-untyped-def]
    user = None if persona == "anonymous" else world.users[persona]
    markers = _not_theirs(world, scene, persona)
    problems = _sweep(world, user, persona, scene.ids, markers, outsider=False)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_each_route_as_a_user_of_the_other_park(world, scene, persona):  # type: ignore[no-untyped-def]
    user = world.other_users[persona]
    problems = _sweep(world, user, persona, scene.ids, _markers(world, scene), outsider=True)
    assert not problems, "\n".join(problems)
