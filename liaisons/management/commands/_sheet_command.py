"""Shared by the sheet import commands (import_entities, import_staff, import_policies): the same
options, the row-by-row report in Chinese, and the exit status."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orgs.models import Park, Role, User
from qinshang.errors import ServiceError


class SheetImportCommand(BaseCommand):
    what = ""
    # --park may be left out when the installation has one park
    park_optional = False
    # exit non-zero whenever a row was refused (also after a dry run or --valid-only), so a
    # script notices; otherwise only when nothing was imported because of the errors
    strict = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="xlsx 文件路径")
        parser.add_argument(
            "--park",
            required=not self.park_optional,
            help="园区代码（Park.code）" + ("；只有一个园区时可省略" if self.park_optional else ""),
        )
        parser.add_argument("--user", help="以该用户名的身份导入（默认：园区的第一个系统管理员）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument(
            "--valid-only", action="store_true", help="有错误的行跳过，只导入无误的行"
        )

    def run_import(self, actor: User, park: Park, data: bytes, **options: Any) -> Any:
        raise NotImplementedError

    def _park(self, code: str | None) -> Park:
        if code:
            park = Park.objects.filter(code=code).first()
            if park is None:
                raise CommandError(f"没有代码为“{code}”的园区")
            return park
        parks = list(Park.objects.order_by("id")[:2])
        if len(parks) != 1:
            raise CommandError("请用 --park 指定园区代码" if parks else "还没有园区")
        return parks[0]

    def handle(self, *args: Any, **options: Any) -> None:
        park = self._park(options.get("park"))
        if options.get("user"):
            actor = User.objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"没有用户“{options['user']}”")
        else:
            actor = (
                User.objects.filter(park=park, role=Role.ADMIN, is_active=True).first()
                or User.objects.filter(is_superuser=True, is_active=True).first()
            )
            if actor is None:
                raise CommandError("请用 --user 指定导入人（园区没有系统管理员）")
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            report = self.run_import(
                actor,
                park,
                path.read_bytes(),
                dry_run=options["dry_run"],
                valid_only=options["valid_only"],
            )
        except ServiceError as exc:
            raise CommandError(exc.message)
        for err in report.errors:
            self.stderr.write(str(err))
        for note in report.notes:
            self.stdout.write(note)
        if report.ignored_headers:
            self.stdout.write("未识别、已忽略的列：" + "、".join(report.ignored_headers))
        self.stdout.write(report.summary())
        if not report.errors:
            return
        bad = len(report.bad_rows)
        if report.committed and self.strict:
            raise CommandError(f"{bad} 行有误，已跳过（其余已导入）")
        if options["dry_run"] and self.strict:
            raise CommandError(f"试导入：{bad} 行有误")
        if not report.committed and not options["dry_run"]:
            raise CommandError(f"{bad} 行有误，未导入任何{self.what}")
