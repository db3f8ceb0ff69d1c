"""python manage.py refresh_metrics [--park CODE]: rebuild the facts behind the figures."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orgs.models import Park
from reports import facts
from reports.models import StaleDemand


class Command(BaseCommand):
    help = "重算统计指标所依据的明细（修改签收时限或绕过服务层写入数据后运行）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--park", help="只重算某园区（园区代码）")

    def handle(self, *args: Any, **opts: Any) -> None:
        park_id = None
        if opts["park"]:
            park = Park.objects.filter(code=opts["park"]).first()
            if park is None:
                raise CommandError(f"没有代码为“{opts['park']}”的园区")
            park_id = park.pk
        started = time.monotonic()
        last = StaleDemand.objects.order_by("-pk").values_list("pk", flat=True).first()
        n = facts.rebuild(park_id)
        if park_id is None and last is not None:
            # What was stale before the rebuild began is covered by it; later rows stay.
            StaleDemand.objects.filter(pk__lte=last).delete()
            facts.marks_deleted()
        self.stdout.write(f"已重算 {n} 件诉求（{time.monotonic() - started:.1f} 秒）")
