"""python manage.py import_ledger FILE --park CODE [--map "列名=字段" ...]
[--value "列名:取值=对应值" ...] [--finished-by 列名 ...] [--dry-run] [--create-missing]
[--sheet NAME] [--user USERNAME] [--json]"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exchange import importer
from orgs.models import Park, User
from qinshang.errors import ServiceError


class Command(BaseCommand):
    help = (
        "导入已有的问题台账（.xlsx）：识别常见列名，其余列可用 --map 指定；--dry-run 只预演不写入。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="台账文件（.xlsx）")
        parser.add_argument("--park", help="园区代码")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="列名=字段",
            help="指定某列对应的字段，可重复；字段见 --fields",
        )
        parser.add_argument(
            "--value",
            action="append",
            default=[],
            metavar="列名:取值=对应值",
            help="某列某个取值对应的值（如 “解决类型:非权属=explained”，空为不计入），可重复",
        )
        parser.add_argument(
            "--finished-by",
            action="append",
            default=None,
            metavar="列名",
            help="该列有内容即视为已办结，可重复；默认按推荐（答复时间、解决类型等），"
            "写 --finished-by '' 表示不按任何列判断",
        )
        parser.add_argument("--dry-run", action="store_true", help="只预演，不写入任何数据")
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="同意新建表中出现而本园区没有的部门、类别和企业",
        )
        parser.add_argument("--sheet", help="工作表名称（默认第一个有数据的表）")
        parser.add_argument("--user", help="以该账号的名义导入（记入办理记录）")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出完整报告")
        parser.add_argument("--fields", action="store_true", help="列出可对应的字段后退出")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["fields"]:
            self.stdout.write(importer.mapping_help())
            return
        if not opts["file"] or not opts["park"]:
            raise CommandError("请给出台账文件和 --park 园区代码")
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件 {path}")
        park = Park.objects.filter(code=opts["park"]).first()
        if park is None:
            codes = "、".join(Park.objects.values_list("code", flat=True))
            raise CommandError(f"没有代码为“{opts['park']}”的园区（有：{codes}）")
        user = None
        if opts["user"]:
            user = User.objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"没有账号“{opts['user']}”")
        try:
            report = importer.import_ledger(
                path.read_bytes(),
                park=park,
                user=user,
                mapping=importer.parse_map_option(opts["map"]),
                create_missing=opts["create_missing"],
                dry_run=opts["dry_run"],
                sheet=opts["sheet"],
                values=importer.parse_value_option(opts["value"]),
                finished_by=None
                if opts["finished_by"] is None
                else [h for h in opts["finished_by"] if h],
            )
        except ServiceError as exc:
            raise CommandError(exc.message)
        if opts["json"]:
            self.stdout.write(importer.dumps(report))
            return
        self._print(report)

    def _print(self, report: importer.ImportReport) -> None:
        w = self.stdout.write
        w("列的对应：")
        reasons = {c["header"]: c for c in report.columns}
        for header, key in report.mapping.items():
            target = importer.MAP_TARGETS.get(key, key)
            c = reasons.get(header, {})
            sample = "、".join(c.get("samples") or [])
            w(
                f"  {header} → {target}"
                + ("" if key in ("extra", "ignore") else f"（{key}）")
                + (f"  例：{sample}" if sample else "")
                + (f"  [{c['reason']}]" if c.get("reason") else "")
            )
        for header, words in report.values.items():
            if words:
                w(f"“{header}”的取值：" + "，".join(f"{k}→{v or '空'}" for k, v in words.items()))
        w("视为已办结的列：" + ("、".join(report.finished_by) or "（无）"))
        for kind, names in report.missing.items():
            label = importer.MISSING_LABELS[kind]
            made = report.created.get(kind, [])
            w(
                f"本园区没有的{label}：{'、'.join(names)}"
                + ("（已新建）" if made else "（加 --create-missing 新建）")
            )
        for p in report.problems:
            tag = "错误" if p.level == "error" else "警告"
            w(f"  第 {p.row} 行 [{p.column}] {tag}：{p.message}")
        if report.statuses:
            w("导入后的状态：" + "，".join(f"{k} {v}" for k, v in sorted(report.statuses.items())))
        if report.dry_run:
            w("（预演：没有写入任何数据）")
        style = self.style.SUCCESS if report.ok else self.style.WARNING
        w(style(report.summary()))
