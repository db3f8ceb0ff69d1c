"""The knowledge base's rules: versions, scoping, links from answers, 类案, review flags,
三方连线, duty texts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from demands import services as ledger
from demands.models import Status
from knowledge import access, services
from knowledge.models import (
    Consult,
    ConsultStatus,
    EntryLink,
    EntryStatus,
    Kind,
    LinkVia,
    SearchDoc,
)
from knowledge.tests.helpers import demand, entry
from notifications.models import Notification
from qinshang.errors import Forbidden, InvalidInput, InvalidState

pytestmark = pytest.mark.django_db


def test_an_entry_keeps_who_changed_what(world):
    e = entry(world)
    services.update_entry(
        world.users["handler"],
        e,
        services.EntryInput(
            kind=e.kind,
            title=e.title,
            body=e.body + "（2026 年起上限 300 万元）",
            department_id=e.department_id,
            specialist_id=e.specialist_id,
            is_public=True,
        ),
        reason="上限调整",
    )
    v = e.versions.order_by("-number").first()
    assert v.number == 2 and v.changed_by == world.users["handler"]
    assert set(v.changes) == {"body"} and v.reason == "上限调整"


def test_a_department_cannot_write_for_another(world):
    with pytest.raises(Forbidden):
        entry(world, by=world.users["handler_b"])


def test_bad_input_is_refused_in_chinese_and_changes_nothing(world):
    with pytest.raises(InvalidInput, match="失效日期不能早于生效日期"):
        entry(world, valid_from=dt.date(2026, 5, 1), valid_until=dt.date(2026, 4, 1))
    with pytest.raises(InvalidInput, match="政策专员"):
        entry(world, specialist_id=world.users["enterprise"].pk)
    assert not SearchDoc.objects.exists()


def test_search_finds_the_entry_with_its_matched_words(world):
    e = entry(world)
    entry(
        world,
        title="用地预审办理指南",
        body="新增建设用地须办理用地预审与选址意见书。",
        kind=Kind.GUIDE,
    )
    hits = services.suggest(world.users["liaison"], world.park, "想申请技改贴息，买设备贷款")
    assert hits[0].id == e.pk and hits[0].reference == f"kb:{e.pk}"
    assert "技改" in hits[0].matched and "贴息" in hits[0].matched


def test_filters_by_department_and_kind(world):
    entry(world)
    assert (
        services.suggest(
            world.users["dispatcher"], world.park, "技改贴息", department_id=world.dept_b.pk
        )
        == []
    )
    assert services.suggest(world.users["dispatcher"], world.park, "技改贴息", kind=Kind.FAQ) == []


def test_portal_sees_only_public_published_faq_and_policy_in_force(world):
    ent = world.users["enterprise"]
    public = entry(world)
    entry(world, title="技改贴息内部口径", is_public=False, internal_note="内部：额度已用完")
    entry(world, title="技改贴息草稿", publish=False)
    entry(world, title="技改贴息旧政策", valid_until=timezone.localdate() - dt.timedelta(1))
    entry(world, title="技改贴息权责事项", kind=Kind.DUTY)
    hits = services.portal_suggest(ent, world.park, "技改贴息贷款怎么申请")
    assert [h.id for h in hits] == [public.pk]
    assert all("内部" not in h.text for h in hits)
    assert set(access.visible_entries(ent, world.park)) <= {public} | set(
        access.portal_entries(world.park)
    )


def test_past_review_is_hidden_from_the_portal_and_flagged_to_the_owner_once(world):
    e = entry(world, review_cycle_days=30)
    later = timezone.localdate() + dt.timedelta(days=31)
    assert services.portal_suggest(world.users["enterprise"], world.park, "技改贴息") != []
    out = services.scan(later)
    assert out["flagged"] == 1
    assert (
        Notification.objects.filter(user=world.users["handler"], text__contains="复核").count() == 1
    )
    assert services.scan(later)["flagged"] == 0
    assert SearchDoc.objects.get(ref_id=e.pk, doc_kind="entry").portal is False
    assert access.portal_entries(world.park, later).count() == 0


def test_choosing_an_entry_links_it_to_the_answer_given_on_the_spot(world):
    e = entry(world)
    d = demand(world)
    ledger.resolve_on_spot(
        world.users["liaison"], d, answer=e.body + " 已当场告知。", reference=f"kb:{e.pk}"
    )
    link = EntryLink.objects.get(demand=d)
    assert link.entry == e and link.via == LinkVia.ON_SPOT
    assert link.event.action == "resolve_on_spot" and link.event.data["reference"] == f"kb:{e.pk}"


def test_a_reference_to_another_parks_entry_refuses_the_answer(world):
    d = demand(world)
    with pytest.raises(InvalidInput, match="知识条目不存在"):
        ledger.resolve_on_spot(world.users["liaison"], d, answer="已答复", reference="kb:999999")
    d.refresh_from_db()
    assert d.status == Status.RECEIVED and not EntryLink.objects.exists()


def test_an_answered_demand_becomes_searchable_and_can_be_promoted(world):
    d = demand(world, title="企业用电增容申请", description="新上生产线需用电增容 800 千伏安")
    ledger.resolve_on_spot(
        world.users["dispatcher"], d, answer="已协调供电公司，三个工作日内上门勘查。"
    )
    hits = services.suggest(world.users["dispatcher"], world.park, "用电增容怎么办")
    assert hits and hits[0].source == "demand" and hits[0].id == d.pk
    d.lead_department = world.dept_a
    d.save(update_fields=["lead_department"])
    case = services.promote_case(world.users["dispatcher"], d)
    assert case.kind == Kind.CASE and case.status == EntryStatus.DRAFT
    assert case.source_demand == d and d.events.filter(action="kb_promote").exists()
    with pytest.raises(InvalidState):
        services.promote_case(world.users["dispatcher"], d)


def test_consult_answered_by_the_specialist_resolves_on_the_spot(world):
    e = entry(world)
    d = demand(world)
    monday_11 = timezone.make_aware(dt.datetime(2025, 9, 22, 11, 0))
    c = services.open_consult(
        world.users["liaison"], d, entry_id=e.pk, question="贴息比例？", limit_hours=2, at=monday_11
    )
    assert timezone.localtime(c.due_at).strftime("%H:%M") == "14:30"  # across the noon break
    with pytest.raises(Forbidden):
        services.answer_consult(world.users["head"], c, answer="x", verdict="solved")
    services.answer_consult(world.users["handler"], c, answer="按利息 50% 贴息。", verdict="solved")
    d.refresh_from_db()
    assert d.status == Status.ANSWERED and d.answer == "按利息 50% 贴息。"
    assert EntryLink.objects.get(demand=d).via == LinkVia.CONSULT
    assert list(d.events.order_by("id").values_list("action", flat=True)) == [
        "create",
        "kb_consult",
        "kb_consult_answer",
        "resolve_on_spot",
    ]


def test_consult_turned_into_a_normal_dispatch_by_the_dispatch_centre(world):
    e = entry(world)
    d = demand(world, by=world.users["dispatcher"])
    c = services.open_consult(world.users["dispatcher"], d, entry_id=e.pk, question="需审核材料")
    services.answer_consult(
        world.users["handler"], c, answer="需核对发票，请交办。", verdict="dispatch"
    )
    d.refresh_from_db()
    assert d.status == Status.DISPATCHED and d.lead_department == world.dept_a
    assert Consult.objects.get().status == ConsultStatus.DISPATCH


def test_only_who_may_answer_on_the_spot_may_call_the_specialist(world):
    e = entry(world)
    d = demand(world)
    with pytest.raises(Forbidden):
        services.open_consult(world.users["handler_b"], d, entry_id=e.pk, question="?")


def test_duty_texts_are_the_published_duties_per_department(world):
    entry(
        world,
        kind=Kind.DUTY,
        title="工业企业技术改造项目备案",
        body="负责技改项目备案",
        duty_code="A1",
    )
    entry(world, kind=Kind.DUTY, title="草稿事项", publish=False, duty_code="A2")
    assert services.duty_texts(world.park) == {
        world.dept_a.pk: ["工业企业技术改造项目备案 负责技改项目备案"]
    }
    assert services.duty_texts(world.other_park) == {}


def test_an_entry_and_a_demand_with_the_same_id_are_indexed_once_each(world):
    from knowledge import search
    from knowledge.models import SearchDoc

    search.put(
        [SearchDoc(park=world.park, doc_kind="entry", ref_id=7, title="甲", tokens="技改 贴息")]
    )
    search.put(
        [SearchDoc(park=world.park, doc_kind="demand", ref_id=7, title="乙", tokens="技改 贴息")]
    )
    hits = search.search(world.park.pk, "技改贴息")
    assert sorted(h.doc_kind for h in hits) == ["demand", "entry"]
    search.remove("entry", [7])
    assert [h.doc_kind for h in search.search(world.park.pk, "技改贴息")] == ["demand"]


def test_routing_hears_the_duties_of_the_knowledge_base():  # type: ignore[no-untyped-def]
    from knowledge.services import duty_texts
    from routing.signals import LABEL_TEXTS

    assert duty_texts in LABEL_TEXTS
