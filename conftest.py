"""Personas shared by every app's tests: one of each role in park A, and outsiders in park B."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from demands.models import Category
from entities.models import Contact, EntityKind, MarketEntity
from orgs.models import ApiToken, Department, Park, Role, User
from qinshang.validators import make_credit_code


def pytest_configure(config: pytest.Config) -> None:
    # The migrated SQLite test database is copied, not rebuilt, when no migration changed.
    from qinshang import testdb

    testdb.install()


@dataclass
class World:
    park: Park
    other_park: Park
    centre: Department
    dept_a: Department  # 经济发展局
    dept_b: Department  # 自然资源和规划分局
    dept_c: Department  # 人力资源和社会保障局
    cat_finance: Category
    cat_land: Category
    cat_parent: Category
    enterprise: MarketEntity
    enterprise2: MarketEntity
    users: dict[str, User]
    other_users: dict[str, User]

    def client(self, who: str, *, other: bool = False) -> ApiClient:
        user = (self.other_users if other else self.users)[who]
        return ApiClient(ApiToken.issue(user))


class ApiClient:
    """A test client that talks to /api/v1 with a bearer token, the way integrators do."""

    def __init__(self, token: str):
        self.c = Client()
        self.h = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def get(self, path: str, **params):  # type: ignore[no-untyped-def]
        return self.c.get("/api/v1" + path, params, **self.h)

    def post(self, path: str, data=None):  # type: ignore[no-untyped-def]
        return self.c.post("/api/v1" + path, data or {}, content_type="application/json", **self.h)

    def act(self, demand_id: int, action: str, **data):  # type: ignore[no-untyped-def]
        return self.post(f"/demands/{demand_id}/actions/{action}", data)


def _user(park: Park, username: str, role: str, **kw) -> User:  # type: ignore[no-untyped-def]
    u = User.objects.create_user(
        username=username,
        password="pw-" + username,
        role=role,
        park=park,
        full_name=kw.pop("full_name", username),
        **kw,
    )
    return u


def build_world() -> World:
    import random

    rng = random.Random(1)
    park = Park.objects.create(name="测试经开区", short_name="测试", code="test")
    other = Park.objects.create(name="另一高新区", short_name="另一", code="other")
    centre = Department.objects.create(
        park=park, name="优化营商环境协调事务中心", code="centre", is_dispatch_centre=True
    )
    dept_a = Department.objects.create(park=park, name="经济发展局", code="econ")
    dept_b = Department.objects.create(park=park, name="自然资源和规划分局", code="land")
    dept_c = Department.objects.create(park=park, name="人力资源和社会保障局", code="hr")
    parent = Category.objects.create(park=park, code="finance", name="融资困难")
    cat_fin = Category.objects.create(
        park=park,
        parent=parent,
        code="finance-loan",
        name="贷款需求",
        default_department=dept_a,
        time_limit_days=5,
    )
    land_parent = Category.objects.create(park=park, code="land", name="用地需求")
    cat_land = Category.objects.create(
        park=park,
        parent=land_parent,
        code="land-use",
        name="用地审批",
        default_department=dept_b,
        time_limit_days=10,
    )
    ent = MarketEntity.objects.create(
        park=park,
        name="湘潭恒远精密机械有限公司",
        credit_code=make_credit_code(rng),
        kind=EntityKind.ABOVE_SCALE,
        industry="34",
        tier=2,
    )
    Contact.objects.create(entity=ent, name="王经理", phone="13907321234", is_primary=True)
    ent2 = MarketEntity.objects.create(
        park=park,
        name="湖南瑞康医疗器械有限公司",
        credit_code=make_credit_code(rng),
        kind=EntityKind.BELOW_SCALE,
        industry="35",
    )
    users = {
        "dispatcher": _user(park, "disp", Role.DISPATCHER, department=centre),
        "handler": _user(park, "hand_a", Role.HANDLER, department=dept_a),
        "head": _user(park, "head_a", Role.DEPARTMENT_HEAD, department=dept_a),
        "handler_b": _user(park, "hand_b", Role.HANDLER, department=dept_b),
        "handler_c": _user(park, "hand_c", Role.HANDLER, department=dept_c),
        "liaison": _user(park, "liaison", Role.LIAISON, department=dept_c),
        "liaison2": _user(park, "liaison2", Role.LIAISON, department=dept_c),
        "leader": _user(park, "leader", Role.LEADER, rank=1),
        "enterprise": _user(park, "ent", Role.ENTERPRISE, enterprise=ent),
        "enterprise2": _user(park, "ent2", Role.ENTERPRISE, enterprise=ent2),
        "resident": _user(park, "resident", Role.RESIDENT, phone="13800001111"),
        "expert": _user(park, "expert", Role.EXPERT),
        "admin": _user(park, "admin", Role.ADMIN),
        # 金融机构: linked to an institution by the tests that need one (finance, the matrix scene)
        "bank": _user(park, "bank", Role.BANK, full_name="农商银行客户经理"),
    }
    ent.liaison = users["liaison"]
    ent.save()
    o_centre = Department.objects.create(
        park=other, name="优化营商环境协调事务中心", code="centre", is_dispatch_centre=True
    )
    o_dept = Department.objects.create(park=other, name="经济发展局", code="econ")
    o_ent = MarketEntity.objects.create(
        park=other,
        name="韶山中韶电气股份有限公司",
        credit_code=make_credit_code(rng),
        kind=EntityKind.ABOVE_SCALE,
        industry="38",
    )
    others = {
        "dispatcher": _user(other, "o_disp", Role.DISPATCHER, department=o_centre),
        "handler": _user(other, "o_hand", Role.HANDLER, department=o_dept),
        "enterprise": _user(other, "o_ent", Role.ENTERPRISE, enterprise=o_ent),
        "admin": _user(other, "o_admin", Role.ADMIN),
    }
    return World(
        park,
        other,
        centre,
        dept_a,
        dept_b,
        dept_c,
        cat_fin,
        cat_land,
        parent,
        ent,
        ent2,
        users,
        others,
    )


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    return build_world()


def shared_per_module(build: Callable[[], Any]):  # type: ignore[no-untyped-def]
    """A module-scoped fixture with what `build()` made, made once for the module.

    The objects are written inside a transaction that stays open for the module and is rolled
    back at its end, the way `TestCase.setUpTestData` does it: each test's own transaction (the
    `db` fixture) is then a savepoint within it, so whatever a test writes is undone before the
    next one and every test starts from the same rows. Only for modules whose tests all use
    `db` (not `transactional_db` or `live_server`, which flush tables and commit). The tests get
    the objects through `fresh(shared)`: a deep copy, so a test that changes one in memory does
    not hand the change to the next test.
    """

    @pytest.fixture(scope="module")
    def shared(django_db_setup, django_db_blocker) -> Iterator[Any]:  # type: ignore[no-untyped-def]
        from django.db import transaction

        with django_db_blocker.unblock():
            outer = transaction.atomic()
            # Marked as Django's TestCase marks its class-wide block, so that code opening a
            # durable block in a test behaves as it does under TestCase.
            outer._from_testcase = True  # type: ignore[attr-defined]
            outer.__enter__()
            try:
                data = build()
            except BaseException:
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
                raise
        try:
            yield data
        finally:
            with django_db_blocker.unblock():
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)

    return shared


def fresh(data: Any) -> Any:
    """The shared objects as a test receives them: its own copy (see shared_per_module)."""
    return copy.deepcopy(data)


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """One Chromium per browser-test module (see qinshang/browsertests.py)."""
    from qinshang.browsertests import launch, require_chromium

    sync_api = require_chromium()
    with sync_api.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()
