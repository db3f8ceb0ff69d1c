"""How well search finds the right department's answers: recall@k on held-out questions.

For each held-out question (a demand's title and description, or a message's title and body),
the in-memory BM25 (`search.Bm25`, the same tokeniser and ranking as the index) ranks the
documents of the knowledge base; a question is a hit when at least one of the top k documents
belongs to the question's own department (the demand's lead department, the message's unit).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.search import Bm25, tokenize


@dataclass(frozen=True)
class Doc:
    text: str
    label: str


@dataclass
class Recall:
    hits: int = 0
    total: int = 0

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else 0.0


def recall_at_k(docs: Sequence[Doc], questions: Sequence[Doc], k: int = 5) -> Recall:
    index = Bm25()
    labels = []
    for d in docs:
        index.add(tokenize(d.text))
        labels.append(d.label)
    r = Recall()
    for q in questions:
        top = index.search(tokenize(q.text), k)
        r.total += 1
        if any(labels[i] == q.label for i, _ in top):
            r.hits += 1
    return r


def folds(items: Sequence[Doc], n: int = 5, seed: int = 15) -> list[tuple[list[Doc], list[Doc]]]:
    order = list(range(len(items)))
    random.Random(seed).shuffle(order)
    out = []
    for f in range(n):
        test = {i for j, i in enumerate(order) if j % n == f}
        out.append(
            (
                [items[i] for i in range(len(items)) if i not in test],
                [items[i] for i in sorted(test)],
            )
        )
    return out


def recall_at_k_indexed(
    docs: Sequence[Doc], questions: Sequence[Doc], k: int = 5, *, exact: bool = False
) -> Recall:
    """The same measure through the database's index and `search.search` (or `search_exact`),
    in a park of its own made for the run (call it inside a test database)."""
    import uuid

    from knowledge import search
    from knowledge.models import SearchDoc
    from orgs.models import Park

    code = uuid.uuid4().hex[:12]
    park = Park.objects.create(name=f"评测{code}", short_name=code, code=code)
    labels = {}
    batch = []
    for i, d in enumerate(docs):
        labels[i + 1] = d.label
        batch.append(
            SearchDoc(
                park=park,
                doc_kind="entry",
                ref_id=i + 1,
                title=d.text[:60],
                tokens=" ".join(tokenize(d.text)),
            )
        )
    for i in range(0, len(batch), 2000):
        search.put(batch[i : i + 2000])
    find = search.search_exact if exact else search.search
    r = Recall()
    for q in questions:
        top = find(park.pk, q.text, search.Filters(doc_kinds=("entry",)), limit=k)
        r.total += 1
        if any(labels[h.ref_id] == q.label for h in top):
            r.hits += 1
    return r
