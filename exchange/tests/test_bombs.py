"""Decompression bombs on the ledger import (issue 10, point 7): an xlsx of about 1 MB that
inflates to over 300 MB (3 million rows) used to take minutes of server CPU on the import page
and was then accepted; now every way in refuses it at once and stores nothing."""

import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl.reader.excel import ExcelReader

from demands.models import Demand
from exchange.importer import import_ledger
from exchange.models import ImportJob
from qinshang.errors import InvalidInput
from qinshang.tests.bombs import xlsx_bomb

pytestmark = pytest.mark.django_db

# The ledger import streams, so its size limit is high: the bomb is refused for its ratio.
REASON = r"压缩比异常（约 \d+ 倍）"


@pytest.fixture(autouse=True)
def never_parsed(monkeypatch):  # type: ignore[no-untyped-def]
    """Refused before openpyxl reads a byte of it: parsing is what cost the CPU."""

    def parse(*args, **kw):  # type: ignore[no-untyped-def]
        raise AssertionError("openpyxl was asked to parse the bomb")

    monkeypatch.setattr(ExcelReader, "read", parse)


def test_the_import_page_refuses_a_bomb_at_once_and_keeps_nothing(world):
    c = Client()
    c.force_login(world.users["dispatcher"])
    bomb = SimpleUploadedFile("热线台账.xlsx", xlsx_bomb())
    assert c.get("/exchange/").status_code == 200  # the page itself, loaded once
    start = time.perf_counter()
    r = c.post("/exchange/", {"file": bomb})
    took = time.perf_counter() - start
    assert r.status_code == 422 and re.search(REASON, r.content.decode())
    assert took < 1, f"{took:.1f} s"
    assert not ImportJob.objects.exists() and not Demand.objects.exists()


def test_the_service_and_the_command_refuse_it_too(world, tmp_path):
    xlsx_bomb()
    start = time.perf_counter()
    with pytest.raises(InvalidInput, match=REASON):
        import_ledger(xlsx_bomb(), park=world.park, user=world.users["admin"], dry_run=True)
    path = tmp_path / "台账.xlsx"
    path.write_bytes(xlsx_bomb())
    with pytest.raises(CommandError, match=REASON):
        call_command("import_ledger", str(path), park="test")
    assert time.perf_counter() - start < 2
    assert not Demand.objects.exists()


def test_a_job_stored_before_the_limits_existed_fails_with_the_reason(world):
    """A bomb already kept as an import job (uploaded before this check) cannot be run either."""
    from django.core.files.base import ContentFile

    job = ImportJob(park=world.park, user=world.users["dispatcher"], original_name="旧.xlsx")
    job.file.save("old.xlsx", ContentFile(xlsx_bomb()), save=False)
    job.save()
    c = Client()
    c.force_login(world.users["dispatcher"])
    assert c.get(f"/exchange/{job.pk}/").status_code == 200
    start = time.perf_counter()
    c.post(f"/exchange/{job.pk}/", {"action": "check"})
    assert time.perf_counter() - start < 1
    job.refresh_from_db()
    assert re.search(REASON, job.report["error"])
