import time

from django.core.management.base import BaseCommand

from scheduling.schedule import jobs, run_due


class Command(BaseCommand):
    help = "定时任务调度器：到点把周期任务放入后台队列（由 db_worker 执行）。可多机运行，不会重复入队。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--once", action="store_true", help="只检查一次后退出（用于 cron）")
        parser.add_argument("--interval", type=int, default=30, help="检查间隔（秒）")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        names = "、".join(j.name for j in jobs()) or "（无）"
        self.stdout.write(f"周期任务：{names}")
        while True:
            for name in run_due():
                self.stdout.write(f"已入队：{name}")
            if opts["once"]:
                return
            time.sleep(opts["interval"])
