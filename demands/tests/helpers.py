from __future__ import annotations

from contextlib import contextmanager

from demands.models import Demand, Event, Extension, Task
from entities.models import Contact, MarketEntity


def snapshot() -> tuple:
    """Everything a refused request could have touched, to show that it touched nothing."""
    return (
        list(Demand.objects.order_by("pk").values()),
        list(Task.objects.order_by("pk").values()),
        Event.objects.count(),
        list(Extension.objects.order_by("pk").values()),
        list(MarketEntity.objects.order_by("pk").values()),
        Contact.objects.count(),
    )


@contextmanager
def unchanged():
    before = snapshot()
    yield
    assert snapshot() == before, "a refused request changed the database"


def new_demand(client, enterprise_id: int, **kw):  # type: ignore[no-untyped-def]
    body = {
        "title": "申请技改贴息贷款",
        "description": "企业计划购置数控机床 12 台，需要贷款 800 万元，"
        "希望了解园区贴息政策并对接银行。",
        "channel": "visit",
        "enterprise_id": enterprise_id,
        "category": "finance-loan",
    }
    body.update(kw)
    r = client.post("/demands", body)
    assert r.status_code == 201, r.content
    return r.json()
