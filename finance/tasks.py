"""Background task: the hourly scan that urges financing needs left unanswered past their
deadline (once per working day per referral)."""

from django_tasks import task

from finance import services


@task()
def urge_overdue() -> int:
    return services.urge_overdue()
