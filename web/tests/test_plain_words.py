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
