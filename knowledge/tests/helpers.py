"""Entries and demands the knowledge tests share."""

from __future__ import annotations

import datetime as dt
from typing import Any

from demands import services as ledger
from demands.models import Demand
from knowledge import services
from knowledge.models import Entry, Kind

LOAN = "技改贴息贷款申请：企业购置设备的技改项目，可申请园区技改贴息，按贷款利息的50%补贴，单个企业每年不超过200万元。"


def entry(world: Any, **kw: Any) -> Entry:
    u = world.users
    data = services.EntryInput(
        kind=kw.pop("kind", Kind.POLICY),
        title=kw.pop("title", "技改贴息政策解读"),
        body=kw.pop("body", LOAN),
        department_id=kw.pop("department_id", world.dept_a.pk),
        specialist_id=kw.pop("specialist_id", u["handler"].pk),
        internal_note=kw.pop("internal_note", ""),
        is_public=kw.pop("is_public", True),
        valid_from=kw.pop("valid_from", None),
        valid_until=kw.pop("valid_until", None),
        review_cycle_days=kw.pop("review_cycle_days", 365),
        duty_code=kw.pop("duty_code", ""),
    )
    return services.create_entry(
        kw.pop("by", u["dispatcher"]), world.park, data, publish=kw.pop("publish", True)
    )


def demand(world: Any, title: str = "申请技改贴息贷款", **kw: Any) -> Demand:
    by = kw.pop("by", world.users["liaison"])
    return ledger.create_demand(
        by,
        world.park,
        ledger.Intake(
            title=title,
            description=kw.pop(
                "description", "企业计划购置数控机床，需要贷款 800 万元，想了解技改贴息政策。"
            ),
            channel=kw.pop("channel", "liaison"),
            enterprise_id=kw.pop("enterprise_id", world.enterprise.pk),
            category_id=kw.pop("category_id", world.cat_finance.pk),
        ),
    )


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
