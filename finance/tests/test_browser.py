"""银企对接 in a real Chromium: an enterprise on a phone files a financing need, consents to share
its name, industry and the need with 农商银行 and shows the need to it; the bank's user finds it
on its workbench (only the consented fields), is refused a rate over 100 %, and approves the loan
with rate and 贴息; the enterprise reads the answer.

Screenshots at 1366 px and 375 px go to build/screenshots/; at 375 px no page may scroll sideways.
"""

from __future__ import annotations

import pytest

from conftest import World, build_world
from finance import services
from finance.models import FinancingNeed, Referral, ReferralStatus
from qinshang.browsertests import PHONE, Person, click_and_wait_success, require_chromium

sync_api = require_chromium()
expect = sync_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def test_a_financing_need_from_the_enterprise_to_the_banks_answer(browser, live_server):
    w: World = build_world()
    disp = w.users["dispatcher"]
    bank = services.create_institution(
        disp, w.park, services.NewInstitution("湘潭农村商业银行", "bank", "周敏", "0731-58201234")
    )
    services.add_product(
        disp, bank, services.NewProduct("园区科创贷", "credit", "50", "2000", "3.3", "4.8", 6, 36)
    )
    services.link_user(disp, w.users["bank"], bank)
    base = live_server.url

    ent = Person(browser, base, "ent", viewport=PHONE, accept_dialogs=False, timeout_ms=90_000)
    ent.go("/finance/needs/new/")
    ent.page.fill("#n-amount", "1000")
    ent.page.fill("#n-purpose", "购置数控加工中心，扩大精密零部件产能")
    ent.page.fill("#n-collateral", "自有厂房抵押")
    ent.page.fill("#n-term", "36")
    ent.page.select_option("#n-urgency", "soon")
    ent.shot("finance-need-new")
    click_and_wait_success(ent.page, "#need-form button.primary")
    need = FinancingNeed.objects.get()
    ent.go("/finance/consents/")
    form = ent.page.locator(f"form.consent[data-institution='{bank.pk}']")
    for field in ("name", "industry", "needs"):
        form.locator(f"input[value='{field}']").check()
    ent.shot("finance-consents")
    with ent.page.expect_navigation():
        form.locator("button.primary").click()
    expect(ent.page.locator(".alert.success")).to_contain_text("授权已保存")
    ent.go(f"/finance/needs/{need.pk}/")
    ent.page.select_option("#r-inst", str(bank.pk))
    click_and_wait_success(ent.page, "#refer-form button.primary")
    expect(ent.page.locator("#referrals")).to_contain_text("湘潭农村商业银行")
    ent.shot("finance-need-shown")

    b = Person(browser, base, "bank", accept_dialogs=False, timeout_ms=90_000)
    assert b.page.url.endswith("/finance/bank/")
    expect(b.page.locator("#referrals")).to_contain_text(need.number)
    expect(b.page.locator("#referrals")).to_contain_text(w.enterprise.name)
    b.shot("finance-bank-home")
    b.page.click(f"#referrals a[href='/finance/referrals/{Referral.objects.get().pk}/']")
    expect(b.page.locator("#shared-profile")).to_contain_text(w.enterprise.name)
    assert w.enterprise.credit_code not in b.text()  # not consented
    assert "13907321234" not in b.text()
    b.page.fill("#a-amount", "1000")
    b.page.fill("#a-rate", "120")
    b.page.fill("#a-term", "36")
    with b.page.expect_navigation():
        b.page.click("#answer-form button.primary")
    expect(b.page.locator("#answer-form .alert.error")).to_contain_text("不能超过 100%")
    assert Referral.objects.get().status == ReferralStatus.PENDING
    b.page.fill("#a-rate", "3.65")
    b.page.fill("#a-subsidy", "1")
    b.page.fill("#a-note", "已完成现场尽调，合同签订后 5 个工作日内放款")
    b.shot("finance-bank-answer")
    click_and_wait_success(b.page, "#answer-form button.primary")
    expect(b.page.locator("#answer")).to_contain_text("已批准 1000.00 万元")
    # the rest of the product stays closed to the bank
    b.go("/demands/")
    expect(b.page.locator("main")).to_contain_text("不对金融机构开放")

    ent.go(f"/finance/needs/{need.pk}/")
    expect(ent.page.locator("#referrals")).to_contain_text("批准 1000.00 万元，年利率 3.65%")
    ent.shot("finance-need-answered")
    ref = Referral.objects.get()
    assert ref.status == ReferralStatus.APPROVED and ref.subsidy_pct == 1
    ent.close()
    b.close()
