"""撤销交办: a one-click 交办 taken back by its dispatcher within minutes, before any department
touched it; refused in Chinese, changing nothing, in every other case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from demands import services
from demands.models import Demand, Status, TaskStatus
from demands.tests.helpers import new_demand, unchanged
from notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


def _dispatched(world):  # type: ignore[no-untyped-def]
    disp = world.client("dispatcher")
    did = new_demand(disp, world.enterprise.pk)["id"]
    r = disp.act(did, "dispatch", lead_department_id=world.dept_a.pk)
    assert r.status_code == 200, r.content
    return disp, did


def test_the_dispatcher_takes_back_a_dispatch_and_the_department_is_told(
    world, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    disp, did = _dispatched(world)
    before = Demand.objects.get(pk=did)
    assert before.status == Status.DISPATCHED and before.dispatched_at and before.due_date
    actions = [a["action"] for a in disp.get(f"/demands/{did}").json()["actions"]]
    assert "undo_dispatch" in actions
    with django_capture_on_commit_callbacks(execute=True):
        r = disp.act(did, "undo_dispatch", note="选错了类别")
    assert r.status_code == 200, r.content
    d = Demand.objects.get(pk=did)
    assert d.status == Status.RECEIVED
    assert d.dispatched_at is None and d.due_date is None and d.lead_department_id is None
    assert [t.status for t in d.tasks.all()] == [TaskStatus.CANCELLED]  # kept, not deleted
    undo = d.events.get(action="undo_dispatch")
    assert undo.actor == world.users["dispatcher"] and undo.note == "选错了类别"
    assert undo.from_status == Status.DISPATCHED and undo.to_status == Status.RECEIVED
    told = Notification.objects.get(user=world.users["handler"], kind=Kind.WITHDRAWN)
    assert "交办已撤销" in told.text and "选错了类别" in told.text
    # Back in 待交办, and it can be dispatched again, elsewhere.
    assert d in services.Demand.objects.filter(status=Status.RECEIVED)
    r = disp.act(did, "dispatch", lead_department_id=world.dept_b.pk)
    assert r.status_code == 200, r.content
    d.refresh_from_db()
    assert d.lead_department_id == world.dept_b.pk
    live = [t for t in d.tasks.all() if t.status != TaskStatus.CANCELLED]
    assert [t.department_id for t in live] == [world.dept_b.pk]


def test_the_requester_sees_neither_the_undone_dispatch_nor_its_undo(world):  # type: ignore[no-untyped-def]
    disp, did = _dispatched(world)
    disp.act(did, "undo_dispatch")
    mine = world.client("enterprise").get(f"/demands/{did}").json()
    steps = [e["action"] for e in mine["timeline"]]
    assert "undo_dispatch" not in steps and "dispatch" not in steps
    staff = [e["action"] for e in disp.get(f"/demands/{did}").json()["timeline"]]
    assert staff.count("dispatch") == 1 and "undo_dispatch" in staff


@pytest.mark.parametrize("why", ["signed", "commented", "assigned", "late"])
def test_refused_once_the_dispatch_is_part_of_the_record(world, why):  # type: ignore[no-untyped-def]
    disp, did = _dispatched(world)
    at = None
    if why == "signed":
        world.client("handler").act(did, "sign")
    elif why == "commented":
        world.client("handler").act(did, "comment", note="已联系企业")
    elif why == "assigned":
        r = world.client("head").act(did, "assign", handler_id=world.users["handler"].pk)
        assert r.status_code == 200, r.content
    else:
        at = timezone.now() + dt.timedelta(minutes=services.DISPATCH_UNDO_MINUTES, seconds=1)
    d = Demand.objects.get(pk=did)
    with unchanged():
        if at is None:
            r = disp.act(did, "undo_dispatch")
            assert r.status_code == 409, r.content
            assert "撤销交办" in r.json()["detail"]
        else:
            with pytest.raises(services.InvalidState, match="超过 10 分钟"):
                services.undo_dispatch(world.users["dispatcher"], d, at=at)
    assert (
        world.users["dispatcher"]
        and services.undoable_dispatch(world.users["dispatcher"], d, at)[1]
    )


def test_only_the_dispatcher_who_dispatched(world):  # type: ignore[no-untyped-def]
    _, did = _dispatched(world)
    with unchanged():
        r = world.client("admin").act(did, "undo_dispatch")
    assert r.status_code == 409 and "交办人本人" in r.json()["detail"]
    actions = [a["action"] for a in world.client("admin").get(f"/demands/{did}").json()["actions"]]
    assert "undo_dispatch" not in actions
    with unchanged():
        r = world.client("handler").act(did, "undo_dispatch")
    assert r.status_code == 403
    with unchanged():
        r = world.client("dispatcher", other=True).act(did, "undo_dispatch")
    assert r.status_code == 404


def test_the_dispatch_centre_lists_its_own_recent_dispatches_with_an_undo(world):  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(world.users["dispatcher"])
    d = Demand.objects.get(pk=new_demand(world.client("dispatcher"), world.enterprise.pk)["id"])
    page = c.get("/dispatch/").content.decode()
    assert 'id="undo-dispatch"' not in page
    r = c.post("/demands/bulk/", {"op": "dispatch_defaults", "only": d.pk, "next": "/dispatch/"})
    assert r.status_code == 302
    page = c.get("/dispatch/").content.decode()
    assert 'id="undo-dispatch"' in page and d.number in page
    undo = f"/demands/{d.pk}/act/undo_dispatch/"
    assert undo in page
    r = c.post(undo, {"next": "/dispatch/"})
    assert r.status_code == 302, r.content.decode()[:500]
    d.refresh_from_db()
    assert d.status == Status.RECEIVED
    page = c.get("/dispatch/").content.decode()
    assert 'id="undo-dispatch"' not in page
    # Another dispatcher's list does not offer it.
    later = services.undoable_dispatches(
        world.users["dispatcher"],
        world.park,
        timezone.now() + dt.timedelta(minutes=services.DISPATCH_UNDO_MINUTES + 1),
    )
    assert later == []
