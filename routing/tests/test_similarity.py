"""Duplicate and similar-case detection; clusters of recurring problems."""

from __future__ import annotations

import random
import re

import pytest

from routing.similarity import SimilarityIndex, cluster_texts, is_duplicate, similarity, skeleton
from routing.tests._data import gov_messages, synthetic

# Generic synonym pairs of petition language, not taken from any particular message.
SYNONYMS = {
    "希望": "期望",
    "请求": "恳请",
    "领导": "负责同志",
    "问题": "情况",
    "现在": "目前",
    "已经": "早已",
    "没有": "未曾",
    "要求": "请求",
    "有关部门": "相关部门",
    "相关部门": "有关部门",
    "非常": "十分",
    "因为": "由于",
    "但是": "可是",
    "我们": "我等",
    "解决": "处理",
    "尽快": "尽早",
    "居民": "住户",
    "附近": "周边",
}
PUNCT = str.maketrans({"，": "、", "。": "！", "：": "，", "；": "。", "！": "。", "？": "?"})


def _sentences(t: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。！？!?；;])", t) if s.strip()]


def reword(t: str, rng: random.Random) -> str:
    for a, b in SYNONYMS.items():
        if a in t and rng.random() < 0.8:
            t = t.replace(a, b)
    return t.translate(PUNCT)


def reorder(t: str, rng: random.Random) -> str:
    s = _sentences(t)
    rng.shuffle(s)
    return "".join(s)


def truncate(t: str, rng: random.Random) -> str:
    return t[: max(1, int(len(t) * 0.6))]


def mixed(t: str, rng: random.Random) -> str:
    return truncate(reorder(reword(t, rng), rng), rng)


VARIANTS = {"reword": reword, "reorder": reorder, "truncate": truncate, "mixed": mixed}


def shares_passage(sa: str, sb: str, window: int = 30) -> bool:
    """Ground truth independent of the scorer: two skeletons share a 30-character passage."""
    short, long_ = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
    if len(short) < window:
        return bool(short) and short in long_
    return any(short[i : i + window] in long_ for i in range(0, len(short) - window + 1, 10))


def test_pairwise_similarity_basics():
    a = "园区东门道路积水严重，车辆无法通行，希望尽快处理。"
    assert similarity(a, a) == pytest.approx(1.0)
    assert is_duplicate(a, a.replace("，", "、").replace("希望", "期望"))
    assert is_duplicate(a, a[: int(len(a) * 0.6)])
    assert not is_duplicate(a, "企业员工社保缴纳基数调整，咨询政策。")
    assert similarity("", a) == 0.0


def test_index_query_and_exclude():
    texts, _ = synthetic(10)
    idx = SimilarityIndex().fit(enumerate(texts))
    hits = idx.query(texts[3], k=3)
    assert hits[0].id == 3 and hits[0].is_duplicate and hits[0].score == pytest.approx(1.0)
    assert all(h.id != 3 for h in idx.query(texts[3], exclude=3))
    assert idx.duplicates(texts[3])[0].id == 3
    assert SimilarityIndex().fit([]).query("x") == []
    assert idx.query("") == []


def test_duplicate_detection_precision_recall_on_reference_data():
    ids, texts, _ = gov_messages()
    rng = random.Random(7)
    order = list(range(len(texts)))
    rng.shuffle(order)
    corpus, held = order[:250], order[250:350]
    index = SimilarityIndex().fit((ids[i], texts[i]) for i in corpus)
    by_id = {ids[i]: texts[i] for i in corpus}

    queries: list[tuple[str, str | None]] = []
    for i in corpus[:60]:
        for make in VARIANTS.values():
            queries.append((make(texts[i], rng), ids[i]))
    for i in held:
        queries.append((texts[i], None))  # messages the index does not hold

    skel = {d: skeleton(t) for d, t in by_id.items()}
    # The data holds a few genuine repeats: a flag on one of them is right, not a false alarm.
    repeats = {d: {e for e in skel if e != d and shares_passage(skel[d], skel[e])} for d in skel}
    tp = fp = fn = 0
    for query, source in queries:
        flagged = {c.id for c in index.duplicates(query)}
        if source is not None:
            truth = {source} | repeats[source]
        else:
            sq = skeleton(query)
            truth = {d for d in skel if shares_passage(sq, skel[d])}
        tp += len(flagged & truth)
        fp += len(flagged - truth)
        if source is not None and source not in flagged:
            fn += 1
    precision = tp / (tp + fp)
    recall = (len(queries) - len(held) - fn) / (len(queries) - len(held))
    assert precision >= 0.9, (precision, tp, fp)
    assert recall >= 0.9, (recall, fn)


def test_clusters_group_recurring_problems():
    texts, labels = synthetic(15)
    clusters = cluster_texts(texts, threshold=0.3, min_size=3)
    assert clusters and clusters[0].size >= 3
    assert clusters == sorted(clusters, key=lambda c: -c.size)
    # Each sizeable cluster is dominated by one topic and named by that topic's words.
    for cl in clusters[:4]:
        topics = [labels[i] for i in cl.members]
        top = max(set(topics), key=topics.count)
        assert topics.count(top) / len(topics) >= 0.8
        assert cl.keywords and cl.representative in cl.members
    assert cluster_texts([]) == []
    assert cluster_texts(["", ""]) == []


def test_clusters_on_reference_data_are_coherent():
    ids, texts, labels = gov_messages()
    rng = random.Random(3)
    sample = rng.sample(range(len(texts)), 300)
    clusters = cluster_texts([texts[i] for i in sample], [ids[i] for i in sample], threshold=0.3)
    assert clusters
    label_of = dict(zip(ids, labels, strict=True))
    pure = 0
    for cl in clusters:
        ls = [label_of[m] for m in cl.members]
        pure += max(ls.count(x) for x in set(ls))
    assert pure / sum(cl.size for cl in clusters) >= 0.8
    assert all(len(cl.keywords) >= 1 for cl in clusters)
