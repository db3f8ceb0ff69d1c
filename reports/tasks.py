"""Background jobs of the reports app (django-tasks: the database backend in production, run by
`manage.py db_worker`; at once in tests)."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.utils import timezone
from django_tasks import task

from reports import briefing
from reports.models import Briefing, BriefingStatus
from reports.periods import parse


def _progress(b: Briefing, pct: int, step: str) -> None:
    Briefing.objects.filter(pk=b.pk).update(progress=pct, step=step, status=BriefingStatus.RUNNING)


@task()
def generate_briefing(briefing_id: int) -> None:
    """Write the briefing's .docx and PDF, reporting progress on the Briefing row."""
    b = Briefing.objects.select_related("park").get(pk=briefing_id)
    try:
        _progress(b, 5, "开始生成")
        data = briefing.collect(
            b.park,
            parse(b.period),
            b.department_id,
            progress=lambda pct, step: _progress(b, pct, step),
        )
        _progress(b, 65, "写入 Word 文件")
        docx = briefing.build_docx(data)
        stem = f"{b.park.code}-{b.period}-{b.pk}"
        b.docx.save(f"{stem}.docx", ContentFile(docx), save=False)
        Briefing.objects.filter(pk=b.pk).update(docx=b.docx.name)
        _progress(b, 75, "转换为 PDF（LibreOffice）")
        try:
            pdf = briefing.to_pdf(docx)
        except briefing.ConversionError as exc:
            b.error = str(exc)  # the Word file is still delivered
        else:
            b.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        b.status = BriefingStatus.DONE
        b.progress = 100
        b.step = "已完成"
    except Exception as exc:  # whatever failed is shown on the page
        b.status = BriefingStatus.FAILED
        b.error = f"生成失败：{exc}"
    b.finished_at = timezone.now()
    b.save(update_fields=["status", "progress", "step", "docx", "pdf", "error", "finished_at"])
