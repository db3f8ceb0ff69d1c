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

POSTINGS_BUDGET = 3000  # postings read to gather candidates, at most
CANDIDATES = 200  # candidates scored exactly
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
    """The best `limit` documents by BM25, scored exactly over a bounded set of candidates."""
    return _search(park_id, text, filters or Filters(), limit, POSTINGS_BUDGET, CANDIDATES)


def search_exact(
    park_id: int, text: str, filters: Filters | None = None, limit: int = 10
) -> list[Hit]:
    """BM25 over every document that holds a query term: the reference `search` is measured
    against (tests, bench/knowledge_search.py --exact). Slow on a big park."""
    return _search(park_id, text, filters or Filters(), limit, None, None)


def _search(
    park_id: int, text: str, f: Filters, limit: int, budget: int | None, keep: int | None
) -> list[Hit]:
    toks = list(dict.fromkeys(tokenize(text)))
    if not toks:
        return []
    df, n, avg = _stats(park_id, toks)
    present = [t for t in toks if df.get(t, 0) > 0]
    if not present:
        return []
    # Rarest first: they carry most of the BM25 weight and have the shortest postings. Reading
    # every posting of every term is what made the search grow with the park (a common bigram
    # is in a third of the documents); the terms past the budget still count in the exact
    # score of the candidates, they only do not bring candidates of their own.
    present.sort(key=lambda t: (df[t], t))
    chosen = present if budget is None else _within(present, df, budget)
    idf = {t: math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5)) for t in present}
    cheap: dict[int, float] = {}
    for term, doc_id in _postings(park_id, chosen, f, budget):
        cheap[doc_id] = cheap.get(doc_id, 0.0) + idf[term]
    if not cheap:
        return []
    ids = list(cheap)
    if keep is not None and len(ids) > keep:
        ids = sorted(ids, key=lambda i: (-cheap[i], i))[:keep]
    qset = set(present)
    scored = []
    for row in _rows(ids):
        tokens = row[4].split()
        scored.append((bm25_score(qset, tokens, df, n, avg), row, tokens))
    scored.sort(key=lambda x: (-x[0], x[1][0]))
    qwords = words(text)
    return [
        Hit(
            doc_id=r[0],
            doc_kind=r[1],
            ref_id=r[2],
            title=r[3],
            score=round(s, 3),
            matched=matched_words(qwords, tokens) or [t for t in present if t in tokens][:5],
        )
        for s, r, tokens in scored[:limit]
    ]


def _within(terms: list[str], df: dict[str, int], budget: int) -> list[str]:
    """The rarest terms whose postings together fit the budget (at least one, and then its
    postings are cut at the budget), at most MAX_QUERY_TERMS."""
    out: list[str] = []
    spent = 0
    for t in terms[:MAX_QUERY_TERMS]:
        if out and spent + df[t] > budget:
            break
        out.append(t)
        spent += df[t]
    return out


def _postings(
    park_id: int, terms: list[str], f: Filters, budget: int | None
) -> list[tuple[str, int]]:
    """(term, document id) for every live document of the park under the filters that holds
    one of the terms; with a budget, at most that many rows per term."""
    where, args = _where(park_id, f)
    cap = f" LIMIT {int(budget)}" if budget is not None else ""
    parts: list[tuple[str, list[Any]]] = []
    for i, t in enumerate(terms):
        if is_postgres():
            # one GIN lookup per term; the id and the filters come from the heap, the
            # tsvector itself is never read (no ranking in SQL)
            sql = (
                f"(SELECT {i}, d.id FROM knowledge_searchdoc d "
                f"WHERE d.tsv @@ to_tsquery('simple', %s) AND {where}{cap})"
            )
            parts.append((sql, ["'" + t.replace("'", "") + "'", *args]))
        else:
            # CROSS JOIN: SQLite then reads the term's doclist first and looks each id up,
            # rather than walking the park's rows and asking the FTS table about each
            sql = (
                f"SELECT * FROM (SELECT {i}, d.id FROM knowledge_fts "
                f"CROSS JOIN knowledge_searchdoc d ON d.id = knowledge_fts.rowid "
                f"WHERE knowledge_fts MATCH %s AND {where}{cap})"
            )
            parts.append((sql, ['"' + t.replace('"', "") + '"', *args]))
    out: list[tuple[str, int]] = []
    with connection.cursor() as c:
        # one round trip for the budgeted search (MAX_QUERY_TERMS parts); the exact one (tests,
        # bench) in chunks, under SQLite's 500 parts of a compound SELECT
        for j in range(0, len(parts), 200):
            chunk = parts[j : j + 200]
            c.execute(" UNION ALL ".join(q for q, _ in chunk), [x for _, ps in chunk for x in ps])
            out += [(terms[i], doc_id) for i, doc_id in c.fetchall()]
    return out


def _rows(ids: list[int]) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    with connection.cursor() as c:
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            c.execute(
                "SELECT id, doc_kind, ref_id, title, tokens FROM knowledge_searchdoc "
                f"WHERE id IN ({','.join(['%s'] * len(part))})",
                part,
            )
            out += c.fetchall()
    return out
