"""A client generated from /api/v1/openapi.json by a standard generator drives the whole loop.

openapi-python-client (pinned in requirements.txt) generates the package `qinshang-api-client`
from the schema as served, with no configuration and no overrides; pip installs it into
build/; the test then runs intake → 交办 → 签收 → 答复 → 回访 → 销号 against a live server with
the generated models and enums only. Generation costs seconds, so the package is cached under
build/openapi-client/<hash of the schema>/ and rebuilt only when the contract changes.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.test import Client

from orgs.models import ApiToken

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "build" / "openapi-client"
PACKAGE = "qinshang_api_client"
BIN = Path(sys.executable).parent


def _generate(schema: bytes) -> Path:
    """The installed client for this schema: build/openapi-client/<hash>/site on sys.path."""
    digest = hashlib.sha256(schema).hexdigest()[:16]
    home = CACHE / digest
    site = home / "site"
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two test workers must not build the same one
        if not (site / PACKAGE).is_dir():
            shutil.rmtree(home, ignore_errors=True)
            home.mkdir(parents=True)
            (home / "openapi.json").write_bytes(schema)
            out = home / "src"
            run = subprocess.run(
                [
                    str(BIN / "openapi-python-client"),
                    "generate",
                    "--path",
                    str(home / "openapi.json"),
                    "--output-path",
                    str(out),
                    "--meta",
                    "setup",
                ],
                capture_output=True,
                text=True,
                cwd=home,
                # Its post-generation hooks run ruff, which lives beside the interpreter.
                env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
            )
            assert run.returncode == 0, run.stdout + run.stderr
            # Built and installed from its own metadata as an integrator would; its
            # dependencies (httpx, attrs, python-dateutil) are the environment's, pinned in
            # requirements.txt, so no index is asked.
            pip = subprocess.run(
                [
                    str(BIN / "pip"),
                    "install",
                    "--quiet",
                    "--no-index",
                    "--no-deps",
                    "--no-build-isolation",
                    "--target",
                    str(site),
                    str(out),
                ],
                capture_output=True,
                text=True,
            )
            assert pip.returncode == 0, pip.stdout + pip.stderr
    return site


@pytest.fixture(scope="session")
def client_package(django_db_blocker: Any) -> ModuleType:
    with django_db_blocker.unblock():
        schema = Client().get("/api/v1/openapi.json").content
    site = _generate(schema)
    if str(site) not in sys.path:
        sys.path.insert(0, str(site))
    return importlib.import_module(PACKAGE)


def _op(name: str) -> ModuleType:
    """The generated module of an operation, found by its operationId, whatever its tag."""
    for path in sorted(
        (Path(importlib.import_module(PACKAGE).__file__).parent / "api").glob(f"*/{name}.py")
    ):
        return importlib.import_module(f"{PACKAGE}.api.{path.parent.name}.{name}")
    raise AssertionError(f"no generated module for operation {name}")


def _ok(response: Any) -> Any:
    assert 200 <= response.status_code < 300, (response.status_code, response.content)
    return response.parsed


@pytest.mark.django_db(transaction=True)
def test_a_generated_client_drives_the_loop(client_package, live_server, world):  # type: ignore[no-untyped-def]
    from qinshang_api_client import AuthenticatedClient
    from qinshang_api_client import models as m

    def as_(who: str) -> Any:
        return AuthenticatedClient(base_url=live_server.url, token=ApiToken.issue(world.users[who]))

    # 受理: the enterprise files through the portal, with the generated enum for the channel.
    created = _ok(
        _op("demands_api_create_demand").sync_detailed(
            client=as_("enterprise"),
            body=m.DemandIn(
                title="厂区门口道路破损，货车进出困难",
                description="东门外约 50 米路面塌陷，雨天积水，请协调修复。",
                channel=m.Channel.PORTAL,
            ),
        )
    )
    assert created.status == m.Status.RECEIVED
    demand_id = created.id

    def act(who: str, action: str, body: Any) -> Any:
        return _ok(
            _op(f"demand_action_{action}").sync_detailed(demand_id, client=as_(who), body=body)
        )

    # 交办 → 签收 → 答复 → 回访 → 销号, each with its own typed body.
    categories = _ok(_op("demands_api_list_categories").sync_detailed(client=as_("dispatcher")))
    leaf = next(c for c in categories if c.parent_id is not None)
    detail = act(
        "dispatcher",
        "dispatch",
        m.DispatchIn(
            lead_department_id=world.dept_a.pk,
            category_id=leaf.id,
            time_limit_days=5,
            note="请尽快勘察",
        ),
    )
    assert isinstance(detail, m.DemandDetail) and detail.status == m.Status.DISPATCHED
    task = detail.tasks[0]
    assert task.role == m.TaskRole.LEAD and task.status == m.TaskStatus.PENDING
    detail = act("handler", "sign", m.SignIn(task_id=task.id))
    assert detail.tasks[0].status == m.TaskStatus.SIGNED
    detail = act(
        "handler",
        "reply",
        m.ReplyIn(
            task_id=task.id, answer="已安排施工队修复路面，本周内完工。", outcome=m.Outcome.SOLVED
        ),
    )
    assert detail.status == m.Status.ANSWERED and detail.outcome == m.Outcome.SOLVED
    seen = act("enterprise", "confirm", m.ConfirmIn(satisfaction=m.Satisfaction.SATISFIED))
    assert isinstance(seen, m.RequesterDemandDetail) and seen.status == m.Status.CONFIRMED
    detail = act("dispatcher", "close", m.CloseIn(note="企业满意，销号"))
    assert detail.status == m.Status.CLOSED
    assert [a for a in detail.actions] == [] or all(
        isinstance(a.action, m.Action) for a in detail.actions
    )

    # A value outside an enum cannot even be built with the generated models.
    with pytest.raises(ValueError):
        m.Outcome("fixed")
    # The generated list reads the enums back.
    page = _ok(
        _op("demands_api_list_demands").sync_detailed(client=as_("dispatcher"), status="closed")
    )
    assert [r.id for r in page.results] == [demand_id]
    assert page.results[0].channel == m.Channel.PORTAL
    json.dumps(page.to_dict())  # and serialises them as the schema's values
