import json

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "打印各角色的演示账号（--json 输出 JSON）"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        from demo.seeding import demo_accounts

        rows = demo_accounts()
        if opts["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write("还没有演示数据：请先运行 python manage.py seed_demo")
            return
        self.stdout.write(f"演示账号（密码均为 {rows[0]['password']}）：")
        for r in rows:
            extra = r.get("department") or r.get("enterprise") or ""
            self.stdout.write(f"  {r['label']:<12} {r['username']:<14} {r['park_name']} {extra}")
