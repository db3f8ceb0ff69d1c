"""The demo park's knowledge base: a 政策专员 per department (one of its handlers), one
权责清单事项 per duty of each department (departments.toml), the policy, guide and FAQ entries of
data/knowledge.toml, and 类案答复 promoted from answered demands of the simulated year; then the
search index over entries and answered demands is rebuilt (demands answered while the seeding
was quiet were not indexed as they went)."""

from __future__ import annotations

import random
import re
from typing import Any

from demands.models import Demand, Status, Tier
from demo import textgen as tg
from knowledge import services as kb
from knowledge.models import EntryStatus, Kind
from orgs.models import Department, Park, Role, User

DATA = tg._load("knowledge.toml")


def _specialists(park: Park) -> dict[int, User]:
    out: dict[int, User] = {}
    for u in (
        User.objects.filter(park=park, role=Role.HANDLER, is_active=True)
        .exclude(department=None)
        .order_by("department_id", "-rank", "id")
    ):
        if u.department_id is not None:
            out.setdefault(u.department_id, u)
    demo = User.objects.filter(park=park, username="handler").first()
    if demo is not None and demo.department_id is not None:
        out[demo.department_id] = demo
    return out


def build(rng: random.Random, park: Park, *, cases_per_department: int = 2) -> dict[str, int]:
    disp = User.objects.get(park=park, username="dispatcher")
    depts = {
        d.name: d
        for d in Department.objects.filter(park=park, is_dispatch_centre=False, is_active=True)
    }
    spec = _specialists(park)
    counts = {"duties": 0, "entries": 0, "cases": 0, "specialists": len(spec)}
    for d in depts.values():
        s = spec.get(d.pk)
        for i, duty in enumerate(x for x in re.split(r"[、，,；;]", d.duties) if x.strip()):
            kb.create_entry(
                disp,
                park,
                kb.EntryInput(
                    kind=Kind.DUTY,
                    title=duty.strip(),
                    body=f"{d.name}负责{duty.strip()}。",
                    department_id=d.pk,
                    specialist_id=s.pk if s else None,
                    duty_code=f"{d.code.upper()}-{i + 1:03d}",
                    is_public=True,
                ),
                publish=True,
                reason="权责清单",
            )
            counts["duties"] += 1
    for row in DATA["entry"]:
        owner = depts.get(row["dept"])
        if owner is None:
            continue
        s = spec.get(owner.pk)
        kb.create_entry(
            disp,
            park,
            kb.EntryInput(
                kind=row["kind"],
                title=row["title"],
                body=row["body"],
                department_id=owner.pk,
                specialist_id=s.pk if s else None,
                internal_note=row.get("note", ""),
                is_public=bool(row.get("public")),
                keywords=row.get("keywords", ""),
            ),
            publish=True,
        )
        counts["entries"] += 1
    # 类案答复: answers the departments gave (限时交办), two per department, published
    answered: dict[int, list[Demand]] = {}
    for dm in (
        Demand.objects.filter(
            park=park, status=Status.CLOSED, tier=Tier.DEPARTMENT, lead_department__isnull=False
        )
        .exclude(answer="")
        .order_by("id")
    ):
        if dm.lead_department_id is not None:
            answered.setdefault(dm.lead_department_id, []).append(dm)
    for dept_id, rows in sorted(answered.items()):
        for dm in rng.sample(rows, min(cases_per_department, len(rows))):
            s = spec.get(dept_id)
            e = kb.promote_case(disp, dm, specialist_id=s.pk if s else None)
            kb.set_status(disp, e, EntryStatus.PUBLISHED, reason="审核发布")
            counts["cases"] += 1
    n = kb.rebuild(park)
    counts["indexed_demands"] = n["demands"]
    return counts


def summary(c: dict[str, Any]) -> str:
    return (
        f"  知识库：权责清单事项 {c['duties']} 项，政策解读/办事指南/常见问答 {c['entries']} 条，"
        f"类案答复 {c['cases']} 条，政策专员 {c['specialists']} 名；检索索引含已答复诉求 "
        f"{c['indexed_demands']} 件"
    )
