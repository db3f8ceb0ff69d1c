"""惠企政策 in the demo park: 15 policies of the three tracks (data/policies.toml), purchases from
local 战略性新兴产业 firms (so the 3 % subsidy qualifies some and a few reached it earlier),
免申即享 lists confirmed, some applications paid, and the liaisons' 有政策未享受 tasks."""

from __future__ import annotations

import datetime as dt
import random
import tomllib
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone

from entities import purchases
from entities.models import SEI_CERTIFICATIONS, EntityKind, MarketEntity
from orgs.models import Park, Role, User
from policies import services
from policies.models import Track
from qinshang.validators import make_credit_code

DATA = Path(__file__).with_name("data") / "policies.toml"


def _load() -> list[dict[str, Any]]:
    with DATA.open("rb") as fh:
        return list(tomllib.load(fh)["policy"])


def seed_policies(rng: random.Random, park: Park, log: Callable[[str], object]) -> dict[str, int]:
    disp = (
        User.objects.filter(park=park, role=Role.DISPATCHER, is_active=True).order_by("pk").first()
    )
    leader = User.objects.filter(park=park, role=Role.LEADER, is_active=True).order_by("pk").first()
    if disp is None:
        return {}
    today = timezone.localdate()
    made = []
    for p in _load():
        made.append(
            services.create_policy(
                disp,
                park,
                services.PolicyInput(
                    title=p["title"],
                    code=p.get("code", ""),
                    track=p["track"],
                    starts_on=today - dt.timedelta(days=int(p.get("starts", 30))),
                    ends_on=dt.date(today.year + 1, 12, 31),
                    rules=p.get("rules", []),
                    benefit_kind=p.get("benefit_kind", "fixed"),
                    benefit_amount_wan=p.get("benefit_amount"),
                    benefit_formula=p.get("formula", ""),
                    benefit_text=p.get("benefit_text", ""),
                    guide=p.get("guide", ""),
                    source_document=p.get("source", ""),
                    department=p.get("department", ""),
                    status="published",
                ),
            )
        )
    # Purchases: buyers from the park's firms, suppliers among its certified SEI firms.
    ents = list(
        MarketEntity.objects.filter(park=park, is_active=True).exclude(kind=EntityKind.PROJECT)
    )
    sei = list(
        MarketEntity.objects.filter(
            park=park,
            certifications__kind__in=SEI_CERTIFICATIONS,
            certifications__revoked_reason="",
        ).distinct()
    )
    count = 0
    last = today.year - 1
    if sei:
        buyers = rng.sample(ents, min(len(ents), max(12, len(ents) // 12)))
        for n, b in enumerate(buyers):
            suppliers = [s for s in sei if s.pk != b.pk]
            if not suppliers:
                continue
            # A third reach ¥30万 last year, a sixth reached it the year before (not 首次), the
            # rest stay below the threshold.
            plan = {
                0: (last, 38),
                1: (last, 22),
                2: (last, 55),
                3: (last - 1, 34),
                4: (last, 12),
                5: (last, 30),
            }[n % 6]
            years = [plan] + ([(last, 41)] if n % 6 == 3 else [])
            for year, total in years:
                parts = rng.randint(1, 3)
                for k in range(parts):
                    amount = (
                        Decimal(total) / parts + Decimal(rng.randint(0, 90)) / 100
                        if parts > 1
                        else Decimal(total)
                    )
                    s = rng.choice(suppliers)
                    purchases.record_purchase(
                        disp,
                        b,
                        purchases.PurchaseInput(
                            amount_wan=amount.quantize(Decimal("0.01")),
                            purchased_on=dt.date(year, rng.randint(2, 11), rng.randint(1, 28)),
                            supplier_id=s.pk,
                            evidence=f"HT{year}{b.pk:04d}{k}",
                        ),
                    )
                    count += 1
            if n % 4 == 0:  # and something bought outside the park
                purchases.record_purchase(
                    disp,
                    b,
                    purchases.PurchaseInput(
                        amount_wan=Decimal(rng.randint(20, 200)),
                        purchased_on=dt.date(last, rng.randint(1, 12), rng.randint(1, 28)),
                        supplier_name="长沙某机电设备有限公司",
                        supplier_credit_code=make_credit_code(rng),
                        local_sei=False,
                    ),
                )
                count += 1
    granted = applied = 0
    for policy in made:
        if policy.track == Track.AUTO:
            grants = services.propose_grants(disp, park, policy)
            # The finance bureau has confirmed most lists; the newest waits for it.
            if policy.starts_on < today - dt.timedelta(days=120):
                for g in grants:
                    services.confirm_grant(leader or disp, g, "经财政局核对")
                    granted += 1
        else:
            found = services.eligible(disp, park, policy)
            for a in found[: max(1, len(found) // 3)]:
                app = services.apply(disp, policy, a.entity, "企业来电申请，服务员代为提交")
                applied += 1
                if rng.random() < 0.5:
                    services.approve_application(leader or disp, app)
                    if rng.random() < 0.6:
                        services.pay_application(leader or disp, app)
    scan = services.scan_unclaimed(park)
    log(
        f"  惠企政策 {len(made)} 项：本地采购 {count} 笔，免申即享确认兑现 {granted} 笔，"
        f"申请 {applied} 件，有政策未享受提醒 {scan.opened} 条"
    )
    return {"policies": len(made), "purchases": count, "granted": granted, "unclaimed": scan.opened}
