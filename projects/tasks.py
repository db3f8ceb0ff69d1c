"""Background task: the hourly scan that announces newly slipping milestones (once per slip)."""

from django_tasks import task

from projects import services


@task()
def scan_slips() -> int:
    return services.scan_slips()
