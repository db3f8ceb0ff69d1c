"""督查: an inspection of a department's items, its rectification, acceptance, and the 督查通报."""

import datetime as dt

import pytest
from django.test import Client

from demands.models import Demand, Task
from demands.tests.helpers import new_demand
from qinshang import documents
from qinshang.errors import Forbidden, InvalidInput, InvalidState
from supervision import services
from supervision.models import Inspection, InspectionEvent, InspectionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(world):
    """Two items dispatched to 经济发展局 (dept_a), one to 自然资源和规划分局 (dept_b)."""
    disp = world.client("dispatcher")
    out = []
    for dept in (world.dept_a, world.dept_a, world.dept_b):
        d = new_demand(disp, world.enterprise.pk)
        r = disp.act(d["id"], "dispatch", lead_department_id=dept.pk)
        assert r.status_code == 200, r.content
        out.append(d["id"])
    return out


def new(world, items, **kw):
    data = services.NewInspection(
        department_id=kw.pop("department_id", world.dept_a.pk),
        demand_ids=kw.pop("demand_ids", items[:2]),
        findings=kw.pop("findings", "两件诉求签收后超过十个工作日未联系企业"),
        rectification_days=kw.pop("rectification_days", 5),
        inspected_on=kw.pop("inspected_on", None),
    )
    return services.create(kw.pop("actor", world.users["dispatcher"]), world.park, data)


def test_an_inspection_gets_a_number_a_working_day_deadline_and_an_event(world, items):
    insp = new(world, items, inspected_on=dt.date(2026, 9, 30))
    assert insp.number == "督查〔2026〕1号"
    # Five working days from 9-30 cross the National Day holiday (10-01 to 10-08).
    assert insp.rectification_due == dt.date(2026, 10, 13)
    assert set(insp.demands.values_list("pk", flat=True)) == set(items[:2])
    (e,) = InspectionEvent.objects.filter(inspection=insp)
    assert e.action == "create" and e.actor == world.users["dispatcher"]
    assert new(world, items).number == "督查〔2026〕2号"


@pytest.mark.parametrize(
    "kw,field",
    [
        ({"rectification_days": 0}, "rectification_days"),
        ({"rectification_days": 10_000}, "rectification_days"),
        ({"findings": "  "}, "发现的问题"),
        ({"demand_ids": []}, "demand_ids"),
        ({"inspected_on": dt.date(2099, 1, 1)}, "inspected_on"),
        ({"department_id": 999_999}, "department_id"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(world, items, kw, field):
    with pytest.raises(InvalidInput) as exc:
        new(world, items, **kw)
    assert exc.value.field == field
    assert not Inspection.objects.exists() and not InspectionEvent.objects.exists()


def test_items_must_be_the_departments_own(world, items):
    with pytest.raises(InvalidInput, match="不是经济发展局办理的诉求"):
        new(world, items, demand_ids=items)  # the third went to dept_b
    with pytest.raises(InvalidInput):
        new(world, items, department_id=world.other_users["dispatcher"].park.departments.first().pk)
    assert not Inspection.objects.exists()


def test_only_the_inspector_role_records_inspections(world, items):
    for who in ("leader", "handler", "head", "liaison", "enterprise"):
        with pytest.raises(Forbidden):
            new(world, items, actor=world.users[who])
    with pytest.raises(Forbidden):
        new(world, items, actor=world.other_users["dispatcher"])


def test_the_department_reports_and_the_inspector_accepts_or_sends_back(world, items):
    insp = new(world, items)
    with pytest.raises(Forbidden):
        services.report(world.users["handler_b"], insp, "不是我们")
    with pytest.raises(InvalidState):
        services.verify(world.users["dispatcher"], insp, passed=True, note="")
    insp = services.report(world.users["head"], insp, "已逐一回访企业并明确办结时间")
    assert insp.status == InspectionStatus.REPORTED
    with pytest.raises(InvalidInput):
        services.verify(world.users["dispatcher"], insp, passed=False, note="")
    insp = services.verify(world.users["dispatcher"], insp, passed=False, note="未附回访记录")
    assert insp.status == InspectionStatus.RECTIFYING and insp.result == "未附回访记录"
    insp = services.report(world.users["handler"], insp, "已补充回访记录")
    with pytest.raises(Forbidden):
        services.verify(world.users["leader"], insp, passed=True, note="")
    insp = services.verify(world.users["dispatcher"], insp, passed=True, note="")
    assert insp.status == InspectionStatus.VERIFIED and insp.verified_at
    actions = list(insp.events.values_list("action", flat=True))
    assert actions == ["create", "report", "send_back", "report", "verify"]


def test_overdue_rectification(world, items):
    insp = new(world, items, inspected_on=dt.date(2026, 11, 2), rectification_days=3)
    assert insp.rectification_due == dt.date(2026, 11, 5)
    assert services.is_overdue(insp, dt.date(2026, 11, 6))
    assert not services.is_overdue(insp, dt.date(2026, 11, 5))


def test_the_bulletin_lists_inspections_and_the_ledgers_overdue_tasks(world, items):
    a = new(world, items, inspected_on=dt.date(2026, 11, 2), rectification_days=3)
    services.report(world.users["head"], a, "已整改")
    b = new(
        world,
        items,
        demand_ids=[items[2]],
        department_id=world.dept_b.pk,
        inspected_on=dt.date(2026, 11, 20),
    )
    Task.objects.filter(demand_id=items[0]).update(deadline=dt.date(2026, 11, 20))
    body = services.bulletin_docx(
        world.park, dt.date(2026, 11, 1), dt.date(2026, 11, 30), today=dt.date(2026, 11, 30)
    )
    text = documents.docx_text(body)
    assert "测试经开区督查通报" in text
    assert "本期共开展督查2次，涉及部门2个、督查事项3件" in text
    assert a.number in text and b.number in text and "已报整改" in text
    assert "仍有1项交办任务超过办结时限" in text and "经济发展局\t1" in text
    empty = documents.docx_text(
        services.bulletin_docx(world.park, dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    )
    assert "本期未开展督查" in empty


def test_the_bulletin_is_a4_with_page_numbers_in_the_simplified_chinese_faces(world, items):
    from qinshang.tests.doccheck import assert_a4_page_numbers_and_sc_faces

    new(world, items, inspected_on=dt.date(2026, 11, 2))
    body = services.bulletin_docx(
        world.park, dt.date(2026, 11, 1), dt.date(2026, 11, 30), today=dt.date(2026, 11, 30)
    )
    assert_a4_page_numbers_and_sc_faces(body)


# ------------------------------------------------------------------ pages and API


def login(world, who, *, other=False):
    c = Client()
    c.force_login((world.other_users if other else world.users)[who])
    return c


@pytest.mark.parametrize(
    "who,listing,new_page,bulletin",
    [
        ("dispatcher", 200, 200, 200),
        ("admin", 200, 200, 200),
        ("leader", 200, 403, 200),
        ("head", 200, 403, 403),
        ("handler", 200, 403, 403),
        ("liaison", 403, 403, 403),
        ("enterprise", 403, 403, 403),
        ("expert", 403, 403, 403),
    ],
)
def test_who_may_open_which_page(world, who, listing, new_page, bulletin):
    c = login(world, who)
    assert c.get("/supervision/").status_code == listing
    assert c.get("/supervision/new/").status_code == new_page
    assert c.get("/supervision/bulletin.docx?month=2026-11").status_code == bulletin


def test_a_department_sees_only_its_own_inspections_and_another_park_none(world, items):
    a = new(world, items)
    b = new(world, items, demand_ids=[items[2]], department_id=world.dept_b.pk)
    page = login(world, "handler").get("/supervision/").content.decode()
    assert a.number in page and b.number not in page
    assert login(world, "handler").get(f"/supervision/{b.pk}/").status_code == 404
    assert login(world, "dispatcher", other=True).get(f"/supervision/{a.pk}/").status_code == 404


def test_the_whole_loop_through_the_pages(world, items):
    c = login(world, "dispatcher")
    page = c.get(f"/supervision/new/?department={world.dept_a.pk}").content.decode()
    assert "逾期或被督办" in page
    r = c.post(
        "/supervision/new/",
        {
            "department_id": world.dept_a.pk,
            "demand_ids": [str(items[0])],
            "numbers": "",
            "findings": "未按时签收",
            "rectification_days": "0",
            "save": "1",
        },
    )
    assert r.status_code == 422 and "整改时限" in r.content.decode()
    assert not Inspection.objects.exists()
    number = Demand.objects.get(pk=items[1]).number
    r = c.post(
        "/supervision/new/",
        {
            "department_id": world.dept_a.pk,
            "demand_ids": [str(items[0])],
            "numbers": f"{number.lower()}，",
            "findings": "未按时签收",
            "rectification_days": "5",
            "save": "1",
        },
    )
    assert r.status_code == 302
    insp = Inspection.objects.get()
    assert insp.demands.count() == 2
    head = login(world, "head")
    assert "报送整改情况" in head.get(f"/supervision/{insp.pk}/").content.decode()
    head.post(f"/supervision/{insp.pk}/report/", {"rectification": "已整改"})
    c.post(f"/supervision/{insp.pk}/verify/", {"passed": "1", "note": "到位"})
    insp.refresh_from_db()
    assert insp.status == InspectionStatus.VERIFIED


def test_the_api_is_typed_and_scoped(world, items):
    disp = world.client("dispatcher")
    r = disp.post(
        "/supervision/inspections",
        {
            "department_id": world.dept_a.pk,
            "demand_ids": items[:2],
            "findings": "未按时签收",
            "rectification_days": 5,
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "rectifying" and len(body["demand_numbers"]) == 2
    iid = body["id"]
    bad = disp.post(
        "/supervision/inspections",
        {
            "department_id": world.dept_a.pk,
            "demand_ids": [],
            "findings": "x",
            "rectification_days": 5,
        },
    )
    assert bad.status_code == 422
    assert world.client("handler_b").get(f"/supervision/inspections/{iid}").status_code == 404
    assert (
        world.client("dispatcher", other=True).get(f"/supervision/inspections/{iid}").status_code
        == 404
    )
    assert world.client("enterprise").get("/supervision/inspections").json()["count"] == 0
    r = world.client("head").post(
        f"/supervision/inspections/{iid}/report", {"rectification": "已整改"}
    )
    assert r.json()["status"] == "reported"
    r = world.client("leader").post(f"/supervision/inspections/{iid}/verify", {"passed": True})
    assert r.status_code == 403
    r = disp.post(f"/supervision/inspections/{iid}/verify", {"passed": True})
    assert r.json()["status"] == "verified"
    schema = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert set(schema["InspectionStatus"]["enum"]) == set(InspectionStatus.values)
