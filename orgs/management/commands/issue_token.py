from django.core.management.base import BaseCommand, CommandError

from orgs.models import ApiToken, User


class Command(BaseCommand):
    help = "为用户签发 API 访问令牌并打印（令牌只显示这一次，数据库只保存其摘要）"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("username")
        parser.add_argument("--name", default="命令行签发", help="令牌用途说明")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        user = User.objects.filter(username=opts["username"]).first()
        if user is None:
            raise CommandError(f"用户“{opts['username']}”不存在")
        if not user.is_active:
            raise CommandError(f"用户“{opts['username']}”已停用")
        self.stdout.write(ApiToken.issue(user, opts["name"]))
