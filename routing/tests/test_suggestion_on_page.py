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


def test_the_reason_is_words_of_the_text_not_fragments() -> None:
    from routing.services import readable_reason

    text = "企业计划购置数控机床12台，需要贷款800万元，希望了解园区贴息政策并对接银行。"
    fragments = ["贷款", "机", "床 数", "贴息政", "银", " 园", "贷"]
    words = readable_reason(text, fragments)
    assert words[:2] == ["贷款", "数控机床"]
    assert "贴息" in words and len(words) == len(set(words)) <= 5
    assert all(w in text for w in words)  # whole words the caller said, nothing else
    assert readable_reason("", fragments) == [] and readable_reason(text, []) == []


@pytest.mark.django_db
def test_the_page_shows_the_reason_as_quoted_words(world) -> None:  # type: ignore[no-untyped-def]
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
            "department": world.dept_a,
            "ranked": {"department": [{"name": "经济发展局", "probability": 0.9}]},
            "explanation": {"department": ["贷款", "贴息"], "department_terms": ["贷", "息 "]},
        },
    )
    c = Client()
    c.force_login(world.users["dispatcher"])
    html = c.get(f"/demands/{d.pk}/").content.decode()
    assert "依据：文中的“贷款”“贴息”与该部门以往办理的诉求相近" in html
    assert "息 " not in html.split('id="routing-reason"')[1].split("</p>")[0]
