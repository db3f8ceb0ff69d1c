"""Signals the ledger sends about writes that bypass the per-row model signals, and hooks its
pages call, so that rooms above it (reports, routing) can follow or contribute without the
ledger importing them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.dispatch import Signal

if TYPE_CHECKING:
    from demands.models import Demand

# Sent with `demand_ids` inside the transaction that bulk-wrote imported demands, their tasks and
# events (bulk_create sends no post_save): receivers bring what they derive up to date, and it
# commits or rolls back with the import (a dry run leaves nothing behind).
ledger_imported = Signal()


# What the dispatch form proposes for a demand (category, lead department): routing, a higher
# room, registers its suggestion lookup here in its AppConfig.ready; the ledger imports nothing
# of it. The first lookup that answers wins; with none registered the form has no proposal.
DISPATCH_SUGGESTIONS: list[Callable[[Demand], Any]] = []

# Panels a higher room adds to the demand page and the intake form (the knowledge base's answers
# for this text): each provider returns the URL of an htmx fragment, or None to add nothing. The
# demand page's resolve form carries a `reference` field a panel may fill (kb:<id>); the ledger
# stores it in the event's data and reads nothing of it.
DEMAND_PANELS: list[Callable[[Any, Demand], str | None]] = []  # (user, demand)
INTAKE_PANELS: list[Callable[[Any], str | None]] = []  # (user)

# Cards other apps add to a demand's page (e.g. matchmaking: 供需匹配 for a 市场拓展 demand): each
# is called with the viewing user and the demand and returns {"title", "text", "url", "link"} or
# None. Registered from the contributing app's AppConfig.ready; the ledger imports none of them.
DEMAND_CARDS: list[Callable[[Any, Demand], dict[str, str] | None]] = []
