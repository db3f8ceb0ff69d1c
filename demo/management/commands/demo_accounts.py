import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "打印各角色的演示账号（--json 输出 JSON）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
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
        from django.conf import settings

        if settings.OTP_REQUIRED_ROLES:
            self.stdout.write(
                "二次验证：系统管理员和派单员登录后须先用手机验证器（如腾讯身份验证器）扫码绑定；"
                "演示时可设置环境变量 OTP_REQUIRED_ROLES= 关闭（make demo 已关闭）。"
            )
        else:
            self.stdout.write(
                "二次验证：本次运行未强制（OTP_REQUIRED_ROLES 为空）；正式部署时系统管理员和派单员"
                "必须绑定手机验证器。任何账号都可在“账号安全”中自愿绑定。"
            )
