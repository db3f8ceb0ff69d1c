"""Mark a demand's facts stale in the same transaction that changes it.

A row per transaction and demand (not one per demand) so that a change arriving while
`reports.facts` is processing the demand leaves a row of its own behind rather than being absorbed
by the one being deleted. Within one transaction a second row for the same demand says nothing
the first does not (no other transaction sees either before the commit): an action writing two
events and saving the demand marks it once, not three times.
"""

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from demands.models import Demand, Event
from demands.signals import ledger_imported
from reports import facts
from reports.models import StaleDemand


class _Marked:
    """Queued with the transaction's on-commit callbacks beside the row it stands for. Django
    drops it together with that row when the savepoint or transaction that wrote them rolls
    back, so while it is queued the row exists — unless `reports.facts` deleted marks since
    (`generation`)."""

    __slots__ = ("demand_id", "generation")

    def __init__(self, demand_id: int, generation: int) -> None:
        self.demand_id = demand_id
        self.generation = generation

    def __call__(self) -> None:
        pass


_RECENT = 64


def mark(demand_id: int) -> None:
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        StaleDemand.objects.create(demand_id=demand_id)
        return
    gen = facts.marks_generation
    # Only the latest callbacks: one action's marks of a demand come together, and a scan of
    # the whole queue would make a transaction that marks many demands quadratic. A mark
    # missed here is one extra row, never a lost one.
    for _sids, func, *_ in conn.run_on_commit[-_RECENT:]:
        if isinstance(func, _Marked) and func.demand_id == demand_id and func.generation == gen:
            return
    StaleDemand.objects.create(demand_id=demand_id)
    transaction.on_commit(_Marked(demand_id, gen))


@receiver(post_save, sender=Event)
def _event_recorded(sender: Any, instance: Event, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        mark(instance.demand_id)


@receiver(post_save, sender=Demand)
def _demand_saved(
    sender: Any, instance: Demand, created: bool = False, raw: bool = False, **kwargs: Any
) -> None:
    # Edits made without an event (the admin changing a category) still move the figures. A new
    # demand needs no row of its own: intake records its "create" event in the same transaction.
    if not raw and not created:
        mark(instance.pk)


@receiver(ledger_imported)
def _ledger_imported(sender: Any, demand_ids: list[int], **kwargs: Any) -> None:
    # An import writes in bulk, without the signals above: its facts are computed at once.
    facts.refresh(demand_ids)
