from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from demands import tracking


@task()
def purge_tracking_attempts() -> int:
    """查询进度 look-ups older than a day say nothing about guessing any more."""
    return tracking.purge(timezone.now() - max(tracking.WINDOW, timedelta(days=1)))


@task()
def run_ledger_export(export_id: int) -> str:
    """Write a large ledger export (demands.exports.run)."""
    from demands import exports

    return exports.run(export_id)
