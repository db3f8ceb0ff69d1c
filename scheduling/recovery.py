"""Jobs a killed task worker left behind.

`db_worker` marks a job RUNNING when it takes it and runs it outside any transaction, so a worker
killed mid-job (SIGKILL, a lost machine, the OOM killer) leaves that job RUNNING for ever: no
other worker will take it. This job, run by the scheduler, puts a job that has been RUNNING for
longer than `settings.TASK_STALE_MINUTES` back in the queue, like a queue's visibility timeout.
Jobs of this project are safe to run again (a suggestion is updated in place, a deadline scan
notifies once per item and day, a retraining keeps the better model); a new task must be too.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

log = logging.getLogger(__name__)


def requeue_stranded(
    now: dt.datetime | None = None, stale: dt.timedelta | None = None
) -> list[str]:
    """Put jobs RUNNING for longer than `stale` back to READY; return their ids."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    stale = stale or dt.timedelta(minutes=getattr(settings, "TASK_STALE_MINUTES", 60))
    cutoff = (now or timezone.now()) - stale
    with transaction.atomic():
        ids = list(
            DBTaskResult.objects.select_for_update(skip_locked=True)
            .filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
            .values_list("pk", flat=True)
        )
        DBTaskResult.objects.filter(pk__in=ids).update(
            status=TaskResultStatus.READY, started_at=None
        )
    for pk in ids:
        log.warning("task %s was left RUNNING by a stopped worker: queued again", pk)
    return [str(pk) for pk in ids]


@task()
def requeue_stranded_tasks() -> int:
    return len(requeue_stranded())
