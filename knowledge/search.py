"""Chinese full-text search over knowledge entries and answered demands.

Text is pre-tokenised here, the same way for documents and queries: jieba words of three or more
characters (search mode, so 高新技术企业 also gives 高新/技术/企业 through its bigrams), Latin and
digit words, and every character bigram of a run of Chinese characters. The space-separated
tokens are indexed by the database: SQLite in an FTS5 table (`knowledge_fts`, rowid = the
SearchDoc's id) ranked by FTS5's own bm25(); PostgreSQL in a generated tsvector column over the
'simple' configuration with a GIN index, whose candidates (ts_rank, the best CANDIDATES) are
re-ranked by BM25 here with document frequencies from the Term table. Query terms whose
document frequency is above COMMON_SHARE of the park's documents are dropped from the candidate
query (they carry almost no BM25 weight and would make every row a candidate).

`Bm25` is the same ranking in memory; the evaluation uses it, and PostgreSQL's re-rank.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.db import connection, transaction
from django.db.models import F

from knowledge.models import SearchDoc, Term

CANDIDATES = 200
COMMON_SHARE = 0.2
MAX_QUERY_TERMS = 40
K1, B = 1.2, 0.75

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]{2,}")
STOP = frozenset(
    {"我们", "你们", "他们", "有关", "关于", "一下", "一个", "这个", "那个", "什么", "怎么", "如何"}
    | {"是否", "可以", "需要", "进行", "请问", "您好", "你好", "的是", "问题"}
)


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    return jieba


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def tokenize(text: str) -> list[str]:
    """Tokens of a text, in order, with repeats (term frequency counts)."""
    t = normalise(text)
    out: list[str] = []
    for run in _HAN.findall(t):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
        if len(run) >= 3:
            out.extend(w for w in _jieba().lcut_for_search(run) if len(w) >= 3)
    out.extend(_WORD.findall(t))
    return [w for w in out if w not in STOP]


def words(text: str) -> list[str]:
    """The words a person would read as "matched": jieba words of two or more characters."""
    t = normalise(text)
    seen: dict[str, None] = {}
    for run in _HAN.findall(t):
        for w in _jieba().lcut(run):
            if len(w) >= 2 and w not in STOP:
                seen.setdefault(w, None)
    for w in _WORD.findall(t):
        seen.setdefault(w, None)
    return list(seen)


def _covers(word: str, tokens: set[str]) -> bool:
    if word in tokens:
        return True
    if len(word) < 2 or not _HAN.fullmatch(word):
        return False
    return all(word[i : i + 2] in tokens for i in range(len(word) - 1))


def matched_words(query_words: Sequence[str], doc_tokens: Iterable[str]) -> list[str]:
    toks = set(doc_tokens)
    return [w for w in query_words if _covers(w, toks)]


# --------------------------------------------------------------------------- in memory


@dataclass
class Bm25:
    """BM25 over tokenised documents in memory (evaluation; PostgreSQL's re-rank)."""

    docs: list[list[str]] = field(default_factory=list)
    df: Counter[str] = field(default_factory=Counter)
    postings: dict[str, dict[int, int]] = field(default_factory=dict)
    lengths: list[int] = field(default_factory=list)

    def add(self, tokens: list[str]) -> int:
        i = len(self.docs)
        self.docs.append(tokens)
        self.lengths.append(len(tokens))
        for t, n in Counter(tokens).items():
            self.df[t] += 1
            self.postings.setdefault(t, {})[i] = n
        return i

    def search(self, query: list[str], limit: int = 5) -> list[tuple[int, float]]:
        n = len(self.docs)
        if not n:
            return []
        avg = sum(self.lengths) / n
        scores: dict[int, float] = {}
        for t in set(query):
            df = self.df.get(t, 0)
            if not df:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            for i, tf in self.postings[t].items():
                scores[i] = scores.get(i, 0.0) + idf * tf * (K1 + 1) / (
                    tf + K1 * (1 - B + B * self.lengths[i] / avg)
                )
        return sorted(scores.items(), key=lambda x: -x[1])[:limit]


def bm25_score(query: set[str], tokens: list[str], df: dict[str, int], n: int, avg: float) -> float:
    tf = Counter(tokens)
    ln = len(tokens)
    s = 0.0
    for t in query:
        f = tf.get(t, 0)
        if not f:
            continue
        d = df.get(t, 1)
        idf = math.log(1 + (n - d + 0.5) / (d + 0.5))
        s += idf * f * (K1 + 1) / (f + K1 * (1 - B + B * ln / max(avg, 1.0)))
    return s


# --------------------------------------------------------------------------- the index

TOTAL = ""  # the Term row whose df is the park's number of documents
TOTAL_LENGTH = " "  # the Term row whose df is the sum of their lengths


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _bump(park_id: int, counts: Counter[str], sign: int) -> None:
    if not counts:
        return
    terms = [t[:60] for t in counts]
    Term.objects.bulk_create(
        [Term(park_id=park_id, term=t, df=0) for t in terms], ignore_conflicts=True
    )
    by_n: dict[int, list[str]] = {}
    for t, n in counts.items():
        by_n.setdefault(n, []).append(t[:60])
    for n, ts in by_n.items():
        for i in range(0, len(ts), 500):
            Term.objects.filter(park_id=park_id, term__in=ts[i : i + 500]).update(
                df=F("df") + sign * n
            )


def put(docs: list[SearchDoc]) -> None:
    """Write or replace these documents (matched on doc_kind + ref_id) in the index."""
    if not docs:
        return
    for d in docs:
        d.length = len(d.tokens.split())
    with transaction.atomic():
        # A document written again as it is (a demand re-indexed on 回访 and again on 销号)
        # keeps its row: removing and re-adding it would move every term's count twice.
        stored = _stored(docs)
        docs = [d for d in docs if stored.get((d.doc_kind, d.ref_id)) != _row(d)]
        if not docs:
            return
        for kind in {d.doc_kind for d in docs}:
            remove(
                kind, [d.ref_id for d in docs if d.doc_kind == kind and (kind, d.ref_id) in stored]
            )
        made = SearchDoc.objects.bulk_create(docs, batch_size=1000)
        if not is_postgres():
            # SQLite returns the new ids (RETURNING): the FTS rows share them
            rows = [(d.pk, d.tokens) for d in made]
            with connection.cursor() as c:
                # A flush (a transactional test, `manage.py flush`) empties the model tables and
                # restarts their ids but leaves this virtual table: an id may meet a stale row.
                c.executemany("DELETE FROM knowledge_fts WHERE rowid = %s", [(r[0],) for r in rows])
                c.executemany("INSERT INTO knowledge_fts(rowid, tokens) VALUES (%s, %s)", rows)
        by_park: dict[int, Counter[str]] = {}
        for d in docs:
            cnt = by_park.setdefault(d.park_id, Counter())
            cnt.update(set(d.tokens.split()))
            cnt[TOTAL] += 1
            cnt[TOTAL_LENGTH] += d.length
        for park_id, cnt in by_park.items():
            _bump(park_id, cnt, 1)


_COMPARED = (
    "park_id",
    "department_id",
    "entry_kind",
    "portal",
    "live",
    "title",
    "tokens",
    "length",
)


def _row(d: SearchDoc) -> tuple[Any, ...]:
    return tuple(getattr(d, f) for f in _COMPARED)


def _stored(docs: list[SearchDoc]) -> dict[tuple[str, int], tuple[Any, ...]]:
    """What the index holds now for these documents, by (doc_kind, ref_id)."""
    out: dict[tuple[str, int], tuple[Any, ...]] = {}
    for kind in {d.doc_kind for d in docs}:
        refs = [d.ref_id for d in docs if d.doc_kind == kind]
        for i in range(0, len(refs), 500):
            rows = SearchDoc.objects.filter(doc_kind=kind, ref_id__in=refs[i : i + 500])
            for ref, *values in rows.values_list("ref_id", *_COMPARED):
                out[(kind, ref)] = tuple(values)
    return out


def remove(doc_kind: str, ref_ids: list[int]) -> None:
    for i in range(0, len(ref_ids), 500):
        old = list(
            SearchDoc.objects.filter(
                doc_kind=doc_kind, ref_id__in=ref_ids[i : i + 500]
            ).values_list("id", "park_id", "tokens", "length")
        )
        if not old:
            continue
        by_park: dict[int, Counter[str]] = {}
        for _, park_id, tokens, length in old:
            cnt = by_park.setdefault(park_id, Counter())
            cnt.update(set(tokens.split()))
            cnt[TOTAL] += 1
            cnt[TOTAL_LENGTH] += length
        for park_id, cnt in by_park.items():
            _bump(park_id, cnt, -1)
        ids = [o[0] for o in old]
        if not is_postgres():
            with connection.cursor() as c:
                c.execute(
                    f"DELETE FROM knowledge_fts WHERE rowid IN ({','.join(['%s'] * len(ids))})",
                    ids,
                )
        SearchDoc.objects.filter(id__in=ids).delete()


def set_flags(doc_kind: str, ref_id: int, **flags: Any) -> None:
    SearchDoc.objects.filter(doc_kind=doc_kind, ref_id=ref_id).update(**flags)


# --------------------------------------------------------------------------- querying


@dataclass
class Hit:
    doc_id: int
    doc_kind: str
    ref_id: int
    title: str
    score: float
    matched: list[str]


@dataclass(frozen=True)
class Filters:
    doc_kinds: tuple[str, ...] = ("entry", "demand")
    department_id: int | None = None
    entry_kind: str = ""
    portal_only: bool = False
    entry_kinds: tuple[str, ...] = ()


def _stats(park_id: int, terms: list[str]) -> tuple[dict[str, int], int, float]:
    rows = dict(
        Term.objects.filter(park_id=park_id, term__in=[*terms, TOTAL, TOTAL_LENGTH]).values_list(
            "term", "df"
        )
    )
    n = rows.pop(TOTAL, 0)
    total_len = rows.pop(TOTAL_LENGTH, 0)
    return rows, n, (total_len / n if n else 1.0)


def _where(park_id: int, f: Filters) -> tuple[str, list[Any]]:
    sql = ["d.park_id = %s", "d.live"]
    args: list[Any] = [park_id]
    sql.append(f"d.doc_kind IN ({','.join(['%s'] * len(f.doc_kinds))})")
    args.extend(f.doc_kinds)
    if f.department_id:
        sql.append("d.department_id = %s")
        args.append(f.department_id)
    if f.entry_kind:
        sql.append("d.entry_kind = %s")
        args.append(f.entry_kind)
    if f.entry_kinds:
        sql.append(f"d.entry_kind IN ({','.join(['%s'] * len(f.entry_kinds))})")
        args.extend(f.entry_kinds)
    if f.portal_only:
        sql.append("d.portal")
    return " AND ".join(sql), args


def search(park_id: int, text: str, filters: Filters | None = None, limit: int = 10) -> list[Hit]:
    f = filters or Filters()
    toks = list(dict.fromkeys(tokenize(text)))
    if not toks:
        return []
    df, n, avg = _stats(park_id, toks)
    present = [t for t in toks if df.get(t, 0) > 0]
    if not present:
        return []
    # the rarest terms carry the ranking; the commonest would make every row a candidate
    present.sort(key=lambda t: df[t])
    rare = [t for t in present if df[t] <= max(COMMON_SHARE * n, 50)] or present[:3]
    query = rare[:MAX_QUERY_TERMS]
    where, args = _where(park_id, f)
    with connection.cursor() as c:
        if is_postgres():
            tsq = " | ".join("'" + t.replace("'", "") + "'" for t in query)
            c.execute(
                f"SELECT d.id, d.doc_kind, d.ref_id, d.title, d.tokens FROM knowledge_searchdoc d "
                f"WHERE d.tsv @@ to_tsquery('simple', %s) AND {where} "
                f"ORDER BY ts_rank(d.tsv, to_tsquery('simple', %s)) DESC LIMIT %s",
                [tsq, *args, tsq, CANDIDATES],
            )
            rows = c.fetchall()
            qset = set(present)
            scored = [(bm25_score(qset, r[4].split(), df, n, avg), r) for r in rows]
            scored.sort(key=lambda x: -x[0])
            best = scored[:limit]
        else:
            match = " OR ".join('"' + t.replace('"', "") + '"' for t in query)
            c.execute(
                f"SELECT d.id, d.doc_kind, d.ref_id, d.title, d.tokens, bm25(knowledge_fts) AS s "
                f"FROM knowledge_fts JOIN knowledge_searchdoc d ON d.id = knowledge_fts.rowid "
                f"WHERE knowledge_fts MATCH %s AND {where} ORDER BY s LIMIT %s",
                [match, *args, limit],
            )
            best = [(-r[5], r[:5]) for r in c.fetchall()]
    qwords = words(text)
    return [
        Hit(
            doc_id=r[0],
            doc_kind=r[1],
            ref_id=r[2],
            title=r[3],
            score=round(s, 3),
            matched=matched_words(qwords, r[4].split())
            or [t for t in query if t in r[4].split()][:5],
        )
        for s, r in best
    ]
