"""park_for: the user's own park costs no query; any other park is still checked."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orgs.access import park_for
from orgs.models import User
from qinshang.errors import Forbidden

pytestmark = pytest.mark.django_db


def _fresh(user: User) -> User:
    # As the token lookup loads it: the user with the park joined.
    return User.objects.select_related("park").get(pk=user.pk)


def test_own_park_needs_no_query(world):
    user = _fresh(world.users["dispatcher"])
    with CaptureQueriesContext(connection) as q:
        assert park_for(user) == world.park
        assert park_for(user, world.park.pk) == world.park
    assert len(q.captured_queries) == 0


def test_another_park_is_refused_unless_the_user_works_there(world):
    user = _fresh(world.users["dispatcher"])
    with pytest.raises(Forbidden):
        park_for(user, world.other_park.pk)
    user.extra_parks.add(world.other_park)
    assert park_for(_fresh(user), world.other_park.pk) == world.other_park


def test_a_user_without_a_park_gets_an_extra_park_or_a_clear_refusal(world):
    user = _fresh(world.users["dispatcher"])
    user.park = None
    user.save()
    with pytest.raises(Forbidden, match="尚未分配园区"):
        park_for(_fresh(user))
    user.extra_parks.add(world.other_park)
    assert park_for(_fresh(user)) == world.other_park
