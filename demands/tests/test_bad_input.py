"""Bad input gets a clear message in Chinese and changes nothing."""

import pytest

from demands.tests.helpers import new_demand, unchanged

pytestmark = pytest.mark.django_db


def _post(world, **kw):
    body = {
        "title": "用电增容",
        "description": "新厂房需要增容 800 千伏安",
        "channel": "visit",
        "enterprise_id": world.enterprise.pk,
    }
    body.update(kw)
    with unchanged():
        r = world.client("dispatcher").post("/demands", body)
    assert r.status_code == 422, r.content
    return r.json()["detail"]


def test_empty_texts(world):
    assert "标题不能为空" in _post(world, title="   ")
    assert "诉求内容不能为空" in _post(world, description="")


def test_a_50000_character_text(world):
    assert "不能超过" in _post(world, description="企" * 50_000)


def test_unknown_category_and_enterprise_and_channel(world):
    assert "未知的诉求类别" in _post(world, category="no-such")
    assert "不存在" in _post(world, enterprise_id=987654)
    # The enum's values are the schema's: the answer names the field and lists them.
    refused = _post(world, channel="pigeon")
    assert "channel" in refused and "'hotline'" in refused


def test_another_parks_enterprise_is_unknown(world):
    from entities.models import MarketEntity

    other = MarketEntity.objects.filter(park=world.other_park).first()
    assert "不属于本园区" in _post(world, enterprise_id=other.pk)


@pytest.mark.parametrize("phone", ["123", "1390732123", "2390732123x", "电话号码", "0731-12"])
def test_malformed_resident_phone(world, phone):
    detail = _post(world, enterprise_id=None, requester_name="李女士", requester_phone=phone)
    assert detail


def test_resident_without_contact(world):
    assert "联系" in _post(world, enterprise_id=None)


def test_missing_fields_are_named(world):
    with unchanged():
        r = world.client("dispatcher").post("/demands", {"channel": "api"})
    assert r.status_code == 422
    assert "title" in r.json()["detail"] and "description" in r.json()["detail"]


def test_action_payloads(world):
    disp = world.client("dispatcher")
    d = new_demand(disp, world.enterprise.pk)
    cases = [
        ("dispatch", {}),
        ("dispatch", {"lead_department_id": 99999}),
        (
            "dispatch",
            {"lead_department_id": world.dept_a.pk, "co_department_ids": [world.dept_a.pk]},
        ),
        ("dispatch", {"lead_department_id": world.dept_a.pk, "time_limit_days": 0}),
        ("dispatch", {"lead_department_id": world.dept_a.pk, "time_limit_days": "五"}),
        ("dispatch", {"lead_department_id": world.dept_a.pk, "bogus": 1}),
        ("resolve_on_spot", {"answer": "", "outcome": "solved"}),
        ("resolve_on_spot", {"answer": "好", "outcome": "great"}),
    ]
    for action, body in cases:
        with unchanged():
            r = disp.act(d["id"], action, **body)
        assert r.status_code == 422, (action, body, r.content)
        assert r.json()["detail"]


def test_return_needs_a_known_reason(world):
    disp = world.client("dispatcher")
    d = new_demand(disp, world.enterprise.pk)
    disp.act(d["id"], "dispatch", lead_department_id=world.dept_a.pk)
    with unchanged():
        r = world.client("handler").act(d["id"], "return", reason="lazy")
    assert r.status_code == 422 and "reason" in r.json()["detail"]
    assert "not_our_duty" in r.json()["detail"]
    with unchanged():
        r = world.client("handler").act(d["id"], "return", reason="other", note="")
    assert r.status_code == 422


class TestEnterprises:
    def _create(self, world, who="dispatcher", **kw):
        import random

        from qinshang.validators import make_credit_code

        body = {
            "name": "湘潭新材科技有限公司",
            "kind": "below_scale",
            "credit_code": make_credit_code(random.Random(7)),
            "industry": "30",
            "contacts": [{"name": "周经理", "phone": "13787654321"}],
        }
        body.update(kw)
        return world.client(who).post("/enterprises", body)

    def test_a_valid_enterprise_is_created(self, world):
        r = self._create(world)
        assert r.status_code == 201, r.content
        assert r.json()["contacts"][0]["phone"] == "13787654321"

    @pytest.mark.parametrize(
        "code",
        [
            "91430300MA4L1234",
            "91430300MA4L12345X9",
            "91430300MA4L1234IO",
            "914303OOMA4L12345Z",
            "!!!",
        ],
    )
    def test_malformed_credit_codes_give_422(self, world, code):
        with unchanged():
            r = self._create(world, credit_code=code)
        assert r.status_code == 422, r.content
        assert "统一社会信用代码" in r.json()["detail"]

    def test_a_wrong_check_character_gives_422(self, world):
        from qinshang.validators import compute_check_char

        good = "91430300MA4L1AB2C"
        wrong = next(c for c in "0123456789" if c != compute_check_char(good))
        with unchanged():
            r = self._create(world, credit_code=good + wrong)
        assert r.status_code == 422
        assert "校验" in r.json()["detail"]

    def test_an_administrator_may_vouch_for_a_pilot_code(self, world):
        from qinshang.validators import compute_check_char

        good = "91430300MA4L1AB2C"
        wrong = next(c for c in "0123456789" if c != compute_check_char(good))
        with unchanged():
            r = self._create(
                world,
                credit_code=good + wrong,
                credit_code_confirm_reason="早期试点赋码，已核对营业执照原件",
            )
        assert r.status_code == 403  # a dispatcher may not vouch
        r = self._create(
            world,
            who="admin",
            credit_code=good + wrong,
            credit_code_confirm_reason="早期试点赋码，已核对营业执照原件",
        )
        assert r.status_code == 201, r.content
        assert r.json()["credit_code_confirmed"] is True

    def test_shops_and_projects_may_have_no_code(self, world):
        assert self._create(world, kind="shop", credit_code="").status_code == 201
        with unchanged():
            assert self._create(world, kind="above_scale", credit_code="").status_code == 422

    @pytest.mark.parametrize("phone", ["12345678901", "1380000", "abc", "0731"])
    def test_malformed_contact_phones(self, world, phone):
        with unchanged():
            r = self._create(world, contacts=[{"name": "周经理", "phone": phone}])
        assert r.status_code == 422, r.content

    def test_unknown_industry_and_duplicates(self, world):
        with unchanged():
            assert self._create(world, industry="99").status_code == 422
        assert self._create(world).status_code == 201
        with unchanged():
            r = self._create(world)
        assert r.status_code == 422 and "已登记" in r.json()["detail"]

    def test_handlers_may_not_create(self, world):
        with unchanged():
            assert self._create(world, who="handler").status_code == 403


# ------------------------------------------------------------------ intake: phone and description


def test_intake_refuses_a_hotline_number_and_a_one_character_description(world):  # type: ignore[no-untyped-def]
    from django.test import Client

    from demands.models import Demand

    body = {
        "title": "路灯不亮",
        "description": "3 栋门口路灯连续一周不亮。",
        "channel": "hotline",
        "requester_kind": "resident",
        "requester_name": "王先生",
        "requester_phone": "12345",
    }
    disp = world.client("dispatcher")
    with unchanged():
        r = disp.post("/demands", body)
    assert r.status_code == 422 and "服务热线号码" in str(r.json())
    with unchanged():
        r = disp.post("/demands", {**body, "requester_phone": "13812345678", "description": "x"})
    assert r.status_code == 422 and "诉求内容太短" in str(r.json())
    # the staff intake page and the portal say the same, in Chinese, and keep nothing
    page = Client()
    page.force_login(world.users["dispatcher"])
    form = {k: v for k, v in body.items() if k != "requester_kind"}
    with unchanged():
        r = page.post("/demands/new/", {**form, "requester_kind": "resident"})
    assert r.status_code == 422 and "服务热线号码" in r.content.decode()
    portal = Client()
    portal.force_login(world.users["enterprise"])
    with unchanged():
        r = portal.post(
            "/demands/new/",
            {"title": "贷款", "description": "急", "requester_phone": "13812345678"},
        )
    assert r.status_code == 422 and "诉求内容太短（1 个字）" in r.content.decode()
    r = disp.post("/demands", {**body, "requester_phone": "0731-55512300"})
    assert r.status_code == 201 and Demand.objects.count() == 1
