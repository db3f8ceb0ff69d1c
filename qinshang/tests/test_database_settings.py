"""PostgreSQL connections use server-side binding and prepared statements unless turned off."""

import subprocess
import sys

from django.conf import settings


def _options(env: dict[str, str]) -> str:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='qinshang.settings'; "
        "from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS', {}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    return out.stdout


def test_postgresql_prepares_statements_by_default() -> None:
    opts = _options({"DATABASE_URL": "postgres://u@127.0.0.1:5432/x"})
    assert "'server_side_binding': True" in opts
    assert "'prepare_threshold': 5" in opts


def test_prepared_statements_can_be_turned_off_for_a_pooler() -> None:
    opts = _options(
        {"DATABASE_URL": "postgres://u@127.0.0.1:5432/x", "DB_PREPARED_STATEMENTS": "0"}
    )
    assert "server_side_binding" not in opts


def test_sqlite_keeps_its_own_options() -> None:
    opts = _options({"DATABASE_URL": "sqlite:////tmp/x.sqlite3"})
    assert "server_side_binding" not in opts
    assert "transaction_mode" in opts
