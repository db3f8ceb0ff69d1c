from django_tasks import task


@task()
def scan() -> dict[str, int]:
    """Daily: review and validity flags to the owners, the index's portal flags by date, consults
    past their working-hour limit."""
    from knowledge import services

    return services.scan()
