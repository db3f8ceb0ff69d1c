import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from demands import services
from demands.attachments import add_attachment, sample_bytes


def queued_job(enqueued_at: dt.datetime, *, status: str = TaskResultStatus.READY, run_after=None):
    """A row as the database task backend writes it; enqueued_at is auto_now_add, so set after."""
    row = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="notifications.tasks.scan_deadlines",
        backend_name="default",
        run_after=run_after or get_date_max(),
        status=status,
    )
    DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=enqueued_at)
    return row


def make_demand(world, title: str = "申请技改贴息贷款", *, files: int = 0):
    d = services.create_demand(
        world.users["dispatcher"],
        world.park,
        services.Intake(
            title=title,
            description="企业计划购置数控机床 12 台，需要贷款 800 万元，希望对接银行。",
            channel="visit",
            enterprise_id=world.enterprise.pk,
            category_id=world.cat_finance.pk,
        ),
    )
    for i in range(files):
        kind = ("png", "pdf", "docx")[i % 3]
        add_attachment(
            world.users["dispatcher"],
            d,
            SimpleUploadedFile(f"材料{i}.{kind}", sample_bytes(kind) + bytes([i]) * i),
        )
    return d
