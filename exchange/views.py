"""Ledger import pages: upload a sheet, see how its columns were understood, map the rest, try it
(a dry run changes nothing), then import. The export lives on the ledger page (demands.views)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.files.base import ContentFile
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from demands.columns import MAP_TARGETS
from exchange import jobs, parse
from exchange.mapping import KEEP, KEEP_LABEL, VALUE_TARGETS
from exchange.models import ImportJob
from exchange.xlsx import import_limits
from orgs.models import Role
from qinshang import sheets
from qinshang.errors import InvalidInput, NotFound
from qinshang.pages import ParkRequest, roles_required

ROLES = (Role.DISPATCHER, Role.ADMIN)


def max_bytes() -> int:
    """The largest sheet the page takes (a city's 200,000-row ledger is about 15 MB)."""
    return int(getattr(settings, "LEDGER_IMPORT_MAX_BYTES", 60 * 1024 * 1024))


@roles_required(*ROLES, page="台账导入")
def index(request: ParkRequest) -> HttpResponse:
    park = request.park
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput("请选择要导入的台账文件（.xlsx）", field="file")
        name = upload.name or ""
        if not name.lower().endswith((".xlsx", ".xlsm")):
            raise InvalidInput(
                "只能导入 .xlsx 格式的台账；.xls 请先用 Excel 或 WPS 另存为 .xlsx", field="file"
            )
        if (upload.size or 0) > max_bytes():
            raise InvalidInput(
                f"文件超过 {max_bytes() // 1048576} MB，请分批导入，或联系系统运维人员代为导入",
                field="file",
            )
        data = upload.read()
        # A bomb or a file that is no workbook is refused here, before it is kept as a job.
        sheets.check_archive(data, import_limits(), unreadable=parse.UNREADABLE)
        job = ImportJob(park=park, user=request.user, original_name=Path(name).name[:200])
        job.file.save(
            f"{park.code}-{timezone.now():%Y%m%d%H%M%S}.xlsx", ContentFile(data), save=False
        )
        job.save()
        jobs.start(job, dry_run=True)
        return HttpResponseRedirect(reverse("exchange:job", args=[job.pk]))
    recent = ImportJob.objects.filter(park=park).select_related("user")[:20]
    return render(request, "exchange/index.html", {"jobs": recent})


@roles_required(*ROLES, page="台账导入")
def job(request: ParkRequest, pk: int) -> HttpResponse:
    park = request.park
    job = ImportJob.objects.filter(pk=pk, park=park).first()
    if job is None:
        raise NotFound("导入记录不存在")
    if request.method == "POST":
        if job.state == ImportJob.State.IMPORTED:
            raise InvalidInput("该文件已经导入过")
        if request.POST.get("action") == "resume":
            if job.state != ImportJob.State.FAILED or not job.cursor:
                raise InvalidInput("该导入没有中断，无需继续")
            jobs.start(job, dry_run=False)
            return HttpResponseRedirect(reverse("exchange:job", args=[job.pk]))
        headers = (job.report or {}).get("headers") or list(job.mapping)
        proposed = (job.report or {}).get("mapping") or {}
        # Only what the user changed is kept as a choice: the rest stays a proposal, with its
        # reason, and follows the content if the file is tried again.
        posted = {h: request.POST.get(f"map-{i}", "extra") for i, h in enumerate(headers)}
        job.mapping = {h: k for h, k in posted.items() if k != proposed.get(h) or h in job.mapping}
        values: dict[str, dict[str, str]] = {}
        for i, h in enumerate(headers):
            words = ((job.report or {}).get("values") or {}).get(h) or {}
            for j, word in enumerate(words):
                chosen = request.POST.get(f"value-{i}-{j}")
                if chosen is not None:
                    values.setdefault(h, {})[word] = chosen
        job.values = values
        job.finished_by = [h for h in request.POST.getlist("finish") if h in headers]
        job.create_missing = request.POST.get("create_missing") == "1"
        job.user = request.user
        job.save()
        real = request.POST.get("action") == "import"
        if job.running:
            raise InvalidInput("该文件正在后台处理，请等它完成")
        done = jobs.start(job, dry_run=not real)
        if real and done is not None:
            messages.success(request, done.summary())
        return HttpResponseRedirect(reverse("exchange:job", args=[job.pk]))
    if request.htmx and request.htmx.target == "import-progress":
        return render(request, "exchange/_progress.html", {"job": job})
    report = job.report or {}
    wanted = request.GET.get("download", "")
    if wanted in ("problems", "changes"):
        return _report_sheet(job, report, wanted)
    headers = report.get("headers") or list(job.mapping)
    proposals = {c["header"]: c for c in report.get("columns") or []}
    finish = set(job.finished_by or report.get("finished_by") or [])
    columns = []
    for i, h in enumerate(headers):
        p = proposals.get(h, {})
        key = (report.get("mapping") or {}).get(h) or job.mapping.get(h, "extra")
        columns.append(
            {
                "i": i,
                "header": h,
                "key": key,
                "samples": p.get("samples", []),
                "reason": p.get("reason", ""),
                "filled": p.get("filled"),
                "finish": h in finish,
                "values": [
                    {"j": j, "word": w["word"], "rows": w["rows"], "target": w["target"]}
                    for j, w in enumerate(p.get("values") or [])
                ],
                "targets": VALUE_TARGETS.get(key, []),
            }
        )
    problems = report.get("problems", [])
    ctx = {
        "job": job,
        "report": report,
        "columns": columns,
        "targets": MAP_TARGETS,
        "keep": (KEEP, KEEP_LABEL),
        "problems": problems[:300],
        "more_problems": max(0, len(problems) - 300),
        "errors": report.get("errors", sum(p["level"] == "error" for p in problems)),
        "warnings": report.get("warnings", sum(p["level"] == "warning" for p in problems)),
        "changes": (report.get("changes") or [])[:300],
        "more_changes": max(0, len(report.get("changes") or []) - 300),
    }
    return render(request, "exchange/job.html", ctx)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report_sheet(job: ImportJob, report: dict, wanted: str) -> HttpResponse:
    """The whole row report (a page shows its first 300 lines) as a sheet to work through."""
    if wanted == "problems":
        title = "逐行问题"
        heads: list[tuple[str, float]] = [("行", 8), ("列", 18), ("级别", 8), ("说明", 70)]
        rows = [
            [
                p.get("row"),
                p.get("column"),
                "错误" if p.get("level") == "error" else "警告",
                p.get("message"),
            ]
            for p in report.get("problems") or []
        ]
    else:
        title = "更新的事项"
        heads = [("行", 8), ("事项", 20), ("做了什么", 12), ("说明", 70)]
        rows = [
            [
                c.get("row"),
                c.get("number"),
                "更新" if c.get("action") == "updated" else "新增登记",
                c.get("note"),
            ]
            for c in report.get("changes") or []
        ]
    wb, ws = sheets.new_workbook(title)
    sheets.write_table(ws, heads, rows, freeze="A2")
    resp = HttpResponse(sheets.to_bytes(wb), content_type=XLSX)
    name = f"import-{job.pk}-{wanted}.xlsx"
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp
