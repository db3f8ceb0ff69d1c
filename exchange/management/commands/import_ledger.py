"""python manage.py import_ledger FILE --park CODE [--map "列名=字段" ...]
[--value "列名:取值=对应值" ...] [--finished-by 列名 ...] [--dry-run] [--create-missing]
[--sheet NAME] [--user USERNAME] [--json] [--batch-size N] [--resume JOB]

A real import is kept as an import job (its file, its cursor): committed batch by batch, so a run
that stops part-way is continued with the same command and --resume JOB."""

from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from exchange import importer
from exchange.models import ImportJob
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
        parser.add_argument("--batch-size", type=int, default=None, help="每批提交的行数")
        parser.add_argument(
            "--resume", type=int, default=None, metavar="JOB", help="从中断处继续该导入任务"
        )

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
        data = path.read_bytes()
        job = None
        if opts["resume"]:
            job = ImportJob.objects.filter(pk=opts["resume"], park=park).first()
            if job is None or job.state == ImportJob.State.IMPORTED:
                raise CommandError(f"没有可继续的导入任务 {opts['resume']}")
        elif not opts["dry_run"]:
            job = ImportJob(park=park, user=user, original_name=path.name[:200])
            job.file.save(f"{park.code}-{timezone.now():%Y%m%d%H%M%S}.xlsx", ContentFile(data))
        if job is not None:
            ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.RUNNING)
        try:
            report = importer.import_ledger(
                data,
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
                job=job,
                batch_size=opts["batch_size"],
                resume=bool(opts["resume"]),
            )
        except ServiceError as exc:
            self._failed(job, exc.message)
            raise CommandError(exc.message)
        except BaseException as exc:  # a batch that failed, or Ctrl-C: the committed ones stay
            self._failed(job, f"导入中断：{type(exc).__name__}")
            if job is not None:
                self.stderr.write(f"导入中断；已提交的批次保留，用 --resume {job.pk} 继续")
            raise
        if job is not None:
            ImportJob.objects.filter(pk=job.pk).update(
                state=ImportJob.State.IMPORTED, imported_at=timezone.now(), report=report.as_dict()
            )
        if opts["json"]:
            self.stdout.write(importer.dumps(report))
            return
        self._print(report)

    def _failed(self, job: ImportJob | None, message: str) -> None:
        if job is not None:
            ImportJob.objects.filter(pk=job.pk).update(
                state=ImportJob.State.FAILED, error=message[:300]
            )

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
        for c in report.changes:
            what = "更新" if c["action"] == "updated" else "新增登记"
            w(f"  第 {c['row']} 行 → {c['number']} {what}：{c['note']}")
        for p in report.problems:
            tag = "错误" if p.level == "error" else "警告"
            w(f"  第 {p.row} 行 [{p.column}] {tag}：{p.message}")
        if report.statuses:
            w("导入后的状态：" + "，".join(f"{k} {v}" for k, v in sorted(report.statuses.items())))
        if report.dry_run:
            w("（预演：没有写入任何数据）")
        style = self.style.SUCCESS if report.ok else self.style.WARNING
        w(style(report.summary()))
