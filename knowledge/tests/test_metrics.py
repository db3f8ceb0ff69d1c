"""The knowledge figures against counts made by hand, and their place on the dashboard and in
the briefing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from demands import services as ledger
from demands.models import Channel, Outcome
from knowledge import metrics, services
from knowledge.tests.helpers import demand, entry
from reports import briefing, dashboard
from reports.metrics import Scope

pytestmark = pytest.mark.django_db


def _ledger(world):
    u = world.users
    e = entry(world)
    # 1: on the spot from the knowledge base; 2: on the spot by hand; 3: 交办 then answered;
    # 4: 交办, still open; 5: portal question, submitted
    d1 = demand(world, "技改贴息一")
    ledger.resolve_on_spot(u["liaison"], d1, answer=e.body, reference=f"kb:{e.pk}")
    d2 = demand(world, "用电增容")
    ledger.resolve_on_spot(u["liaison"], d2, answer="已联系供电所。")
    d3 = demand(world, "贷款贴息三", by=u["dispatcher"])
    d3 = ledger.dispatch(u["dispatcher"], d3, lead_department_id=world.dept_a.pk)
    d3 = ledger.sign(u["handler"], d3)
    ledger.reply(u["handler"], d3, answer="已办理。", outcome=Outcome.SOLVED)
    d4 = demand(world, "用地四", by=u["dispatcher"], category_id=world.cat_land.pk)
    ledger.dispatch(u["dispatcher"], d4, lead_department_id=world.dept_b.pk)
    demand(world, "门户提交", by=u["enterprise"], channel=Channel.PORTAL)
    # the portal: three questions closed by self-service
    for _ in range(3):
        services.record_self_serve(u["enterprise"], world.park, "技改贴息怎么申请", e.pk)
    # one entry past review in 自然资源和规划分局
    old = entry(world, title="用地指南", department_id=world.dept_b.pk, review_cycle_days=1)
    old.review_due = timezone.localdate() - dt.timedelta(days=1)
    old.save(update_fields=["review_due"])
    return e


def test_figures_match_a_hand_count(world):
    _ledger(world)
    today = timezone.localdate()
    f = metrics.figures(world.park, today.replace(day=1), today)
    # answered: d1, d2, d3 → direct d1, d2; from the knowledge base d1
    assert f.answered == 3
    assert (f.direct.num, f.direct.den) == (2, 3) and str(f.direct) == "66.7%"
    assert (f.from_kb.num, f.from_kb.den) == (1, 3)
    # 3 self-served, 1 submitted on the portal
    assert (f.self_service.num, f.self_service.den) == (3, 4) and f.self_service.pct == 75.0
    assert f.past_review == [(world.dept_b.pk, world.dept_b.name, 1)]


def test_an_empty_period_shows_dashes(world):
    f = metrics.figures(world.park, dt.date(2020, 1, 1), dt.date(2020, 1, 31))
    assert str(f.direct) == "—" and f.answered == 0


def test_the_dashboard_and_the_briefing_carry_them(world):
    _ledger(world)
    today = timezone.localdate()
    panel = dashboard.knowledge(Scope(world.park, today.replace(day=1), today), None)
    assert panel["direct"] == "66.7%" and panel["self_served"] == 3
    text = briefing.knowledge_paragraphs(panel)[0]
    assert "直办率66.7%" in text and "自然资源和规划分局1条" in text
