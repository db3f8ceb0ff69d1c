"""The API contract is committed: docs/openapi.json is /api/v1/openapi.json as last agreed.

Integrators generate clients from it, so a change to a path, a body, a field or an enum must be
deliberate. When this test fails, read the diff: if the change is intended, write the new schema
and say what changed in docs/changelog.md ("API contract changes"):

    QINSHANG_UPDATE_OPENAPI=1 .venv/bin/pytest qinshang/tests/test_openapi_snapshot.py

then commit both files.
"""

from __future__ import annotations

import copy
import difflib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

SNAPSHOT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
UPDATE_ENV = "QINSHANG_UPDATE_OPENAPI"
HOW_TO_UPDATE = (
    f"If the change is intended: {UPDATE_ENV}=1 .venv/bin/pytest "
    "qinshang/tests/test_openapi_snapshot.py, add a line to docs/changelog.md "
    "(API contract changes), and commit docs/openapi.json with it."
)
MAX_DIFF_LINES = 150


def render(schema: dict[str, Any]) -> str:
    """The committed form: sorted keys, Chinese as is, one value a line, so diffs read well."""
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def live_schema() -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200, response.status_code
    return response.json()


def contract_diff(committed: str, current: str) -> str:
    """A unified diff of the committed contract against the current one; '' when they agree."""
    lines = list(
        difflib.unified_diff(
            committed.splitlines(),
            current.splitlines(),
            "docs/openapi.json (committed)",
            "/api/v1/openapi.json (now)",
            lineterm="",
            n=3,
        )
    )
    if len(lines) > MAX_DIFF_LINES:
        lines = [*lines[:MAX_DIFF_LINES], f"… {len(lines) - MAX_DIFF_LINES} more diff lines"]
    return "\n".join(lines)


@pytest.mark.django_db
def test_the_api_contract_is_the_committed_one() -> None:
    current = render(live_schema())
    if os.environ.get(UPDATE_ENV) == "1":
        SNAPSHOT.write_text(current, encoding="utf-8")
        return
    assert SNAPSHOT.exists(), f"docs/openapi.json is missing. {HOW_TO_UPDATE}"
    diff = contract_diff(SNAPSHOT.read_text(encoding="utf-8"), current)
    if diff:
        pytest.fail(f"The API contract changed:\n{diff}\n\n{HOW_TO_UPDATE}", pytrace=False)


@pytest.mark.django_db
def test_a_deliberate_change_shows_in_the_diff() -> None:
    """The check can fail: an enum value dropped from an action's body is reported by path."""
    schema = live_schema()
    committed = render(schema)
    changed = copy.deepcopy(schema)
    outcome = changed["components"]["schemas"]["Outcome"]
    outcome["enum"] = [v for v in outcome["enum"] if v != "partly"]
    diff = contract_diff(committed, render(changed))
    assert '-          "partly",' in diff
    assert diff.startswith("--- docs/openapi.json (committed)")
    assert contract_diff(committed, committed) == ""


@pytest.mark.django_db
def test_every_action_body_and_enum_is_in_the_contract() -> None:
    from demands.schemas import BODIES

    schema = live_schema()
    components = schema["components"]["schemas"]
    for action, body in BODIES.items():
        op = schema["paths"][f"/api/v1/demands/{{demand_id}}/actions/{action.value}"]["post"]
        ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        assert ref == f"#/components/schemas/{body.__name__}", action
    for name in (
        "Channel",
        "Outcome",
        "ReturnReason",
        "Satisfaction",
        "Status",
        "TaskStatus",
        "Tier",
        "Action",
        "EntityKind",
        "EntityTier",
    ):
        assert components[name].get("enum"), name
