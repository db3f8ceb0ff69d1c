"""Text similarity for matching, without Django: char n-gram TF-IDF (1–3 characters within
words, so 轴承 / 数控机床 / 预拌混凝土 match without a dictionary) and cosine similarity. The
reasons quote the words a need and a product share (jieba segmentation).

`Index` is built once per park and product set (the caller caches it); a query is one
vectorisation and one sparse matrix product, a few milliseconds for 20,000 products
(bench/matching.py)."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jieba
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

jieba.setLogLevel(logging.WARNING)

_STOP = set(
    "的 了 和 与 及 等 用 为 在 有 对 或 是 件 套 台 吨 年 月 每 个 类 种 各 需 求 采购 需要 提供 我们 公司 企业 产品 生产 供应".split()
)
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text.lower()).strip()


def words(text: str) -> set[str]:
    """Content words of at least two characters (or latin/digit tokens like DN200, 304)."""
    out = set()
    for w in jieba.cut(normalise(text)):
        w = w.strip()
        if len(w) >= 2 and w not in _STOP and not w.isdigit():
            out.add(w)
    return out


@dataclass
class Index:
    ids: list[int]
    texts: list[str]
    vectorizer: TfidfVectorizer
    matrix: Any  # scipy CSR, rows L2-normalised

    @classmethod
    def build(cls, ids: Sequence[int], texts: Sequence[str]) -> Index:
        vec = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True, min_df=1, dtype=np.float32
        )
        docs = [normalise(t) for t in texts] or [""]
        matrix = vec.fit_transform(docs) if any(docs) else None
        return cls(list(ids), list(texts), vec, matrix)

    def similarities(self, query: str) -> np.ndarray:
        """Cosine similarity of `query` with every product, in the order of `ids`."""
        if self.matrix is None or not self.ids:
            return np.zeros(len(self.ids), dtype=np.float32)
        q = self.vectorizer.transform([normalise(query)])
        return np.asarray((self.matrix @ q.T).toarray()).ravel()


def shared_words(query: str, text: str, limit: int = 4) -> list[str]:
    q = words(query)
    return sorted((w for w in words(text) if w in q), key=lambda w: (-len(w), w))[:limit]
