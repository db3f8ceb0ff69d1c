"""The two-stage search: candidates from the postings of the rarest query terms within a budget,
then exact BM25 over them. Its ranking is the in-memory BM25's on a small park, the budget bounds
what it reads on a big one, and the filters keep what the portal may see."""

from __future__ import annotations

from typing import Any

import pytest

from knowledge import search, services
from knowledge.models import Kind, SearchDoc
from knowledge.tests.helpers import entry

pytestmark = pytest.mark.django_db

CORPUS = [
    "技改贴息贷款申请，企业购置设备可申请园区技改贴息",
    "高新技术企业认定申报指南，研发费用占比要求",
    "企业用地规划许可办理流程，需提交规划设计方案",
    "招工难，园区人力资源市场每周三举办招聘会",
    "电力增容申请，企业用电负荷增加需向供电公司报装",
    "消防验收办理，建设工程竣工后申请消防验收备案",
    "企业贷款担保，园区担保公司提供融资担保服务",
    "研发费用加计扣除政策解读，企业研发投入税前扣除",
    "排水许可证办理，企业向城镇排水设施排放污水需申领",
    "人才公寓申请条件，园区企业引进的高层次人才",
    "企业设备购置补贴，技改项目设备投资按比例补助",
    "厂房租金减免，小微企业入驻标准厂房租金优惠",
]
QUERIES = [
    "企业想申请技改贴息，购置了新设备",
    "高新技术企业怎么认定",
    "用电负荷不够要增容",
    "厂房消防验收找谁办",
    "融资担保贷款",
    "引进人才住房",
    "企业",
]


def put_corpus(park_id: int, texts: list[str], **kw: Any) -> None:
    search.put(
        [
            SearchDoc(
                park_id=park_id,
                doc_kind=kw.get("doc_kind", "entry"),
                ref_id=i + 1,
                title=t[:20],
                tokens=" ".join(search.tokenize(t)),
            )
            for i, t in enumerate(texts)
        ]
    )


def test_the_ranking_is_exact_bm25_on_a_small_park(world):
    put_corpus(world.park.pk, CORPUS)
    memory = search.Bm25()
    for t in CORPUS:
        memory.add(search.tokenize(t))
    for q in QUERIES:
        want = [(i + 1, round(s, 3)) for i, s in memory.search(search.tokenize(q), 5)]
        got = [(h.ref_id, h.score) for h in search.search(world.park.pk, q, limit=5)]
        exact = [(h.ref_id, h.score) for h in search.search_exact(world.park.pk, q, limit=5)]
        assert got == want == exact, q


def test_the_best_match_shares_the_rare_words_and_says_which(world):
    put_corpus(world.park.pk, CORPUS)
    hits = search.search(world.park.pk, "企业想申请技改贴息，购置了新设备")
    assert hits[0].ref_id == 1  # 技改贴息, not any 企业 text
    assert "技改" in hits[0].matched and "贴息" in hits[0].matched
    assert hits[0].score > hits[1].score > 0
    assert search.search(world.park.pk, "完全无关的词语") == []
    assert search.search(world.park.pk, "") == []


def test_the_postings_read_stay_within_the_budget(world, monkeypatch):
    # 300 documents share 企业/园区; 3 hold the rare 贴息
    common = [f"园区企业第{i}号服务事项，企业办事指南" for i in range(300)]
    put_corpus(world.park.pk, [*common, *CORPUS[:3]])
    read: list[int] = []
    real = search._postings

    def counted(*a: Any) -> list[tuple[str, int]]:
        out = real(*a)
        read.append(len(out))
        return out

    monkeypatch.setattr(search, "_postings", counted)
    monkeypatch.setattr(search, "POSTINGS_BUDGET", 50)
    monkeypatch.setattr(search, "CANDIDATES", 10)
    hits = search.search(world.park.pk, "园区企业申请技改贴息")
    assert len(read) == 1 and read[0] <= 50
    assert hits[0].ref_id == 301  # the rare words found it within the budget
    # a query of common words only: its rarest term is read up to the budget, no further
    read.clear()
    assert search.search(world.park.pk, "园区企业")
    assert read[0] <= 50
    # the exact search reads everything (the reference, not for the pages)
    read.clear()
    search.search_exact(world.park.pk, "园区企业")
    assert read[0] > 300


def test_the_budgeted_search_finds_what_the_exact_one_finds_at_the_top(world, monkeypatch):
    texts = [f"{a}，{b}" for a in CORPUS for b in CORPUS[::-1]]  # 144 overlapping documents
    put_corpus(world.park.pk, texts)
    monkeypatch.setattr(search, "POSTINGS_BUDGET", 60)
    monkeypatch.setattr(search, "CANDIDATES", 20)
    for q in QUERIES[:-1]:
        fast = [h.ref_id for h in search.search(world.park.pk, q, limit=3)]
        exact = [h.ref_id for h in search.search_exact(world.park.pk, q, limit=3)]
        assert fast[0] == exact[0], q


def test_filters_and_parks_bound_the_candidates(world):
    put_corpus(world.park.pk, CORPUS)
    put_corpus(world.other_park.pk, CORPUS, doc_kind="demand")
    SearchDoc.objects.filter(park=world.park, ref_id=1).update(department_id=world.dept_b.pk)
    assert [h.ref_id for h in search.search(world.other_park.pk, "技改贴息", limit=1)] == [1]
    hits = search.search(world.park.pk, "技改贴息", search.Filters(department_id=world.dept_b.pk))
    assert [h.ref_id for h in hits] == [1]
    none = search.search(world.park.pk, "技改贴息", search.Filters(doc_kinds=("demand",)))
    assert none == []


def test_the_portal_sees_public_published_entries_only(world):
    u = world.users
    public = entry(world, kind=Kind.FAQ, title="技改贴息怎么申请", is_public=True)
    entry(world, kind=Kind.FAQ, title="技改贴息内部口径", is_public=False)
    entry(world, kind=Kind.FAQ, title="技改贴息草稿", is_public=True, publish=False)
    entry(world, kind=Kind.GUIDE, title="技改贴息办事指南", is_public=True)
    entry(
        world,
        kind=Kind.POLICY,
        title="设备购置补助政策",
        body="设备购置按投资额补助。",
        internal_note="额度紧张优先保障重点企业",
    )
    shown = services.portal_suggest(u["enterprise"], world.park, "技改贴息怎么申请办理")
    assert [s.id for s in shown] == [public.pk]
    # the internal note is not in the index at all: its words find nothing anywhere
    assert services.portal_suggest(u["enterprise"], world.park, "额度紧张优先保障") == []
    assert services.suggest(u["dispatcher"], world.park, "额度紧张优先保障") == []
    # staff see the published internal one, never the draft
    titles = {s.title for s in services.suggest(u["dispatcher"], world.park, "技改贴息")}
    assert "技改贴息内部口径" in titles and "技改贴息草稿" not in titles
    # an enterprise gets nothing from the staff suggestions
    assert services.suggest(u["enterprise"], world.park, "技改贴息") == []
