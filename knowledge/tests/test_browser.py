"""On a phone (375 px): a liaison at an enterprise searches the knowledge base, picks an entry on
the demand page and closes it on the spot; an enterprise on the portal sees a matching answer
before submitting and stops there (counted)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import build_world
from demands.models import Status
from knowledge.models import EntryLink, Kind, SelfServe
from knowledge.tests.helpers import demand, entry
from qinshang.browsertests import PHONE, Person, require_chromium

require_chromium()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def test_liaison_searches_picks_an_entry_and_closes_on_the_spot(browser, live_server):
    world = build_world()
    e = entry(world)
    d = demand(world)
    p = Person(browser, live_server.url, "liaison", viewport=PHONE, timeout_ms=60_000)
    p.go("/knowledge/?q=技改贴息怎么申请")
    expect(p.page.locator("#kb-results")).to_contain_text(e.title)
    expect(p.page.locator("#kb-results mark").first).to_be_visible()
    p.shot("knowledge-search-phone")
    p.go(f"/demands/{d.pk}/")
    hit = p.page.locator("#kb-hits .kb-hit").first
    expect(hit).to_contain_text(e.title)
    expect(hit.locator(".kb-why")).to_contain_text("技改")
    p.shot("knowledge-demand-suggestions-phone")
    hit.get_by_role("button", name="采用此答复").click()
    answer = p.page.locator("details[data-action=resolve_on_spot] textarea[name=answer]")
    expect(answer).to_have_value(e.body)
    answer.fill(e.body + " 已当面向企业说明申请材料。")
    p.shot("knowledge-answer-filled-phone")
    with p.page.expect_navigation():
        p.page.locator("details[data-action=resolve_on_spot] button[type=submit]").click()
    expect(p.page.locator("#demand-answer")).to_contain_text("已当面向企业说明")
    p.shot("knowledge-resolved-phone")
    d.refresh_from_db()
    assert d.status == Status.ANSWERED and EntryLink.objects.get(demand=d).entry == e
    p.close()


def test_enterprise_sees_a_matching_answer_before_submitting(browser, live_server):
    world = build_world()
    faq = entry(world, kind=Kind.FAQ, title="技改贷款可以申请贴息吗？")
    entry(world, title="技改贴息内部口径", is_public=False)
    p = Person(browser, live_server.url, "ent", viewport=PHONE, timeout_ms=60_000)
    p.go("/demands/new/")
    p.page.fill("#n-title", "技改贷款贴息")
    p.page.fill("#n-desc", "我们买了设备贷了款，想问能不能申请贴息")
    panel = p.page.locator("#kb-portal")
    expect(panel).to_contain_text("这些可能已解答您的问题")
    expect(panel).to_contain_text(faq.title)
    expect(panel).not_to_contain_text("内部口径")
    p.shot("knowledge-portal-before-submit-phone")
    with p.page.expect_navigation():
        panel.get_by_role("button", name="已解决，不再提交").first.click()
    assert SelfServe.objects.filter(entry=faq).count() == 1
    p.shot("knowledge-portal-self-served-phone")
    p.close()
