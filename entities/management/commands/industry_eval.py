"""Score the industry suggestion: `industry_eval --csv F` (columns id,name,business_scope,industry)
or `industry_eval --park CODE` (the park's own classified entities, each left out of the
examples it is scored against). The last line is key=value for benchmarks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from entities import classify, evaluation, profile
from entities.models import MarketEntity
from orgs.models import Park


class Command(BaseCommand):
    help = "评估经营范围 → 国民经济行业分类的建议准确率"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--csv", type=Path, help="id,name,business_scope,industry")
        parser.add_argument(
            "--park",
            help="园区代码：以该园区已分类的市场主体为近邻样本（或在无 --csv 时作为评估集）",
        )
        parser.add_argument("--errors", type=int, default=0, help="列出前 N 条错误")

    def handle(self, *args: Any, **opts: Any) -> None:
        park = None
        if opts["park"]:
            park = Park.objects.filter(code=opts["park"]).first()
            if park is None:
                raise CommandError(f"园区代码“{opts['park']}”不存在")
        exclude: dict[str, str] = {}
        if opts["csv"]:
            try:
                rows = evaluation.read_csv(opts["csv"])
            except (OSError, ValueError, KeyError) as exc:
                raise CommandError(str(exc))
        elif park is not None:
            qs = (
                MarketEntity.objects.filter(park=park)
                .exclude(industry="")
                .exclude(business_scope="")
                .order_by("pk")
            )
            rows = []
            for ent in qs:
                rows.append(evaluation.Row(str(ent.pk), ent.name, ent.business_scope, ent.industry))
                # Leave-one-out: an entity is never its own neighbour.
                exclude[str(ent.pk)] = profile.example_text(
                    ent.name, ent.main_business, ent.business_scope
                )
        else:
            raise CommandError("请给出 --csv 文件或 --park 园区代码")
        neighbours: classify.Neighbours | None = None
        if park is not None:
            neighbours = profile.park_neighbours(park)
        result = evaluation.score(rows, neighbours, exclude)
        for row, got in result.errors[: opts["errors"]]:
            self.stdout.write(f"{row.id}\t{row.name}\t{row.industry} → {got}")
        self.stdout.write(result.line())
