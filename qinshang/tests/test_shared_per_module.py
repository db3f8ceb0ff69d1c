"""`conftest.shared_per_module`: the rows are made once, and no test hands a change to the next.

Both tests do the same: check the shared park as built, then change it in the database and in
memory. Whichever runs second (pytest-randomly shuffles them) fails if the first one's change
survived its test.
"""

import pytest

from conftest import build_world, fresh, shared_per_module
from orgs.models import Park

pytestmark = pytest.mark.django_db

BUILT: list[int] = []


def _build():  # type: ignore[no-untyped-def]
    BUILT.append(1)
    return build_world()


_shared = shared_per_module(_build)


@pytest.fixture
def world(_shared, db):  # type: ignore[no-untyped-def]
    return fresh(_shared)


def _check_then_change(world) -> None:  # type: ignore[no-untyped-def]
    assert BUILT == [1]  # built once for the module
    assert world.park.name == "测试经开区"
    assert Park.objects.get(pk=world.park.pk).name == "测试经开区"
    assert Park.objects.count() == 2
    Park.objects.filter(pk=world.park.pk).update(name="改过的名字")
    Park.objects.create(name="第三个园区", short_name="三", code="third")
    world.park.name = "内存里改的"


def test_a_change_is_undone_after_the_test(world):  # type: ignore[no-untyped-def]
    _check_then_change(world)


def test_the_same_change_again(world):  # type: ignore[no-untyped-def]
    _check_then_change(world)
