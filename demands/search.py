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

- PostgreSQL: an expression GIN index over ``demands_grams(title, description, requester_name,
  number, requester_phone)``, an immutable SQL function returning the text's bigrams (of
  ``upper()``, as Django's ``icontains`` compares); a query asks ``… @> demands_term_grams(word)``.
- SQLite: an FTS5 table ``demands_search`` (rowid = the demand's id) of the same pairs as
  space-separated tokens, written by triggers on ``demands_demand`` through the ``demands_grams``
  function that every Django connection registers (``register_sqlite_functions``). Like the
  knowledge index (knowledge/search.py), FTS5 on SQLite and a GIN index on PostgreSQL; the
  tokens differ because this one must match substrings exactly, not rank words.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, TextField, Value
from django.db.models.expressions import RawSQL

COLUMNS = ("title", "description", "requester_name", "number", "requester_phone")


def text_pairs(text: str) -> list[str]:
    """Adjacent pairs of letters or digits of `text`, case-folded character by character (so a
    folded word is a substring of the folded text whenever LIKE finds it there), in order."""
    folded = "".join(ch.casefold() for ch in text or "")
    return [folded[i : i + 2] for i in range(len(folded) - 1) if folded[i : i + 2].isalnum()]


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


class _PgGrams(Func):
    function = "demands_grams"
    output_field = TextField()


class _PgHas(Func):
    arg_joiner = " @> "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def candidates(term: str) -> Q:
    """Demands whose own texts may contain `term` (a superset; `usable(term)` must hold)."""
    if connection.vendor == "postgresql":
        return Q(
            _PgHas(
                _PgGrams(*(F(c) for c in COLUMNS)),
                Func(Value(term), function="demands_term_grams", output_field=TextField()),
            )
        )
    pairs = dict.fromkeys(text_pairs(term))
    match = " AND ".join(f'"{p}"' for p in pairs)
    return Q(
        pk__in=RawSQL("SELECT rowid FROM demands_search WHERE demands_search MATCH %s", [match])
    )
