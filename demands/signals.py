"""Signals the ledger sends about writes that bypass the per-row model signals, so that rooms
above it (reports) can follow without the writer importing them."""

from django.dispatch import Signal

# Sent with `demand_ids` inside the transaction that bulk-wrote imported demands, their tasks and
# events (bulk_create sends no post_save): receivers bring what they derive up to date, and it
# commits or rolls back with the import (a dry run leaves nothing behind).
ledger_imported = Signal()
