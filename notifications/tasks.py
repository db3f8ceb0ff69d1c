"""Background tasks (django-tasks). Run daily, e.g. from cron: `manage.py scan_deadlines`, or
enqueue `scan_deadlines` from a scheduler; both run the same function."""

from django_tasks import task

from notifications import services


@task()
def scan_deadlines() -> int:
    return services.scan_deadlines()
