from django.dispatch import receiver

from demands.models import Event
from demands.services import event_recorded, event_written


@receiver(event_written, sender=Event)
def _on_event_written(sender: type, event: Event, **kwargs: object) -> None:
    # Enqueued in the intake's own transaction: the job row commits with the demand (no demand
    # without its suggestion job after a crash), and intake pays for one commit, not two.
    if event.action == "create":
        from routing import tasks

        tasks.suggest_for_demand.enqueue(event.demand_id)


@receiver(event_recorded, sender=Event)
def _on_event(sender: type, event: Event, **kwargs: object) -> None:
    if event.action in ("dispatch", "return", "redispatch"):
        from routing import services

        services.record_label(event)
