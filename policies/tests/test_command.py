"""`manage.py import_policies FILE [--park CODE] [--dry-run]`: the page's service, its row report
in Chinese, and a non-zero exit whenever a row was refused."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from orgs.models import Park
from policies.models import Policy

pytestmark = pytest.mark.django_db

HEAD = ["政策名称", "兑现方式", "执行期起", "申享条件", "定额（万元）"]
GOOD = [
    "高新技术企业认定奖励",
    "免申即享",
    "2026-01-01",
    '[{"field":"employees","op":"gte","value":1}]',
    "10",
]
BAD = ["未知字段", "申报", "2026-01-01", '[{"field":"profit","op":"gte","value":1}]', "2"]


def _file(tmp_path, *rows):  # type: ignore[no-untyped-def]
    wb = Workbook()
    ws = wb.active
    ws.append(HEAD)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    path = tmp_path / "惠企政策.xlsx"
    path.write_bytes(buf.getvalue())
    return str(path)


def test_a_clean_sheet_is_imported_and_reported(world, tmp_path, capsys):
    call_command("import_policies", _file(tmp_path, GOOD), park="test")
    assert "已导入惠企政策 1 行" in capsys.readouterr().out
    assert Policy.objects.get().track == "auto"


def test_a_refused_row_is_reported_and_exits_non_zero(world, tmp_path, capsys):
    path = _file(tmp_path, GOOD, BAD)
    with pytest.raises(CommandError, match="1 行有误，未导入任何惠企政策"):
        call_command("import_policies", path, park="test")
    out = capsys.readouterr()
    assert "第 3 行【申享条件】" in out.err and "不存在" in out.err
    assert "未导入任何数据" in out.out
    assert not Policy.objects.exists()
    with pytest.raises(CommandError, match="试导入：1 行有误"):
        call_command("import_policies", path, park="test", dry_run=True)
    assert not Policy.objects.exists()
    with pytest.raises(CommandError, match="已跳过"):
        call_command("import_policies", path, park="test", valid_only=True)
    assert Policy.objects.count() == 1


def test_the_park_may_be_left_out_only_when_there_is_one(db, tmp_path):
    from orgs.models import Role, User

    path = _file(tmp_path, GOOD)
    with pytest.raises(CommandError, match="还没有园区"):
        call_command("import_policies", path)
    park = Park.objects.create(name="韶山高新区", short_name="韶山", code="ss")
    User.objects.create_user("ss_admin", password="x", role=Role.ADMIN, park=park)
    call_command("import_policies", path)
    assert Policy.objects.filter(park=park).count() == 1
    Park.objects.create(name="另一园区", short_name="另一", code="o")
    with pytest.raises(CommandError, match="请用 --park 指定园区代码"):
        call_command("import_policies", path)
    with pytest.raises(CommandError, match="没有代码为“nope”的园区"):
        call_command("import_policies", path, park="nope")


def test_a_user_who_may_not_edit_policies_is_refused(world, tmp_path):
    with pytest.raises(CommandError, match="只有派单员、园区领导或管理员"):
        call_command("import_policies", _file(tmp_path, GOOD), park="test", user="liaison")
    assert not Policy.objects.exists()
