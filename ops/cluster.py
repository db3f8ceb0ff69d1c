"""Start the pieces of a several-machine deployment on this one: gunicorn instances and task
workers (`manage.py db_worker`) that share one PostgreSQL. Used by the two-instance test
(ops/tests/test_two_instances.py) and by bench/load.py; each process gets the environment a
production host would have, minus HTTPS (plain HTTP on 127.0.0.1)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(database_url: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "qinshang.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("CLUSTER_SECRET_KEY", "cluster-test-secret-key-0123456789"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_PROXY_SSL_HEADER": "",
        "TRUSTED_PROXY_COUNT": "0",
        "OTP_REQUIRED_ROLES": "",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    env.update(extra)
    return env


@dataclass
class Cluster:
    web: list[str] = field(default_factory=list)  # base URLs
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)


def _wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn at {url} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz?check=database", timeout=15) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn at {url} did not answer within {timeout:.0f} s")


@contextmanager
def cluster(
    database_url: str,
    *,
    instances: int = 2,
    web_workers: int = 2,
    task_workers: int = 2,
    ports: list[int] | None = None,
    threads: int = 1,
    env: dict[str, str] | None = None,
    log_dir: Path | None = None,
    timeout: float = 120,
) -> Iterator[Cluster]:
    """`instances` gunicorn processes (each with `web_workers` workers) and `task_workers`
    db_worker processes on one database; stopped (SIGTERM, then SIGKILL) on exit."""
    base_env = environment(database_url, **(env or {}))
    c = Cluster()

    def out(name: str) -> int | IO[bytes]:
        if log_dir is None:
            return subprocess.DEVNULL
        log_dir.mkdir(parents=True, exist_ok=True)
        return open(log_dir / f"{name}.log", "wb")

    try:
        for i in range(instances):
            port = ports[i] if ports else free_port()
            url = f"http://127.0.0.1:{port}"
            p = subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "qinshang.wsgi",
                    "--preload",  # Django imported once, before the workers fork
                    "--workers",
                    str(web_workers),
                    "--threads",
                    str(threads),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--timeout",
                    "120",
                    # Each instance its own control socket (the default path is per user).
                    "--control-socket",
                    f"/tmp/qinshang-gunicorn-{port}.ctl",
                ],
                cwd=ROOT,
                env=base_env,
                stdout=out(f"web{i}"),
                stderr=subprocess.STDOUT,
            )
            c.procs.append(p)
            c.web.append(url)
        for i in range(task_workers):
            p = subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "db_worker",
                    "--queue-name",
                    "*",
                    "--interval",
                    "0.2",
                    "--no-startup-delay",
                ],
                cwd=ROOT,
                env=base_env,
                stdout=out(f"worker{i}"),
                stderr=subprocess.STDOUT,
            )
            c.workers.append(p)
        for url, p in zip(c.web, c.procs, strict=True):
            _wait_ready(url, p, timeout)
        yield c
    finally:
        for p in c.procs + c.workers:
            if p.poll() is None:
                p.terminate()
        for p in c.procs + c.workers:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
