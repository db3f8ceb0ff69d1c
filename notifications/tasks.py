"""Background tasks (django-tasks). Run daily, e.g. from cron: `manage.py scan_deadlines`, or
enqueue `scan_deadlines` from a scheduler; both run the same function. `deliver` is one attempt
at one outside delivery (it re-enqueues itself with backoff); `retry_deliveries` is the sweep
that picks up attempts whose job was lost."""

from django_tasks import task

from notifications import delivery, services


@task()
def scan_deadlines() -> int:
    return services.scan_deadlines()


@task()
def deliver(delivery_id: int) -> str:
    return delivery.attempt(delivery_id)


@task()
def retry_deliveries() -> int:
    return delivery.retry_due()
