"""从文本提取 on the intake form, the hotline's enterprise lookup, and their API; scoped."""

import datetime as dt

import pytest
from django.test import Client

from entities.models import Contact, EntityKind, MarketEntity
from routing import intake

pytestmark = pytest.mark.django_db

NOTE = (
    "恒远精密机械来电，联系人张伟，手机13973201234，反映厂区北侧道路积水严重，"
    "影响货车进出，希望下周一前处理。"
)


def _client(world, who, other=False):
    c = Client()
    c.force_login((world.other_users if other else world.users)[who])
    return c


def test_extract_prefills_empty_fields_and_marks_them(world):
    c = _client(world, "dispatcher")
    r = c.post(
        "/routing/intake/extract/",
        {"title": "", "description": NOTE, "requester_kind": "enterprise", "enterprise": ""},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    html = r.content.decode()
    assert html.lstrip().startswith("<form")
    assert 'value="湘潭恒远精密机械有限公司"' in html
    assert 'value="张伟"' in html and 'value="13973201234"' in html
    assert html.count("从文本提取</span>") >= 3  # enterprise, contact, phone (and title)
    assert "下周一前" in html  # the deadline in the summary
    assert "<script" not in html and " onclick=" not in html


def test_extract_keeps_what_the_user_typed(world):
    c = _client(world, "dispatcher")
    r = c.post(
        "/routing/intake/extract/",
        {"title": "道路积水", "description": NOTE, "requester_name": "李四"},
    )
    html = r.content.decode()
    assert 'value="李四"' in html and 'value="张伟"' not in html
    assert 'value="道路积水"' in html


def test_extract_with_nothing_to_find_says_so(world):
    c = _client(world, "dispatcher")
    r = c.post("/routing/intake/extract/", {"title": "", "description": "你好，请回电。"})
    html = r.content.decode()
    assert r.status_code == 200
    assert "未从文本中识别出" in html
    assert "从文本提取</span>" in html  # only the title from the first sentence
    assert 'name="requester_name" value=""' in html


def test_extract_of_an_empty_form_is_a_clear_message(world):
    r = _client(world, "dispatcher").post("/routing/intake/extract/", {"description": ""})
    assert r.status_code == 200 and "请先在诉求内容中粘贴" in r.content.decode()


def test_liaison_gets_their_enterprise_selected_and_others_flagged(world):
    c = _client(world, "liaison")
    r = c.post("/routing/intake/extract/", {"description": NOTE})
    html = r.content.decode()
    assert f'<option value="{world.enterprise.pk}" selected>' in html
    r = c.post("/routing/intake/extract/", {"description": "瑞康医疗器械反映用工难"})
    assert "不在您联系的企业中" in r.content.decode()


def test_other_parks_enterprises_are_never_matched(world):
    r = _client(world, "dispatcher").post(
        "/routing/intake/extract/", {"description": "中韶电气反映停电，电话0731-58881234"}
    )
    html = r.content.decode()
    assert "韶山中韶电气" not in html and "0731-58881234" in html


@pytest.mark.parametrize("who", ["enterprise", "resident", "handler", "expert"])
def test_extract_and_lookup_refused_to_others(world, who):
    c = _client(world, who)
    assert c.post("/routing/intake/extract/", {"description": NOTE}).status_code == 403
    assert c.get("/routing/intake/entities/", {"q": "恒远"}).status_code == 403


def test_lookup_by_name_part_short_name_code_and_phone(world):
    u, p = world.users["dispatcher"], world.park
    ent = world.enterprise
    assert [c.id for c in intake.lookup(u, p, "恒远")] == [ent.pk]
    assert intake.lookup(u, p, "恒远精密公司")[0].matched_by == "简称"
    assert intake.lookup(u, p, ent.credit_code[4:12])[0].id == ent.pk
    hit = intake.lookup(u, p, "7321234")
    assert [(c.id, c.matched_by, c.contact) for c in hit] == [(ent.pk, "联系人电话", "王经理")]
    assert intake.lookup(u, p, "x") == []
    assert intake.lookup(u, p, "中韶") == []  # another park's


def test_lookup_by_a_contacts_name(world):
    u, p = world.users["dispatcher"], world.park
    hit = intake.lookup(u, p, "王经理")
    assert [(c.id, c.matched_by, c.contact) for c in hit] == [
        (world.enterprise.pk, "联系人", "王经理")
    ]
    Contact.objects.create(entity=world.enterprise2, name="王经理助理", phone="13800000000")
    assert {c.id for c in intake.lookup(u, p, "王经理")} == {
        world.enterprise.pk,
        world.enterprise2.pk,
    }
    assert intake.lookup(world.other_users["dispatcher"], world.other_park, "王经理") == []


def test_lookup_ranks_exact_then_prefix(world):
    MarketEntity.objects.create(
        park=world.park, name="恒远", kind=EntityKind.BELOW_SCALE, credit_code=""
    )
    names = [c.name for c in intake.lookup(world.users["dispatcher"], world.park, "恒远")]
    assert names[0] == "恒远"


def test_lookup_page_returns_options(world):
    r = _client(world, "dispatcher").get("/routing/intake/entities/", {"enterprise": "瑞康"})
    assert r.status_code == 200
    assert '<option value="湖南瑞康医疗器械有限公司">' in r.content.decode()


def test_intake_form_has_the_button_and_autocomplete(world):
    html = _client(world, "dispatcher").get("/demands/new/").content.decode()
    assert 'hx-post="/routing/intake/extract/"' in html
    assert 'hx-get="/routing/intake/entities/"' in html and 'list="n-ent-list"' in html
    html = _client(world, "enterprise").get("/demands/new/").content.decode()
    assert "从文本提取" not in html


def test_api_extract_and_lookup(world):
    api = world.client("dispatcher")
    r = api.post("/intake/extract", {"text": NOTE + "补助50万元", "today": "2026-03-04"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["enterprise"]["id"] == world.enterprise.pk
    assert body["contact_name"] == "张伟" and body["mobiles"] == ["13973201234"]
    assert body["deadline"] == "2026-03-09"
    assert body["amounts"] == [{"value": "50", "unit": "万元", "wan": "50", "text": "50万元"}]
    assert body["empty"] is False
    r = api.post("/intake/extract", {"text": "谢谢", "today": "2026-03-04"})
    assert r.json()["empty"] is True
    assert api.post("/intake/extract", {"text": ""}).status_code in (400, 422)
    r = api.get("/intake/entities", q="13907321234")
    assert [row["id"] for row in r.json()] == [world.enterprise.pk]
    assert world.client("enterprise").get("/intake/entities", q="恒远").status_code == 403
    other = world.client("dispatcher", other=True).get("/intake/entities", q="恒远")
    assert other.status_code == 200 and other.json() == []


def test_read_note_uses_the_working_calendar(world):
    found = intake.read_note(
        world.users["dispatcher"], world.park, "3个工作日内回复", today=dt.date(2026, 3, 6)
    )
    # Friday + 3 working days is the next Wednesday.
    assert found.deadline is not None and found.deadline.date == dt.date(2026, 3, 11)


def test_contacts_of_another_park_are_not_searched(world):
    o_ent = MarketEntity.objects.get(park=world.other_park)
    Contact.objects.create(entity=o_ent, name="赵六", phone="13600001234")
    assert intake.lookup(world.users["dispatcher"], world.park, "13600001234") == []


def _open_demand(world, title, **kw):  # type: ignore[no-untyped-def]
    from demands import services as ds

    return ds.create_demand(
        world.users["dispatcher"],
        world.park,
        ds.Intake(
            title=title,
            description="企业来电反映的问题，请尽快处理。",
            channel="hotline",
            **kw,
        ),
    )


def test_caller_card_shows_the_enterprise_its_liaison_and_its_open_demands(world):
    ent = world.enterprise
    d = _open_demand(world, "厂区道路积水", enterprise_id=ent.pk, requester_name="王经理")
    card = intake.caller(world.users["dispatcher"], world.park, "139-0732-1234")
    assert card is not None and card.digits == "13907321234"
    [m] = card.matches
    assert (m.entity.pk, m.contact, m.liaison, m.open_count) == (
        ent.pk,
        "王经理",
        world.users["liaison"],
        1,
    )
    assert [x.pk for x in m.open_demands] == [d.pk] and m.more == 0
    assert card.earlier == []


def test_caller_card_needs_seven_digits_and_lists_a_residents_earlier_demands(world):
    u, p = world.users["dispatcher"], world.park
    assert intake.caller(u, p, "139073") is None
    assert intake.caller(u, p, "电话") is None
    d = _open_demand(
        world,
        "小区路灯不亮",
        requester_kind="resident",
        requester_name="李阿姨",
        requester_phone="13512345678",
    )
    card = intake.caller(u, p, "13512345678")
    assert card is not None and card.matches == [] and [x.pk for x in card.earlier] == [d.pk]
    empty = intake.caller(u, p, "13000000000")
    assert empty is not None and empty.empty


def test_caller_cards_earlier_demands_are_found_through_the_search_index(world):
    """The requester's phone is looked up as the ledger's search does (the digit runs of its
    index), not by a LIKE over every demand: 0.7–1 s at 100,000 demands before."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    u, p = world.users["dispatcher"], world.park
    d = _open_demand(
        world,
        "小区路灯不亮",
        requester_kind="resident",
        requester_name="李阿姨",
        requester_phone="13512345678",
    )
    d.requester_phone = "13687654321"  # edited: the index follows the row
    d.save(update_fields=["requester_phone"])
    assert intake.caller(u, p, "13512345678").earlier == []
    with CaptureQueriesContext(connection) as seen:
        card = intake.caller(u, p, "136-8765-4321")
    assert [x.pk for x in card.earlier] == [d.pk]
    lookup = [q["sql"] for q in seen.captured_queries if "requester_phone" in q["sql"]]
    index = "search_grams" if connection.vendor == "postgresql" else "demands_search"
    assert lookup and all(index in sql for sql in lookup), lookup


def test_caller_card_of_another_park_and_refused_roles(world):
    o_ent = MarketEntity.objects.get(park=world.other_park)
    Contact.objects.create(entity=o_ent, name="赵六", phone="13600001234")
    card = intake.caller(world.users["dispatcher"], world.park, "13600001234")
    assert card is not None and card.empty
    for who in ("handler", "enterprise", "resident", "expert"):
        r = _client(world, who).get("/routing/intake/caller/", {"requester_phone": "13907321234"})
        assert r.status_code == 403, who


def test_caller_page_renders_the_card_and_the_form_asks_for_it(world):
    r = _client(world, "dispatcher").get(
        "/routing/intake/caller/", {"requester_phone": "13907321234"}
    )
    html = r.content.decode()
    assert r.status_code == 200 and 'id="caller-card"' in html
    assert f'data-pick-enterprise="{world.enterprise.name}"' in html and "专属服务员" in html
    form = _client(world, "dispatcher").get("/demands/new/").content.decode()
    assert 'hx-get="/routing/intake/caller/"' in form and 'id="n-caller"' in form
