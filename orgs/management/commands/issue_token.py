from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from orgs import tokens
from orgs.models import TokenScope, User
from qinshang.errors import ServiceError


class Command(BaseCommand):
    help = "为用户签发 API 访问令牌并打印（令牌只显示这一次，数据库只保存其摘要）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="命令行签发", help="令牌用途说明")
        parser.add_argument(
            "--days",
            type=int,
            default=settings.API_TOKEN_DAYS,
            help=f"有效天数（默认 {settings.API_TOKEN_DAYS}，最多 {tokens.MAX_DAYS}）",
        )
        parser.add_argument(
            "--scope",
            choices=TokenScope.values,
            default=TokenScope.WRITE,
            help="read 只读（只能 GET）；write 读写（默认）",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        user = User.objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"用户“{opts['username']}”不存在")
        if not user.is_active:
            raise CommandError(f"用户“{opts['username']}”已停用")
        try:
            raw = tokens.issue(
                user, name=opts["name"], days=opts["days"], scope=opts["scope"], by=user
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(raw)
