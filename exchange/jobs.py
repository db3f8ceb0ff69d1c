"""Running an import job: its dry run or its import, at once for a small sheet or as a
background task (exchange.tasks.run_import) for a large one, whose progress the job page polls.

A job whose import stopped (a killed worker, a failure in a batch) keeps the cursor of its last
committed batch; running it again goes on from there (`importer.import_ledger(resume=True)`).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from exchange import importer
from exchange.mapping import propose
from exchange.models import ImportJob
from exchange.xlsx import read_sheet_with_mapping
from qinshang.errors import ServiceError

log = logging.getLogger(__name__)


def sync_max_bytes() -> int:
    """Sheets up to this size are tried and imported at once; larger ones in the background."""
    return int(getattr(settings, "LEDGER_IMPORT_SYNC_MAX_BYTES", 2 * 1024 * 1024))


def in_background(job: ImportJob) -> bool:
    return (job.file.size or 0) > sync_max_bytes()


def start(job: ImportJob, *, dry_run: bool) -> importer.ImportReport | None:
    """Run the job now, or queue it (the page then shows its progress)."""
    if not in_background(job):
        return run(job, dry_run=dry_run)
    from exchange.tasks import run_import

    with transaction.atomic():
        job.state = ImportJob.State.CHECKING if dry_run else ImportJob.State.QUEUED
        job.error = ""
        job.save(update_fields=["state", "error"])
        transaction.on_commit(lambda: run_import.enqueue(job.pk, dry_run))
    return None


def _proposal(data: bytes, job: ImportJob) -> dict[str, object]:
    """The columns as proposed, for a file whose import was refused (to map it by hand)."""
    try:
        headers, rows, embedded = read_sheet_with_mapping(data)
    except ServiceError:
        return {}
    try:
        cols = propose(headers, rows, {**embedded, **(job.mapping or {})})
    except ServiceError:  # the user's choices are what was refused
        cols = propose(headers, rows)
    return {
        "headers": [c.header for c in cols],
        "mapping": {c.header: c.key for c in cols},
        "columns": [c.__dict__ for c in cols],
    }


def run(job: ImportJob, *, dry_run: bool) -> importer.ImportReport | None:
    """The dry run or the import of `job`, its report kept on it. An import that an earlier run
    left part-way (cursor set, not imported) goes on from its cursor."""
    if job.state == ImportJob.State.IMPORTED and not dry_run:
        return None
    resume = not dry_run and job.cursor > 0
    if not dry_run:
        ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.RUNNING, error="")
    with job.file.open("rb") as fh:
        data = fh.read()
    try:
        report = importer.import_ledger(
            data,
            park=job.park,
            user=job.user,
            mapping=job.mapping or None,
            create_missing=job.create_missing,
            dry_run=dry_run,
            values=job.values or None,
            finished_by=job.finished_by,
            job=job,
            resume=resume,
        )
    except ServiceError as exc:
        job.refresh_from_db()
        # Keep what the last try showed (headers, proposals) so the user can correct it.
        previous = {k: v for k, v in (job.report or {}).items() if k != "error"}
        if "headers" not in previous:
            previous.update(_proposal(data, job))
        job.report = {"mapping": job.mapping, **previous, "error": exc.message}
        job.state = (
            ImportJob.State.FAILED if not dry_run or job.cursor else ImportJob.State.UPLOADED
        )
        job.save()
        return None
    except Exception as exc:  # a batch that failed: the committed ones stay, the job can go on
        log.exception("ledger import %s stopped", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            state=ImportJob.State.FAILED, error=f"导入中断：{type(exc).__name__}"[:300]
        )
        raise
    job.refresh_from_db()
    job.report = report.as_dict()
    # What the park saw proposed is what it confirms with the next run, unless it changes it.
    job.values = report.values
    job.finished_by = report.finished_by
    job.error = ""
    if dry_run:
        job.state = ImportJob.State.CHECKED
    else:
        job.state = ImportJob.State.IMPORTED
        job.imported_at = timezone.now()
    job.save()
    return report


def run_by_id(job_id: int, *, dry_run: bool) -> str:
    job = ImportJob.objects.select_related("park", "user").filter(pk=job_id).first()
    if job is None:
        return "missing"
    run(job, dry_run=dry_run)
    job.refresh_from_db()
    return job.state
