"""Background tasks: the daily job that creates the next scheduled meetings (settings.PERIODIC_JOBS)."""

from django_tasks import task

from meetings import services


@task()
def schedule_meetings() -> int:
    return len(services.schedule_meetings())
