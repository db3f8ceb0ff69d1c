"""Background task: the daily scan that turns unclaimed benefits into liaison tasks (有政策未享受)
and closes those that were claimed or no longer apply."""

from django_tasks import task

from policies import services


@task()
def scan_unclaimed() -> int:
    return services.scan_all().opened
