"""答复模板 in Chromium: the administrator writes a template, a handler picks it in the reply form,
the answer box fills with the demand's own company and number, the handler edits and sends."""

from __future__ import annotations

import pytest

from conftest import build_world
from demands import schemas, services
from demands.models import Demand, Status
from qinshang.browsertests import PHONE, Person, require_chromium

sync_api = require_chromium()
expect = sync_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("browser"),
]


def test_admin_writes_a_template_and_a_handler_answers_with_it(browser, live_server):  # type: ignore[no-untyped-def]
    world = build_world()
    admin = Person(browser, live_server.url, "admin")
    admin.go("/manage/templates/new/")
    admin.page.fill("#t-title", "贴息政策指引")
    admin.page.select_option("#t-cat", str(world.cat_finance.pk))
    admin.page.fill(
        "#t-body", "您好，{企业名称}：关于诉求{诉求编号}，园区技改贴息按年度申报，请登录门户填报。"
    )
    admin.page.click("form.card button.primary")
    expect(admin.page.locator(".alert.success")).to_contain_text("贴息政策指引", timeout=30_000)
    admin.shot("reply-templates-admin")
    admin.close()

    d = services.create_demand(
        world.users["dispatcher"],
        world.park,
        services.Intake(
            title="申请技改贴息",
            description="企业购置设备，希望了解贴息政策。",
            channel="hotline",
            enterprise_id=world.enterprise.pk,
            category_id=world.cat_finance.pk,
        ),
    )
    services.perform(
        world.users["dispatcher"], d, schemas.DispatchIn(lead_department_id=world.dept_a.pk)
    )
    services.perform(world.users["handler"], Demand.objects.get(pk=d.pk), schemas.SignIn())

    handler = Person(browser, live_server.url, "hand_a", viewport=PHONE)
    handler.go(f"/demands/{d.pk}/")
    reply = handler.page.locator("details.act[data-action=reply]")
    reply.locator("summary").click()
    reply.locator("select[data-fill-answer]").select_option(index=1)
    answer = reply.locator("textarea[name=answer]")
    expect(answer).to_have_value(
        f"您好，{world.enterprise.name}：关于诉求{d.number}，园区技改贴息按年度申报，请登录门户填报。"
    )
    answer.fill(answer.input_value() + "联系人：经发局李科长。")
    reply.locator("select[name=outcome]").select_option("solved")
    handler.shot("reply-templates-handler")
    reply.locator("button[type=submit]").click()
    expect(handler.page.locator("#demand-answer")).to_contain_text("经发局李科长")
    d.refresh_from_db()
    assert d.status == Status.ANSWERED and world.enterprise.name in d.answer
    handler.close()
