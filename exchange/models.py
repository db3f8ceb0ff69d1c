from django.conf import settings
from django.db import models


class ImportJob(models.Model):
    """One uploaded ledger sheet on its way in: the file, the column mapping the user settled on,
    and the report of the last dry run or import."""

    class State(models.TextChoices):
        UPLOADED = "uploaded", "已上传"
        CHECKED = "checked", "已预演"
        IMPORTED = "imported", "已导入"
        FAILED = "failed", "导入失败"

    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="imports/", max_length=300)
    original_name = models.CharField(max_length=200)
    mapping = models.JSONField(default=dict, blank=True)  # header -> field key
    create_missing = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.UPLOADED)
    report = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "台账导入"
        verbose_name_plural = "台账导入"
        ordering = ["-created_at"]
