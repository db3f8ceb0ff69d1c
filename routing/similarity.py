"""Duplicate and similar-case detection, and clusters of recurring problems (no Django).

Two signals, because each misses what the other catches:
- cosine of character 2–3-gram TF-IDF vectors: robust to rewording and re-ordering;
- IDF-weighted containment of character 3-shingles, |A∩B| / min(|A|, |B|): a truncated or
  extended copy of a message still scores near 1, where cosine drops with the length ratio.
Both work on a "skeleton" of the normalised text (letters, digits, CJK only), so punctuation and
spacing changes do not matter. Common phrases ("尊敬的领导", "有关部门") weigh little through IDF.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from routing.textnorm import PLACEHOLDERS, normalize, words

DUPLICATE_THRESHOLD = 0.6
# Shingle mass (in units of average IDF) below which containment is scaled down: a short
# query otherwise lies "inside" many long messages by chance.
MIN_CONTAINMENT_MASS = 20.0

_NON_WORD = re.compile(r"[^\w]|_", re.UNICODE)
_PLACEHOLDER = re.compile("|".join(map(re.escape, PLACEHOLDERS)))


def skeleton(text: str) -> str:
    """Normalised text without punctuation, spaces and personal-data placeholders."""
    t = normalize(text)
    t = _PLACEHOLDER.sub("", t)
    return _NON_WORD.sub("", t).lower()


def _shingles(s: str, n: int = 3) -> set[str]:
    if len(s) < n:
        return {s} if s else set()
    return {s[i : i + n] for i in range(len(s) - n + 1)}


@dataclass(frozen=True)
class SimilarCase:
    id: Hashable
    score: float
    cosine: float
    containment: float
    is_duplicate: bool


class SimilarityIndex:
    """Index a corpus of (id, text); query() returns the most similar cases with scores."""

    def __init__(
        self,
        duplicate_threshold: float = DUPLICATE_THRESHOLD,
        min_containment_mass: float = MIN_CONTAINMENT_MASS,
    ) -> None:
        self.duplicate_threshold = duplicate_threshold
        self.min_containment_mass = min_containment_mass
        self.ids: list[Hashable] = []
        self._counter: Any = None
        self._tfidf: Any = None
        self._X: sp.csc_matrix | None = None
        self._tri_col: np.ndarray = np.zeros(0, dtype=int)
        self._idf: np.ndarray = np.zeros(0)
        self._B: sp.csc_matrix | None = None  # (docs, shingles), IDF-weighted presence
        self._mass: np.ndarray = np.zeros(0)

    def __len__(self) -> int:
        return len(self.ids)

    def fit(self, items: Iterable[tuple[Hashable, str]]) -> SimilarityIndex:
        from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

        pairs = list(items)
        self.ids = [i for i, _ in pairs]
        self._counter = None
        self._X = None
        self._B = None
        if not pairs:
            return self
        skel = [skeleton(t) for _, t in pairs]
        # One pass of n-gram counting serves both signals: 2–3-grams for the cosine, the
        # 3-grams among them as shingles for containment.
        self._counter = CountVectorizer(analyzer="char", ngram_range=(2, 3), dtype=np.float32)
        try:
            C = self._counter.fit_transform(skel).tocsr()
        except ValueError:  # nothing but empty or one-character texts
            self._counter = None
            return self
        self._tfidf = TfidfTransformer(sublinear_tf=True).fit(C)
        self._X = self._tfidf.transform(C).tocsc()
        names = self._counter.get_feature_names_out()
        is_tri = np.fromiter((len(g) == 3 for g in names), dtype=bool, count=len(names))
        # Column of each 3-gram in the shingle matrix, -1 for 2-grams.
        self._tri_col = np.where(is_tri, np.cumsum(is_tri) - 1, -1)
        B = C[:, is_tri].tocsr()
        B.data[:] = 1.0
        n = len(skel)
        df = np.asarray(B.sum(axis=0)).ravel()
        self._idf = (np.log((1 + n) / (1 + df)) + 1.0).astype(np.float32)
        # Column-major: a query touches only the columns of its own shingles.
        self._B = (B @ sp.diags(self._idf)).tocsc()
        self._mass = np.asarray(self._B.sum(axis=1)).ravel()
        return self

    def _scores(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        n = len(self.ids)
        if n == 0:
            return np.zeros(0), np.zeros(0)
        s = skeleton(text)
        cos = np.zeros(n)
        cont = np.zeros(n)
        if self._counter is None or self._X is None or self._B is None or not s:
            return cos, cont
        q = self._tfidf.transform(self._counter.transform([s])).tocsr()
        if q.nnz:
            # Only the query's own columns: a sparse-sparse product would walk the whole index.
            cos = np.asarray(self._X[:, q.indices] @ q.data).ravel()
        sh = _shingles(s)
        if len(s) >= 3 and sh:
            vocab = self._counter.vocabulary_
            known = [int(self._tri_col[vocab[g]]) for g in sh if g in vocab]
            unseen_idf = float(np.log(1 + n) + 1.0)  # a shingle no document has
            q_mass = float(self._idf[known].sum()) + unseen_idf * (len(sh) - len(known))
            if known:
                inter = np.asarray(self._B[:, known].sum(axis=1)).ravel()
                smaller = np.minimum(self._mass, q_mass)
                with np.errstate(divide="ignore", invalid="ignore"):
                    cont = np.where(smaller > 0, inter / smaller, 0.0)
                avg_idf = float(self._idf.mean()) if len(self._idf) else 1.0
                scale = np.minimum(1.0, smaller / (self.min_containment_mass * avg_idf))
                cont = cont * scale
        return cos, np.clip(cont, 0.0, 1.0)

    def query(
        self,
        text: str,
        k: int = 10,
        min_score: float = 0.2,
        exclude: Hashable | None = None,
    ) -> list[SimilarCase]:
        """Up to k cases scoring at least min_score, best first."""
        cos, cont = self._scores(text)
        if len(cos) == 0:
            return []
        score = np.maximum(cos, cont)
        order = np.argsort(-score, kind="stable")
        out: list[SimilarCase] = []
        for i in order:
            if score[i] < min_score or len(out) >= k:
                break
            if exclude is not None and self.ids[i] == exclude:
                continue
            out.append(
                SimilarCase(
                    self.ids[i],
                    float(score[i]),
                    float(cos[i]),
                    float(cont[i]),
                    bool(score[i] >= self.duplicate_threshold),
                )
            )
        return out

    def duplicates(self, text: str, exclude: Hashable | None = None) -> list[SimilarCase]:
        return [
            c
            for c in self.query(text, k=50, min_score=self.duplicate_threshold, exclude=exclude)
            if c.is_duplicate
        ]


def similarity(a: str, b: str) -> float:
    """Score of one pair, without a corpus (no IDF): max of shingle cosine and containment."""
    sa, sb = _shingles(skeleton(a)), _shingles(skeleton(b))
    if not sa or not sb:
        return 0.0
    inter = len(sa & sb)
    cos = inter / np.sqrt(len(sa) * len(sb))
    smaller = min(len(sa), len(sb))
    cont = inter / smaller * min(1.0, smaller / MIN_CONTAINMENT_MASS)
    return float(max(cos, cont))


def is_duplicate(a: str, b: str, threshold: float = DUPLICATE_THRESHOLD) -> bool:
    return similarity(a, b) >= threshold


# --------------------------------------------------------------------------- clusters


@dataclass(frozen=True)
class Cluster:
    members: tuple[Hashable, ...]
    representative: Hashable  # the member closest to the cluster's centre
    keywords: tuple[str, ...]
    cohesion: float  # mean cosine of the members to the centre

    @property
    def size(self) -> int:
        return len(self.members)


_KEYWORD_OK = re.compile(r"^[\u3400-\u9fffA-Za-z][\u3400-\u9fffA-Za-z0-9]+$")

# Beyond this many texts the O(n²) distance matrix of agglomerative clustering is replaced by
# a single pass that joins each text to the closest existing centre.
MAX_AGGLOMERATIVE = 3000


def _tokens(text: str) -> list[str]:
    return [w for w in words(normalize(text)) if w not in PLACEHOLDERS]


def cluster_texts(
    texts: Sequence[str],
    ids: Sequence[Hashable] | None = None,
    threshold: float = 0.3,
    min_size: int = 2,
    n_keywords: int = 5,
) -> list[Cluster]:
    """Group texts about the same recurring problem: average-linkage agglomerative clustering
    on cosine similarity of jieba-word TF-IDF, cut where clusters' mean similarity falls below
    `threshold`. Clusters smaller than min_size are dropped; largest first."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    ids = list(ids) if ids is not None else list(range(len(texts)))
    if len(ids) != len(texts):
        raise ValueError("ids and texts differ in length")
    if not texts:
        return []
    # Terms in more than half the texts are boilerplate, not the problem.
    vec = TfidfVectorizer(
        analyzer=_tokens, sublinear_tf=True, max_df=0.5 if len(texts) >= 10 else 1.0
    )
    try:
        X = vec.fit_transform(texts).tocsr()
    except ValueError:
        return []
    n = X.shape[0]
    if n == 1:
        assignment = np.zeros(1, dtype=int)
    elif n <= MAX_AGGLOMERATIVE:
        from sklearn.cluster import AgglomerativeClustering

        sim = (X @ X.T).toarray()
        dist = np.clip(1.0 - sim, 0.0, 2.0)
        model = AgglomerativeClustering(
            n_clusters=None,
            metric="precomputed",
            linkage="average",
            distance_threshold=1.0 - threshold,
        )
        assignment = model.fit_predict(dist)
    else:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.preprocessing import normalize as l2

        # Dense centres over the whole vocabulary would not fit; 128 LSA dimensions do.
        Z = l2(TruncatedSVD(n_components=128, random_state=0).fit_transform(X))
        assignment = _leader_clusters(Z, threshold)
    names = vec.get_feature_names_out()
    mean_all = np.asarray(X.mean(axis=0)).ravel()
    out = []
    for c in np.unique(assignment):
        members = np.flatnonzero(assignment == c)
        if len(members) < min_size:
            continue
        centre = np.asarray(X[members].mean(axis=0)).ravel()
        norm = np.linalg.norm(centre)
        sims = (X[members] @ (centre / norm if norm else centre)).ravel()
        rep = members[int(np.argmax(sims))]
        # Distinctive rather than merely frequent terms.
        lift = centre - mean_all
        keywords: list[str] = []
        for j in np.argsort(-lift):
            if lift[j] <= 0 or len(keywords) >= n_keywords:
                break
            if _KEYWORD_OK.match(str(names[j])) and len(str(names[j])) >= 2:
                keywords.append(str(names[j]))
        out.append(
            Cluster(
                members=tuple(ids[i] for i in members),
                representative=ids[rep],
                keywords=tuple(keywords),
                cohesion=float(np.mean(sims)),
            )
        )
    out.sort(key=lambda cl: (-cl.size, -cl.cohesion))
    return out


def _leader_clusters(Z: np.ndarray, threshold: float) -> np.ndarray:
    """One pass: each row joins the most similar running centre, or starts its own."""
    assignment = np.empty(Z.shape[0], dtype=int)
    centres = np.zeros((0, Z.shape[1]))
    sizes: list[int] = []
    for i, x in enumerate(Z):
        if len(sizes):
            norms = np.linalg.norm(centres, axis=1)
            sims = (centres @ x) / np.where(norms > 0, norms, 1.0)
            j = int(np.argmax(sims))
            if sims[j] >= threshold:
                centres[j] += (x - centres[j]) / (sizes[j] + 1)
                sizes[j] += 1
                assignment[i] = j
                continue
        centres = np.vstack([centres, x])
        sizes.append(1)
        assignment[i] = len(sizes) - 1
    return assignment
