import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orgs.models import Park


class Command(BaseCommand):
    help = "生成演示园区：27个部门、约500名工作人员、约1200个市场主体、近12个月约1500条诉求，外加一个小园区"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--seed", type=int, default=2026, help="随机种子（相同种子生成相同数据）"
        )
        parser.add_argument("--if-empty", action="store_true", help="已有演示园区时什么也不做")
        parser.add_argument("--entities", type=int, default=1200)
        parser.add_argument("--staff", type=int, default=500)
        parser.add_argument("--demands", type=int, default=1500)

    def handle(self, *args: Any, **opts: Any) -> None:
        from demo.seeding import build_demo

        if Park.objects.filter(code="xtjk").exists():
            if opts["if_empty"]:
                self.stdout.write("演示园区已存在，跳过生成。")
                return
            raise CommandError(
                "演示园区已存在。台账数据不做删除；如需重新生成，请换一个空数据库"
                "（例如删除 db.sqlite3 后重新 migrate）。"
            )
        if opts["staff"] < 120 or opts["entities"] < 60 or opts["demands"] < 0:
            raise CommandError("规模过小：工作人员至少 120 人，市场主体至少 60 个")
        started, cpu = time.monotonic(), time.process_time()
        self.stdout.write("正在生成演示园区……")
        stats = build_demo(
            opts["seed"],
            entities=opts["entities"],
            staff=opts["staff"],
            demands=opts["demands"],
            log=self.stdout.write,
        )
        self.stdout.write(
            f"完成（{time.monotonic() - started:.0f} 秒，其中 CPU "
            f"{time.process_time() - cpu:.0f} 秒）：部门 {stats.departments} 个，"
            f"工作人员 {stats.staff} 名，市场主体 {stats.entities} 个，诉求 {stats.demands} 条。"
        )
        self.stdout.write("  " + "，".join(f"{k} {v}" for k, v in stats.by_status.items()))
        for label, rungs in (("全部", stats.rungs), ("今年以来，看板默认", stats.rungs_this_year)):
            self.stdout.write(
                f"  已答复诉求的分层解决占比（{label}；种子：约 70% / 20% / 10%）："
                + "，".join(f"{k} {v:.1f}%" for k, v in rungs.items())
            )
