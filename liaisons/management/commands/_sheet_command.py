"""Shared by import_entities and import_staff: the same options, report and exit status."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orgs.models import Park, Role, User
from qinshang.errors import ServiceError


class SheetImportCommand(BaseCommand):
    what = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="xlsx 文件路径")
        parser.add_argument("--park", required=True, help="园区代码（Park.code）")
        parser.add_argument("--user", help="以该用户名的身份导入（默认：园区的第一个系统管理员）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument(
            "--valid-only", action="store_true", help="有错误的行跳过，只导入无误的行"
        )

    def run_import(self, actor: User, park: Park, data: bytes, **options: Any) -> Any:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        park = Park.objects.filter(code=options["park"]).first()
        if park is None:
            raise CommandError(f"没有代码为“{options['park']}”的园区")
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
        if report.errors and not report.committed and not options["dry_run"]:
            raise CommandError(f"{len(report.bad_rows)} 行有误，未导入任何{self.what}")
