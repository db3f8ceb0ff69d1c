"""Mark a demand's facts stale in the same transaction that changes it.

A row per change (not one per demand) so that a change arriving while `reports.facts` is processing
the demand leaves a row of its own behind rather than being absorbed by the one being deleted.
"""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from demands.models import Demand, Event
from demands.signals import ledger_imported
from reports import facts
from reports.models import StaleDemand


@receiver(post_save, sender=Event)
def _event_recorded(sender: Any, instance: Event, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        StaleDemand.objects.create(demand_id=instance.demand_id)


@receiver(post_save, sender=Demand)
def _demand_saved(
    sender: Any, instance: Demand, created: bool = False, raw: bool = False, **kwargs: Any
) -> None:
    # Edits made without an event (the admin changing a category) still move the figures. A new
    # demand needs no row of its own: intake records its "create" event in the same transaction.
    if not raw and not created:
        StaleDemand.objects.create(demand_id=instance.pk)


@receiver(ledger_imported)
def _ledger_imported(sender: Any, demand_ids: list[int], **kwargs: Any) -> None:
    # An import writes in bulk, without the signals above: its facts are computed at once.
    facts.refresh(demand_ids)
