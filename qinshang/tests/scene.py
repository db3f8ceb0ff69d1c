"""Objects in several states on top of the `world` personas, for the fuzz and permission suites.

The fuzzer and the role × route matrix fill path parameters with these ids, so each request
reaches a real object of the own park (and of the other park, which must stay invisible).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from demands import saved, services
from demands.attachments import sample_bytes
from demands.models import Attachment, Demand, ReplyTemplate, Tier
from entities.models import MarketEntity

# The title of another enterprise's agenda item in the scene's meeting.
OTHER_ENTERPRISE_ITEM = "污水管网接入迟迟未办"


@dataclass
class Scene:
    received: Demand  # 待派单, filed by the enterprise's account
    dispatched: Demand  # 经济发展局 主办, not yet signed
    signed: Demand
    answered: Demand
    resident_demand: Demand  # filed by the resident, no enterprise
    other_demand: Demand  # of the other park
    other_entity: MarketEntity  # of the other park
    ids: dict[str, int] = field(default_factory=dict)


def _intake(title: str, **kw) -> services.Intake:  # type: ignore[no-untyped-def]
    return services.Intake(
        title=title,
        description="企业计划购置数控机床 12 台，需要贷款 800 万元，希望了解园区贴息政策。",
        channel=kw.pop("channel", "visit"),
        **kw,
    )


def build_scene(world, *, every_kind: bool = False) -> Scene:  # type: ignore[no-untyped-def]
    """The demands in their states; with `every_kind`, one object of each other kind too."""
    u = world.users
    disp, hand = u["dispatcher"], u["handler"]
    fin = world.cat_finance.pk
    ent = world.enterprise.pk

    received = services.create_demand(
        u["enterprise"],
        world.park,
        _intake("申请技改贴息贷款", channel="portal", enterprise_id=ent),
    )
    dispatched = services.create_demand(
        disp, world.park, _intake("厂房用电增容", enterprise_id=ent, category_id=fin)
    )
    dispatched = services.dispatch(disp, dispatched, lead_department_id=world.dept_a.pk)
    signed = services.create_demand(
        disp, world.park, _intake("招工需求对接", enterprise_id=ent, category_id=fin)
    )
    signed = services.dispatch(disp, signed, lead_department_id=world.dept_a.pk)
    signed = services.sign(hand, signed)
    answered = services.create_demand(
        disp, world.park, _intake("设备贷款贴息", enterprise_id=ent, category_id=fin)
    )
    answered = services.dispatch(disp, answered, lead_department_id=world.dept_a.pk)
    answered = services.sign(hand, answered)
    answered = services.reply(hand, answered, answer="已对接两家银行", outcome="solved")
    resident_demand = services.create_demand(
        u["resident"],
        world.park,
        _intake(
            "小区门口路灯不亮",
            channel="portal",
            requester_kind="resident",
            requester_name="李女士",
            requester_phone="13800001111",
        ),
    )
    o = world.other_users
    other_entity = MarketEntity.objects.filter(park=world.other_park).first()
    other_demand = services.create_demand(
        o["dispatcher"],
        world.other_park,
        _intake("另一园区的融资诉求", enterprise_id=other_entity.pk),
    )
    s = Scene(
        received=received,
        dispatched=dispatched,
        signed=signed,
        answered=answered,
        resident_demand=resident_demand,
        other_demand=other_demand,
        other_entity=other_entity,
    )
    s.ids = {
        "demand_id": dispatched.pk,
        "entity_id": ent,
        "task_id": dispatched.tasks.get().pk,
        "other_demand_id": other_demand.pk,
        "other_entity_id": other_entity.pk,
    }
    if every_kind:
        s.ids.update(_more_objects(world, dispatched))
        s.ids.update(_finance_objects(world))
        s.ids.update(_disbursement_objects(world, s.ids["institution_id"]))
    return s


def scheduler_beats() -> None:
    """The scene's scheduler ticks now. /healthz fails once the last tick is older than
    HEALTH_MAX_TICK_AGE_MINUTES, so a scene built once for a module (and read by tests minutes
    later on a loaded machine) has its heartbeat renewed by each test, in the test's savepoint."""
    from scheduling.models import SchedulerTick

    SchedulerTick.objects.filter(instance="matrix").update(last_tick_at=timezone.now())


def _finance_objects(world) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """银企对接: an institution the bank persona works for, a product, the enterprise's need
    shown to it with its consent (name and needs only); enterprise2 gives none."""
    from finance import services as finance

    disp = world.users["dispatcher"]
    inst = finance.create_institution(
        disp, world.park, finance.NewInstitution("测试农村商业银行", "bank")
    )
    finance.link_user(disp, world.users["bank"], inst)
    finance.add_product(
        disp, inst, finance.NewProduct("园区贷", "credit", "10", "1000", "3.2", "4.5", 6, 36)
    )
    need = finance.create_need(
        world.users["enterprise"],
        world.park,
        finance.NewNeed(world.enterprise.pk, "500", "购置数控机床"),
    )
    consent = finance.grant_consent(
        world.users["enterprise"], world.park, world.enterprise.pk, inst.pk, ["name", "needs"]
    )
    referral = finance.refer(world.users["enterprise"], need, inst.pk)
    return {
        "institution_id": inst.pk,
        "need_id": need.pk,
        "consent_id": consent.pk,
        "referral_id": referral.pk,
    }


def _disbursement_objects(world, institution_id: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """A second need of the enterprise, approved by the scene's bank, with one 放款 recorded."""
    from finance import services as finance

    need = finance.create_need(
        world.users["enterprise"],
        world.park,
        finance.NewNeed(world.enterprise.pk, "200", "流动资金"),
    )
    ref = finance.refer(world.users["enterprise"], need, institution_id)
    finance.answer(
        world.users["bank"],
        world.park,
        ref.pk,
        finance.Answer(True, approved_amount_wan="200", rate_pct="3.6", term_months=12),
    )
    d = finance.record_disbursement(
        world.users["bank"],
        world.park,
        ref.pk,
        finance.NewDisbursement("100", timezone.localdate(), 12, "3.6"),
    )
    return {"approved_referral_id": ref.pk, "disbursement_id": d.pk}


def _more_objects(world, demand: Demand) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """One object of every other kind a page addresses by id, all in the own park."""
    from exchange.models import ImportJob
    from liaisons import services as liaison_services
    from notifications.models import Kind, Notification
    from reports.models import Briefing, BriefingStatus
    from routing.models import ModelVersion, Suggestion, Target
    from visits import services as visits

    u = world.users
    disp = u["dispatcher"]
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    att = Attachment.objects.create(
        demand=demand,
        file=ContentFile(pdf, name="批复.pdf"),
        original_name="批复.pdf",
        content_type="application/pdf",
        size=len(pdf),
        uploaded_by=disp,
    )
    # Notifications are written after a commit, which a test's transaction never reaches.
    note = Notification.objects.create(
        user=u["handler"],
        park=world.park,
        demand=demand,
        kind=Kind.ASSIGNED,
        text=f"新交办：{demand.title}",
        created_at=timezone.now(),
    )
    plan = liaison_services.plan_assignment(world.park, disp)
    today = timezone.localdate()
    campaign = visits.create_campaign(
        disp,
        world.park,
        visits.CampaignInput(
            title="助企纾困大走访",
            theme="relief",
            start_date=today,
            end_date=today + dt.timedelta(30),
        ),
    )
    question = visits.add_question(
        disp, campaign, visits.QuestionInput(text="企业目前是否存在融资困难？", kind="yesno")
    )
    visits.launch(disp, campaign)
    visit = visits.record_visit(
        u["liaison"],
        campaign,
        visits.VisitInput(
            entity_id=world.enterprise.pk,
            visited_on=today,
            people_met="王经理",
            answers=[visits.AnswerInput(question_id=question.pk, value="no")],
            photos=[SimpleUploadedFile("现场.png", sample_bytes("png"), "image/png")],
        ),
    )
    version = ModelVersion.objects.create(
        park=world.park,
        target=Target.DEPARTMENT,
        version=1,
        file=ContentFile(b"not a model", name="m.joblib"),
        trained_at=timezone.now(),
        n_train=10,
        n_holdout=2,
        holdout_macro_f1=0.5,
        holdout_accuracy=0.5,
    )
    briefing = Briefing.objects.create(
        park=world.park,
        period=f"{today.year}-{today.month:02d}",
        requested_by=u["leader"],
        status=BriefingStatus.DONE,
        docx=ContentFile(b"PK\x03\x04 docx", name="简报.docx"),
    )
    Suggestion.objects.create(demand=demand, department=world.dept_a, department_confidence=0.8)
    job = ImportJob.objects.create(
        park=world.park,
        user=disp,
        file=ContentFile(b"PK\x03\x04 not really a workbook", name="台账.xlsx"),
        original_name="台账.xlsx",
    )
    new_apps = _new_app_objects(world, demand)
    kb = _knowledge_objects(world, demand)
    return {
        **new_apps,
        **kb,
        "att_id": att.pk,
        "notification_id": note.pk,
        "plan_id": plan.pk,
        "campaign_id": campaign.pk,
        "visit_id": visit.pk,
        "photo_id": visit.photos.get().pk,
        "version_id": version.pk,
        "briefing_id": briefing.pk,
        "job_id": job.pk,
        # handler_c is no persona of the matrix: deactivating it leaves every persona logged in
        "staff_id": u["handler_c"].pk,
        "department_pk": world.dept_a.pk,
        "category_pk": world.cat_finance.pk,
        "template_pk": ReplyTemplate.objects.create(
            park=world.park,
            category=world.cat_finance,
            title="融资政策指引",
            body="您好，{企业名称}：融资政策可在园区门户查询。",
        ).pk,
    }


def _knowledge_objects(world, demand: Demand) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """A public published entry of 经济发展局 (its 政策专员 the handler) with an attachment, and a
    三方连线 from the liaison to that handler about the demand."""
    from knowledge import services as kb
    from knowledge.models import Consult, EntryAttachment

    u = world.users
    entry = kb.create_entry(
        u["dispatcher"],
        world.park,
        kb.EntryInput(
            kind="policy",
            title="技改贴息政策解读",
            body="购置设备的技改项目可申请贷款贴息。",
            department_id=world.dept_a.pk,
            specialist_id=u["handler"].pk,
            is_public=True,
        ),
        publish=True,
    )
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    kb_att = EntryAttachment.objects.create(
        entry=entry,
        file=ContentFile(pdf, name="政策原文.pdf"),
        original_name="政策原文.pdf",
        content_type="application/pdf",
        size=len(pdf),
        uploaded_by=u["dispatcher"],
    )
    now = timezone.now()
    consult = Consult.objects.create(
        park=world.park,
        demand=demand,
        entry=entry,
        specialist=u["handler"],
        asked_by=u["liaison"],
        question="贴息比例是多少？",
        asked_at=now,
        due_at=now + dt.timedelta(hours=2),
    )
    return {"kb_entry_id": entry.pk, "kb_att_id": kb_att.pk, "kb_consult_id": consult.pk}


def _new_app_objects(world, demand: Demand) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """The objects of accounts, escalation, experts, meetings, projects and supervision: each
    in the own park, visible to the personas the table's comments name."""
    from escalation.models import Proposal, RuleKind
    from experts import services as experts
    from experts.models import Expert
    from meetings import services as meetings
    from meetings.models import MeetingKind
    from orgs import tokens
    from orgs.models import ApiToken
    from projects import services as projects
    from projects.models import Level
    from scheduling.models import SchedulerTick
    from supervision import services as supervision

    u = world.users
    disp = u["dispatcher"]
    now = timezone.now()
    # A running scheduler, so /healthz answers 200 as in production.
    SchedulerTick.objects.create(instance="matrix", last_tick_at=now, started_at=now)
    tokens.issue(disp, name="12345 热线对接", days=30, scope="read", by=disp)
    token = ApiToken.objects.filter(user=disp).latest("pk")
    proposal = Proposal.objects.create(
        park=world.park,
        demand=demand,
        rule=RuleKind.OVERDUE_URGED,
        from_tier=Tier.DEPARTMENT,
        to_tier=Tier.RECEPTION_DAY,
        reason="超期且催办两次",
        created_at=now,
    )
    # Its own demand: a consultation escalates the demand to the experts' tier.
    consulted = services.create_demand(
        disp,
        world.park,
        _intake(
            "厂房产权证分宗办理",
            enterprise_id=world.enterprise.pk,
            category_id=world.cat_finance.pk,
        ),
    )
    consulted = services.dispatch(disp, consulted, lead_department_id=world.dept_b.pk)
    expert = Expert.objects.create(
        user=u["expert"], park=world.park, field="土地规划", organisation="湘潭大学"
    )
    consultation = experts.open_consultation(
        disp,
        consulted,
        topic="8# 厂房产权证分宗",
        chair_id=u["leader"].pk,
        expert_ids=[expert.pk],
        background="涉及规划、不动产登记两部门",
        referred_by="企业接待日",  # a fresh demand: the park's legacy rule would not call it legacy
    )
    meeting = meetings.create_meeting(
        disp,
        world.park,
        meetings.MeetingInput(
            kind=MeetingKind.RECEPTION,
            date=meetings._today(),
            place="管委会三楼会议室",
            chair_id=u["leader"].pk,
            department_ids=[world.dept_a.pk],
        ),
    )
    if not meeting.items.filter(demand=demand).exists():  # the agenda may have taken it already
        meetings.add_item(disp, meeting, meetings.ItemInput(demand_number=demand.number))
    # Another enterprise's problem on the same agenda: the enterprise must not see it.
    meetings.add_item(
        disp,
        meeting,
        meetings.ItemInput(
            enterprise_id=world.enterprise2.pk,
            title=OTHER_ENTERPRISE_ITEM,
            description="二号企业的污水管网接入问题，需住建部门协调。",
        ),
    )
    project = projects.create_project(
        disp,
        world.park,
        projects.ProjectInput(
            name="湖南省医疗器械产业园二期",
            investor_id=world.enterprise.pk,
            investment_wan="130000",
            industry="35",
            level=Level.CITY,
            leader_id=u["leader"].pk,
            liaison_id=u["liaison"].pk,
            signed_on="2026-03-02",
        ),
    )
    milestone = projects.add_milestone(disp, project, name="主体结构封顶", planned_on="2026-05-15")
    from projects import livelihood

    # 重点民生项目: 经济发展局 (the handler's and head's unit) is responsible.
    people = livelihood.add_project(
        disp,
        world.park,
        livelihood.LivelihoodInput(
            name="园区企业家门口招聘会",
            department_id=world.dept_a.pk,
            due=timezone.localdate() + dt.timedelta(days=60),
            description="校企对接，定向培养",
            community="红砂村",
            contact="王大姐",
            phone="13900001111",
            category_id=world.cat_finance.pk,
        ),
    )
    site = projects.record_inspection(
        disp,
        project,
        inspected_on=timezone.localdate().isoformat(),
        findings="脚手架未设防护网",
        rectification_days=5,
    )
    inspection = supervision.create(
        disp,
        world.park,
        supervision.NewInspection(
            department_id=world.dept_a.pk,
            demand_ids=[demand.pk],
            findings="诉求签收后超过十个工作日未联系企业",
            rectification_days=5,
        ),
    )
    # 一企一档: the enterprise is a key enterprise with a certification and a 一企一策.
    from entities import profile
    from profiles import services as plans

    MarketEntity.objects.filter(pk=world.enterprise.pk).update(tier=1)
    world.enterprise.refresh_from_db()
    cert = profile.add_certification(
        disp,
        world.enterprise,
        profile.CertificationInput("high_tech", "2025-01-01", "2027-12-31", number="GR2025"),
    )
    today = timezone.localdate()
    plan = plans.create_plan(
        disp,
        world.enterprise,
        plans.PlanInput(
            "三帮一促服务方案",
            today.isoformat(),
            (today + dt.timedelta(days=365)).isoformat(),
            (today + dt.timedelta(days=30)).isoformat(),
        ),
    )
    measure = plans.add_measure(
        disp,
        plan,
        "协调新增用电容量",
        "park",
        u["liaison"].pk,
        (today + dt.timedelta(days=60)).isoformat(),
    )
    from django.core.files.base import ContentFile

    from demands.models import LedgerExport

    export = LedgerExport(
        park=world.park, user=disp, name="问题台账.xlsx", state=LedgerExport.State.DONE
    )
    export.file.save("ledger-matrix.xlsx", ContentFile(b"PK"), save=False)
    export.save()
    # 惠企政策: a published 快申快享 the enterprise applied for, a 免申即享 list awaiting the
    # finance bureau, a purchase of the enterprise from a firm outside the park.
    import random

    from entities import purchases
    from policies import services as policies
    from qinshang.validators import make_credit_code

    start = (today - dt.timedelta(days=30)).isoformat()
    fast = policies.create_policy(
        disp,
        world.park,
        policies.PolicyInput(
            "研发投入奖补", "fast", start, benefit_amount_wan="5", status="published"
        ),
    )
    auto = policies.create_policy(
        disp,
        world.park,
        policies.PolicyInput(
            "规上企业稳岗奖励", "auto", start, benefit_amount_wan="2", status="published"
        ),
    )
    application = policies.apply(u["enterprise"], fast, world.enterprise)
    grant = policies.propose_grants(disp, world.park, auto)[0]
    purchase = purchases.record_purchase(
        disp,
        world.enterprise,
        purchases.PurchaseInput(
            "12",
            today.isoformat(),
            supplier_name="长沙湘材新材料有限公司",
            supplier_credit_code=make_credit_code(random.Random(11)),
        ),
    )
    mm = _matchmaking_objects(world)
    view, _ = saved.save_view(disp, world.park, "逾期件", "overdue=1")
    return {
        "export_id": export.pk,
        "saved_view_id": view.pk,
        "policy_id": fast.pk,
        "grant_id": grant.pk,
        "application_id": application.pk,
        "purchase_id": purchase.pk,
        **mm,
        "cert_id": cert.pk,
        "service_plan_id": plan.pk,
        "plan_measure_id": measure.pk,
        "token_id": token.pk,
        "proposal_id": proposal.pk,
        "consultation_id": consultation.pk,
        "meeting_id": meeting.pk,
        "project_id": project.pk,
        "livelihood_id": people.pk,
        "milestone_id": milestone.pk,
        "site_inspection_id": site.pk,
        "inspection_id": inspection.pk,
    }


def _matchmaking_objects(world) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """供需对接: the enterprise's product (published by its liaison) and need, a planned event it
    registered for, a one-to-one slot with an outside party and a signed order with a bank."""
    from matchmaking import services as mm

    u = world.users
    disp = u["dispatcher"]
    today = timezone.localdate()
    product = mm.publish_product(
        u["liaison"],
        world.park,
        mm.ProductInput(
            enterprise_id=world.enterprise.pk,
            name="数控车床主轴",
            industry="34",
            spec="CK6150",
            capacity="年产 2000 套",
            description="高精度数控车床主轴总成",
        ),
    )
    need = mm.create_need(
        u["enterprise"],
        world.park,
        mm.NeedInput(enterprise_id=world.enterprise.pk, title="铸铁件", volume="每月 30 吨"),
    )
    event = mm.plan_event(
        disp,
        world.park,
        mm.EventInput(
            kind="supply", theme="装备制造产业链供需对接会", date=today, chain="equipment"
        ),
    )
    mm.register(u["enterprise"], event, mm.RegistrationInput(world.enterprise.pk, "buyer"))
    mm.book_slot(
        disp,
        event,
        mm.SlotInput(
            starts_at=dt.datetime.combine(today, dt.time(9, 0)),
            table="A1",
            enterprise_ids=[world.enterprise.pk],
            counterparty_name="湖南华菱湘潭钢铁有限公司",
        ),
    )
    order = mm.record_order(
        disp,
        event,
        mm.OrderInput(
            enterprise_id=world.enterprise.pk,
            side="buyer",
            subject="铸铁件年度采购",
            amount_wan="360",
            counterparty_name="湖南华菱湘潭钢铁有限公司",
            signed_on=today,
        ),
    )
    return {
        "mm_product_id": product.pk,
        "mm_need_id": need.pk,
        "mm_event_id": event.pk,
        "mm_order_id": order.pk,
    }
