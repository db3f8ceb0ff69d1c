"""The ledger search's index: character bigrams of a demand's own texts.

A ledger search word must find exactly the demands whose title, description, requester name,
number or phone contains it (``queries.term_condition``), and most Chinese search words have two
characters, from which a trigram index (pg_trgm, FTS5's trigram tokenizer) extracts nothing. So
the index holds every pair of adjacent characters of those texts: a word of two or more
characters can only be inside a text that holds all of the word's pairs. The index narrows the
demands to those candidates, and the very same ``LIKE`` conditions as before decide among them;
the matches are exactly the unindexed search's (a one-character word has no pair and is
searched without the index).

The database keeps the index itself, so every write is covered (the ledger import's
``bulk_create``, a benchmark's ``INSERT … SELECT``):

- PostgreSQL: a generated column ``search_grams`` = ``demands_grams(title, description,
  requester_name, number, requester_phone)``, an immutable SQL function returning the texts'
  pairs (of ``upper()``, as Django's ``icontains`` compares), with a GIN index; a query asks
  ``search_grams @> demands_term_grams(word)``. The column is unknown to the model (like the
  knowledge index's tsvector), so Django never writes or reads it; ``_Grams`` names it on the
  query's own alias of the demands table.
- SQLite: an FTS5 table ``demands_search`` (rowid = the demand's id) of the same pairs as
  space-separated tokens, written by triggers on ``demands_demand`` through the ``demands_grams``
  function that every Django connection registers (``register_sqlite_functions``). Like the
  knowledge index (knowledge/search.py), FTS5 on SQLite and a GIN index on PostgreSQL; the
  tokens differ because this one must match substrings exactly, not rank words.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import BooleanField, Func, Q, TextField, Value
from django.db.models.expressions import Expression, RawSQL

COLUMNS = ("title", "description", "requester_name", "number", "requester_phone")


def text_pairs(text: str) -> list[str]:
    """Adjacent pairs of letters or digits of `text`, case-folded character by character (so a
    folded word is a substring of the folded text whenever LIKE finds it there), in order; and
    every run of 3 and of 4 digits, since pairs of digits are in nearly every demand (numbers,
    phones) and narrow a phone number's part poorly."""
    folded = "".join(ch.casefold() for ch in text or "")
    out = [folded[i : i + 2] for i in range(len(folded) - 1) if folded[i : i + 2].isalnum()]
    for n in (3, 4):
        out += [g for i in range(len(folded) - n + 1) if _digits(g := folded[i : i + n])]
    return out


def _digits(s: str) -> bool:
    return s.isascii() and s.isdigit()


def sqlite_grams(*texts: str | None) -> str:
    """The FTS5 document of a demand: its texts' distinct pairs, space-separated."""
    seen: dict[str, None] = {}
    for t in texts:
        for p in text_pairs(t or ""):
            seen.setdefault(p, None)
    return " ".join(seen)


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created: the triggers of migration 0012 call demands_grams()."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "demands_grams", len(COLUMNS), sqlite_grams, deterministic=True
        )


def usable(term: str) -> bool:
    """Whether the index can narrow this word: it needs one pair of letters or digits."""
    return bool(text_pairs(term))


class _Grams(Expression):
    """demands_demand.search_grams under the alias the query gives the table."""

    output_field = TextField()

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[str | int, ...]]:
        alias = compiler.query.get_initial_alias()
        return f"{compiler.quote_name_unless_alias(alias)}.search_grams", ()


class _PgHas(Func):
    arg_joiner = " @> "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def candidates(term: str) -> Q:
    """Demands whose own texts may contain `term` (a superset; `usable(term)` must hold)."""
    if connection.vendor == "postgresql":
        if term.isascii() and term.isdigit() and len(term) >= 4:
            # A phone or a number's digits: its runs of 4 imply every pair and run of 3 inside
            # them, whose posting lists are most of the table (digit pairs are in nearly every
            # demand); at 1,000,000 demands a phone's 27 grams took 45 ms of the GIN, its 8
            # runs 2.7 ms (EXPLAIN ANALYZE, docs/benchmarks.md). Digits need no case folding,
            # so these are exactly the grams demands_bigrams keeps for them.
            runs = list(dict.fromkeys(term[i : i + 4] for i in range(len(term) - 3)))
            return Q(_PgHas(_Grams(), RawSQL("%s::text[]", (runs,))))
        return Q(
            _PgHas(
                _Grams(),
                Func(Value(term), function="demands_term_grams", output_field=TextField()),
            )
        )
    pairs = list(dict.fromkeys(text_pairs(term)))
    # Runs of 4 digits imply the pairs and runs of 3 inside them, and each is far rarer: asking
    # FTS5 for all thirty tokens of a phone number cost more than the match itself (SQLite).
    runs = [p for p in pairs if len(p) == 4]
    if runs:
        inside = {r[i : i + n] for r in runs for n in (2, 3) for i in range(5 - n)}
        pairs = [p for p in pairs if p not in inside]
    match = " AND ".join(f'"{p}"' for p in pairs)
    return Q(
        pk__in=RawSQL("SELECT rowid FROM demands_search WHERE demands_search MATCH %s", [match])
    )
