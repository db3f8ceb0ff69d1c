"""Decompression bombs on the entity and staff imports (issue 10, point 7): the entity import
used to refuse a 3-million-row bomb only after about 20 s of parsing; now at once."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl.reader.excel import ExcelReader

from entities.models import MarketEntity
from liaisons import sheets
from orgs.models import User
from qinshang.errors import InvalidInput
from qinshang.tests.bombs import xlsx_bomb

pytestmark = pytest.mark.django_db

REASON = "解压后有 312 MB，超过 50 MB 的上限"


@pytest.fixture(autouse=True)
def never_parsed(monkeypatch):  # type: ignore[no-untyped-def]
    """Refused before openpyxl reads a byte of it: parsing is what cost the CPU."""

    def parse(*args, **kw):  # type: ignore[no-untyped-def]
        raise AssertionError("openpyxl was asked to parse the bomb")

    monkeypatch.setattr(ExcelReader, "read", parse)


@pytest.mark.parametrize("kind", ["entities", "staff"])
def test_the_import_page_refuses_a_bomb_at_once(world, kind) -> None:  # type: ignore[no-untyped-def]
    entities, users = MarketEntity.objects.count(), User.objects.count()
    c = Client()
    c.force_login(world.users["dispatcher"])
    bomb = SimpleUploadedFile("名录.xlsx", xlsx_bomb())
    assert c.get("/liaisons/import/").status_code == 200  # the page itself, loaded once
    start = time.perf_counter()
    r = c.post("/liaisons/import/", {"kind": kind, "file": bomb})
    took = time.perf_counter() - start
    assert r.status_code == 422 and REASON in r.content.decode()
    assert took < 1, f"{took:.1f} s"
    assert (MarketEntity.objects.count(), User.objects.count()) == (entities, users)


def test_the_services_and_commands_refuse_it_too(world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    xlsx_bomb()
    start = time.perf_counter()
    for fn in (sheets.import_entities, sheets.import_staff):
        with pytest.raises(InvalidInput, match=REASON):
            fn(world.users["admin"], world.park, xlsx_bomb(), dry_run=True)
    path = tmp_path / "名录.xlsx"
    path.write_bytes(xlsx_bomb())
    for command in ("import_entities", "import_staff"):
        with pytest.raises(CommandError, match=REASON):
            call_command(command, str(path), park="test", user="admin")
    assert time.perf_counter() - start < 2


def test_a_sheet_over_the_import_limit_is_refused_before_parsing(world, settings) -> None:  # type: ignore[no-untyped-def]
    """The entity import's own limit (20 000 rows) applies to the declared size, before parsing."""
    settings.SHEET_MAX_UNCOMPRESSED_BYTES = 10**12
    settings.SHEET_MAX_RATIO = 10**6
    xlsx_bomb()
    start = time.perf_counter()
    with pytest.raises(InvalidInput, match=f"一次最多导入 {sheets.MAX_ROWS} 行"):
        sheets.import_entities(world.users["admin"], world.park, xlsx_bomb())
    assert time.perf_counter() - start < 1
