"""A job for the several-machines test (test_two_instances): it records, in a table the test
creates, which worker process ran it, so the test can count each job's runs."""

from django.db import connection
from django_tasks import task


@task()
def mark(tag: str) -> None:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_sleep(0.05)")  # long enough for both workers to take a share
        cur.execute(
            "INSERT INTO deploy_probe (tag, worker_pid) VALUES (%s, %s)",
            [tag, __import__("os").getpid()],
        )
