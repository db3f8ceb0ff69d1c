"""Pages and API: scoping (an enterprise sees its own registrations and orders, another park gets
404), the demand page's panel, the brochure and the product import's row-by-row report."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse

from demands.models import Category
from demands.services import Intake, create_demand
from matchmaking import services
from matchmaking.tests.helpers import entity, event, product, unchanged
from qinshang import documents, sheets

pytestmark = pytest.mark.django_db


def _login(user) -> Client:  # type: ignore[no-untyped-def]
    c = Client()
    c.force_login(user)
    return c


def _two_registrations_and_orders(world):  # type: ignore[no-untyped-def]
    ev = event(world)
    for ent in (world.enterprise, world.enterprise2):
        services.register(
            world.users["dispatcher"], ev, services.RegistrationInput(ent.pk, "buyer")
        )
        services.record_order(
            world.users["dispatcher"],
            ev,
            services.OrderInput(
                enterprise_id=ent.pk,
                side="buyer",
                subject=f"{ent.name}的订单",
                amount_wan="100",
                counterparty_name="外地客商",
                signed_on=ev.date,
            ),
        )
    return ev


def test_an_enterprise_sees_only_its_own_registrations_and_orders(world):
    ev = _two_registrations_and_orders(world)
    page = _login(world.users["enterprise"]).get(reverse("matchmaking:event", args=[ev.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert f"{world.enterprise.name}的订单" in body and world.enterprise2.name not in body
    api = world.client("enterprise")
    regs = api.get(f"/matchmaking/events/{ev.pk}/registrations").json()
    assert [r["enterprise"]["id"] for r in regs] == [world.enterprise.pk]
    orders = api.get("/matchmaking/orders").json()
    assert orders["count"] == 1
    other_order = services.access.visible_orders(world.users["dispatcher"], world.park).get(
        enterprise=world.enterprise2
    )
    assert api.get(f"/matchmaking/orders/{other_order.pk}").status_code == 403
    staff = _login(world.users["dispatcher"]).get(reverse("matchmaking:event", args=[ev.pk]))
    assert world.enterprise2.name in staff.content.decode()


def test_another_park_gets_404_for_everything(world):
    ev = _two_registrations_and_orders(world)
    p = product(world, "精密轴承")
    other = world.client("dispatcher", other=True)
    assert other.get(f"/matchmaking/events/{ev.pk}").status_code == 404
    assert other.get(f"/matchmaking/products/{p.pk}").status_code == 404
    assert other.get("/matchmaking/products").json()["count"] == 0
    c = _login(world.other_users["dispatcher"])
    assert c.get(reverse("matchmaking:event", args=[ev.pk])).status_code == 404
    assert c.get(reverse("matchmaking:product", args=[p.pk])).status_code == 404


def test_a_market_demand_opens_matching_from_the_ledger(world):
    parent = Category.objects.create(park=world.park, code="market", name="市场拓展")
    cat = Category.objects.create(
        park=world.park,
        parent=parent,
        code="market-local",
        name="本地供需对接",
        default_department=world.dept_a,
    )
    d = create_demand(
        world.users["dispatcher"],
        world.park,
        Intake(
            title="希望对接本地铸件供应商",
            description="每月需要铸铁件 30 吨",
            channel="visit",
            enterprise_id=world.enterprise.pk,
            category_id=cat.pk,
        ),
    )
    page = _login(world.users["dispatcher"]).get(reverse("demands:detail", args=[d.pk]))
    assert "发起供需匹配" in page.content.decode()
    form = _login(world.users["dispatcher"]).get(
        reverse("matchmaking:need_new") + f"?demand={d.pk}"
    )
    assert "希望对接本地铸件供应商" in form.content.decode()
    other = create_demand(
        world.users["dispatcher"],
        world.park,
        Intake(
            title="贷款",
            description="贷款",
            channel="visit",
            enterprise_id=world.enterprise.pk,
            category_id=world.cat_finance.pk,
        ),
    )
    page = _login(world.users["dispatcher"]).get(reverse("demands:detail", args=[other.pk]))
    assert "发起供需匹配" not in page.content.decode()
    mine = _login(world.users["enterprise"]).get(reverse("demands:detail", args=[d.pk]))
    assert "发起供需匹配" not in mine.content.decode()  # matching is brokered by staff


def test_the_need_page_lists_matches_for_staff_only(world):
    supplier = entity(world.park, "湘潭铸造有限公司", "33")
    product(world, "灰铸铁件", "33", entity=supplier, description="HT250 铸铁件")
    need = services.create_need(
        world.users["enterprise"],
        world.park,
        services.NeedInput(
            enterprise_id=world.enterprise.pk,
            title="铸铁件",
            volume="每月 30 吨",
            description="HT250",
        ),
    )
    staff = _login(world.users["liaison"]).get(reverse("matchmaking:need", args=[need.pk]))
    assert "湘潭铸造有限公司" in staff.content.decode() and "共同关键词" in staff.content.decode()
    own = _login(world.users["enterprise"]).get(reverse("matchmaking:need", args=[need.pk]))
    assert own.status_code == 200 and "湘潭铸造有限公司" not in own.content.decode()
    r = world.client("dispatcher").get(f"/matchmaking/needs/{need.pk}/matches")
    assert r.status_code == 200 and r.json()[0]["reasons"]
    assert (
        world.client("enterprise").get(f"/matchmaking/needs/{need.pk}/matches").status_code == 403
    )


def test_a_slot_booked_twice_through_the_api_is_a_409_in_chinese(world):
    ev = event(world)
    services.register(
        world.users["dispatcher"], ev, services.RegistrationInput(world.enterprise.pk, "buyer")
    )
    body = {
        "starts_at": f"{ev.date}T09:20:00+08:00",
        "table": "A1",
        "enterprise_ids": [world.enterprise.pk],
        "counterparty_name": "湘潭大学",
    }
    api = world.client("dispatcher")
    assert api.post(f"/matchmaking/events/{ev.pk}/slots", body).status_code == 201
    body["table"] = "A2"
    with unchanged():
        r = api.post(f"/matchmaking/events/{ev.pk}/slots", body)
    assert r.status_code == 409 and "不能重复预约" in r.json()["detail"]


def test_negative_amounts_and_early_orders_are_422_and_change_nothing(world):
    ev = event(world, days_ago=2)
    api = world.client("dispatcher")
    base = {
        "enterprise_id": world.enterprise.pk,
        "side": "buyer",
        "subject": "钢材",
        "counterparty_name": "外地客商",
        "amount_wan": "-1",
        "signed_on": str(ev.date),
    }
    with unchanged():
        r = api.post(f"/matchmaking/events/{ev.pk}/orders", base)
        assert r.status_code == 422 and "amount_wan" in r.json()["detail"]
        r = api.post(
            f"/matchmaking/events/{ev.pk}/orders",
            {**base, "amount_wan": "10", "signed_on": str(ev.date - dt.timedelta(days=1))},
        )
        assert r.status_code == 422 and "签约日期不能早于活动日期" in r.json()["detail"]
    c = _login(world.users["dispatcher"])
    with unchanged():
        page = c.post(
            reverse("matchmaking:event_act", args=[ev.pk, "order"]), {**base, "status": "signed"}
        )
    assert page.status_code == 422 and "金额不能为负数" in page.content.decode()


def test_the_brochure_lists_products_by_industry_with_contacts(world):
    product(world, "数控车床主轴", "34", spec="CK6150", capacity="年产 2000 套")
    product(world, "医用输液器", "35", entity=world.enterprise2)
    r = _login(world.users["dispatcher"]).get(reverse("matchmaking:brochure", args=["docx"]))
    assert r.status_code == 200
    text = documents.docx_text(r.content)
    assert "企业产品宣传手册" in text and "C34" in text and "C35" in text
    assert "数控车床主轴" in text and "王经理" in text and "13907321234" in text
    assert (
        _login(world.users["enterprise"])
        .get(reverse("matchmaking:brochure", args=["docx"]))
        .status_code
        == 403
    )


def test_the_brochure_is_a4_with_page_numbers_in_the_simplified_chinese_faces(world):
    from qinshang.tests.doccheck import assert_a4_page_numbers_and_sc_faces

    product(world, "数控车床主轴", "34", spec="CK6150", capacity="年产 2000 套")
    r = _login(world.users["dispatcher"]).get(reverse("matchmaking:brochure", args=["docx"]))
    assert_a4_page_numbers_and_sc_faces(r.content)


@pytest.mark.skipif(documents.soffice() is None, reason="LibreOffice is not installed")
def test_the_brochure_is_also_a_pdf(world):
    product(world, "数控车床主轴", "34")
    r = _login(world.users["dispatcher"]).get(reverse("matchmaking:brochure", args=["pdf"]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def _sheet(rows):  # type: ignore[no-untyped-def]
    wb, ws = sheets.new_workbook("产品名录")
    sheets.write_table(
        ws,
        [("企业名称", 20), ("产品名称", 20), ("类型", 8), ("所属行业", 8), ("产业链环节", 20)],
        rows,
    )
    return sheets.to_bytes(wb)


def test_product_import_reports_row_by_row_and_writes_nothing_while_wrong(world):
    data = _sheet(
        [
            [world.enterprise.name, "精密轴承", "产品", "34", ""],
            ["不存在的公司", "齿轮", "产品", "34", ""],
            [world.enterprise.name, "铸件加工", "配套能力", "99", "汽车零部件"],
        ]
    )
    c = _login(world.users["dispatcher"])
    with unchanged():
        r = c.post(reverse("matchmaking:product_import"), {"file": io.BytesIO(data)})
    body = r.content.decode()
    assert r.status_code == 422
    assert "第 3 行【企业名称】“不存在的公司”不是本园区登记的企业" in body
    assert "第 4 行【所属行业】" in body and "未导入任何数据" in body
    f = io.BytesIO(data)
    f.name = "产品.xlsx"
    r = c.post(reverse("matchmaking:product_import"), {"file": f, "valid_only": "1"})
    assert "已导入产品：新增 1" in r.content.decode()
    assert services.Product.objects.filter(name="精密轴承").count() == 1


def test_the_dashboard_shows_the_years_matchmaking_figures(world):
    ev = event(world, kind="bank", theme="党建银企对接会", chain="")
    services.record_order(
        world.users["dispatcher"],
        ev,
        services.OrderInput(
            enterprise_id=world.enterprise.pk,
            side="borrower",
            subject="授信",
            amount_wan="13167",
            counterparty_name="建设银行湘潭分行",
            signed_on=ev.date,
        ),
    )
    r = _login(world.users["leader"]).get(reverse("reports:dashboard"))
    assert r.status_code == 200
    assert "1 场，1 家签约 1.32 亿元" in r.content.decode()


def test_product_import_runs_on_the_one_import_loop_and_a_wrong_row_changes_nothing(world):
    from matchmaking import sheets as product_sheets
    from matchmaking.models import Activity, Product

    good = [world.enterprise.name, "精密轴承", "产品", "34", ""]
    good2 = [world.enterprise2.name, "医用导管", "产品", "35", ""]
    wrong = [world.enterprise.name, "", "产品", "34", ""]  # no product name
    disp = world.users["dispatcher"]
    with unchanged():
        r = product_sheets.import_products(disp, world.park, _sheet([good, wrong, good2]))
    assert not r.committed and r.created == 0 and r.total == 3
    assert [str(e) for e in r.errors] == ["第 3 行【产品名称】不能为空"]
    with unchanged():
        r = product_sheets.import_products(disp, world.park, _sheet([good, good2]), dry_run=True)
    assert r.ok and r.valid == 2 and not r.committed and "试导入" in r.summary()
    r = product_sheets.import_products(
        disp, world.park, _sheet([good, wrong, good2]), valid_only=True
    )
    assert r.committed and r.created == 2 and r.bad_rows == [3]
    made = Product.objects.filter(park=world.park)
    assert sorted(made.values_list("name", flat=True)) == ["医用导管", "精密轴承"]
    assert Activity.objects.filter(action="publish", target="product").count() == 2
    # the same sheet again: every row is a duplicate, and nothing more is written
    with unchanged():
        r = product_sheets.import_products(disp, world.park, _sheet([good]))
    assert "已发布，不能重复导入" in r.errors[0].message
