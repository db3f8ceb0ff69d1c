"""一企一档 in the demo park: business scopes, two years of figures, certifications, size classes.

Scopes are written the way registries phrase them from each entity's product and 大类, figures
grow from the registration's, and a share of the manufacturers hold 高新技术企业 / 专精特新
certificates. Size classes are then computed by the service (entities.profile.refresh_size).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from entities import profile
from entities.models import (
    Certification,
    CertificationKind,
    EntityEvent,
    EntityKind,
    MarketEntity,
    YearlyFigure,
)
from orgs.models import Park
from qinshang import industries

_TAILS = {
    "C": ("{p}的研发、生产、销售", "{p}制造", "货物进出口"),
    "F": ("{p}销售", "{p}批发", "国内贸易代理"),
    "G": ("道路货物运输（不含危险货物）", "普通货物仓储服务", "国内货物运输代理"),
    "I": ("软件开发", "信息系统集成服务", "{p}"),
    "H": ("餐饮服务", "{p}", "食品销售"),
}


def _scope(product: str, section: str) -> str:
    parts = _TAILS.get(section, ("{p}", "技术服务、技术开发、技术咨询"))
    return "一般项目：" + "；".join(p.format(p=product) for p in parts) + "。"


def seed_profiles(
    rng: random.Random, park: Park, made: dict[str, Any], log: Callable[[str], object]
) -> None:
    this_year = dt.date.today().year
    figures, certs, events = [], [], []
    ents = list(MarketEntity.objects.filter(park=park).exclude(kind=EntityKind.PROJECT))
    for e in ents:
        src = made.get(e.name)
        product = getattr(src, "product", "") or ""
        if product and e.industry:
            e.main_business = product[:200]
            e.business_scope = _scope(product, industries.section_of(e.industry))
        if e.employees is None or rng.random() < 0.1:  # a tenth have no figures yet
            continue
        base_rev = Decimal(e.annual_revenue_wan or rng.randint(50, 3000))
        assets = (base_rev * Decimal(rng.uniform(0.6, 1.8))).quantize(Decimal("0.01"))
        for year, growth in ((this_year - 2, Decimal("0.9")), (this_year - 1, Decimal("1"))):
            figures.append(
                YearlyFigure(
                    entity=e,
                    year=year,
                    employees=max(1, int(e.employees * float(growth))),
                    employees_source="统计联网直报",
                    employees_date=dt.date(year + 1, 3, 31),
                    annual_revenue_wan=(base_rev * growth).quantize(Decimal("0.01")),
                    revenue_source="统计联网直报",
                    revenue_date=dt.date(year + 1, 3, 31),
                    total_assets_wan=(assets * growth).quantize(Decimal("0.01")),
                    assets_source="企业财务报表",
                    assets_date=dt.date(year + 1, 4, 30),
                )
            )
        e.total_assets_wan = assets
        e.figures_year = this_year - 1
        if e.industry and industries.section_of(e.industry) == "C":
            if rng.random() < 0.25:
                start = dt.date(this_year - rng.randint(0, 2), 11, rng.randint(1, 28))
                certs.append(
                    Certification(
                        entity=e,
                        kind=CertificationKind.HIGH_TECH,
                        number=f"GR{start.year}43{rng.randint(0, 99999):05d}",
                        issuer="湖南省科学技术厅",
                        valid_from=start,
                        valid_until=start.replace(year=start.year + 3) - dt.timedelta(days=1),
                        source="认定名单",
                    )
                )
            if rng.random() < 0.08:
                start = dt.date(this_year - 1, 7, 1)
                certs.append(
                    Certification(
                        entity=e,
                        kind=rng.choice(
                            [CertificationKind.PROVINCIAL_SRDI, CertificationKind.LITTLE_GIANT]
                        ),
                        issuer="湖南省工业和信息化厅",
                        valid_from=start,
                        valid_until=start.replace(year=start.year + 3) - dt.timedelta(days=1),
                        source="认定名单",
                    )
                )
        if e.kind == EntityKind.ABOVE_SCALE:
            certs.append(
                Certification(
                    entity=e,
                    kind=CertificationKind.ABOVE_SCALE,
                    valid_from=dt.date(this_year - 3, 1, 1),
                    source="统计局规上企业名录",
                )
            )
        events.append(
            EntityEvent(entity=e, action="figures_recorded", note="演示数据：近两年经营数据")
        )
    MarketEntity.objects.bulk_update(
        ents,
        ["main_business", "business_scope", "total_assets_wan", "figures_year"],
        batch_size=500,
    )
    YearlyFigure.objects.bulk_create(figures, batch_size=500)
    Certification.objects.bulk_create(certs, batch_size=500)
    EntityEvent.objects.bulk_create(events, batch_size=500)
    std = profile.current_standard()
    sized = 0
    for e in MarketEntity.objects.filter(park=park, figures_year__isnull=False):
        profile.refresh_size(e, std)
        sized += bool(e.size_class)
    log(f"  一企一档：年度经营数据 {len(figures)} 条，资质认定 {len(certs)} 项，已划型 {sized} 户")
