"""Figures, certifications, size class and overrides through the services (with events)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from entities import profile
from entities.models import Certification, EntityEvent, YearlyFigure
from qinshang.errors import Forbidden, InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def ent(world):
    e = world.enterprise
    e.industry = "36"
    e.save()
    return e


def fig(year, x=None, y=None, z=None, **kw):
    return profile.FigureInput(
        year=year, employees=x, annual_revenue_wan=y, total_assets_wan=z, **kw
    )


def test_figures_set_the_size_class_with_the_rule(world, ent):
    admin = world.users["dispatcher"]
    profile.record_figures(admin, ent, fig(2024, 350, "2500", None, revenue_source="统计联网直报"))
    ent.refresh_from_db()
    assert ent.size_class == "medium" and ent.figures_year == 2024
    assert "工业" in ent.size_basis["rule"] and ent.size_basis["version"] == "2017"
    ev = EntityEvent.objects.filter(entity=ent, action="figures_recorded").get()
    assert ev.actor == admin and ev.data["size_after"] == "medium"
    # An older year is history: it does not replace the current figures.
    profile.record_figures(admin, ent, fig(2022, 10, "100"))
    ent.refresh_from_db()
    assert ent.size_class == "medium" and ent.employees == 350
    # A newer year does.
    profile.record_figures(admin, ent, fig(2025, 1200, "41000"))
    ent.refresh_from_db()
    assert ent.size_class == "large" and ent.figures_year == 2025
    assert YearlyFigure.objects.filter(entity=ent).count() == 3


@pytest.mark.parametrize(
    "data,words",
    [
        (fig(2024, -1, "10"), "不能为负数"),
        (fig(2024, 10, "-0.01"), "不能为负数"),
        (fig(2024, 10, None, "-5"), "不能为负数"),
        (fig(2024, "十", "10"), "整数"),
        (fig(2024, 10, "abc"), "数字"),
        (fig(1800, 10, "10"), "年度"),
        (fig(2024), "至少填写一项"),
        (fig(2024, 10, "1e15"), "合理范围"),
    ],
)
def test_bad_figures_change_nothing(world, ent, data, words):
    before = EntityEvent.objects.count()
    with pytest.raises(InvalidInput, match=words):
        profile.record_figures(world.users["dispatcher"], ent, data)
    assert YearlyFigure.objects.count() == 0 and EntityEvent.objects.count() == before
    ent.refresh_from_db()
    assert ent.size_class == ""


def test_missing_figures_leave_no_class_and_say_why(world, ent):
    profile.record_figures(world.users["dispatcher"], ent, fig(2024, 500))
    ent.refresh_from_db()
    assert ent.size_class == "" and "营业收入" in ent.size_basis["reason"]
    assert ent.size_basis["missing"] == ["annual_revenue_wan"]


def test_override_needs_a_reason_and_keeps_the_computed_class(world, ent):
    admin = world.users["admin"]
    profile.record_figures(admin, ent, fig(2024, 25, "400"))
    with pytest.raises(InvalidInput, match="理由"):
        profile.override_size(admin, ent, "medium", " ")
    with pytest.raises(InvalidInput, match="large"):
        profile.override_size(admin, ent, "huge", "x")
    e = profile.override_size(admin, ent, "medium", "集团合并口径，经统计局核定")
    assert e.size_class == "medium"
    assert e.size_basis["computed"] == "small" and e.size_basis["override_reason"].startswith(
        "集团"
    )
    # New figures do not undo an override.
    profile.record_figures(admin, ent, fig(2025, 5, "100"))
    ent.refresh_from_db()
    assert ent.size_class == "medium" and ent.size_basis["computed"] == "micro"
    e = profile.override_size(admin, ent, "", "统计局复核后取消")
    assert e.size_class == "micro"
    actions = list(EntityEvent.objects.filter(entity=ent).values_list("action", flat=True))
    assert "size_override" in actions and "size_override_lifted" in actions


def test_who_may_edit(world, ent):
    ent.liaison = world.users["liaison"]
    ent.save()
    profile.record_figures(world.users["liaison"], ent, fig(2024, 30, "500"))
    for who in ("handler", "leader", "enterprise"):
        with pytest.raises(Forbidden):
            profile.record_figures(world.users[who], ent, fig(2024, 30, "500"))
    with pytest.raises(Forbidden):
        profile.record_figures(world.other_users["dispatcher"], ent, fig(2024, 30, "500"))


def test_certifications_validity_and_overlap(world, ent):
    admin = world.users["dispatcher"]
    c = profile.add_certification(
        admin,
        ent,
        profile.CertificationInput("high_tech", "2023-11-01", "2026-10-31", number="GR2023430001"),
    )
    assert c.valid_on(dt.date(2024, 1, 1)) and not c.valid_on(dt.date(2026, 11, 1))
    with pytest.raises(InvalidInput, match="重叠"):
        profile.add_certification(
            admin, ent, profile.CertificationInput("高新技术企业", "2026-01-01", "2029-12-31")
        )
    profile.add_certification(
        admin, ent, profile.CertificationInput("high_tech", "2026-11-01", "2029-10-31")
    )
    with pytest.raises(InvalidInput, match="早于"):
        profile.add_certification(
            admin, ent, profile.CertificationInput("little_giant", "2025-01-01", "2024-01-01")
        )
    with pytest.raises(InvalidInput, match="认定类别"):
        profile.add_certification(admin, ent, profile.CertificationInput("金牌", "2025-01-01"))
    assert Certification.objects.filter(entity=ent).count() == 2
    facts = profile.entity_facts(ent, on=dt.date(2025, 6, 1))
    assert facts.has("high_tech") and facts.certification_until["high_tech"] == dt.date(
        2026, 10, 31
    )
    profile.revoke_certification(admin, c, "复核不通过")
    assert not profile.entity_facts(ent, on=dt.date(2025, 6, 1)).has("high_tech")


def test_entity_facts_for_a_policy_engine(world, ent):
    admin = world.users["dispatcher"]
    profile.record_figures(admin, ent, fig(2023, 100, "3000", "5000"))
    profile.record_figures(admin, ent, fig(2024, 120, "3600", "5200"))
    ent.refresh_from_db()
    facts = profile.entity_facts(ent)
    assert facts.industry == "36" and facts.section == "C" and facts.size_class == "small"
    assert facts.figure("annual_revenue_wan") == Decimal("3600.00")
    assert facts.figure("employees", 2023) == 100
    assert facts.kind == ent.kind and facts.tier == ent.tier
