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
    values = models.JSONField(default=dict, blank=True)  # header -> {sheet word: our value}
    # Headers whose being filled means "finished"; None until the park has seen the proposal.
    finished_by = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = "台账导入"
        verbose_name_plural = "台账导入"
        ordering = ["-created_at"]


class SheetOrigin(models.Model):
    """Where an imported item came from, so that its export reads like the sheet it came in:
    the headers that sheet gave each field, the words it used for each judgement, the fields it
    left empty (which the ledger had to fill, such as a deadline), and the earlier registrations
    of the same ticket (re-registered under one number), oldest first, as written."""

    demand = models.OneToOneField(
        "demands.Demand", on_delete=models.CASCADE, primary_key=True, related_name="sheet_origin"
    )
    job = models.ForeignKey(ImportJob, on_delete=models.SET_NULL, null=True, related_name="+")
    row = models.PositiveIntegerField()  # the sheet row of the current registration
    headers = models.JSONField(default=dict)  # field key -> header in the sheet
    columns = models.JSONField(default=list)  # the sheet's headers in their order
    raw = models.JSONField(default=dict)  # field key -> the cell as written (judgements, choices)
    parsed = models.JSONField(default=dict)  # field key -> our value read from it
    unknown = models.JSONField(default=list)  # field keys the sheet left empty
    versions = models.JSONField(default=list)  # earlier registrations: [{header: cell}]

    class Meta:
        verbose_name = "导入来源"
        verbose_name_plural = "导入来源"
