"""The systemd units in deploy/systemd parse and start commands that exist: the executables (with
/srv/qinshang read as this checkout), the management commands and their options."""

import configparser
import importlib
import os
import shlex
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands, load_command_class
from django.test import override_settings

ROOT = Path(settings.BASE_DIR)
UNITS = sorted((ROOT / "deploy" / "systemd").glob("qinshang-*"))
INSTALL = "/srv/qinshang"


def parse(path: Path) -> configparser.ConfigParser:
    # systemd units are ini-like; `%i` specifiers are systemd's, not interpolation.
    cp = configparser.ConfigParser(interpolation=None, strict=True)
    cp.optionxform = str  # keys are case-sensitive (ExecStart, not execstart)
    cp.read_string(path.read_text(encoding="utf-8"), source=str(path))
    return cp


def local(path: str) -> Path:
    return ROOT / path.removeprefix(INSTALL + "/") if path.startswith(INSTALL) else Path(path)


def test_the_expected_units_are_there():
    names = {p.name for p in UNITS}
    assert {
        "qinshang-web.service",
        "qinshang-worker@.service",
        "qinshang-scheduler.service",
        "qinshang-backup.service",
        "qinshang-backup.timer",
    } <= names


@pytest.mark.parametrize("unit", [p for p in UNITS if p.suffix == ".service"], ids=lambda p: p.name)
def test_service_parses_and_points_at_existing_commands(unit):
    cp = parse(unit)
    assert {"Unit", "Service"} <= set(cp.sections())
    svc = cp["Service"]
    assert svc["WorkingDirectory"] == INSTALL
    if svc.get("Type") != "oneshot":
        assert svc["Restart"] == "always"  # a killed process comes back on its own
        assert cp["Install"]["WantedBy"] == "multi-user.target"
        assert svc["EnvironmentFile"] == "/etc/qinshang/qinshang.env"
    argv = shlex.split(svc["ExecStart"].replace("%H", "host1").replace("%i", "1"))
    exe = local(argv[0])
    assert exe.exists() and os.access(exe, os.X_OK), f"{unit.name}: {argv[0]} is missing"
    if argv[1:2] == ["manage.py"]:
        name, args = argv[2], argv[3:]
        assert name in get_commands(), f"{unit.name}: no management command {name}"
        cmd = load_command_class(get_commands()[name], name)
        # Production's task backend (the suite runs tasks at once), which db_worker checks.
        with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
            cmd.create_parser("manage.py", name).parse_args(args)  # CommandError if bad
    elif exe.name == "gunicorn":
        importlib.import_module(argv[1].split(":")[0])  # the WSGI module
    elif exe.name == "backup.sh":
        assert "--env-file" in argv and "--output" in argv


def test_worker_restarts_and_the_timer_starts_the_backup():
    worker = parse(ROOT / "deploy/systemd/qinshang-worker@.service")
    assert "db_worker" in worker["Service"]["ExecStart"]
    timer = parse(ROOT / "deploy/systemd/qinshang-backup.timer")
    assert timer["Timer"]["OnCalendar"] and timer["Timer"]["Persistent"] == "true"
    assert (ROOT / "deploy/systemd/qinshang-backup.service").exists()
