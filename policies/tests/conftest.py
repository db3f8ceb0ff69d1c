"""A fixture park of entities whose eligibility is computed by hand in the tests."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from entities import profile
from entities.models import EntityKind, MarketEntity
from qinshang.validators import make_credit_code

# name → (大类, size class, employees, certification kind or None, certification valid until)
TABLE = {
    "甲精密": ("39", "small", 80, "high_tech", None),
    "乙电子": ("39", "medium", 500, "high_tech", None),
    "丙商贸": ("52", "small", 30, "tech_sme", None),
    "丁五金": ("34", "micro", 10, "high_tech", None),
    "戊医疗": ("35", "small", 25, None, None),
    "己机械": ("36", "small", 25, "tech_sme", "expired"),
    "庚汽配": ("36", "small", 20, "tech_sme", None),
}


def year() -> int:
    return timezone.localdate().year - 1


@pytest.fixture
def fixture_park(world):
    return make_fixture_park(world)


def make_fixture_park(world):  # type: ignore[no-untyped-def]
    rng = random.Random(7)
    disp = world.users["dispatcher"]
    today = timezone.localdate()
    out = {}
    for name, (ind, size, emp, cert, until) in TABLE.items():
        e = MarketEntity.objects.create(
            park=world.park,
            name=f"湘潭{name}有限公司",
            credit_code=make_credit_code(rng),
            kind=EntityKind.BELOW_SCALE,
            industry=ind,
            liaison=world.users["liaison"],
        )
        profile.record_figures(disp, e, profile.FigureInput(year=year(), employees=emp))
        profile.override_size(disp, e, size, "测试用认定")
        if cert:
            end = (today - dt.timedelta(days=30)) if until else today + dt.timedelta(days=700)
            profile.add_certification(
                disp,
                e,
                profile.CertificationInput(
                    cert, (today - dt.timedelta(days=800)).isoformat(), end.isoformat()
                ),
            )
        out[name] = e
    return out
