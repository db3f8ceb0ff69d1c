"""python manage.py briefing --park P --period 2026-H1 [--department CODE] [--out DIR] [--no-pdf]"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orgs.models import Department, Park
from qinshang.errors import InvalidInput
from reports import briefing
from reports.periods import parse


class Command(BaseCommand):
    help = "生成一期工作简报（Word，及 LibreOffice 转换的 PDF），数字与数据看板一致。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--park", required=True, help="园区代码")
        parser.add_argument(
            "--period",
            required=True,
            help="2026（全年）、2026-H1、2026-Q3、2026-11 或 2026-03-01~2026-05-31",
        )
        parser.add_argument("--department", help="只统计某部门（部门代码）")
        parser.add_argument("--out", default=".", help="输出目录（默认当前目录）")
        parser.add_argument("--no-pdf", action="store_true", help="只生成 Word 文件")

    def handle(self, *args: Any, **opts: Any) -> None:
        park = Park.objects.filter(code=opts["park"]).first()
        if park is None:
            raise CommandError(f"没有代码为“{opts['park']}”的园区")
        try:
            period = parse(opts["period"])
        except InvalidInput as exc:
            raise CommandError(exc.message)
        dept = None
        if opts["department"]:
            dept = Department.objects.filter(park=park, code=opts["department"]).first()
            if dept is None:
                raise CommandError(f"本园区没有代码为“{opts['department']}”的部门")
        out = Path(opts["out"])
        out.mkdir(parents=True, exist_ok=True)
        data = briefing.collect(park, period, dept.pk if dept else None)
        docx = briefing.build_docx(data)
        stem = f"briefing-{park.code}-{period.code}" + (f"-{dept.code}" if dept else "")
        path = out / f"{stem}.docx"
        path.write_bytes(docx)
        self.stdout.write(f"Word：{path}")
        for line in briefing.paragraphs(data)[:1]:
            self.stdout.write(line)
        if opts["no_pdf"]:
            return
        try:
            pdf = briefing.to_pdf(docx)
        except briefing.ConversionError as exc:
            self.stderr.write(str(exc))
            return
        pdf_path = out / f"{stem}.pdf"
        pdf_path.write_bytes(pdf)
        self.stdout.write(f"PDF：{pdf_path}")
