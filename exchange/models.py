from django.conf import settings
from django.db import models


class ImportJob(models.Model):
    """One uploaded ledger sheet on its way in: the file, the column mapping the user settled on,
    and the report of the last dry run or import.

    An import runs in batches of rows, each committed in its own transaction together with
    `cursor` (the last sheet row it covered) and the report so far; a run that stops (a crash, a
    killed worker) is resumed from `cursor`, and the rows it had committed are not read again
    (`ImportRow` says, per row, what became of it)."""

    class State(models.TextChoices):
        UPLOADED = "uploaded", "已上传"
        CHECKING = "checking", "预演中"
        CHECKED = "checked", "已预演"
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导入中"
        IMPORTED = "imported", "已导入"
        FAILED = "failed", "导入失败"

    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="+")
    # None: run from the command line (import_ledger) by whoever operates the server.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
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
    fingerprint = models.CharField(max_length=64, blank=True, default="")  # sha256 of the file
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    cursor = models.PositiveIntegerField(default=0)  # the last sheet row a committed batch read
    batches = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        verbose_name = "台账导入"
        verbose_name_plural = "台账导入"
        ordering = ["-created_at"]

    @property
    def running(self) -> bool:
        return self.state in (self.State.CHECKING, self.State.QUEUED, self.State.RUNNING)

    @property
    def percent(self) -> int:
        if self.state in (self.State.IMPORTED, self.State.CHECKED):
            return 100
        return min(99, self.rows_done * 100 // self.rows_total) if self.rows_total else 0


class ImportRow(models.Model):
    """What an import did with one row of its sheet: the row report (which row made, added to or
    updated which item) and the key that makes a resumed or repeated import skip the row."""

    class Action(models.TextChoices):
        CREATED = "created", "新建"
        REGISTERED = "registered", "新增登记"
        UPDATED = "updated", "更新"
        SKIPPED = "skipped", "已在台账中"
        REFUSED = "refused", "有错误未导入"

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows")
    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="+")
    fingerprint = models.CharField(max_length=64)
    row = models.PositiveIntegerField()
    demand = models.ForeignKey(
        "demands.Demand", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        verbose_name = "导入行"
        verbose_name_plural = "导入行"
        ordering = ["job", "row"]
        constraints = [
            models.UniqueConstraint(fields=["job", "row"], name="exchange_importrow_once"),
        ]
        indexes = [models.Index(fields=["park", "fingerprint", "row"])]


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
    # Each registration's key (its time as the sheet gives it), earlier ones first and the
    # current one last, the state the current one read as, and its tasks: what a newer sheet
    # of the same tickets is compared with. Empty for items imported before they were kept.
    keys = models.JSONField(default=list)
    state = models.JSONField(default=dict)

    class Meta:
        verbose_name = "导入来源"
        verbose_name_plural = "导入来源"
