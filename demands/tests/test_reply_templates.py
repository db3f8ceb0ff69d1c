"""答复模板: which templates a writer is offered, filled for the demand; who keeps them; the
reply form and the API offer them; requesters never see them."""

from __future__ import annotations

import pytest
from django.test import Client

from demands import replies, schemas, services
from demands.models import Category, ReplyTemplate
from parkadmin import services as admin
from parkadmin.models import AdminChange, ChangeKind
from qinshang.errors import InvalidInput

pytestmark = pytest.mark.django_db


def _tpl(world, title, body="您好，{企业名称}：关于{诉求编号}，已按政策办理。", **kw):  # type: ignore[no-untyped-def]
    return ReplyTemplate.objects.create(park=world.park, title=title, body=body, **kw)


def _demand(world):  # type: ignore[no-untyped-def]
    return services.create_demand(
        world.users["dispatcher"],
        world.park,
        services.Intake(
            title="申请技改贴息",
            description="企业购置设备，希望了解贴息政策。",
            channel="hotline",
            enterprise_id=world.enterprise.pk,
            requester_name="王经理",
            category_id=world.cat_finance.pk,
        ),
    )


def test_own_category_first_then_parent_then_general_and_nothing_else(world):  # type: ignore[no-untyped-def]
    general = _tpl(world, "通用答复")
    parent = _tpl(world, "一级类别答复", category=world.cat_finance.parent)
    own = _tpl(world, "本类别答复", category=world.cat_finance)
    _tpl(world, "其他类别", category=world.cat_land)
    _tpl(world, "已停用", category=world.cat_finance, is_active=False)
    other_cat = Category.objects.create(park=world.other_park, code="x", name="外园区类别")
    ReplyTemplate.objects.create(
        park=world.other_park, title="外园区", body="外园区的答复内容内容", category=other_cat
    )
    d = _demand(world)
    got = replies.offered(world.users["handler"], world.park, world.cat_finance, d)
    assert [o.id for o in got] == [own.pk, parent.pk, general.pk]
    assert got[0].body == f"您好，{world.enterprise.name}：关于{d.number}，已按政策办理。"


def test_an_unclassified_form_may_use_any_active_template_with_placeholders_left(world):  # type: ignore[no-untyped-def]
    _tpl(world, "甲", category=world.cat_land)
    _tpl(world, "乙")
    got = replies.offered(world.users["liaison"], world.park, None)
    assert {o.title for o in got} == {"甲", "乙"}
    assert all("{企业名称}" in o.body for o in got)


def test_requesters_are_offered_nothing(world):  # type: ignore[no-untyped-def]
    _tpl(world, "通用答复")
    for who in ("enterprise", "resident"):
        assert replies.offered(world.users[who], world.park, world.cat_finance) == []


def _save(world, **data):  # type: ignore[no-untyped-def]
    form = {
        "title": "融资答复",
        "body": "您好，{企业名称}：贴息政策请见园区门户。",
        "is_active": "1",
    }
    form.update(data)
    return admin.save_reply_template(
        world.users["admin"], world.park, admin.TemplateInput.parse(form)
    )


def test_admin_saves_a_template_and_the_change_is_logged(world):  # type: ignore[no-untyped-def]
    t = _save(world, category_id=str(world.cat_finance.pk))
    change = AdminChange.objects.get(kind=ChangeKind.TEMPLATE)
    assert change.object_id == t.pk and change.after["适用类别"] == str(world.cat_finance)


@pytest.mark.parametrize(
    "data,message",
    [
        ({"body": "您好，{公司名}：请见门户内容。"}, "不是可用的占位符"),
        ({"body": "太短了"}, "至少写 10 个字"),
        ({"title": ""}, "模板名称不能为空"),
    ],
)
def test_bad_templates_are_refused_and_change_nothing(world, data, message):  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match=message):
        _save(world, **data)
    assert not ReplyTemplate.objects.exists() and not AdminChange.objects.exists()


def test_another_parks_category_and_a_duplicate_title_are_refused(world):  # type: ignore[no-untyped-def]
    other_cat = Category.objects.create(park=world.other_park, code="x", name="外园区类别")
    with pytest.raises(InvalidInput, match="不属于本园区"):
        _save(world, category_id=str(other_cat.pk))
    _save(world)
    with pytest.raises(InvalidInput, match="已有名为"):
        _save(world)
    assert ReplyTemplate.objects.count() == 1


def test_only_the_admin_keeps_templates(world):  # type: ignore[no-untyped-def]
    data = admin.TemplateInput.parse({"title": "甲", "body": "一段足够长的答复内容文字"})
    with pytest.raises(Exception, match="系统管理员"):
        admin.save_reply_template(world.users["dispatcher"], world.park, data)


def _dispatched(world):  # type: ignore[no-untyped-def]
    d = _demand(world)
    services.perform(
        world.users["dispatcher"], d, schemas.DispatchIn(lead_department_id=world.dept_a.pk)
    )
    d.refresh_from_db()
    services.perform(world.users["handler"], d, schemas.SignIn())
    return d


def test_the_reply_form_offers_the_filled_template(world):  # type: ignore[no-untyped-def]
    _tpl(world, "贴息指引", category=world.cat_finance)
    d = _dispatched(world)
    c = Client()
    c.force_login(world.users["handler"])
    html = c.get(f"/demands/{d.pk}/").content.decode()
    assert "data-fill-answer" in html and "贴息指引" in html
    assert f"关于{d.number}" in html
    c.force_login(world.users["enterprise"])
    assert "data-fill-answer" not in c.get(f"/demands/{d.pk}/").content.decode()


def test_the_api_lists_templates_for_a_demand(world):  # type: ignore[no-untyped-def]
    _tpl(world, "贴息指引", category=world.cat_finance)
    _tpl(world, "用地答复", category=world.cat_land)
    d = _demand(world)
    r = world.client("dispatcher").get(f"/reply-templates?demand_id={d.pk}")
    assert r.status_code == 200
    assert [t["title"] for t in r.json()] == ["贴息指引"]
    assert world.enterprise.name in r.json()[0]["body"]
    r = world.client("handler").get(f"/reply-templates?category_id={world.cat_land.pk}")
    assert [t["title"] for t in r.json()] == ["用地答复"]
    assert world.client("enterprise").get("/reply-templates").json() == []
    # A demand the caller may not see is refused like everywhere else.
    assert world.client("handler").get(f"/reply-templates?demand_id={d.pk}").status_code == 403


def test_resolve_on_spot_and_the_intakes_on_the_spot_answer_offer_templates(world):  # type: ignore[no-untyped-def]
    """当场解决 uses the same templates as 答复: on a received demand's page (filled with its
    number) and on the intake form, where placeholders stay for the writer to complete."""
    _tpl(world, "贴息指引", category=world.cat_finance)
    d = _demand(world)
    c = Client()
    c.force_login(world.users["dispatcher"])
    html = c.get(f"/demands/{d.pk}/").content.decode()
    spot = html.split('data-action="resolve_on_spot"')[1].split("</details>")[0]
    assert "data-fill-answer" in spot and "贴息指引" in spot and f"关于{d.number}" in spot
    form = c.get("/demands/new/").content.decode()
    assert "data-fill-answer" in form and "贴息指引" in form and "{诉求编号}" in form
    c.force_login(world.users["liaison"])
    assert "data-fill-answer" in c.get("/demands/new/").content.decode()
    c.force_login(world.users["enterprise"])
    assert "data-fill-answer" not in c.get("/demands/new/").content.decode()
