"""Visit campaigns: design, launch, visits that raise demands in the same transaction, the
dashboard, the export, and who may do what."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from demands.attachments import sample_bytes
from demands.models import Channel, Demand
from entities.models import MarketEntity
from liaisons.models import ContactLog
from orgs.models import User
from qinshang.errors import Forbidden, InvalidInput, InvalidState
from visits import services
from visits.models import Answer, CampaignStatus, Target, TargetStatus, Visit, VisitPhoto

TODAY = dt.date.today


def login(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def make_campaign(world, **kw):  # type: ignore[no-untyped-def]
    disp = world.users["dispatcher"]
    data = dict(
        title="助企纾困大走访",
        theme="relief",
        start_date=timezone.localdate(),
        end_date=timezone.localdate() + dt.timedelta(days=30),
    )
    data.update(kw)
    c = services.create_campaign(disp, world.park, services.CampaignInput(**data))
    q_loan = services.add_question(
        disp,
        c,
        services.QuestionInput(
            text="企业目前是否存在融资困难？",
            kind="yesno",
            follow_up="资金缺口（万元）和用途",
            category_id=world.cat_finance.pk,
        ),
    )
    q_state = services.add_question(
        disp,
        c,
        services.QuestionInput(
            text="生产经营状况", kind="single", options="正常\n部分停产\n全面停产"
        ),
    )
    q_needs = services.add_question(
        disp,
        c,
        services.QuestionInput(
            text="近期需求", kind="multi", options=["用工", "用地", "融资", "市场"], required=False
        ),
    )
    q_staff = services.add_question(
        disp, c, services.QuestionInput(text="在岗职工人数", kind="number")
    )
    q_text = services.add_question(
        disp, c, services.QuestionInput(text="其他意见建议", kind="text", required=False)
    )
    return c, [q_loan, q_state, q_needs, q_staff, q_text]


def answers(qs, problem=True):  # type: ignore[no-untyped-def]
    q_loan, q_state, q_needs, q_staff, q_text = qs
    return [
        services.AnswerInput(
            q_loan.pk,
            "yes",
            follow_up="缺口 800 万元，用于购置数控机床",
            is_problem=problem,
            problem_note="希望对接贴息贷款",
        ),
        services.AnswerInput(q_state.pk, "正常"),
        services.AnswerInput(q_needs.pk, ["融资", "用工"]),
        services.AnswerInput(q_staff.pk, "126"),
        services.AnswerInput(q_text.pk, ""),
    ]


@pytest.mark.django_db
def test_launch_fixes_the_targets_by_kind_and_tier(world) -> None:  # type: ignore[no-untyped-def]
    c, _ = make_campaign(world, target_kinds=["above_scale"])
    n = services.launch(world.users["dispatcher"], c)
    assert n == 1 and c.status == CampaignStatus.ACTIVE
    assert list(Target.objects.filter(campaign=c).values_list("entity_id", flat=True)) == [
        world.enterprise.pk
    ]
    with pytest.raises(InvalidState):
        services.add_question(
            world.users["dispatcher"], c, services.QuestionInput(text="再加一题", kind="text")
        )
    c2, _ = make_campaign(world, target_industries="C", target_tiers=[3])
    assert services.target_entities(c2).get() == world.enterprise2


@pytest.mark.django_db
def test_a_campaign_needs_questions_and_targets(world) -> None:  # type: ignore[no-untyped-def]
    disp = world.users["dispatcher"]
    c = services.create_campaign(
        disp,
        world.park,
        services.CampaignInput(
            title="安全生产", theme="safety", start_date="2026-01-01", end_date="2026-02-01"
        ),
    )
    with pytest.raises(InvalidState, match="问卷"):
        services.launch(disp, c)
    services.add_question(disp, c, services.QuestionInput(text="是否有隐患", kind="yesno"))
    c.target_kinds = ["project"]
    c.save()
    with pytest.raises(InvalidState, match="没有走访对象"):
        services.launch(disp, c)
    with pytest.raises(InvalidInput):
        services.add_question(
            disp, c, services.QuestionInput(text="选项太少", kind="single", options="只有一个")
        )
    with pytest.raises(InvalidInput):
        services.create_campaign(
            disp,
            world.park,
            services.CampaignInput(
                title="x", theme="safety", start_date="2026-02-01", end_date="2026-01-01"
            ),
        )


@pytest.mark.django_db
def test_a_visit_with_a_problem_creates_a_demand_in_the_same_transaction(world) -> None:  # type: ignore[no-untyped-def]
    c, qs = make_campaign(world)
    services.launch(world.users["dispatcher"], c)
    liaison = world.users["liaison"]
    visit = services.record_visit(
        liaison,
        c,
        services.VisitInput(
            entity_id=world.enterprise.pk,
            visited_on=timezone.localdate(),
            people_met="王经理（总经理）",
            note="企业订单饱满",
            answers=answers(qs),
            photos=[SimpleUploadedFile("现场.png", sample_bytes("png"), "image/png")],
        ),
    )

    a = Answer.objects.get(visit=visit, question=qs[0])
    demand = a.demand
    assert demand is not None and demand.channel == Channel.VISIT
    assert demand.enterprise == world.enterprise and demand.created_by == liaison
    assert demand.category == world.cat_finance
    assert "企业目前是否存在融资困难" in demand.title and "希望对接贴息贷款" in demand.title
    assert "回答：是" in demand.description and "缺口 800 万元" in demand.description
    assert demand.extra["visit_id"] == visit.pk
    assert a.follow_up_answer.startswith("缺口 800")
    assert Answer.objects.get(visit=visit, question=qs[2]).value == ["用工", "融资"]
    assert Answer.objects.get(visit=visit, question=qs[3]).value == "126"
    assert Target.objects.get(campaign=c, entity=world.enterprise).status == TargetStatus.VISITED
    world.enterprise.refresh_from_db()
    assert world.enterprise.last_contact_at is not None
    assert ContactLog.objects.filter(entity=world.enterprise, kind="visit").exists()
    assert VisitPhoto.objects.get(visit=visit).content_type == "image/png"
    with pytest.raises(InvalidState, match="已走访"):
        services.record_visit(
            liaison,
            c,
            services.VisitInput(
                entity_id=world.enterprise.pk,
                visited_on=timezone.localdate(),
                people_met="王经理",
                answers=answers(qs, problem=False),
            ),
        )


@pytest.mark.django_db
def test_a_failing_demand_rolls_the_whole_visit_back(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    c, qs = make_campaign(world)
    services.launch(world.users["dispatcher"], c)

    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise InvalidInput("台账暂不可用")

    monkeypatch.setattr(services, "create_demand", boom)
    with pytest.raises(InvalidInput):
        services.record_visit(
            world.users["liaison"],
            c,
            services.VisitInput(
                entity_id=world.enterprise.pk,
                visited_on=timezone.localdate(),
                people_met="王经理",
                answers=answers(qs),
            ),
        )
    assert not Visit.objects.exists() and not Answer.objects.exists()
    assert Target.objects.get(campaign=c, entity=world.enterprise).status == TargetStatus.PENDING
    world.enterprise.refresh_from_db()
    assert world.enterprise.last_contact_at is None


@pytest.mark.django_db
def test_only_the_entitys_liaison_or_dispatch_may_record(world) -> None:  # type: ignore[no-untyped-def]
    c, qs = make_campaign(world)
    services.launch(world.users["dispatcher"], c)
    data = services.VisitInput(
        entity_id=world.enterprise.pk,
        visited_on=timezone.localdate(),
        people_met="王经理",
        answers=answers(qs, problem=False),
    )
    for who in ("liaison2", "handler", "leader", "enterprise"):
        with pytest.raises(Forbidden):
            services.record_visit(world.users[who], c, data)
    with pytest.raises(Forbidden):
        services.record_visit(world.other_users["dispatcher"], c, data)
    assert services.record_visit(world.users["admin"], c, data).recorded_by == world.users["admin"]


@pytest.mark.django_db
def test_answers_are_checked_against_the_questionnaire(world) -> None:  # type: ignore[no-untyped-def]
    c, qs = make_campaign(world)
    services.launch(world.users["dispatcher"], c)
    liaison = world.users["liaison"]

    def visit(**kw):  # type: ignore[no-untyped-def]
        data = dict(
            entity_id=world.enterprise.pk,
            visited_on=timezone.localdate(),
            people_met="王经理",
            answers=answers(qs, problem=False),
        )
        data.update(kw)
        return services.record_visit(liaison, c, services.VisitInput(**data))

    bad = answers(qs, problem=False)
    bad[1] = services.AnswerInput(qs[1].pk, "倒闭")
    with pytest.raises(InvalidInput, match="没有“倒闭”这个选项"):
        visit(answers=bad)
    bad = answers(qs, problem=False)
    bad[3] = services.AnswerInput(qs[3].pk, "一百多")
    with pytest.raises(InvalidInput, match="应填数字"):
        visit(answers=bad)
    with pytest.raises(InvalidInput, match="请回答"):
        visit(answers=answers(qs, problem=False)[1:])
    with pytest.raises(InvalidInput, match="接待人员"):
        visit(people_met="")
    with pytest.raises(InvalidInput, match="晚于今天"):
        visit(visited_on=timezone.localdate() + dt.timedelta(days=1))
    with pytest.raises(InvalidInput, match="内容与扩展名"):
        visit(photos=[SimpleUploadedFile("假照片.jpg", b"MZ\x90\x00 not a jpeg")])
    with pytest.raises(InvalidInput, match="格式不支持"):
        visit(photos=[SimpleUploadedFile("病毒.exe", b"MZ\x90\x00")])
    big = SimpleUploadedFile("大.png", b"\x89PNG\r\n\x1a\n" + b"0" * (services.PHOTO_MAX_BYTES))
    with pytest.raises(InvalidInput, match="超过"):
        visit(photos=[big])
    assert not Visit.objects.exists() and not Demand.objects.exists()
    refused = services.record_visit(
        liaison,
        c,
        services.VisitInput(
            entity_id=world.enterprise.pk,
            visited_on=timezone.localdate(),
            outcome="refused",
            note="企业负责人出差，未遇",
        ),
    )
    assert refused.answers.count() == 0
    assert Target.objects.get(campaign=c, entity=world.enterprise).status == TargetStatus.REFUSED
    # A refused target may be visited again later.
    assert visit().outcome == "visited"


@pytest.mark.django_db
def test_dashboard_counts_and_export(world) -> None:  # type: ignore[no-untyped-def]
    c, qs = make_campaign(world)
    services.launch(world.users["dispatcher"], c)
    MarketEntity.objects.filter(pk=world.enterprise2.pk).update(liaison=world.users["liaison2"])
    services.record_visit(
        world.users["liaison"],
        c,
        services.VisitInput(
            entity_id=world.enterprise.pk,
            visited_on=timezone.localdate(),
            people_met="王经理",
            answers=answers(qs),
        ),
    )
    d = services.dashboard(c)
    assert (d.total, d.visited, d.refused, d.pending, d.problems, d.demands) == (2, 1, 0, 1, 1, 1)
    rows = {r["entity__liaison"]: r for r in d.by_liaison}
    assert rows[world.users["liaison"].pk]["visited"] == 1
    assert rows[world.users["liaison"].pk]["problems"] == 1
    assert rows[world.users["liaison2"].pk]["pending"] == 1
    dept = {r["name"]: r for r in d.by_department}
    assert dept["人力资源和社会保障局"]["total"] == 2 and dept["人力资源和社会保障局"]["pct"] == 50
    loan = d.questions[0]
    assert loan["answered"] == 1 and loan["bars"][0] == {"label": "是", "n": 1, "pct": 100}

    resp = login(world.users["leader"]).get(f"/visits/{c.pk}/export.xlsx")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.content))
    ws = wb["走访问卷"]
    head = [x.value for x in ws[1]]
    row = [x.value for x in ws[2]]
    assert "企业目前是否存在融资困难？" in head and "生产经营状况" in head
    assert row[head.index("企业目前是否存在融资困难？")] == "是"
    assert row[head.index("在岗职工人数")] == 126
    assert row[head.index("转入台账的诉求编号")].startswith("QS-")
    assert wb["走访对象"].max_row == 3


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["handler", "enterprise", "resident", "expert"])
def test_others_get_403_on_campaign_admin_pages(world, who) -> None:  # type: ignore[no-untyped-def]
    c, _ = make_campaign(world)
    client = login(world.users[who])
    for url in [
        "/visits/new/",
        f"/visits/{c.pk}/questions/",
        f"/visits/{c.pk}/edit/",
        f"/visits/{c.pk}/export.xlsx",
    ]:
        assert client.get(url).status_code == 403, url
    r = client.post(f"/visits/{c.pk}/questions/", {"action": "launch"})
    assert r.status_code == 403
    c.refresh_from_db()
    assert c.status == CampaignStatus.DRAFT


@pytest.mark.django_db
def test_liaison_cannot_manage_and_sees_only_own_targets(world) -> None:  # type: ignore[no-untyped-def]
    c, _ = make_campaign(world)
    lc = login(world.users["liaison"])
    assert lc.get(f"/visits/{c.pk}/questions/").status_code == 403
    assert lc.get("/visits/new/").status_code == 403
    assert c.title not in lc.get("/visits/").content.decode()  # drafts are not shown
    services.launch(world.users["dispatcher"], c)
    assert c.title in lc.get("/visits/").content.decode()
    page = lc.get(f"/visits/{c.pk}/targets/").content.decode()
    assert world.enterprise.name in page and world.enterprise2.name not in page
    assert lc.get(f"/visits/{c.pk}/record/{world.enterprise2.pk}/").status_code == 403
    assert lc.get(f"/visits/{c.pk}/").status_code == 302  # the dashboard sends them to theirs


@pytest.mark.django_db
def test_park_b_sees_nothing_of_park_a_campaigns(world) -> None:  # type: ignore[no-untyped-def]
    c, qs = make_campaign(world)
    services.launch(world.users["dispatcher"], c)
    v = services.record_visit(
        world.users["liaison"],
        c,
        services.VisitInput(
            entity_id=world.enterprise.pk,
            visited_on=timezone.localdate(),
            people_met="王经理",
            answers=answers(qs),
            photos=[SimpleUploadedFile("现场.png", sample_bytes("png"), "image/png")],
        ),
    )
    photo = VisitPhoto.objects.get(visit=v)
    other = login(world.other_users["dispatcher"])
    for url in [
        f"/visits/{c.pk}/",
        f"/visits/{c.pk}/questions/",
        f"/visits/{c.pk}/targets/",
        f"/visits/{c.pk}/export.xlsx",
        f"/visits/visit/{v.pk}/",
        f"/visits/photo/{photo.pk}/",
        f"/visits/{c.pk}/record/{world.enterprise.pk}/",
    ]:
        assert other.get(url).status_code == 404, url
    assert c.title not in other.get("/visits/").content.decode()
    assert other.post(f"/visits/{c.pk}/close/").status_code == 404
    # The recorder and the dispatcher can see the photo; a colleague cannot.
    assert login(world.users["liaison"]).get(f"/visits/photo/{photo.pk}/").status_code == 200
    assert login(world.users["liaison2"]).get(f"/visits/photo/{photo.pk}/").status_code == 403


@pytest.mark.django_db
def test_record_form_round_trip_over_http(world) -> None:  # type: ignore[no-untyped-def]
    c, qs = make_campaign(world)
    services.launch(world.users["dispatcher"], c)
    lc = login(world.users["liaison"])
    url = f"/visits/{c.pk}/record/{world.enterprise.pk}/"
    page = lc.get(url).content.decode()
    assert "企业目前是否存在融资困难" in page and "转入问题台账" in page
    q_loan, q_state, q_needs, q_staff, _ = qs
    form = {
        "visited_on": str(timezone.localdate()),
        "outcome": "visited",
        "people_met": "王经理",
        f"q{q_loan.pk}": "yes",
        f"q{q_loan.pk}_follow": "800 万元",
        f"q{q_loan.pk}_problem": "on",
        f"q{q_loan.pk}_note": "贴息贷款",
        f"q{q_state.pk}": "正常",
        f"q{q_needs.pk}": ["用地"],
        f"q{q_staff.pk}": "abc",
    }
    r = lc.post(url, form)
    assert r.status_code == 422 and "应填数字" in r.content.decode()
    assert "贴息贷款" in r.content.decode()  # what was typed is kept
    form[f"q{q_staff.pk}"] = "80"
    r = lc.post(url, form)
    assert r.status_code == 302
    visit = Visit.objects.get()
    detail = lc.get(r["Location"]).content.decode()
    demand = Answer.objects.get(visit=visit, is_problem=True).demand
    assert demand.number in detail and f"/demands/{demand.pk}/" in detail


@pytest.mark.django_db
def test_launch_tells_each_liaison_and_their_home_lists_what_is_left(world) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    from notifications.models import Kind, Notification

    c, _ = make_campaign(world, target_kinds=["above_scale"])
    services.launch(world.users["dispatcher"], c)
    liaison = world.users["liaison"]  # serves world.enterprise, the one above-scale target
    note = Notification.objects.get(user=liaison, kind=Kind.CAMPAIGN)
    assert "1 家企业待走访" in note.text and note.link == f"/visits/{c.pk}/targets/"
    assert Notification.objects.filter(kind=Kind.CAMPAIGN).count() == 1
    assert services.pending_for(liaison, world.park) == [
        {"id": c.pk, "name": c.title, "end": c.end_date, "pending": 1}
    ]
    assert services.pending_for(world.users["liaison2"], world.park) == []
    client = Client()
    client.force_login(liaison)
    home = client.get("/liaison/").content.decode()
    assert 'id="campaigns"' in home and c.title in home and "还有 <b>1</b> 家企业待走访" in home
