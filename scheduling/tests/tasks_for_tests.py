from django_tasks import task

CALLS: list[str] = []


@task()
def probe() -> None:
    CALLS.append("ran")
