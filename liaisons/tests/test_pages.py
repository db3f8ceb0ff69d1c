"""The liaison pages: who may open them, the dispatcher's plan → preview → apply loop, history,
handover and contact cadence through HTTP, and park isolation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from entities.models import MarketEntity
from liaisons import services
from liaisons.models import ContactLog, LiaisonAssignment, Plan, PlanStatus
from orgs.models import User

ADMIN_PAGES = [
    "/liaisons/",
    "/liaisons/rules/",
    "/liaisons/staff/",
    "/liaisons/import/",
    "/liaisons/export/entities.xlsx",
    "/liaisons/export/staff.xlsx",
]


def login(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _setup(world) -> None:  # type: ignore[no-untyped-def]
    rules = services.rules_for(world.park)
    rules.eligible_roles = ["liaison", "leader", "department_head"]
    rules.save()
    MarketEntity.objects.filter(park=world.park).update(tier=3)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["handler", "enterprise", "resident", "expert", "liaison"])
def test_others_get_403_on_the_assignment_pages(world, who) -> None:  # type: ignore[no-untyped-def]
    _setup(world)
    plan = services.plan_assignment(world.park, world.users["dispatcher"])
    c = login(world.users[who])
    for url in [
        *ADMIN_PAGES,
        f"/liaisons/plans/{plan.pk}/",
        f"/liaisons/staff/{world.users['liaison2'].pk}/",
    ]:
        assert c.get(url).status_code == 403, url
    for url in [
        "/liaisons/plans/new/",
        f"/liaisons/plans/{plan.pk}/apply/",
        f"/liaisons/staff/{world.users['liaison'].pk}/handover/",
    ]:
        assert c.post(url, {"note": "x"}).status_code == 403, url
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


@pytest.mark.django_db
def test_leader_reads_but_cannot_change(world) -> None:  # type: ignore[no-untyped-def]
    _setup(world)
    plan = services.plan_assignment(world.park, world.users["dispatcher"])
    c = login(world.users["leader"])
    for url in [*ADMIN_PAGES, f"/liaisons/plans/{plan.pk}/"]:
        assert c.get(url).status_code == 200, url
    assert "确认生效" not in c.get(f"/liaisons/plans/{plan.pk}/").content.decode()
    assert c.post(f"/liaisons/plans/{plan.pk}/apply/").status_code == 403
    assert c.post("/liaisons/rules/", {"action": "rules"}).status_code == 403
    assert c.post("/liaisons/plans/new/").status_code == 403
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.DRAFT


@pytest.mark.django_db
def test_park_b_sees_nothing_of_park_a(world) -> None:  # type: ignore[no-untyped-def]
    _setup(world)
    User.objects.filter(pk=world.users["liaison"].pk).update(full_name="钱多多")
    plan = services.plan_assignment(world.park, world.users["dispatcher"])
    services.apply_plan(plan, world.users["dispatcher"])
    c = login(world.other_users["dispatcher"])
    assert c.get(f"/liaisons/plans/{plan.pk}/").status_code == 404
    assert c.post(f"/liaisons/plans/{plan.pk}/apply/").status_code == 404
    assert c.get(f"/liaisons/entities/{world.enterprise.pk}/").status_code == 404
    assert c.get(f"/liaisons/staff/{world.users['liaison'].pk}/").status_code == 404
    assert (
        c.post(f"/liaisons/staff/{world.users['liaison'].pk}/handover/", {"note": "x"}).status_code
        == 404
    )
    assert c.post(f"/liaisons/contacts/{world.enterprise.pk}/", {"kind": "call"}).status_code == 404
    body = c.get("/liaisons/").content.decode() + c.get("/liaisons/staff/").content.decode()
    assert world.enterprise.name not in body and "钱多多" not in body
    export = c.get("/liaisons/export/entities.xlsx").content
    import io

    from openpyxl import load_workbook

    names = [
        r[0]
        for r in load_workbook(io.BytesIO(export)).active.iter_rows(min_row=2, values_only=True)
    ]
    assert world.enterprise.name not in names


@pytest.mark.django_db
def test_dispatcher_plans_previews_and_applies(world) -> None:  # type: ignore[no-untyped-def]
    _setup(world)
    c = login(world.users["dispatcher"])
    r = c.post("/liaisons/plans/new/")
    assert r.status_code == 302
    plan = Plan.objects.get(park=world.park)
    page = c.get(r["Location"]).content.decode()
    assert "覆盖率" in page and "负荷分布" in page and "贪心法" in page and "确认生效" in page
    assert "新纳入服务" in page  # the reason of a new pair
    r = c.post(f"/liaisons/plans/{plan.pk}/apply/")
    assert r.status_code == 302
    assert not MarketEntity.objects.filter(park=world.park, liaison__isnull=True).exists()
    assert LiaisonAssignment.objects.filter(park=world.park).count() == 2
    assert c.post(f"/liaisons/plans/{plan.pk}/apply/").status_code == 409
    history = c.get(f"/liaisons/entities/{world.enterprise2.pk}/").content.decode()
    assert "服务关系记录" in history and "统一安排" in history


@pytest.mark.django_db
def test_plan_page_costs_a_constant_number_of_queries(world, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    _setup(world)
    for i in range(30):
        MarketEntity.objects.create(
            park=world.park, name=f"测试门店{i}", kind="shop", tier=3, industry="52"
        )
    for i in range(6):
        User.objects.create(
            username=f"extra{i}", role="liaison", park=world.park, department=world.dept_a
        )
    plan = services.plan_assignment(world.park, world.users["dispatcher"])
    c = login(world.users["dispatcher"])
    with django_assert_max_num_queries(25):
        assert c.get(f"/liaisons/plans/{plan.pk}/?show=all").status_code == 200


@pytest.mark.django_db
def test_a_shortage_is_explained_not_crashed(world) -> None:  # type: ignore[no-untyped-def]
    _setup(world)
    rules = services.rules_for(world.park)
    rules.capacity_by_rank = {"1": 0, "2": 0, "3": 0}
    rules.save()
    c = login(world.users["dispatcher"])
    r = c.post("/liaisons/plans/new/", follow=True)
    assert "服务员容量不足" in r.content.decode()
    assert not Plan.objects.exists()


@pytest.mark.django_db
def test_rules_editor_saves_and_rejects_bad_input(world) -> None:  # type: ignore[no-untyped-def]
    c = login(world.users["admin"])
    form = {
        "action": "rules",
        "allowed_1": ["1"],
        "allowed_2": ["1", "2"],
        "allowed_3": ["2", "3"],
        "backup_allowed_1": ["1", "2"],
        "backup_allowed_2": ["2"],
        "backup_allowed_3": ["3"],
        "cap_1": "4",
        "cap_2": "8",
        "cap_3": "5",
        "bcap_1": "4",
        "bcap_2": "8",
        "bcap_3": "5",
        "backup": "on",
        "eligible_roles": ["liaison", "leader"],
        "cadence_1": "15",
        "cadence_2": "30",
        "cadence_3": "60",
        f"dept_{world.dept_a.pk}": "C, 39",
        "industry_weight": "10",
        "seniority_weight": "2",
        "load_weight": "1",
        "change_weight": "1000",
        "department_weight": "5",
    }
    assert c.post("/liaisons/rules/", form).status_code == 302
    r = services.rules_for(world.park)
    assert r.allowed_ranks["3"] == [2, 3] and r.capacity_by_rank["3"] == 5
    assert r.department_industries == {str(world.dept_a.pk): "C,39"}
    assert services.cadence_for(world.park) == {1: 15, 2: 30, 3: 60}
    bad = dict(form, allowed_1=[], cap_2="abc")
    resp = c.post("/liaisons/rules/", bad)
    assert resp.status_code == 422 and "至少要允许一个职级" in resp.content.decode()
    bad = dict(form, **{f"dept_{world.dept_a.pk}": "ZZ"})
    assert "行业代码" in c.post("/liaisons/rules/", bad).content.decode()
    assert services.rules_for(world.park).allowed_ranks["1"] == [1]


def test_every_rules_change_is_recorded_with_before_and_after(world) -> None:  # type: ignore[no-untyped-def]
    from liaisons.models import RulesChange

    c = login(world.users["admin"])
    r = services.rules_for(world.park)
    old_cadence = {int(k): v for k, v in r.cadence_days.items()}
    form = {
        "action": "rules",
        **{f"allowed_{t}": [str(x) for x in r.allowed_ranks[str(t)]] for t in services.TIERS},
        **{
            f"backup_allowed_{t}": [str(x) for x in r.backup_allowed_ranks[str(t)]]
            for t in services.TIERS
        },
        **{f"cap_{k}": str(r.capacity_by_rank[str(k)]) for k in services.RANK_LABELS},
        **{f"bcap_{k}": str(r.backup_capacity_by_rank[str(k)]) for k in services.RANK_LABELS},
        "backup": "on" if r.backup else "",
        "eligible_roles": list(r.eligible_roles),
        **{f"cadence_{t}": str(old_cadence[t]) for t in services.TIERS},
        "industry_weight": str(r.industry_weight),
        "seniority_weight": str(r.seniority_weight),
        "load_weight": str(r.load_weight),
        "change_weight": str(r.change_weight),
        "department_weight": str(r.department_weight),
    }
    assert c.post("/liaisons/rules/", form).status_code == 302
    assert not RulesChange.objects.exists()  # saving what was there changes nothing
    assert c.post("/liaisons/rules/", dict(form, cadence_2="45")).status_code == 302
    change = RulesChange.objects.get()
    assert change.actor == world.users["admin"] and change.park == world.park
    assert set(change.after) == {"cadence_days"}
    assert change.before["cadence_days"]["2"] == old_cadence[2]
    assert change.after["cadence_days"]["2"] == 45
    page = c.get("/liaisons/rules/").content.decode()
    assert 'id="rules-changes"' in page and "各层级联系周期（天）" in page and "2: 45" in page
    # A refused save records nothing.
    c.post("/liaisons/rules/", dict(form, cadence_2="0"))
    assert RulesChange.objects.count() == 1


@pytest.mark.django_db
def test_handover_through_the_page(world) -> None:  # type: ignore[no-untyped-def]
    _setup(world)
    services.assign_all(world.park, world.users["dispatcher"])
    leaver = world.users["liaison"]
    c = login(world.users["dispatcher"])
    r = c.post(f"/liaisons/staff/{leaver.pk}/deactivate/")
    assert r.status_code == 409 and "工作交接" in r.content.decode()
    r = c.post(
        f"/liaisons/staff/{leaver.pk}/handover/", {"note": "调任投资促进局", "deactivate": "on"}
    )
    assert r.status_code == 302
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert not MarketEntity.objects.filter(liaison=leaver).exists()
    page = c.get(f"/liaisons/staff/{leaver.pk}/").content.decode()
    assert "调任投资促进局" in page


@pytest.mark.django_db
def test_import_page_reports_rows(world) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    from liaisons.tests.test_import import malformed_sheet

    c = login(world.users["dispatcher"])
    f = SimpleUploadedFile("名录.xlsx", malformed_sheet(world))
    r = c.post("/liaisons/import/", {"kind": "entities", "file": f})
    body = r.content.decode()
    assert r.status_code == 422
    assert "第 4 行" in body and "统一社会信用代码" in body and "未导入任何数据" in body
    assert MarketEntity.objects.filter(park=world.park).count() == 2


# ----------------------------------------------------------------- contact cadence


@pytest.mark.django_db
def test_overdue_contacts_are_flagged_to_liaison_and_dispatch_centre(world) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    ent, ent2 = world.enterprise, world.enterprise2  # tier 2 and tier 3
    MarketEntity.objects.filter(pk=ent.pk).update(last_contact_at=now - dt.timedelta(days=40))
    MarketEntity.objects.filter(pk=ent2.pk).update(
        last_contact_at=now - dt.timedelta(days=40), liaison=world.users["liaison2"]
    )
    alerts = services.contact_alerts(world.park)
    assert alerts.total == 1 and alerts.centre == world.centre
    assert [e.pk for e in alerts.by_liaison[world.users["liaison"].pk]] == [ent.pk]
    # Quarterly for tier 3: 40 days is fine; 100 days is not.
    MarketEntity.objects.filter(pk=ent2.pk).update(last_contact_at=now - dt.timedelta(days=100))
    assert services.contact_alerts(world.park).total == 2

    msgs = {m.user_id: m for m in services.contact_alert_messages(world.park)}
    assert world.enterprise.name in msgs[world.users["liaison"].pk].text
    assert "全区 2 家" in msgs[world.users["dispatcher"].pk].text
    assert world.users["liaison2"].pk in msgs and world.users["handler"].pk not in msgs
    assert len({m.dedupe_key for m in msgs.values()}) == 1

    mine = login(world.users["liaison"]).get("/liaisons/contacts/").content.decode()
    assert ent.name in mine and ent2.name not in mine
    centre = login(world.users["dispatcher"]).get("/liaisons/contacts/").content.decode()
    assert ent.name in centre and ent2.name in centre
    assert login(world.users["enterprise"]).get("/liaisons/contacts/").status_code == 403


@pytest.mark.django_db
def test_recording_a_call_updates_last_contact(world) -> None:  # type: ignore[no-untyped-def]
    ent = world.enterprise
    c = login(world.users["liaison"])
    r = c.post(f"/liaisons/contacts/{ent.pk}/", {"kind": "call", "note": "电话了解用工"})
    assert r.status_code == 302
    ent.refresh_from_db()
    assert ent.last_contact_at is not None
    assert ContactLog.objects.get(entity=ent).by == world.users["liaison"]
    assert services.contact_alerts(world.park).total == 0
    # Someone who does not serve the entity may not log contacts for it.
    r = login(world.users["liaison2"]).post(f"/liaisons/contacts/{ent.pk}/", {"kind": "call"})
    assert r.status_code == 403
    # An older contact never moves last_contact_at back.
    before = ent.last_contact_at
    services.record_contact(
        world.users["liaison"], ent, "visit", at=timezone.now() - dt.timedelta(days=10)
    )
    ent.refresh_from_db()
    assert ent.last_contact_at == before
