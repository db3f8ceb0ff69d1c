from django.dispatch import receiver

from demands.models import Event
from demands.services import event_recorded


@receiver(event_recorded, sender=Event)
def _on_event(sender: type, event: Event, **kwargs: object) -> None:
    from routing import services, tasks

    if event.action == "create":
        tasks.suggest_for_demand.enqueue(event.demand_id)
    elif event.action in ("dispatch", "return", "redispatch"):
        services.record_label(event)
