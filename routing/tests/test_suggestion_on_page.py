"""The demand page's dispatch form shows routing's suggestion: the ledger's page asks the
`demands.signals.DISPATCH_SUGGESTIONS` hook, which routing fills in its AppConfig.ready."""

from __future__ import annotations

import pytest
from django.test import Client

from demands import services
from demands.signals import DISPATCH_SUGGESTIONS
from routing.models import Suggestion
from routing.services import suggestion_for


@pytest.mark.django_db
def test_the_dispatcher_sees_the_suggestion_on_the_demand_page(world) -> None:  # type: ignore[no-untyped-def]
    assert suggestion_for in DISPATCH_SUGGESTIONS
    d = services.create_demand(
        world.users["enterprise"],
        world.park,
        services.Intake(
            title="申请贴息贷款", description="企业需要贷款 800 万元", channel="portal"
        ),
    )
    Suggestion.objects.update_or_create(
        demand=d,
        defaults={
            "category": world.cat_land,
            "department": world.dept_b,
            "ranked": {"department": [{"name": "自然资源和规划分局", "probability": 0.87}]},
        },
    )
    c = Client()
    c.force_login(world.users["dispatcher"])
    html = c.get(f"/demands/{d.pk}/").content.decode()
    assert "智能分派建议" in html and "主办：自然资源和规划分局" in html
    # The form proposes the suggested lead department, not the category's default one.
    assert f'<option value="{world.dept_b.pk}" selected>' in html
