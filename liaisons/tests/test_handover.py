"""Handover: a person's entities move with a note in the history, and no entity is ever left
without a liaison — deactivating a user who still serves one is refused on every path."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from entities.models import MarketEntity
from liaisons import services
from liaisons.models import Handover, LiaisonAssignment, Source
from orgs.models import Role, User
from qinshang.errors import Forbidden, InvalidInput, InvalidState


@pytest.fixture
def served(world):  # type: ignore[no-untyped-def]
    """Park A with three liaisons sharing six tier-3 entities, assigned by the engine."""
    park = world.park
    rules = services.rules_for(park)
    rules.eligible_roles = ["liaison"]
    rules.capacity_by_rank = {"1": 5, "2": 6, "3": 4}
    rules.backup_capacity_by_rank = {"1": 5, "2": 6, "3": 4}
    rules.save()
    world.users["liaison3"] = User.objects.create(
        username="liaison3", role=Role.LIAISON, park=park, department=world.dept_c, full_name="赵三"
    )
    MarketEntity.objects.filter(park=park).update(tier=3, liaison=None)
    for i in range(4):
        MarketEntity.objects.create(
            park=park, name=f"湘潭测试{i}厂", kind="shop", tier=3, industry="39"
        )
    services.assign_all(park, world.users["dispatcher"])
    return world


def _pairs(park):  # type: ignore[no-untyped-def]
    return {
        e.pk: (e.liaison_id, e.backup_liaison_id) for e in MarketEntity.objects.filter(park=park)
    }


@pytest.mark.django_db
def test_handover_replans_only_the_leavers_entities(served) -> None:  # type: ignore[no-untyped-def]
    w = served
    leaver = w.users["liaison"]
    before = _pairs(w.park)
    mine = [pk for pk, (lid, _) in before.items() if lid == leaver.pk]
    assert mine

    record = services.handover(leaver, w.users["dispatcher"], "调任招商局", deactivate=True)

    after = _pairs(w.park)
    for pk, (lid, _bid) in before.items():
        if lid != leaver.pk:
            assert after[pk][0] == lid
        assert leaver.pk not in after[pk]
        assert after[pk][0] is not None
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert record.entity_count >= len(mine) and record.deactivated
    rows = LiaisonAssignment.objects.filter(entity_id__in=mine, end__isnull=True)
    assert {r.source for r in rows} == {Source.HANDOVER}
    assert all("调任招商局" in r.reason and r.handover_id == record.pk for r in rows)
    closed = LiaisonAssignment.objects.filter(entity_id__in=mine, liaison=leaver)
    assert closed.count() == len(mine) and all(r.end is not None for r in closed)


@pytest.mark.django_db
def test_handover_to_a_named_person(served) -> None:  # type: ignore[no-untyped-def]
    w = served
    leaver, heir = w.users["liaison"], w.users["liaison3"]
    MarketEntity.objects.filter(liaison=heir).update(liaison=w.users["liaison2"])
    mine = list(MarketEntity.objects.filter(liaison=leaver).values_list("pk", flat=True))

    services.handover(leaver, w.users["dispatcher"], "退休", to=heir)

    assert set(MarketEntity.objects.filter(liaison=heir).values_list("pk", flat=True)) == set(mine)
    assert not MarketEntity.objects.filter(backup_liaison=leaver).exists()
    assert not MarketEntity.objects.filter(liaison=heir, backup_liaison=heir).exists()
    row = LiaisonAssignment.objects.get(entity_id=mine[0], end__isnull=True)
    assert row.liaison == heir and "退休" in row.reason and "→" in row.reason
    assert Handover.objects.get(person=leaver).to == heir


@pytest.mark.django_db
def test_named_heir_must_have_room_and_the_right_rank(served) -> None:  # type: ignore[no-untyped-def]
    w = served
    leaver = w.users["liaison"]
    before = _pairs(w.park)
    with pytest.raises(InvalidInput, match="超过上限"):
        services.set_override(w.users["dispatcher"], w.park, w.users["liaison3"], capacity=0)
        services.handover(leaver, w.users["dispatcher"], "调任", to=w.users["liaison3"])
    with pytest.raises(InvalidInput, match="联企人员范围"):
        services.handover(leaver, w.users["dispatcher"], "调任", to=w.users["handler"])
    assert _pairs(w.park) == before


@pytest.mark.django_db
def test_deactivating_someone_who_serves_entities_is_refused(served) -> None:  # type: ignore[no-untyped-def]
    w = served
    person = w.users["liaison"]
    with pytest.raises(InvalidState, match="工作交接"):
        services.deactivate_user(person, w.users["dispatcher"])
    # Any other path too (admin form, shell): the model guard refuses the save.
    person.is_active = False
    with pytest.raises(InvalidState, match="工作交接"):
        person.save()
    person.refresh_from_db()
    assert person.is_active


@pytest.mark.django_db
def test_the_admin_form_says_why_before_the_guard_refuses(served) -> None:  # type: ignore[no-untyped-def]
    """orgs.admin knows nothing of liaisons: the check reaches it through DEACTIVATION_CHECKS."""
    from orgs.admin import StaffChangeForm

    w = served
    person = w.users["liaison"]
    n = services.served_by(person).count()
    assert n
    form = StaffChangeForm(instance=person)
    form.cleaned_data = {"is_active": False}
    with pytest.raises(ValidationError, match=f"仍是 {n} 家市场主体的专属服务员或B角"):
        form.clean()
    form = StaffChangeForm(instance=w.users["handler"])
    form.cleaned_data = {"is_active": False}
    assert form.clean() == {"is_active": False}


@pytest.mark.django_db
def test_someone_who_serves_nothing_can_be_deactivated(served) -> None:  # type: ignore[no-untyped-def]
    w = served
    services.deactivate_user(w.users["handler"], w.users["dispatcher"])
    w.users["handler"].refresh_from_db()
    assert not w.users["handler"].is_active


@pytest.mark.django_db
def test_handover_needs_a_note_and_a_planner(served) -> None:  # type: ignore[no-untyped-def]
    w = served
    with pytest.raises(InvalidInput):
        services.handover(w.users["liaison"], w.users["dispatcher"], "  ")
    for who in ("handler", "leader", "liaison2", "enterprise"):
        with pytest.raises(Forbidden):
            services.handover(w.users["liaison"], w.users[who], "调任")
    with pytest.raises(Forbidden):
        services.handover(w.users["liaison"], w.other_users["dispatcher"], "调任")


@pytest.mark.django_db
def test_history_per_entity_and_per_person(served) -> None:  # type: ignore[no-untyped-def]
    w = served
    leaver = w.users["liaison"]
    ent = MarketEntity.objects.filter(liaison=leaver).first()
    services.handover(leaver, w.users["dispatcher"], "长期病假")
    rows = list(services.entity_history(ent))
    assert len(rows) == 2 and rows[0].end is None and rows[1].liaison == leaver
    assert rows[1].end is not None
    assert services.person_history(leaver).filter(entity=ent).exists()
