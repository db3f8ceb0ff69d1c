from django_tasks import task

from parkadmin import services


@task()
def remind_missing_schedule() -> int:
    return services.remind_missing_schedule()
