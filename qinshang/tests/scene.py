"""Objects in several states on top of the `world` personas, for the fuzz and permission suites.

The fuzzer and the role × route matrix fill path parameters with these ids, so each request
reaches a real object of the own park (and of the other park, which must stay invisible).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from demands import services
from demands.models import Demand
from entities.models import MarketEntity


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


def build_scene(world) -> Scene:  # type: ignore[no-untyped-def]
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
    return s
