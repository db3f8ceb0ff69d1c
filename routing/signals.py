"""Hooks other apps fill so routing knows what each department does.

LABEL_TEXTS: providers ``(park) -> {department_id: [text, …]}``, e.g. the knowledge base's
权责清单 entries (``knowledge.services.duty_texts``). The department's name and its ``duties``
field always count; providers add to them. A provider that fails is skipped (logged), so a broken
app never stops retraining.
"""

from __future__ import annotations

from collections.abc import Callable

from orgs.models import Park

LABEL_TEXTS: list[Callable[[Park], dict[int, list[str]]]] = []
