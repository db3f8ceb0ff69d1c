import pytest
from django.db import IntegrityError, connection, transaction

from demands.models import Demand, Event
from ops.ledger import ledger_rewrite
from ops.tests.helpers import make_demand

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the ledger triggers exist on PostgreSQL only (SQLite keeps the application's rule)",
    ),
]


def _refused(fn) -> str:
    with pytest.raises(IntegrityError) as exc, transaction.atomic():
        fn()
    return str(exc.value)


def test_events_cannot_be_updated_or_deleted(world):
    d = make_demand(world)
    event = Event.objects.filter(demand_id=d.pk).first()
    msg = _refused(lambda: Event.objects.filter(pk=event.pk).update(note="改写"))
    assert "台账记录不可修改或删除" in msg and "demands_event" in msg and "UPDATE" in msg
    assert "DELETE" in _refused(lambda: Event.objects.filter(pk=event.pk).delete())
    # Raw SQL from a shell is refused the same way.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE demands_event SET note = 'x'")
    event.refresh_from_db()
    assert event.note != "改写"


def test_demands_cannot_be_deleted_but_are_updated_by_the_workflow(world):
    d = make_demand(world)
    # The ORM's PROTECT stops a delete first; a raw statement (a shell, a script) meets the trigger.
    with pytest.raises(IntegrityError) as exc, transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM demands_demand WHERE id = %s", [d.pk])
    assert "demands_demand" in str(exc.value) and "DELETE" in str(exc.value)
    assert Demand.objects.filter(pk=d.pk).update(title="改了标题") == 1


def test_an_explicit_rewrite_is_allowed_for_that_block_only(world):
    d = make_demand(world)
    with transaction.atomic():
        with ledger_rewrite():
            assert Event.objects.filter(demand_id=d.pk).update(note="迁移修正") >= 1
        with pytest.raises(IntegrityError), transaction.atomic():
            Event.objects.filter(demand_id=d.pk).update(note="块外")
    assert _refused(lambda: Event.objects.filter(demand_id=d.pk).update(note="again"))
