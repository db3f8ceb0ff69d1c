"""供需对接 in the demo park (texts: data/matchmaking.toml): products of about 300 enterprises,
13 供需对接会 whose orders come to about ¥10 亿, a 银企对接会 with 48 signings of ¥131.67 亿, a
校企对接会 — all through matchmaking.services, so the figures on the dashboard are the services'."""

from __future__ import annotations

import datetime as dt
import random
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

from entities.models import EntityKind, MarketEntity
from matchmaking import services
from orgs.models import Park, User

DATA = Path(__file__).resolve().parent / "data" / "matchmaking.toml"
SUPPLY_TOTAL_WAN = Decimal("100000")  # 10 亿元
BANK_TOTAL_WAN = Decimal("1316700")  # 131.67 亿元
BANK_SIGNINGS = 48


def _split(rng: random.Random, total: Decimal, n: int) -> list[Decimal]:
    weights = [rng.uniform(0.5, 1.5) for _ in range(n)]
    parts = [(total * Decimal(w / sum(weights))).quantize(Decimal("0.01")) for w in weights]
    parts[-1] += total - sum(parts)
    return parts


def build(
    rng: random.Random, park: Park, now: dt.datetime, n_enterprises: int = 300
) -> dict[str, Any]:
    data = tomllib.loads(DATA.read_text(encoding="utf-8"))
    disp = User.objects.get(username="dispatcher")
    ents = list(
        MarketEntity.objects.filter(
            park=park, kind__in=(EntityKind.ABOVE_SCALE, EntityKind.BELOW_SCALE)
        ).order_by("pk")[:n_enterprises]
    )
    phrases = data["descriptions"]["phrases"]
    n_products = 0
    for e in ents:
        names = data["products"].get(e.industry) or data["products"]["other"]
        for name in rng.sample(names, min(len(names), rng.randint(1, 3))):
            industry = e.industry if e.industry in data["products"] else (e.industry or "34")
            services.publish_product(
                disp,
                park,
                services.ProductInput(
                    enterprise_id=e.pk,
                    name=name,
                    industry=industry,
                    spec=f"{rng.choice('ABCHKMQ')}{rng.randint(10, 999)}",
                    capacity=f"年产 {rng.randint(1, 50) * 1000} 件",
                    description="，".join(rng.sample(phrases, 2)),
                    share_city=rng.random() < 0.3,
                ),
            )
            n_products += 1
    today = now.date()
    ev_data = data["events"]
    supply_amounts = _split(rng, SUPPLY_TOTAL_WAN, 13)
    n_orders = 0
    for i, (theme, chain) in enumerate(zip(ev_data["supply"], ev_data["chains"], strict=True)):
        day = today - dt.timedelta(days=330 - i * 25)
        ev = services.plan_event(
            disp, park, services.EventInput(kind="supply", theme=theme, date=day, chain=chain)
        )
        if chain:
            services.invite(disp, ev, by_target=True)
        people = rng.sample(ents, min(len(ents), 10))
        for e in people:
            services.register(
                disp,
                ev,
                services.RegistrationInput(e.pk, rng.choice(["buyer", "supplier", "both"])),
            )
        for k in range(0, len(people) - 1, 2):
            services.book_slot(
                disp,
                ev,
                services.SlotInput(
                    starts_at=dt.datetime.combine(day, dt.time(9 + k // 2, 0)),
                    table=f"A{k // 2 + 1}",
                    enterprise_ids=[people[k].pk, people[k + 1].pk],
                ),
            )
        n = rng.randint(3, 5)
        for j, amount in enumerate(_split(rng, supply_amounts[i], n)):
            buyer, supplier = people[(2 * j) % len(people)], people[(2 * j + 1) % len(people)]
            services.record_order(
                disp,
                ev,
                services.OrderInput(
                    enterprise_id=buyer.pk,
                    side="buyer",
                    subject=f"{rng.choice(data['products'].get(supplier.industry) or data['products']['other'])}采购合同",
                    amount_wan=amount,
                    counterparty_id=supplier.pk,
                    signed_on=day + dt.timedelta(days=rng.randint(0, 10)),
                ),
            )
            n_orders += 1
        services.record_order(
            disp,
            ev,
            services.OrderInput(
                enterprise_id=people[-1].pk,
                side="buyer",
                subject="意向采购",
                amount_wan=Decimal(rng.randint(50, 500)),
                status="intent",
                counterparty_id=people[0].pk,
            ),
        )
        if day <= today:
            services.mark_held(disp, ev)
    bank_day = today - dt.timedelta(days=150)
    bank = services.plan_event(
        disp, park, services.EventInput(kind="bank", theme=ev_data["bank"], date=bank_day)
    )
    signers = rng.sample(ents, min(len(ents), BANK_SIGNINGS))
    for e, amount in zip(signers, _split(rng, BANK_TOTAL_WAN, len(signers)), strict=True):
        services.register(disp, bank, services.RegistrationInput(e.pk, "borrower"))
        services.record_order(
            disp,
            bank,
            services.OrderInput(
                enterprise_id=e.pk,
                side="borrower",
                subject="授信合作协议",
                amount_wan=amount,
                counterparty_name=rng.choice(ev_data["banks"]),
                signed_on=bank_day,
            ),
        )
    services.mark_held(disp, bank)
    school_day = today - dt.timedelta(days=60)
    school = services.plan_event(
        disp,
        park,
        services.EventInput(
            kind="school", theme=ev_data["school"], date=school_day, chain="equipment"
        ),
    )
    for e in rng.sample(ents, min(len(ents), 6)):
        services.register(disp, school, services.RegistrationInput(e.pk, "partner"))
        services.record_order(
            disp,
            school,
            services.OrderInput(
                enterprise_id=e.pk,
                side="partner",
                subject=rng.choice(ev_data["school_subjects"]),
                amount_wan=Decimal(rng.randint(20, 300)),
                counterparty_name=rng.choice(ev_data["schools"]),
                signed_on=school_day,
            ),
        )
    services.mark_held(disp, school)
    return {
        "products": n_products,
        "enterprises": len(ents),
        "supply_orders": n_orders,
        "bank_signings": len(signers),
    }
