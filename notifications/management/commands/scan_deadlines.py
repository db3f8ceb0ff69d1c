import datetime as dt

from django.core.management.base import BaseCommand, CommandParser

from notifications import services


class Command(BaseCommand):
    help = "发送“即将到期/已逾期”提醒（每个任务每人每天一次，可重复运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="按该日期扫描（YYYY-MM-DD），默认今天")

    def handle(self, *args: object, **options: object) -> None:
        day = dt.date.fromisoformat(str(options["date"])) if options.get("date") else None
        n = services.scan_deadlines(day)
        self.stdout.write(f"已发送 {n} 条时限提醒")
