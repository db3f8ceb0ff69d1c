import datetime as dt

from django.core.management.base import BaseCommand, CommandParser

from projects import services


class Command(BaseCommand):
    help = "提醒重点项目的滞后节点（每次滞后只提醒一次联系领导和专属服务员，可重复运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="按该日期判断（YYYY-MM-DD），默认今天")

    def handle(self, *args: object, **options: object) -> None:
        day = dt.date.fromisoformat(str(options["date"])) if options.get("date") else None
        n = services.scan_slips(day)
        self.stdout.write(f"已提醒 {n} 个滞后节点")
