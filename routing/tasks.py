from django.db import transaction
from django_tasks import task

from orgs.models import Park


@task()
def suggest_for_demand(demand_id: int) -> str:
    from demands.models import Demand
    from routing import services

    demand = Demand.objects.select_related("park", "category").filter(pk=demand_id).first()
    if demand is None:
        return "missing"
    # Its own transaction (a savepoint when run at once inside the intake's): a failure here
    # undoes only the suggestion, never the demand.
    with transaction.atomic():
        s = services.suggest(demand)
    return "none" if s is None else ("auto" if s.auto_dispatched else "suggested")


@task()
def retrain_all() -> list[str]:
    """Weekly: retrain both models of every park from its own ledger."""
    from qinshang.errors import ServiceError
    from routing import services
    from routing.models import Target

    out = []
    for park in Park.objects.all():
        for target in Target.values:
            try:
                out.append(services.retrain(park, target).message)
            except ServiceError as exc:
                out.append(f"{park.short_name} {target}: {exc.message}")
    return out


@task()
def retrain_park(park_id: int, target: str, actor_id: int | None = None) -> str:
    from orgs.models import User
    from routing import services

    park = Park.objects.get(pk=park_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return services.retrain(park, target, actor=actor).message
