from django_tasks import task


@task()
def run_ledger_export(export_id: int) -> str:
    """Write a large ledger export (demands.exports.run)."""
    from demands import exports

    return exports.run(export_id)
