from django_tasks import task

from idempotency import services


@task()
def purge_expired() -> int:
    return services.purge_expired()
