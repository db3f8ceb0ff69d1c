"""Duplicates at intake and on the demand page, 类案 with answers, common problems; all scoped."""

import random

import pytest
from django.test import Client

from demands import services as ds
from demo import textgen as tg
from routing import similar

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh():
    similar.clear_cache()
    yield
    similar.clear_cache()


def _make(world, who, title, text, ent=None):
    return ds.create_demand(
        world.users[who],
        world.park,
        ds.Intake(
            title=title,
            description=text,
            channel="visit",
            enterprise_id=(ent or world.enterprise).pk,
        ),
    )


def _ledger(world, n=30):
    rng = random.Random(4)
    made = []
    for i in range(n):
        code = rng.choice(list(tg.SUBCATEGORIES))
        title, text = tg.demand_text(rng, code)
        made.append(
            _make(
                world, "dispatcher", title, text, world.enterprise if i % 2 else world.enterprise2
            )
        )
    return made


def test_a_reworded_copy_is_a_duplicate_and_an_answered_one_a_case(world):
    made = _ledger(world)
    original = made[0]
    answered = made[1]
    ds.resolve_on_spot(
        world.users["dispatcher"], answered, answer="已协调解决，详见答复。", outcome="solved"
    )
    copy = _make(
        world,
        "dispatcher",
        original.title,
        original.description[: len(original.description) * 2 // 3] + "请尽快处理。",
    )
    found = similar.similar_to(world.users["dispatcher"], copy)
    assert [r["demand"].pk for r in found.duplicates][:1] == [original.pk]
    again = _make(world, "dispatcher", answered.title, answered.description)
    found = similar.similar_to(world.users["dispatcher"], again)
    assert answered.pk in [r["demand"].pk for r in found.cases]


def test_what_a_user_cannot_see_is_never_shown(world):
    made = _ledger(world)
    theirs = next(d for d in made if d.enterprise_id == world.enterprise2.pk)
    found = similar.similar_to_text(
        world.users["enterprise"], world.park, f"{theirs.title}\n{theirs.description}"
    )
    assert theirs.pk not in [r["demand"].pk for r in found.duplicates + found.cases]
    other = similar.similar_to_text(
        world.other_users["dispatcher"], world.other_park, f"{theirs.title}\n{theirs.description}"
    )
    assert other.duplicates == [] and other.cases == []


def test_pages_and_api(world):
    made = _ledger(world, 12)
    c = Client()
    c.force_login(world.users["dispatcher"])
    r = c.get(f"/routing/demand/{made[0].pk}/similar/")
    assert r.status_code == 200 and "相似诉求" in r.content.decode()
    r = c.get("/routing/similar/", {"title": made[0].title, "description": made[0].description})
    assert r.status_code == 200 and made[0].number in r.content.decode()
    assert c.get("/routing/").status_code == 200
    assert c.get("/routing/common/?months=3").status_code == 200
    api = world.client("dispatcher")
    body = api.get(f"/demands/{made[0].pk}/similar").json()
    assert set(body) == {"duplicates", "cases"}
    assert api.get(f"/demands/{made[0].pk}/suggestion").status_code == 404
    e = Client()
    e.force_login(world.users["enterprise2"])
    assert e.get(f"/routing/demand/{made[1].pk}/similar/").status_code in (403, 404)
    assert e.get("/routing/").status_code == 403
    h = Client()
    h.force_login(world.users["handler"])
    assert h.post("/routing/threshold/", {"threshold": "0.9"}).status_code == 403


def test_common_problems_group_enterprises_asking_the_same(world):
    from entities.models import EntityKind, MarketEntity

    ents = [
        MarketEntity.objects.create(park=world.park, name=f"测试企业{i}", kind=EntityKind.SHOP)
        for i in range(5)
    ]
    for i, e in enumerate(ents):
        _make(
            world,
            "dispatcher",
            "申请入住园区人才公寓",
            f"公司新引进{i + 3}名硕士研究生，希望园区协调人才公寓房源，解决青年人才住房问题。",
            e,
        )
    _ledger(world, 10)
    problems = similar.common_problems(
        world.users["leader"], world.park, since=ds._now() - ds.dt.timedelta(days=30)
    )
    assert problems and problems[0].enterprises >= 5
    assert any("人才" in k or "公寓" in k for k in problems[0].keywords)


def test_threshold_is_set_by_admins_only_and_validated(world):
    from qinshang.errors import Forbidden, InvalidInput
    from routing.services import set_threshold

    with pytest.raises(Forbidden):
        set_threshold(world.users["dispatcher"], world.park, "0.9")
    with pytest.raises(InvalidInput):
        set_threshold(world.users["admin"], world.park, "0.3")
    with pytest.raises(InvalidInput):
        set_threshold(world.users["admin"], world.park, "abc")
    world.park.refresh_from_db()
    assert world.park.auto_dispatch_threshold is None
    assert set_threshold(world.users["admin"], world.park, "0.9") == 0.9
    world.park.refresh_from_db()
    assert world.park.auto_dispatch_threshold == 0.9
    assert set_threshold(world.users["admin"], world.park, "") is None
