"""Read replicas for the heavy readers: dashboards and exports.

With DATABASE_REPLICA_URL set, settings add the database alias "replica" and install
ReplicaRouter. Code that only reads, and can live with a replica that lags a second or two,
marks itself with `replica_reads` (a decorator or a context manager): the dashboard pages and
their drill-downs, the ledger and drill-down exports. Everything else reads the primary, so a user
always sees what they have just written. Writes never go to the replica: db_for_write is always
"default", and a read made inside a transaction on the primary (a dashboard that first brings
stale facts up to date, an export that logs who saw which phone numbers) stays on the primary, so
no transaction mixes a snapshot of the replica with its own writes.

Without DATABASE_REPLICA_URL the router answers None everywhere and nothing changes.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
_reading: contextvars.ContextVar[bool] = contextvars.ContextVar("replica_reads", default=False)

P = ParamSpec("P")
R = TypeVar("R")


def enabled() -> bool:
    return bool(getattr(settings, "READ_REPLICA", False)) and REPLICA in settings.DATABASES


@contextmanager
def replica_context() -> Iterator[None]:
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


@contextmanager
def primary_reads() -> Iterator[None]:
    """Read the primary inside a `replica_reads` block: for work that reads in order to write
    (the stale marks a dashboard clears before it counts)."""
    token = _reading.set(False)
    try:
        yield
    finally:
        _reading.reset(token)


def replica_reads(fn: Callable[P, R]) -> Callable[P, R]:
    """Run `fn` with its reads routed to the replica (when one is configured)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with replica_context():
            return fn(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    """Reads inside `replica_reads` go to the replica; all else (and every write) to default."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if not _reading.get() or not enabled():
            return None
        if connections["default"].in_atomic_block:
            return "default"  # a transaction reads what it writes
        return REPLICA

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db != REPLICA  # a replica is migrated by replication, never directly
