"""Large ledger exports as background jobs: `start` records who asked for which filter and
queues `demands.tasks.run_ledger_export`; `run` writes the workbook in write-only mode
(`demands.workbook.write_ledger`) to the media storage, counting its progress on the row.

The task scopes again as the user (`access.visible_demands`) and masks as the ledger page would
(`privacy.masker`), so a job holds exactly what its page would have answered at once.
"""

from __future__ import annotations

import logging
import tempfile
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from demands import access, privacy, queries
from demands.models import Demand, LedgerExport
from demands.workbook import write_ledger
from orgs.models import Park, User
from qinshang.errors import NotFound
from qinshang.replicas import replica_context

log = logging.getLogger(__name__)


def sync_max_rows() -> int:
    """Up to this many rows the ledger export answers at once; above it, a background job."""
    return int(getattr(settings, "LEDGER_EXPORT_SYNC_MAX_ROWS", 20_000))


def ledger_queryset(user: User, park: Park, params: Any) -> QuerySet[Demand]:
    return queries.apply(access.visible_demands(user, park), queries.ledger_filter(params))


def start(user: User, park: Park, params: dict[str, str], name: str) -> LedgerExport:
    """Queue an export of the ledger `params` filter (checked now: a bad date refuses here)."""
    from demands.tasks import run_ledger_export

    total = ledger_queryset(user, park, params).count()
    with transaction.atomic():
        job = LedgerExport.objects.create(
            park=park, user=user, params=params, rows_total=total, name=name
        )
        transaction.on_commit(lambda: run_ledger_export.enqueue(job.pk))
    return job


def visible(user: User, park: Park) -> QuerySet[LedgerExport]:
    """A user's own exports in the park: nobody else's job or file."""
    return LedgerExport.objects.filter(park=park, user=user)


def get(user: User, park: Park, export_id: int) -> LedgerExport:
    job = visible(user, park).filter(pk=export_id).first()
    if job is None:
        raise NotFound("没有这个导出任务")
    return job


def run(export_id: int) -> str:
    job = LedgerExport.objects.select_related("park", "user").filter(pk=export_id).first()
    if job is None:
        return "missing"
    if job.state == LedgerExport.State.DONE:
        return "done"
    LedgerExport.objects.filter(pk=job.pk).update(state=LedgerExport.State.RUNNING, rows_done=0)
    qs = ledger_queryset(job.user, job.park, job.params)

    def progress(n: int) -> None:
        LedgerExport.objects.filter(pk=job.pk).update(rows_done=n)

    try:
        # The rows are read from the read replica when there is one, as the page's export is.
        with tempfile.TemporaryFile() as fh, replica_context():
            rows = write_ledger(qs, fh, privacy.masker(job.user, qs), progress=progress)
            fh.seek(0)
            job.file.save(f"ledger-{job.pk}.xlsx", File(fh), save=False)
    except Exception as exc:  # the job says it failed; the worker's log keeps the trace
        log.exception("ledger export %s failed", job.pk)
        LedgerExport.objects.filter(pk=job.pk).update(
            state=LedgerExport.State.FAILED,
            error=f"生成失败：{type(exc).__name__}",
            finished_at=timezone.now(),
        )
        return "failed"
    job.state = LedgerExport.State.DONE
    job.rows_done = job.rows_total = rows
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "rows_done", "rows_total", "file", "finished_at"])
    return "done"
