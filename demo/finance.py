"""The demo parks' 银企对接 (demo/data/finance.toml): banks, a guarantor and a microloan company
with products, 金融机构 demo accounts, financing needs of enterprises with consents, needs shown
to institutions and answered (approved with rate and 贴息, or declined with a reason), a few still
waiting, one past its deadline and urged — and in 韶山 the 农商银行 loan of 1000 万余元 to 中韶电气.

Everything goes through finance.services; the times are then spread over the demo year.
"""

from __future__ import annotations

import datetime as dt
import random
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

from entities.models import EntityKind, MarketEntity
from finance import services as fs
from finance.models import FinanceEvent, FinancingNeed, Institution, Referral
from orgs.models import Park, Role, User
from qinshang.validators import make_credit_code
from workcal import calendar as wcal

DATA = Path(__file__).parent / "data" / "finance.toml"
FIELDS_WIDE = ["name", "credit_code", "industry", "size_class", "figures", "contacts", "needs"]
FIELDS_NARROW = ["name", "industry", "size_class", "needs"]


def _data() -> dict[str, Any]:
    with DATA.open("rb") as f:
        return tomllib.load(f)


def _institutions(
    park: Park, spec: dict[str, Any], admin: User, password: str
) -> list[Institution]:
    out = []
    for i in spec["institution"]:
        inst = fs.create_institution(
            admin,
            park,
            fs.NewInstitution(
                i["name"], i["kind"], i["contact"], i["phone"], answer_working_days=i["days"]
            ),
        )
        for p in i.get("product", []):
            fs.add_product(
                admin,
                inst,
                fs.NewProduct(
                    p["name"],
                    p["type"],
                    str(p["amount"][0]),
                    str(p["amount"][1]),
                    str(p["rate"][0]),
                    str(p["rate"][1]),
                    p["term"][0],
                    p["term"][1],
                    p["conditions"],
                ),
            )
        if i.get("username"):
            user = User.objects.create(
                username=i["username"],
                password=password,
                full_name=f"{i['contact']}（{i['name']}）",
                role=Role.BANK,
                park=park,
                title="客户经理",
            )
            fs.link_user(admin, user, inst)
        out.append(inst)
    return out


def _backdate(need: FinancingNeed, at: dt.datetime) -> None:
    FinancingNeed.objects.filter(pk=need.pk).update(created_at=at)
    FinanceEvent.objects.filter(need=need).update(at=at)


def _shown(ref: Referral, at: dt.datetime) -> None:
    day = at.date()
    Referral.objects.filter(pk=ref.pk).update(
        shown_at=at,
        deadline=wcal.add_working_days(day, ref.institution.answer_working_days),
    )
    FinanceEvent.objects.filter(
        need=ref.need, action="need_shown", institution=ref.institution
    ).update(at=at)


def build(
    rng: random.Random, park: Park, ss: Park, now: dt.datetime, password: str
) -> dict[str, Any]:
    data = _data()
    texts = data["texts"]
    admin = (
        User.objects.filter(park=park, role=Role.ADMIN).first()
        or User.objects.filter(park=park, role=Role.DISPATCHER).first()
    )
    assert admin is not None
    insts = {}
    for spec in data["park"]:
        p = park if spec["code"] == park.code else ss
        actor = admin if p == park else User.objects.filter(park=ss, role=Role.DISPATCHER).first()
        assert actor is not None
        insts[p.pk] = _institutions(p, spec, actor, password)
    banks = insts[park.pk]
    demo_user = User.objects.filter(username="enterprise").select_related("enterprise").first()
    pool = list(
        MarketEntity.objects.filter(park=park, kind=EntityKind.ABOVE_SCALE).order_by("id")[:200]
    )
    picked = rng.sample(pool, min(14, len(pool)))
    if demo_user and demo_user.enterprise and demo_user.enterprise not in picked:
        picked[0] = demo_user.enterprise
    answered = pending = 0
    approved_wan = Decimal(0)
    for k, entity in enumerate(picked):
        actor = demo_user if demo_user and entity.pk == demo_user.enterprise_id else admin
        at = now - dt.timedelta(days=rng.randint(20, 300), hours=rng.randint(0, 8))
        if k < 3:  # the latest needs: shown days ago, one waiting beyond its deadline
            at = now - dt.timedelta(days=[2, 4, 12][k], hours=2)
        amount = rng.choice([200, 300, 500, 800, 1000, 1500, 2000, 3000])
        need = fs.create_need(
            actor,
            park,
            fs.NewNeed(
                entity.pk,
                str(amount),
                rng.choice(texts["purposes"]),
                rng.choice(texts["collaterals"]),
                rng.choice([12, 24, 36]),
                rng.choice(["normal", "normal", "soon", "urgent"]),
            ),
        )
        _backdate(need, at)
        targets = [banks[0]] if k < 3 else rng.sample(banks, 2 if rng.random() < 0.4 else 1)
        for inst in targets:
            fields = FIELDS_WIDE if rng.random() < 0.6 else FIELDS_NARROW
            fs.grant_consent(actor, park, entity.pk, inst.pk, fields)
            shown = fs.refer(actor, need, inst.pk)
            _shown(shown, at + dt.timedelta(hours=1))
            if k < 3:
                pending += 1
                continue
            bank_user = inst.members.select_related("user").first()
            if bank_user is None:
                # institutions without a demo account answer through a user created for them
                u = User.objects.create(
                    username=f"{park.code}_fin{inst.pk}",
                    password=password,
                    full_name=f"{inst.contact_name}（{inst.name}）",
                    role=Role.BANK,
                    park=park,
                )
                fs.link_user(admin, u, inst)
                user = u
            else:
                user = bank_user.user
            ok = rng.random() < 0.75
            answer = (
                fs.Answer(
                    True,
                    approved_amount_wan=str(amount if rng.random() < 0.7 else amount * 0.8),
                    rate_pct=str(rng.choice([3.45, 3.65, 3.85, 4.1])),
                    term_months=rng.choice([12, 24, 36]),
                    subsidy_pct=rng.choice([None, "1", "1.5"]),
                    note=rng.choice(texts["notes"]),
                )
                if ok
                else fs.Answer(False, decline_reason=rng.choice(texts["declines"]))
            )
            ref = fs.answer(user, park, shown.pk, answer)
            done = at + dt.timedelta(days=rng.randint(1, 6), hours=3)
            Referral.objects.filter(pk=ref.pk).update(answered_at=done)
            FinanceEvent.objects.filter(need=need, action="answered", institution=inst).update(
                at=done
            )
            answered += 1
            if ok and ref.approved_amount_wan is not None:
                approved_wan += ref.approved_amount_wan
    # 韶山: 农商银行 lends 中韶电气 1000 万余元.
    sh = data["shaoshan"]
    ss_disp = User.objects.filter(park=ss, role=Role.DISPATCHER).first()
    assert ss_disp is not None
    zs = MarketEntity.objects.filter(park=ss, name=sh["enterprise"]).first()
    if zs is None:
        zs = MarketEntity.objects.create(
            park=ss,
            name=sh["enterprise"],
            credit_code=make_credit_code(rng),
            kind=EntityKind.ABOVE_SCALE,
            industry="38",
            main_business="变压器、高低压开关柜",
        )
    ss_bank = insts[ss.pk][0]
    need = fs.create_need(
        ss_disp,
        ss,
        fs.NewNeed(zs.pk, str(sh["amount"]), sh["purpose"], sh["collateral"], sh["term"]),
    )
    at = now - dt.timedelta(days=150)
    _backdate(need, at)
    fs.grant_consent(ss_disp, ss, zs.pk, ss_bank.pk, FIELDS_WIDE)
    ref = fs.refer(ss_disp, need, ss_bank.pk)
    _shown(ref, at)
    ss_user = ss_bank.members.select_related("user").get().user
    fs.answer(
        ss_user,
        ss,
        ref.pk,
        fs.Answer(True, str(sh["amount"]), str(sh["rate"]), sh["term"], str(sh["subsidy"])),
    )
    # The need waiting beyond its deadline has been urged.
    fs.urge_overdue(wcal.today())
    return {
        "institutions": sum(len(v) for v in insts.values()),
        "needs": len(picked) + 1,
        "answered": answered + 1,
        "pending": pending,
        "approved_wan": approved_wan + sh["amount"],
    }
