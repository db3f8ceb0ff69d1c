"""What the product says to the park's people is free of engineers' words: no command lines,
process names, repository paths or "Django 管理后台" in any page template."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TECHNICAL = re.compile(
    r"manage\.py|db_worker|systemctl|docs/|Django 管理后台|python |--dry-run|--json|命令行|soffice|/healthz"
)


def _templates() -> list[Path]:
    skip = {".venv", "node_modules", "build"}
    return sorted(
        p for p in ROOT.glob("*/templates/**/*.html") if not skip & set(p.relative_to(ROOT).parts)
    )


def test_no_page_speaks_to_an_engineer():
    templates = _templates()
    assert len(templates) > 50
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()[:120]}"
        for path in templates
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if TECHNICAL.search(line)
    ]
    assert not found, "\n".join(found)


def test_no_message_written_in_python_speaks_to_an_engineer():
    """The Chinese messages services and views produce (errors, notices, alerts) are scanned
    too; docstrings, tests, commands, benchmarks and the API's description for integrators are
    written for engineers and stay out."""
    import ast

    cjk = re.compile(r"[\u4e00-\u9fff]")
    skip = {".venv", "tests", "management", "bench", "scripts", "migrations", "build"}
    found = []
    files = [
        p
        for p in ROOT.rglob("*.py")
        if not skip & set(p.relative_to(ROOT).parts) and p.name != "api.py"
    ]
    assert len(files) > 100
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = {
            id(n.body[0].value)
            for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and n.body
            and isinstance(n.body[0], ast.Expr)
            and isinstance(n.body[0].value, ast.Constant)
        }
        for n in ast.walk(tree):
            if (
                isinstance(n, ast.Constant)
                and isinstance(n.value, str)
                and id(n) not in docs
                and cjk.search(n.value)
                and TECHNICAL.search(n.value)
            ):
                found.append(f"{path.relative_to(ROOT)}:{n.lineno}: {n.value[:100]}")
    assert not found, "\n".join(found)
