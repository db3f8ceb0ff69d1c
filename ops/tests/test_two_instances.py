"""Several machines on one PostgreSQL, played here: two gunicorn instances on two ports and two
task workers (ops.cluster). A session started on one instance is valid on the other, a form
posted to the second with the first's CSRF token is accepted, and of 40 jobs queued every one
runs exactly once, shared by both workers. PostgreSQL only (skipped on SQLite); ~20 s."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from ops import cluster as cl
from orgs.models import Park, Role, User

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="the several-machines deployment shares one PostgreSQL",
    ),
    pytest.mark.django_db(transaction=True),
]
JOBS = 40


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def login(client: httpx.Client, base: str, username: str, password: str) -> None:
    page = client.get(base + "/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    r = client.post(
        base + "/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token[1]},
        headers={"Referer": base + "/login/"},
    )
    assert r.status_code == 302 and "/login/" not in r.headers["location"], r.text[:500]


def test_two_web_instances_and_two_workers_share_one_database() -> None:
    park = Park.objects.create(name="双实例园区", short_name="双实例", code="twin")
    # Hashed as production hashes (the test settings' fast hasher is unknown to the servers).
    User.objects.create(
        username="twin_leader",
        password=PBKDF2PasswordHasher().encode("twin-pass-0123", "twinsalt0123"),
        role=Role.LEADER,
        park=park,
    )
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE deploy_probe (tag text, worker_pid int)")
    url = database_url()
    with cl.cluster(
        url, instances=2, web_workers=2, task_workers=2, log_dir=cl.ROOT / "build" / "cluster"
    ) as c:
        a, b = c.web
        with httpx.Client(timeout=30) as on_a:
            login(on_a, a, "twin_leader", "twin-pass-0123")
            assert on_a.get(a + "/leader/").status_code == 200
            # The other instance knows the session: sessions live in the shared database and
            # every instance signs with the same SECRET_KEY.
            on_b = httpx.Client(timeout=30, cookies=on_a.cookies)
            r = on_b.get(b + "/leader/")
            assert r.status_code == 200, (r.status_code, r.headers.get("location"))
            assert "twin_leader" in r.text or "双实例" in r.text
            # Logging out on B ends the session on A as well.
            page = on_b.get(b + "/leader/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
            assert token
            out = on_b.post(
                b + "/logout/",
                data={"csrfmiddlewaretoken": token[1]},
                headers={"Referer": b + "/leader/"},
            )
            assert out.status_code in (200, 302), out.status_code
            assert on_a.get(a + "/leader/").status_code == 302
            on_b.close()
        # Jobs queued by a third process (as a web request or the scheduler would).
        enqueue = (
            "import django; django.setup()\n"
            "from ops.tests.deploy_tasks import mark\n"
            f"for i in range({JOBS}): mark.enqueue(f'job{{i}}')\n"
        )
        subprocess.run(
            [sys.executable, "-c", enqueue],
            cwd=cl.ROOT,
            env=cl.environment(url),
            check=True,
            timeout=60,
        )
        deadline = time.monotonic() + 40
        rows: list[Any] = []
        while time.monotonic() < deadline:
            with connection.cursor() as cur:
                cur.execute("SELECT tag, worker_pid FROM deploy_probe")
                rows = cur.fetchall()
            if len(rows) >= JOBS:
                break
            time.sleep(0.3)
        time.sleep(1)  # a job that ran twice would show up now
        with connection.cursor() as cur:
            cur.execute(
                "SELECT tag, count(*), count(DISTINCT worker_pid) FROM deploy_probe GROUP BY tag"
            )
            runs = {tag: n for tag, n, _ in cur.fetchall()}
            cur.execute("SELECT count(DISTINCT worker_pid) FROM deploy_probe")
            pids = cur.fetchone()[0]
    assert sorted(runs) == sorted(f"job{i}" for i in range(JOBS))
    assert set(runs.values()) == {1}, {t: n for t, n in runs.items() if n != 1}
    assert pids == 2, "both workers should have taken a share"
