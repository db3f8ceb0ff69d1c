"""The ladder's figures against hand counts on small fixtures: the rung shares (a 70 / 20 / 10
ledger of ten demands) and the legacy items cleared (清零) in a period, with the identity
期初 + 新认定 − 清零 = 期末 and the drill-down listing exactly the counted items."""

from __future__ import annotations

import datetime as dt

import pytest

from demands import services as ledger
from demands.models import Outcome, Tier
from experts import legacy
from experts import services as xs
from experts.models import LegacyRule
from experts.tests.helpers import at, closed, dispatched, experts
from reports import metrics
from reports.metrics import Rate, Scope
from reports.periods import parse

pytestmark = pytest.mark.django_db


def _finish(world, d, day: str):  # type: ignore[no-untyped-def]
    """Sign (if not yet), reply, 回访 and 销号 on `day`."""
    h = world.users["handler"]
    d.refresh_from_db()
    if d.status == "dispatched":
        d = ledger.sign(h, d, at=at(day, 8))
    d = ledger.reply(h, d, answer="已协调办结", outcome="solved", at=at(day, 9))
    d = ledger.confirm(
        world.users["dispatcher"], d, satisfaction="satisfied", method="phone", at=at(day, 10)
    )
    return ledger.close(world.users["dispatcher"], d, at=at(day, 11))


def test_rung_shares_seventy_twenty_ten(world):
    disp = world.users["dispatcher"]
    # 7 answered on the spot, 2 through 限时交办, 1 by an expert panel's conclusion: of the 10
    # received, 70 / 20 / 10; nothing at the two meeting rungs.
    for i in range(7):
        d = ledger.create_demand(
            disp,
            world.park,
            ledger.Intake(
                title=f"政策咨询{i}",
                description="咨询稳岗补贴申领条件",
                channel="hotline",
                enterprise_id=world.enterprise.pk,
                category_id=world.cat_finance.pk,
            ),
        )
        ledger.resolve_on_spot(disp, d, answer="已当场解答")
    for i in range(2):
        d = dispatched(world, "2026-11-02", title=f"道路破损{i}")
        ledger.sign(world.users["handler"], d)
        ledger.reply(world.users["handler"], d, answer="已修复", outcome=Outcome.SOLVED)
    panel = experts(world, 1)
    d = dispatched(world, "2026-11-02", title="产权分宗")
    c = xs.open_consultation(
        world.users["leader"],
        d,
        topic="产权分宗",
        chair_id=world.users["leader"].pk,
        expert_ids=[panel[0].pk],
        referred_by="专题协调会",
    )
    xs.write_opinion(world.users["expert"], c, text="按历史遗留政策分宗")
    xs.conclude(world.users["leader"], c, conclusion="按历史遗留政策分宗办理", kind="answer")
    scope = Scope.for_period(world.park, parse("2026"), today=dt.date(2026, 12, 31))
    shares = metrics.tier_shares(scope)
    assert shares[Tier.ON_SPOT] == Rate(7, 10) and str(shares[Tier.ON_SPOT]) == "70.0%"
    assert shares[Tier.DEPARTMENT] == Rate(2, 10) and str(shares[Tier.DEPARTMENT]) == "20.0%"
    assert shares[Tier.EXPERT] == Rate(1, 10) and str(shares[Tier.EXPERT]) == "10.0%"
    assert shares[Tier.RECEPTION_DAY] == shares[Tier.PROJECT_MEETING] == Rate(0, 10)
    # A period that holds only the November items: the on-the-spot ones (today) fall outside.
    nov = Scope.for_period(world.park, parse("2026-11"), today=dt.date(2026, 11, 30))
    assert metrics.tier_shares(nov)[Tier.DEPARTMENT] == Rate(2, 3)


START, END = dt.date(2026, 7, 1), dt.date(2026, 9, 30)


def test_legacy_cleared_in_a_period_by_hand(world):
    """Rule: open more than 60 working days, or overdue with 2 urges, or escalated to 专家协商.

    P  2026-01-05, 销号 07-15     legacy at the start, cleared in the period      start, cleared
    Q  2026-05-11, 销号 09-10     60 working days old in early August, cleared    became, cleared
    R  2026-07-06, 销号 08-14     closed after ~29 working days: never legacy      —
    S  2026-02-02, 销号 06-15     legacy, but cleared before the period            —
    T  2026-01-05, 销号 10-20     legacy throughout, cleared after the period      start, open
    U  2026-08-03, 专家 08-20, 销号 09-01   legacy by the escalation, cleared      became, cleared
    V  2026-08-03 (1 day), urged 08-10 and 08-11, 销号 09-15                       became, cleared
    W  2026-08-03 (1 day), urged once, 销号 09-15: not legacy                      —
    """
    LegacyRule.objects.create(park=world.park, open_working_days=60, overdue_urges=2)
    d = {
        "P": closed(world, "2026-01-05", "2026-07-15"),
        "Q": closed(world, "2026-05-11", "2026-09-10"),
        "R": closed(world, "2026-07-06", "2026-08-14"),
        "S": closed(world, "2026-02-02", "2026-06-15"),
        "T": closed(world, "2026-01-05", "2026-10-20"),
    }
    u = dispatched(world, "2026-08-03", title="U 提级专家")
    u = ledger.escalate(
        world.users["leader"], u, tier=Tier.EXPERT, note="协调未果", at=at("2026-08-20")
    )
    d["U"] = _finish(world, u, "2026-09-01")
    v = dispatched(world, "2026-08-03", days=1, title="V 两次催办")
    w = dispatched(world, "2026-08-03", days=1, title="W 一次催办")
    for day in ("2026-08-10", "2026-08-11"):
        ledger.urge(world.users["dispatcher"], v, note="请抓紧办理", at=at(day))
    ledger.urge(world.users["dispatcher"], w, note="请抓紧办理", at=at("2026-08-10"))
    d["V"] = _finish(world, v, "2026-09-15")
    d["W"] = _finish(world, w, "2026-09-15")

    # The one-demand rule (Python) agrees: V's answered task keeps the due date it was late on.
    rule = legacy.rule_for(world.park)
    hist = legacy.histories([d["V"].pk, d["W"].pk])
    assert legacy.legacy_since(d["V"], rule, hist[d["V"].pk]) == (
        dt.date(2026, 8, 11),
        "逾期且催办/督办达 2 次",
    )
    assert legacy.legacy_since(d["W"], rule, hist[d["W"].pk]) is None

    f = legacy.figures(world.park, START, END)
    assert (f["open_at_start"], f["became"], f["cleared"], f["open_at_end"]) == (2, 3, 4, 1)
    assert f["open_at_start"] + f["became"] - f["cleared"] == f["open_at_end"]
    name = {x.pk: k for k, x in d.items()}
    got = {
        part: {name[x.pk] for x in legacy.items(world.park, START, END, part)}
        for part in legacy.PARTS
    }
    assert got == {
        "start": {"P", "T"},
        "became": {"Q", "U", "V"},
        "cleared": {"P", "Q", "U", "V"},
        "open": {"T"},
    }
    # The next quarter clears T; what was cleared in the third quarter is not counted again.
    q4 = legacy.figures(world.park, dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert (q4["open_at_start"], q4["became"], q4["cleared"], q4["open_at_end"]) == (1, 0, 1, 0)
    # The same ledger judged by a rule that ignores urges and escalations: U and V never were
    # legacy, so only P and Q are cleared.
    f2 = legacy.figures(
        world.park,
        START,
        END,
        rule=LegacyRule(
            park=world.park, open_working_days=60, overdue_urges=0, count_escalated=False
        ),
    )
    assert (f2["open_at_start"], f2["became"], f2["cleared"], f2["open_at_end"]) == (2, 1, 2, 1)
