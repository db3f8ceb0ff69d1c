"""Formula injection in the liaison sheets: entity and staff fields that a spreadsheet would run
come out of the exports as text."""

from __future__ import annotations

import pytest
from django.test import Client

from entities.models import Contact, EntityKind, MarketEntity
from orgs.models import Role, User
from qinshang.tests.sheetcheck import PAYLOADS, assert_text_cells, cells_of

pytestmark = pytest.mark.django_db


def login(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_entity_export_writes_user_text_as_text(world) -> None:  # type: ignore[no-untyped-def]
    for i, p in enumerate(PAYLOADS):
        e = MarketEntity.objects.create(
            park=world.park,
            name=p,
            kind=EntityKind.SHOP,
            address=p,
            legal_representative=p,
            employees=i,
        )
        Contact.objects.create(entity=e, name=p, phone="13907321234", is_primary=True)
    r = login(world.users["dispatcher"]).get("/liaisons/export/entities.xlsx")
    assert r.status_code == 200
    assert_text_cells(r.content)


def test_staff_export_writes_user_text_as_text(world) -> None:  # type: ignore[no-untyped-def]
    for i, p in enumerate(PAYLOADS):
        User.objects.create_user(
            username=f"p{i}", park=world.park, role=Role.LIAISON, full_name=p, title=p
        )
    r = login(world.users["dispatcher"]).get("/liaisons/export/staff.xlsx")
    assert r.status_code == 200
    assert_text_cells(r.content)


def test_a_control_character_in_a_name_does_not_break_the_export(world) -> None:  # type: ignore[no-untyped-def]
    """A name pasted with a bell or escape character used to make openpyxl refuse the sheet (NUL
    cannot even be stored on PostgreSQL: that is for the input checks)."""
    MarketEntity.objects.create(park=world.park, name="恒远\x07机械\x1b", kind=EntityKind.SHOP)
    r = login(world.users["dispatcher"]).get("/liaisons/export/entities.xlsx")
    assert r.status_code == 200
    assert "恒远机械" in [c.value for c in cells_of(r.content)]
