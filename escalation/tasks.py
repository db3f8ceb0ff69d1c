"""Background task: the hourly escalation scan, enqueued by the one scheduler."""

from django_tasks import task

from escalation import services


@task()
def scan_all() -> int:
    return services.scan_all()
