"""Matching: text similarity first, then the chain relation and locality, each with its reason."""

from __future__ import annotations

import pytest

from matchmaking import chains, engine, services
from matchmaking.models import OfferStatus
from matchmaking.tests.helpers import entity, product

pytestmark = pytest.mark.django_db


def test_chains_are_data_with_upstream_links():
    names = {c.name for c in chains.chains()}
    assert {"汽车", "建材", "装备制造"} <= names
    strength, why = chains.relation("auto.parts", "auto.vehicle")
    assert strength == chains.UPSTREAM and "上游" in why
    assert chains.relation("auto.vehicle", "auto.parts")[0] == chains.SAME_CHAIN  # downstream
    assert chains.relation("building.basic", "auto.vehicle") == (0.0, "")
    for lk in chains.links().values():  # every upstream reference names a link
        assert set(lk.upstream) <= set(chains.links())


def test_text_similarity_ranks_the_matching_product_first():
    idx = engine.Index.build(
        [1, 2, 3],
        ["汽车线束 汽车线束 新能源整车高低压线束", "预拌混凝土 C30", "数控机床主轴"],
    )
    sims = idx.similarities("采购新能源汽车高压线束总成")
    assert sims.argmax() == 0 and sims[0] > 0.3 > sims[1]


def _need(world, title: str, **kw):  # type: ignore[no-untyped-def]
    buyer = entity(world.park, "湘潭整车制造有限公司", "36")
    return services.create_need(
        world.users["dispatcher"],
        world.park,
        services.NeedInput(enterprise_id=buyer.pk, title=title, volume="每月 2000 套", **kw),
    )


def test_a_need_gets_ranked_suppliers_with_reasons(world):
    wire = product(world, "汽车线束总成", "38", entity=entity(world.park, "湘潭线缆有限公司", "38"))
    wire.chain_link = "auto.parts"
    wire.save()
    product(world, "预拌混凝土", "30", entity=entity(world.park, "湘潭建材有限公司", "30"))
    need = _need(world, "汽车线束", description="新能源整车用高低压线束", chain_link="auto.vehicle")
    matches = services.matches_for(need)
    assert [m.product.pk for m in matches][:1] == [wire.pk]
    reasons = " ".join(matches[0].reasons)
    assert "共同关键词" in reasons and "线束" in reasons
    assert "产业链上游" in reasons and "本园区企业" in reasons
    assert all(m.product.name != "预拌混凝土" for m in matches)  # nothing in common


def test_chain_relation_breaks_a_tie_between_equal_texts(world):
    a = product(world, "铝合金压铸件", "33", entity=entity(world.park, "甲压铸厂", "33"))
    b = product(world, "铝合金压铸件", "33", entity=entity(world.park, "乙压铸厂", "33"))
    a.chain_link, b.chain_link = "building.products", "auto.parts"
    a.save()
    b.save()
    need = _need(world, "铝合金压铸件", chain_link="auto.vehicle")
    ranked = [m.product.pk for m in services.matches_for(need)]
    assert ranked.index(b.pk) < ranked.index(a.pk)


def test_same_park_comes_before_the_city_and_other_parks_only_with_consent(world):
    near = product(world, "精密轴承", entity=entity(world.park, "本园区轴承厂"))
    far_ent = entity(world.other_park, "同城轴承厂")
    far = product(world, "精密轴承", entity=far_ent, share_city=True)
    hidden = product(world, "精密轴承", entity=entity(world.other_park, "不共享轴承厂"))
    need = _need(world, "精密轴承")
    matches = services.matches_for(need)
    ids = [m.product.pk for m in matches]
    assert ids[:2] == [near.pk, far.pk] and hidden.pk not in ids
    assert any("同城企业" in r for r in matches[1].reasons)


def test_own_products_and_withdrawn_ones_are_not_proposed(world):
    need = _need(world, "精密轴承")
    own = product(world, "精密轴承", entity=need.enterprise)
    gone = product(world, "精密轴承", entity=entity(world.park, "停产轴承厂"))
    services.set_product_status(world.users["dispatcher"], gone, OfferStatus.WITHDRAWN, "停产")
    ids = [m.product.pk for m in services.matches_for(need)]
    assert own.pk not in ids and gone.pk not in ids


def test_the_index_follows_new_products(world):
    need = _need(world, "工业机器人")
    assert services.matches_for(need) == []
    p = product(world, "六轴工业机器人", entity=entity(world.park, "湘潭机器人有限公司"))
    assert [m.product.pk for m in services.matches_for(need)] == [p.pk]
