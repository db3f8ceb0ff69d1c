"""Input limits (qinshang/limits.py): control characters, 64-bit integers, wrong types and
oversized bodies give a Chinese 4xx and change nothing, on SQLite and PostgreSQL alike."""

import json

import pytest
from django.test import Client, override_settings

from demands.models import Demand, Event
from demands.tests.helpers import new_demand, unchanged
from qinshang import limits

pytestmark = pytest.mark.django_db
BIG = 2**64


def _body(world, **kw):
    body = {
        "title": "用电增容",
        "description": "新厂房需要增容 800 千伏安",
        "channel": "visit",
        "enterprise_id": world.enterprise.pk,
    }
    body.update(kw)
    return body


def _refused(r, status=422):
    assert r.status_code == status, r.content
    detail = r.json()["detail"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in detail), detail  # said in Chinese
    return detail


@pytest.mark.parametrize(
    "field,value",
    [
        ("title", "用电\x00增容"),
        ("description", "增容\x00"),
        ("requester_name", "王\x07经理"),
        ("title", "用电\n增容"),  # a title is one line
        ("description", "坏的代理对\ud800"),
        ("community", "\x1b[31m"),
    ],
)
def test_control_characters_in_api_text_are_refused(world, field, value):
    with unchanged():
        detail = _refused(
            world.client("dispatcher").post("/demands", _body(world, **{field: value}))
        )
    assert field in detail


def test_line_breaks_and_tabs_are_kept_in_multi_line_text(world):
    r = world.client("dispatcher").post(
        "/demands", _body(world, description="第一行\n\t第二行\r\n")
    )
    assert r.status_code == 201, r.content
    assert Demand.objects.get(pk=r.json()["id"]).description == "第一行\n\t第二行"


def test_control_characters_in_notes_and_queries(world):
    c = world.client("dispatcher")
    d = new_demand(c, world.enterprise.pk)
    with unchanged():
        assert "note" in _refused(c.act(d["id"], "comment", note="已电话\x00联系"))
        assert "q" in _refused(c.get("/demands", q="增容\x00"))
        _refused(c.get("/enterprises", q="\x00"))
        _refused(c.get("/demands", status="open\x00"))


def test_a_list_or_object_where_text_belongs(world):
    c = world.client("dispatcher")
    d = new_demand(c, world.enterprise.pk)
    with unchanged():
        assert "应为文本" in _refused(c.act(d["id"], "comment", note=["已联系", "待回复"]))
        assert "应为文本" in _refused(c.act(d["id"], "comment", note={"text": "x"}))
        _refused(c.act(d["id"], "resolve_on_spot", answer="好", outcome=["solved"]))
        assert "title" in _refused(c.post("/demands", _body(world, title=["用电", "增容"])))


def test_ids_and_pages_beyond_64_bits(world):
    c = world.client("dispatcher")
    d = new_demand(c, world.enterprise.pk)
    with unchanged():
        _refused(c.get(f"/demands/{BIG}"))
        _refused(c.get(f"/demands/{BIG}/similar"))
        _refused(c.get(f"/enterprises/{BIG}"))
        _refused(c.get("/demands", page=BIG))
        _refused(c.get("/demands", page=BIG // 400))  # in range for Python, not for OFFSET
        _refused(c.get("/demands", department=BIG))
        _refused(c.get("/enterprises", page=BIG))
        _refused(c.post("/demands", _body(world, enterprise_id=BIG)))
        _refused(c.post("/demands", _body(world, category=BIG)))
        _refused(c.act(d["id"], "sign", task_id=BIG))
        _refused(c.act(d["id"], "dispatch", lead_department_id=BIG))
        _refused(c.act(d["id"], "dispatch", lead_department_id=-BIG))
        _refused(c.act(d["id"], "merge", into_id=BIG))
        _refused(c.c.get("/api/v1/demands", HTTP_X_PARK=str(BIG), **c.h))
        _refused(c.c.get("/api/v1/demands", HTTP_X_PARK="第一", **c.h))
        _refused(c.c.get("/api/v1/demands", HTTP_X_PARK="9" * 5000, **c.h))


def test_every_action_survives_hostile_arguments(world):
    """No value of any field of any action's body gives a server error."""
    from demands.schemas import BODIES

    c = world.client("dispatcher")
    d = new_demand(c, world.enterprise.pk)
    hostile = [["a"], {"a": 1}, BIG // 2**2, -1, 1.5, True, None, "x", ""]
    before = Event.objects.count()
    for action, model in BODIES.items():
        fields = model.model_fields
        required = {n: "1" for n, f in fields.items() if f.is_required()}
        for name in fields:
            for value in hostile:
                body = {**required, name: value}
                r = c.act(d["id"], str(action.value), **body)
                assert r.status_code < 500, (action, name, value, r.content)
    assert Event.objects.count() >= before


def test_oversized_and_malformed_bodies(world):
    c = world.client("dispatcher")
    with unchanged():
        assert "过大" in _refused(
            c.post("/demands", _body(world, description="企" * 400_000)), status=413
        )
        r = c.c.post("/api/v1/demands", "{", content_type="application/json", **c.h)
        assert "JSON" in _refused(r)
        deep = "[" * 5000 + "]" * 5000
        _refused(c.c.post("/api/v1/demands", deep, content_type="application/json", **c.h))
        nan = json.dumps(_body(world)).replace('"visit"', "NaN")
        _refused(c.c.post("/api/v1/demands", nan, content_type="application/json", **c.h))


def test_a_body_is_checked_whatever_its_content_type(world):
    c = world.client("dispatcher")
    d = new_demand(c, world.enterprise.pk)
    plain = json.dumps({"note": "已电话\x00联系"})
    with unchanged():
        r = c.c.post(
            f"/api/v1/demands/{d['id']}/actions/comment", plain, content_type="text/plain", **c.h
        )
        assert "不可见的空字符" in _refused(r)


@override_settings(API_MAX_BODY_BYTES=64)
def test_the_body_limit_is_a_setting(world):
    with unchanged():
        _refused(world.client("dispatcher").post("/demands", _body(world)), status=413)


def test_validation_messages_are_chinese(world):
    r = world.client("dispatcher").get("/demands", page=0)
    assert "不能小于 1" in _refused(r)


# --------------------------------------------------------------------------- pages


def _page_client(world, who="dispatcher"):
    c = Client()
    c.force_login(world.users[who])
    return c


def test_pasted_control_characters_are_stripped_from_page_forms(world):
    c = _page_client(world)
    r = c.post(
        "/demands/new/",
        {
            "title": "用电\x00增容\x07",
            "description": "第一段\x0b第二段\x00",
            "channel": "visit",
            "requester_kind": "enterprise",
            "enterprise_id": str(world.enterprise.pk),
        },
    )
    assert r.status_code == 302, r.content.decode()[:500]
    d = Demand.objects.latest("id")
    assert d.title == "用电增容"
    assert d.description == "第一段\n第二段"


def test_page_searches_with_control_characters(world):
    new_demand(world.client("dispatcher"), world.enterprise.pk, title="申请用电增容")
    c = _page_client(world)
    r = c.get("/demands/", {"q": "用电\x00增容"})
    assert r.status_code == 200
    assert "申请用电增容" in r.content.decode()
    assert c.get("/demands/new/", {"enterprise": "\x00"}).status_code == 200


def test_page_ids_and_numbers_beyond_64_bits(world):
    d = new_demand(world.client("dispatcher"), world.enterprise.pk)
    c = _page_client(world)
    assert c.get(f"/demands/{BIG}/").status_code == 404
    assert c.get(f"/demands/files/{BIG}/").status_code == 404
    assert c.post(f"/demands/{BIG}/act/comment/", {"note": "x"}).status_code == 404
    for params in ({"page": str(BIG)}, {"category": str(BIG)}, {"department": str(BIG)}):
        assert c.get("/demands/", params).status_code in (200, 422), params
    with unchanged():
        r = c.post("/demands/bulk/", {"op": "urge", "ids": [str(BIG)]})
        assert r.status_code in (302, 422)
        r = c.post(f"/demands/{d['id']}/act/sign/", {"task_id": str(BIG)})
        assert r.status_code < 500


def test_clean_pasted():
    assert limits.clean_pasted("a\x00b\tc\r\nd\x0be\x9f") == "ab\tc\r\nd\ne"
    assert limits.control_char("a\nb") is None
    assert limits.control_char("a\nb", multiline=False) == "换行"


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_an_oversized_page_form_gets_a_chinese_page(world):
    c = _page_client(world)
    with unchanged():
        r = c.post("/demands/new/", {"title": "用电增容", "description": "企" * 2000})
    assert r.status_code == 413
    assert "提交的内容过大" in r.content.decode()
