"""Importing the sheets parks keep: every bad row reported by row number and column, nothing
written while any row is wrong (unless only the valid rows are asked for), and exports that can
be imported again."""

from __future__ import annotations

import io
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from entities.models import Contact, MarketEntity
from liaisons import sheets
from orgs.models import Role, User
from qinshang.errors import Forbidden
from qinshang.validators import make_credit_code

RNG = random.Random(42)
GOOD1, GOOD2, GOOD3 = (make_credit_code(RNG) for _ in range(3))


def xlsx(rows: list[list[object]], title: str | None = "湘潭经开区市场主体名录（2026年）") -> bytes:
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])  # the title row parks put above the headers
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


HEAD = [
    "序号",
    "企业名称",
    "统一社会信用代码",
    "企业类型",
    "所属行业",
    "地址",
    "联系人",
    "联系电话",
]


def malformed_sheet(world) -> bytes:  # type: ignore[no-untyped-def]
    bad_code = GOOD2[:17] + ("0" if GOOD2[17] != "0" else "1")
    return xlsx(
        [
            HEAD,
            [
                1,
                "湘潭华瑞精密制造有限公司",
                GOOD1,
                "规上企业",
                "C34 通用设备制造业",
                "九华大道 8 号",
                "刘建国",
                "13907321111",
            ],
            [
                2,
                "湘潭宏泰新材料有限公司",
                bad_code,
                "规下企业",
                "30",
                "金鹏路 2 号",
                "王芳",
                "13907322222",
            ],
            [3, "湘潭华瑞精密制造有限公司", GOOD3, "规上企业", "34", "", "", ""],  # duplicate name
            [4, "湘潭鑫源贸易有限公司", world.enterprise.credit_code, "规下企业", "51", "", "", ""],
            [5, "湘潭盛达科技有限公司", GOOD3, "规下企业", "99", "", "", ""],  # unknown industry
            [6, "", GOOD2, "规下企业", "39", "", "", ""],  # empty required cell
            [7, "九华老码头餐馆", "", "门店", "饮食", "", "李四", "0731-5555"],
            [8, "湘潭恒昌物流有限公司", "", "规下企业", "G", "", "", ""],
            [9, "九华便民超市", "", "个体工商户", "52", "保税路 1 号", "张三", "13807320000"],
        ]
    )


def snapshot() -> tuple:
    return (
        list(MarketEntity.objects.order_by("pk").values()),
        Contact.objects.count(),
        list(User.objects.order_by("pk").values("pk", "full_name", "department_id", "rank")),
    )


@pytest.mark.django_db
def test_malformed_sheet_reports_every_bad_row_and_changes_nothing(world) -> None:  # type: ignore[no-untyped-def]
    before = snapshot()
    report = sheets.import_entities(world.users["dispatcher"], world.park, malformed_sheet(world))

    assert snapshot() == before
    assert not report.committed and report.created == 0
    assert report.total == 9
    # Sheet rows: title is row 1, headers row 2, data rows 3..11.
    assert report.bad_rows == [4, 5, 6, 7, 8, 9, 10]
    by_row = {(e.row, e.column): e.message for e in report.errors}
    assert "校验位" in by_row[(4, "统一社会信用代码")]
    assert "与第 3 行重复" in by_row[(5, "企业名称")]
    assert "已登记" in by_row[(6, "统一社会信用代码")]
    assert "未知的行业" in by_row[(7, "所属行业")]
    assert by_row[(8, "企业名称")] == "不能为空"
    assert "所属行业" in {c for r, c in by_row if r == 9} and (9, "联系电话") in by_row
    assert "只是门类" in by_row[(10, "所属行业")]
    assert "未导入任何数据" in report.summary()
    assert str(report.errors[0]).startswith("第 4 行【统一社会信用代码】")


@pytest.mark.django_db
def test_valid_only_imports_the_good_rows_on_request(world) -> None:  # type: ignore[no-untyped-def]
    report = sheets.import_entities(
        world.users["dispatcher"], world.park, malformed_sheet(world), valid_only=True
    )
    assert report.committed and report.created == 2
    ent = MarketEntity.objects.get(park=world.park, credit_code=GOOD1)
    assert ent.kind == "above_scale" and ent.industry == "34" and ent.tier == 2
    assert ent.contacts.get().phone == "13907321111"
    shop = MarketEntity.objects.get(park=world.park, name="九华便民超市")
    assert shop.kind == "shop" and shop.credit_code == ""


@pytest.mark.django_db
def test_dry_run_writes_nothing_even_when_all_rows_are_good(world) -> None:  # type: ignore[no-untyped-def]
    data = xlsx(
        [HEAD, [1, "湘潭华瑞精密制造有限公司", GOOD1, "规上", "34", "", "", ""]], title=None
    )
    before = snapshot()
    report = sheets.import_entities(world.users["dispatcher"], world.park, data, dry_run=True)
    assert report.ok and report.valid == 1 and not report.committed
    assert snapshot() == before


@pytest.mark.django_db
def test_only_dispatcher_or_admin_may_import(world) -> None:  # type: ignore[no-untyped-def]
    data = xlsx([HEAD, [1, "湘潭华瑞精密制造有限公司", GOOD1, "规上", "34", "", "", ""]])
    for who in ("handler", "liaison", "enterprise", "leader"):
        with pytest.raises(Forbidden):
            sheets.import_entities(world.users[who], world.park, data)
    with pytest.raises(Forbidden):
        sheets.import_entities(world.other_users["dispatcher"], world.park, data)


@pytest.mark.django_db
def test_a_sheet_without_the_required_columns_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    from qinshang.errors import InvalidInput

    with pytest.raises(InvalidInput, match="企业类型"):
        sheets.import_entities(
            world.users["dispatcher"], world.park, xlsx([["企业名称", "地址"], ["某公司", "某路"]])
        )
    with pytest.raises(InvalidInput, match="xlsx"):
        sheets.import_entities(world.users["dispatcher"], world.park, b"not a workbook")


STAFF_HEAD = ["序号", "姓名", "部门", "职务", "职级", "手机"]


@pytest.mark.django_db
def test_staff_import_creates_and_updates_by_mobile(world) -> None:  # type: ignore[no-untyped-def]
    world.users["liaison"].phone = "13907325555"
    world.users["liaison"].save()
    data = xlsx(
        [
            STAFF_HEAD,
            [1, "周建国", "经济发展局", "副局长", "科级以上干部", "139 0732 6666"],
            [2, "李小红", "人力资源和社会保障局", "科员", "", "13907325555"],
            [3, "陈光明", "", "党工委委员", "园区领导", "13907327777"],
        ],
        title="联企干部名单",
    )
    report = sheets.import_staff(world.users["admin"], world.park, data)
    assert report.ok and report.committed and report.created == 2 and report.updated == 1
    zhou = User.objects.get(username="13907326666")
    assert zhou.rank == 2 and zhou.department == world.dept_a and zhou.role == Role.LIAISON
    assert not zhou.has_usable_password()
    assert User.objects.get(username="13907327777").role == Role.LEADER
    world.users["liaison"].refresh_from_db()
    assert world.users["liaison"].full_name == "李小红"


@pytest.mark.django_db
def test_staff_import_reports_bad_rows(world) -> None:  # type: ignore[no-untyped-def]
    data = xlsx(
        [
            STAFF_HEAD,
            [1, "周建国", "不存在的局", "", "", "13907326666"],
            [2, "", "经济发展局", "", "", "13907326667"],
            [3, "王五", "经济发展局", "", "处长级别", "12345"],
            [4, "赵六", "经济发展局", "", "", "13907326666"],
        ]
    )
    before = snapshot()
    report = sheets.import_staff(world.users["dispatcher"], world.park, data)
    assert snapshot() == before
    cols = {(e.row, e.column) for e in report.errors}
    assert {(3, "部门"), (4, "姓名"), (5, "职级"), (5, "手机"), (6, "手机")} <= cols


@pytest.mark.django_db
def test_entity_export_can_be_imported_again(world) -> None:  # type: ignore[no-untyped-def]
    data = sheets.export_entities(MarketEntity.objects.filter(park=world.park))
    ws = load_workbook(io.BytesIO(data)).active
    head = [c.value for c in ws[1]]
    assert head[:3] == ["企业名称", "统一社会信用代码", "企业类型"] and "专属服务员" in head
    names = {r[0] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert world.enterprise.name in names and "韶山中韶电气股份有限公司" not in names
    assert any(
        r[head.index("专属服务员")] == world.users["liaison"].display_name
        for r in ws.iter_rows(min_row=2, values_only=True)
    )
    # Into an empty park the same sheet goes back in unchanged.
    report = sheets.import_entities(
        world.other_users["admin"], world.other_park, data, dry_run=True
    )
    assert report.ok, report.errors


@pytest.mark.django_db
def test_management_commands_dry_run_and_valid_only(world, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "名录.xlsx"
    path.write_bytes(malformed_sheet(world))
    with pytest.raises(CommandError, match="7 行有误"):
        call_command("import_entities", str(path), park="test", user="disp")
    assert "第 4 行【统一社会信用代码】" in capsys.readouterr().err
    assert not MarketEntity.objects.filter(credit_code=GOOD1).exists()
    call_command(
        "import_entities", str(path), park="test", user="disp", valid_only=True, dry_run=True
    )
    assert not MarketEntity.objects.filter(credit_code=GOOD1).exists()
    call_command("import_entities", str(path), park="test", user="disp", valid_only=True)
    assert MarketEntity.objects.filter(credit_code=GOOD1).exists()

    staff = tmp_path / "干部.xlsx"
    staff.write_bytes(xlsx([STAFF_HEAD, [1, "周建国", "经济发展局", "", "", "13907326666"]]))
    call_command("import_staff", str(staff), park="test", dry_run=True)
    assert not User.objects.filter(username="13907326666").exists()
    call_command("import_staff", str(staff), park="test")
    assert User.objects.filter(username="13907326666", park=world.park).exists()


@pytest.mark.django_db
def test_a_dispatcher_cannot_create_or_change_administrators_by_sheet(world) -> None:  # type: ignore[no-untyped-def]
    world.users["admin"].phone = "13907328888"
    world.users["admin"].save()
    data = xlsx(
        [
            [*STAFF_HEAD, "角色"],
            [1, "周建国", "经济发展局", "", "", "13907326666", "系统管理员"],
            [2, "管理员", "", "", "", "13907328888", "专属服务员"],
        ]
    )
    report = sheets.import_staff(world.users["dispatcher"], world.park, data)
    assert {(e.row, e.column) for e in report.errors} == {(3, "角色"), (4, "手机")}
    assert not User.objects.filter(username="13907326666").exists()
    world.users["admin"].refresh_from_db()
    assert world.users["admin"].role == Role.ADMIN
    report = sheets.import_staff(world.users["admin"], world.park, data, valid_only=True)
    assert report.ok and User.objects.get(username="13907326666").role == Role.ADMIN
