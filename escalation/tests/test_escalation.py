"""Escalation rules: each rule fires on what really happened in the ledger, a person decides,
and nothing is proposed twice."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from demands import services as ledger
from demands.models import Demand, Event, Satisfaction, Tier
from demands.tests.helpers import new_demand
from escalation import services
from escalation.models import EscalationRules, Proposal, ProposalStatus, RuleKind, RulesChange
from qinshang.errors import Forbidden, InvalidInput, InvalidState

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 30)  # a Monday


def dispatched(world) -> Demand:
    disp = world.client("dispatcher")
    d = new_demand(disp, world.enterprise.pk)
    r = disp.act(d["id"], "dispatch", lead_department_id=world.dept_a.pk)
    assert r.status_code == 200, r.content
    return Demand.objects.get(pk=d["id"])


def urge(world, demand: Demand, times: int) -> None:
    for _ in range(times):
        ledger.urge(world.users["dispatcher"], demand, note="请加快办理")


def proposals(world, **kw):
    return list(Proposal.objects.filter(park=world.park, **kw).order_by("rule"))


def test_overdue_after_urges_proposes_the_reception_day(world):
    d = dispatched(world)
    urge(world, d, 2)
    assert services.scan(world.park, TODAY).proposed == 0  # urged twice but not overdue
    Demand.objects.filter(pk=d.pk).update(due_date=TODAY - dt.timedelta(days=3))
    assert services.scan(world.park, TODAY).proposed == 1
    (p,) = proposals(world)
    assert (p.rule, p.from_tier, p.to_tier) == (
        RuleKind.OVERDUE_URGED,
        Tier.DEPARTMENT,
        Tier.RECEPTION_DAY,
    )
    assert "已催办 2 次" in p.reason and "已逾期" in p.reason


def test_one_urge_is_below_the_threshold_and_a_switched_off_rule_never_fires(world):
    d = dispatched(world)
    urge(world, d, 1)
    Demand.objects.filter(pk=d.pk).update(due_date=TODAY - dt.timedelta(days=3))
    assert services.scan(world.park, TODAY).proposed == 0
    urge(world, d, 1)
    EscalationRules.objects.filter(park=world.park).update(overdue_urges=None)
    assert services.scan(world.park, TODAY).proposed == 0


def test_returned_twice_and_rated_dissatisfied_twice(world):
    d = dispatched(world)
    hand = world.client("handler")
    disp = world.client("dispatcher")
    assert hand.act(d.pk, "return", reason="not_our_duty", note="不归我们").status_code == 200
    assert disp.act(d.pk, "redispatch", department_id=world.dept_b.pk).status_code == 200
    hb = world.client("handler_b")
    assert hb.act(d.pk, "return", reason="not_our_duty", note="也不归我们").status_code == 200
    other = dispatched(world)
    for _ in range(2):  # two ratings of 不满意 as the ledger writes them
        ledger.record(
            other,
            "confirm",
            world.users["enterprise"],
            data={"satisfaction": Satisfaction.DISSATISFIED, "method": "portal"},
        )
    assert services.scan(world.park, TODAY).proposed == 2
    rules = {p.demand_id: p.rule for p in proposals(world)}
    assert rules == {d.pk: RuleKind.RETURNED, other.pk: RuleKind.DISSATISFIED}


def test_old_by_working_days_counts_holidays_out(world):
    d = dispatched(world)
    rules = services.rules_for(world.park)
    rules.age_working_days = 20
    rules.save()
    # 2026-10-09 to 11-30: the National Day holiday is over; 35 working days have passed.
    Demand.objects.filter(pk=d.pk).update(
        created_at=timezone.make_aware(dt.datetime(2026, 10, 9, 9))
    )
    assert services.scan(world.park, TODAY).proposed == 1
    assert proposals(world)[0].rule == RuleKind.OLD
    # 2026-11-03 is 19 working days before 11-30: not yet old.
    Proposal.objects.all().delete()
    Demand.objects.filter(pk=d.pk).update(
        created_at=timezone.make_aware(dt.datetime(2026, 11, 3, 9))
    )
    assert services.scan(world.park, TODAY).proposed == 0


def test_the_scan_is_idempotent_and_a_dismissed_proposal_is_not_raised_again(world):
    d = dispatched(world)
    urge(world, d, 3)
    Demand.objects.filter(pk=d.pk).update(due_date=TODAY - dt.timedelta(days=3))
    assert services.scan(world.park, TODAY).proposed == 1
    assert services.scan(world.park, TODAY).proposed == 0
    (p,) = proposals(world)
    services.dismiss(world.users["dispatcher"], p, "部门已承诺本周办结")
    assert services.scan(world.park, TODAY).proposed == 0
    p.refresh_from_db()
    assert p.status == ProposalStatus.DISMISSED
    assert p.decided_by == world.users["dispatcher"] and p.decision_note == "部门已承诺本周办结"


def test_accepting_escalates_through_the_ledger_and_keeps_the_tier_history(world):
    d = dispatched(world)
    urge(world, d, 2)
    Demand.objects.filter(pk=d.pk).update(due_date=TODAY - dt.timedelta(days=3))
    services.scan(world.park, TODAY)
    (p,) = proposals(world)
    services.accept(world.users["dispatcher"], p, "提交第7期接待日")
    d.refresh_from_db()
    assert d.tier == Tier.RECEPTION_DAY
    (event,) = services.tier_history(d)
    assert event.actor == world.users["dispatcher"]
    assert event.data["from_tier"] == Tier.DEPARTMENT and event.data["tier"] == Tier.RECEPTION_DAY
    assert "采纳提级建议" in event.note and "提交第7期接待日" in event.note
    with pytest.raises(InvalidState):
        services.accept(world.users["dispatcher"], p)
    # At the reception day the same rule may now propose the next rung, expert consultation.
    assert services.scan(world.park, TODAY).proposed == 1
    top = Proposal.objects.get(status=ProposalStatus.OPEN)
    assert (top.from_tier, top.to_tier) == (Tier.RECEPTION_DAY, Tier.EXPERT)


def test_proposals_lapse_when_the_demand_moves_on_by_itself(world):
    d = dispatched(world)
    urge(world, d, 2)
    Demand.objects.filter(pk=d.pk).update(due_date=TODAY - dt.timedelta(days=3))
    services.scan(world.park, TODAY)
    ledger.escalate(world.users["leader"], d, tier=Tier.PROJECT_MEETING, note="纳入调度会")
    result = services.scan(world.park, TODAY)
    assert result.lapsed == 1
    assert Proposal.objects.get(rule=RuleKind.OVERDUE_URGED, from_tier=Tier.DEPARTMENT).status == (
        ProposalStatus.LAPSED
    )


def test_only_the_dispatch_centre_decides_and_a_dismissal_needs_a_reason(world):
    d = dispatched(world)
    urge(world, d, 2)
    Demand.objects.filter(pk=d.pk).update(due_date=TODAY - dt.timedelta(days=3))
    services.scan(world.park, TODAY)
    (p,) = proposals(world)
    events = Event.objects.count()
    for who in ("leader", "handler", "liaison", "enterprise"):
        with pytest.raises(Forbidden):
            services.accept(world.users[who], p)
    with pytest.raises(Forbidden):
        services.accept(world.other_users["dispatcher"], p)
    with pytest.raises(InvalidInput):
        services.dismiss(world.users["dispatcher"], p, "  ")
    p.refresh_from_db()
    assert p.status == ProposalStatus.OPEN and Event.objects.count() == events


def test_rules_changes_are_validated_and_logged(world):
    disp = world.users["dispatcher"]
    with pytest.raises(InvalidInput):
        services.update_rules(disp, world.park, {"returns": 0})
    with pytest.raises(InvalidInput):
        services.update_rules(disp, world.park, {"age_working_days": 10_000})
    with pytest.raises(InvalidInput):
        services.update_rules(disp, world.park, {"nonsense": 3})
    with pytest.raises(Forbidden):
        services.update_rules(world.users["handler"], world.park, {"returns": 3})
    assert not RulesChange.objects.exists()
    services.update_rules(disp, world.park, {"returns": 3, "dissatisfied": None}, "试行")
    (c,) = RulesChange.objects.all()
    assert c.before["returns"] == 2 and c.after["returns"] == 3
    assert c.after["dissatisfied"] is None and c.actor == disp and c.note == "试行"


# ------------------------------------------------------------------ API and pages


def test_api_lists_and_decides_with_typed_enums(world):
    d = dispatched(world)
    urge(world, d, 2)
    Demand.objects.filter(pk=d.pk).update(due_date=TODAY - dt.timedelta(days=3))
    services.scan(world.park, TODAY)
    disp = world.client("dispatcher")
    body = disp.get("/escalation/proposals").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["rule"] == "overdue_urged" and row["to_tier"] == "reception_day"
    assert world.client("handler").get("/escalation/proposals").json()["count"] == 0
    r = world.client("leader").post(f"/escalation/proposals/{row['id']}/accept", {})
    assert r.status_code == 403
    r = world.client("dispatcher", other=True).post(f"/escalation/proposals/{row['id']}/accept")
    assert r.status_code == 404
    r = disp.post(f"/escalation/proposals/{row['id']}/dismiss", {"note": ""})
    assert r.status_code == 422
    r = disp.post(f"/escalation/proposals/{row['id']}/accept", {"note": "上接待日"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "accepted"
    assert disp.get("/escalation/rules").json()["returns"] == 2
    r = disp.post("/escalation/rules", {"returns": 50})
    assert r.status_code == 422
    assert world.client("enterprise").get("/escalation/rules").status_code == 403
    schema = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert set(schema["RuleKind"]["enum"]) == set(RuleKind.values)
    assert set(schema["ProposalStatus"]["enum"]) == set(ProposalStatus.values)


def login(world, who: str, *, other: bool = False) -> Client:
    c = Client()
    c.force_login((world.other_users if other else world.users)[who])
    return c


def test_the_dispatch_centre_shows_proposals_and_decides_them(world):
    d = dispatched(world)
    urge(world, d, 2)
    Demand.objects.filter(pk=d.pk).update(due_date=TODAY - dt.timedelta(days=3))
    services.scan(world.park, TODAY)
    c = login(world, "dispatcher")
    page = c.get("/dispatch/").content.decode()
    assert 'id="proposals-tile"' in page and "有 1 件诉求按提级规则建议提级" in page
    page = c.get("/escalation/").content.decode()
    assert d.number in page and "逾期且多次催办" in page
    (p,) = proposals(world)
    r = c.post(f"/escalation/{p.pk}/dismiss/", {"note": ""})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status == ProposalStatus.OPEN
    r = c.post(f"/escalation/{p.pk}/accept/", {"note": ""})
    assert r.status_code == 302
    p.refresh_from_db()
    assert p.status == ProposalStatus.ACCEPTED
    assert "没有待处理的提级建议" in c.get("/escalation/").content.decode()


@pytest.mark.parametrize(
    "who,status",
    [
        ("dispatcher", 200),
        ("admin", 200),
        ("leader", 200),
        ("handler", 403),
        ("liaison", 403),
        ("enterprise", 403),
        ("expert", 403),
    ],
)
def test_who_may_open_the_pages(world, who, status):
    c = login(world, who)
    assert c.get("/escalation/").status_code == status
    assert c.get("/escalation/rules/").status_code == status


def test_rules_page_refuses_bad_input_and_changes_nothing(world):
    c = login(world, "dispatcher")
    r = c.post("/escalation/rules/", {"overdue_urges": "2", "returns": "abc"})
    assert r.status_code == 422 and "退单次数应为整数" in r.content.decode()
    r = c.post("/escalation/rules/", {"overdue_urges": "0"})
    assert r.status_code == 422
    assert not RulesChange.objects.exists()
    r = c.post(
        "/escalation/rules/",
        {"overdue_urges": "3", "returns": "2", "dissatisfied": "", "age_working_days": "60"},
    )
    assert r.status_code == 302
    rules = services.rules_for(world.park)
    assert rules.overdue_urges == 3 and rules.dissatisfied is None
    r = login(world, "leader").post("/escalation/rules/", {"returns": "5"})
    assert r.status_code == 403


def test_another_parks_proposal_is_not_found_on_the_page(world):
    d = dispatched(world)
    urge(world, d, 2)
    Demand.objects.filter(pk=d.pk).update(due_date=TODAY - dt.timedelta(days=3))
    services.scan(world.park, TODAY)
    (p,) = proposals(world)
    c = login(world, "dispatcher", other=True)
    assert c.post(f"/escalation/{p.pk}/accept/").status_code == 404
    assert d.number not in c.get("/escalation/?status=all").content.decode()


def test_accepting_a_proposal_the_demand_has_outgrown_lapses_it(world):
    d = dispatched(world)
    urge(world, d, 2)
    Demand.objects.filter(pk=d.pk).update(due_date=TODAY - dt.timedelta(days=3))
    services.scan(world.park, TODAY)
    (p,) = proposals(world)
    # Before the next scan, the leader sends it to the 调度会 by hand.
    ledger.escalate(world.users["leader"], d, tier=Tier.PROJECT_MEETING, note="纳入调度会")
    with pytest.raises(InvalidState, match="已失效"):
        services.accept(world.users["dispatcher"], p)
    p.refresh_from_db()
    d.refresh_from_db()
    assert p.status == ProposalStatus.LAPSED and d.tier == Tier.PROJECT_MEETING


def test_the_parks_administrator_changes_the_rules_and_it_is_logged(world):
    c = login(world, "admin")
    r = c.post(
        "/escalation/rules/",
        {
            "overdue_urges": "3",
            "returns": "4",
            "dissatisfied": "",
            "age_working_days": "45",
            "note": "年度调整",
        },
    )
    assert r.status_code == 302
    rules = services.rules_for(world.park)
    assert rules.returns == 4 and rules.age_working_days == 45
    (change,) = RulesChange.objects.all()
    assert change.actor == world.users["admin"] and change.note == "年度调整"
    assert change.after["returns"] == 4 and change.before["returns"] == 2
    # Another park's administrator changes only their own park's rules.
    other = login(world, "admin", other=True)
    assert other.post("/escalation/rules/", {"returns": "9"}).status_code in (302, 422)
    assert services.rules_for(world.park).returns == 4
