from django_tasks import task


@task()
def run_import(job_id: int, dry_run: bool = False) -> str:
    """A large sheet's dry run or import (exchange.jobs.run), committed batch by batch."""
    from exchange import jobs

    return jobs.run_by_id(job_id, dry_run=dry_run)
