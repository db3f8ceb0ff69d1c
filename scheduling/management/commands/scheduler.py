import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from scheduling.schedule import jobs, tick


class Command(BaseCommand):
    help = "定时任务调度器：到点把周期任务放入后台队列（由 db_worker 执行）。可多机运行，不会重复入队。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="只检查一次后退出（用于 cron）")
        parser.add_argument("--interval", type=int, default=30, help="检查间隔（秒）")

    def handle(self, *args: Any, **opts: Any) -> None:
        names = "、".join(j.name for j in jobs()) or "（无）"
        self.stdout.write(f"周期任务：{names}")
        started = timezone.now()
        while True:
            try:
                for name in tick(started):
                    self.stdout.write(f"已入队：{name}")
            except DatabaseError as exc:
                # A database restart must not end the scheduler: say so, and try again next tick.
                if opts["once"]:
                    raise
                self.stderr.write(f"数据库暂不可用，稍后重试：{exc}")
            if opts["once"]:
                return
            close_old_connections()
            time.sleep(opts["interval"])
