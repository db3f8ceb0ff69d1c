import datetime as dt

from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max


def queued_job(enqueued_at: dt.datetime, *, status: str = TaskResultStatus.READY, run_after=None):
    """A row as the database task backend writes it; enqueued_at is auto_now_add, so set after."""
    row = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="notifications.tasks.scan_deadlines",
        backend_name="default",
        run_after=run_after or get_date_max(),
        status=status,
    )
    DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=enqueued_at)
    return row
