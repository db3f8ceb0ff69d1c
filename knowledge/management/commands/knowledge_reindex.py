from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from knowledge import services
from orgs.models import Park


class Command(BaseCommand):
    help = "重建知识库检索索引（知识条目与已答复诉求）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--park", help="园区代码（默认全部）")

    def handle(self, *args: Any, **opts: Any) -> None:
        parks = Park.objects.all()
        if opts.get("park"):
            parks = parks.filter(code=opts["park"])
        for park in parks:
            n = services.rebuild(park)
            self.stdout.write(f"{park.short_name}：条目 {n['entries']}，诉求 {n['demands']}")
