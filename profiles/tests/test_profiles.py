"""一企一档: the page per role and park, registration with the suggestion, 一企一策, the import."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from entities import profile
from entities.models import Certification, EntityEvent, MarketEntity, YearlyFigure
from profiles import services
from profiles.models import PlanStatus
from profiles.sheets import import_profile_sheet
from qinshang.errors import Forbidden, InvalidInput

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def key(world):
    e = world.enterprise
    e.tier = 1
    e.industry = "38"
    e.liaison = world.users["liaison"]
    e.save()
    return e


def _plan(world, key):
    today = timezone.localdate()
    return services.create_plan(
        world.users["dispatcher"],
        key,
        services.PlanInput(
            "三帮一促服务方案",
            today,
            today + dt.timedelta(days=365),
            today + dt.timedelta(days=30),
        ),
    )


def test_the_page_shows_what_the_park_knows(world, key):
    disp = world.users["dispatcher"]
    profile.record_figures(
        disp,
        key,
        profile.FigureInput(
            2025,
            employees=320,
            employees_source="统计直报",
            annual_revenue_wan="2100",
            total_assets_wan="5000",
        ),
    )
    profile.add_certification(
        disp, key, profile.CertificationInput("little_giant", "2024-07-01", "2027-06-30")
    )
    r = login(disp).get(f"/profiles/{key.pk}/")
    body = r.content.decode()
    assert r.status_code == 200
    assert (
        key.name in body and "中型" in body and "从业人员 ≥ 300 人 且 营业收入 ≥ 2000 万元" in body
    )
    assert "专精特新“小巨人”企业" in body and "统计直报" in body
    assert "录入年度经营数据" in body  # the event timeline


@pytest.mark.parametrize("who", ["dispatcher", "admin", "leader", "liaison", "handler", "head"])
def test_staff_see_the_profile(world, key, who):
    assert login(world.users[who]).get(f"/profiles/{key.pk}/").status_code == 200


@pytest.mark.parametrize("who", ["enterprise", "resident", "expert"])
def test_requesters_and_experts_do_not(world, key, who):
    assert login(world.users[who]).get(f"/profiles/{key.pk}/").status_code == 403


def test_another_park_gets_404_and_no_edit(world, key):
    other = login(world.other_users["dispatcher"])
    assert other.get(f"/profiles/{key.pk}/").status_code in (403, 404)
    r = other.post(f"/profiles/{key.pk}/figures/", {"year": "2025", "employees": "9"})
    assert r.status_code in (403, 404)
    assert not YearlyFigure.objects.filter(entity=key).exists()


def test_a_refused_form_on_the_profile_says_why_and_writes_nothing(world, key):
    c = login(world.users["dispatcher"])
    r = c.post(f"/profiles/{key.pk}/figures/", {"year": "2025", "employees": "-9"}, follow=True)
    assert r.redirect_chain[-1][0] == f"/profiles/{key.pk}/#figures"
    assert "不能为负数" in r.content.decode()
    assert not YearlyFigure.objects.filter(entity=key).exists()
    r = c.post(f"/profiles/{key.pk}/figures/", {"year": "2025", "employees": "9"}, follow=True)
    assert "已保存年度经营数据" in r.content.decode()
    assert YearlyFigure.objects.get(entity=key).employees == 9


def test_the_import_page_shows_the_report_or_a_422(world, key):
    c = login(world.users["dispatcher"])
    r = c.post("/profiles/import/", {})
    assert r.status_code == 422 and "请选择要导入的 .xlsx 文件" in r.content.decode()
    sheet = _xlsx([["企业名称", "年度", "从业人员"], [key.name, 2025, -1]])
    r = c.post("/profiles/import/", {"file": SimpleUploadedFile("经营数据.xlsx", sheet)})
    body = r.content.decode()
    assert r.status_code == 200 and "未导入任何数据" in body and "从业人员（人）" in body
    assert not YearlyFigure.objects.exists()


def test_register_form_suggests_and_creates(world):
    c = login(world.users["dispatcher"])
    r = c.post(
        "/profiles/suggest/",
        {"name": "湘潭恒达电线电缆有限公司", "business_scope": "电线、电缆制造；电线电缆销售"},
    )
    assert r.status_code == 200 and "C38" in r.content.decode()
    r = c.post(
        "/profiles/new/",
        {
            "name": "湘潭恒达电线电缆有限公司",
            "kind": "shop",
            "credit_code": "",
            "business_scope": "电线、电缆制造；电线电缆销售",
            "employees": "-3",
        },
    )
    assert r.status_code == 422 and "不能为负数" in r.content.decode()
    assert not MarketEntity.objects.filter(name="湘潭恒达电线电缆有限公司").exists()


def test_registration_through_the_api_returns_suggestion_and_size(world):
    import random

    from qinshang.validators import make_credit_code

    api = world.client("dispatcher")
    r = api.post(
        "/enterprises",
        {
            "name": "湘潭顺丰冷链仓储有限公司",
            "kind": "below_scale",
            "credit_code": make_credit_code(random.Random(12)),
            "industry": "59",
            "industry_detail": "5920",
            "business_scope": "低温仓储；普通货物仓储服务；装卸搬运",
            "employees": 120,
            "annual_revenue_wan": "1500",
        },
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["size_class"] == "medium" and data["size_class_label"] == "中型"
    assert "仓储业" in data["size_rule"]
    assert data["industry_suggestion"]["division"] == "59"
    assert data["industry_suggestion"]["words"]
    ent = MarketEntity.objects.get(pk=data["id"])
    assert EntityEvent.objects.filter(entity=ent, action="created").exists()


def test_api_figures_certifications_size(world, key):
    api = world.client("dispatcher")
    r = api.post(f"/enterprises/{key.pk}/figures", {"year": 2025, "employees": -1})
    assert r.status_code == 422 and "不能为负数" in r.json()["detail"]
    r = api.post(
        f"/enterprises/{key.pk}/figures",
        {"year": 2025, "employees": 15, "annual_revenue_wan": "800"},
    )
    assert r.status_code == 201
    s = api.get(f"/enterprises/{key.pk}/size-class").json()
    assert s["size_class"] == "micro" and "从业人员 < 20 人" in s["rule"]
    r = api.post(
        f"/enterprises/{key.pk}/size-class/override",
        {"size_class": "small", "reason": "按集团口径"},
    )
    assert r.json()["size_class"] == "small" and r.json()["computed"] == "micro"
    r = api.post(
        f"/enterprises/{key.pk}/certifications",
        {"kind": "high_tech", "valid_from": "2025-01-01", "valid_until": "2027-12-31"},
    )
    assert r.status_code == 201 and r.json()["valid_today"] in (True, False)
    p = world.client("leader").get(f"/profiles/{key.pk}").json()
    assert p["size_class"] == "small" and p["certifications"][0]["kind"] == "high_tech"
    assert world.client("enterprise").get(f"/profiles/{key.pk}").status_code == 403


def test_a_plan_for_a_key_enterprise(world, key):
    liaison = world.users["liaison"]
    plan = _plan(world, key)
    with pytest.raises(InvalidInput, match="实施中"):
        _plan(world, key)
    profile.record_figures(
        liaison, key, profile.FigureInput(2025, employees=200, annual_revenue_wan="10000")
    )
    key.refresh_from_db()
    goal = services.add_goal(
        liaison, plan, "营业收入突破 1.5 亿元", "annual_revenue_wan", 2026, "15000"
    )
    assert goal.baseline == 10000
    services.add_measure(
        liaison,
        plan,
        "协调新增 2 万千伏安用电容量",
        "government",
        world.users["handler"].pk,
        timezone.localdate() + dt.timedelta(days=60),
    )
    with pytest.raises(InvalidInput, match="责任人"):
        services.add_measure(liaison, plan, "x", "park", world.users["enterprise"].pk, "2026-01-01")
    profile.record_figures(
        liaison, key, profile.FigureInput(2026, employees=220, annual_revenue_wan="12500")
    )
    key.refresh_from_db()
    review = services.review_plan(
        liaison,
        plan,
        "用电容量已批复，收入增长符合预期",
        timezone.localdate() + dt.timedelta(days=90),
    )
    assert review.progress[0]["percent"] == 50 and review.progress[0]["actual"] == "12500.00"
    services.review_plan(liaison, plan, "年度目标完成，计划结束", close=True)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CLOSED
    with pytest.raises(InvalidInput, match="已结束"):
        services.add_goal(liaison, plan, "再加一个")
    acts = set(EntityEvent.objects.filter(entity=key).values_list("action", flat=True))
    assert {
        "plan_created",
        "plan_goal_added",
        "plan_measure_added",
        "plan_reviewed",
        "plan_closed",
    } <= acts


def test_only_key_enterprises_and_planners(world, key):
    with pytest.raises(Forbidden):
        services.create_plan(
            world.users["handler"],
            key,
            services.PlanInput("x", "2026-01-01", "2026-12-31", "2026-02-01"),
        )
    key.tier = 3
    key.save()
    with pytest.raises(InvalidInput, match="重点企业"):
        _plan(world, key)


def _xlsx(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_import_figures_reports_row_by_row_and_writes_nothing_when_wrong(world, key):
    disp = world.users["dispatcher"]
    data = _xlsx(
        [
            ["2025 年企业经营数据"],
            ["企业名称", "年度", "从业人员", "营业收入（万元）", "资产总额（万元）", "数据来源"],
            [key.name, 2025, 350, 2500, 9000, "统计联网直报"],
            ["不存在的公司", 2025, 10, 10, 10, ""],
            [key.name, 2024, -5, 100, 100, ""],
        ]
    )
    report = import_profile_sheet(disp, world.park, data)
    assert report.kind == "figures" and not report.committed
    assert [(e.row, e.column) for e in report.errors] == [(4, "企业名称"), (5, "从业人员（人）")]
    assert not YearlyFigure.objects.exists()
    report = import_profile_sheet(disp, world.park, data, valid_only=True)
    assert report.committed and report.created == 1
    key.refresh_from_db()
    assert key.size_class == "medium"


def test_a_wrong_certification_row_imports_nothing(world, key):
    data = _xlsx(
        [
            ["统一社会信用代码", "认定类别", "证书编号", "有效期起", "有效期至"],
            [key.credit_code, "高新技术企业", "GR202543000123", "2025-11-20", "2028-11-19"],
            [key.credit_code, "专精特新中小企业", "ZJTX-1", "2025-06-01", "2025-01-01"],
            ["91430000000000000X", "高新技术企业", "", "2025-01-01", ""],
        ]
    )
    report = import_profile_sheet(world.users["dispatcher"], world.park, data)
    assert report.kind == "certifications" and not report.committed and report.created == 0
    assert [e.row for e in report.errors] == [3, 4]
    assert report.errors[1].column == "统一社会信用代码"
    assert "未导入任何数据" in report.summary()
    assert not Certification.objects.filter(entity=key).exists()
    dry = import_profile_sheet(world.users["dispatcher"], world.park, data, dry_run=True)
    assert dry.valid == 1 and "试导入" in dry.summary() and not Certification.objects.exists()


def test_import_certifications(world, key):
    data = _xlsx(
        [
            ["统一社会信用代码", "认定类别", "证书编号", "有效期起", "有效期至"],
            [key.credit_code, "高新技术企业", "GR202543000123", "2025-11-20", "2028-11-19"],
            [key.credit_code, "金牌企业", "", "2025-01-01", ""],
        ]
    )
    report = import_profile_sheet(world.users["dispatcher"], world.park, data, valid_only=True)
    assert report.kind == "certifications" and report.created == 1
    assert report.errors[0].column == "认定类别"
    assert Certification.objects.get(entity=key).number == "GR202543000123"
    with pytest.raises(Forbidden):
        import_profile_sheet(world.users["liaison"], world.park, data)
