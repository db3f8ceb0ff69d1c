"""Derived tables behind the figures, and the briefings a park publishes.

`DemandFact` and `TaskFact` hold, one row per demand and per department task, what the metrics need
from the ledger's rows and event timeline (first answer, ratings, response and answer times, …),
so that a dashboard query is one aggregate over narrow indexed rows instead of a replay of millions
of events. They are derived data: `reports.facts` rebuilds a demand's rows from its events whenever
the demand changes (a `StaleDemand` row is written in the same transaction as every event), and
`manage.py refresh_metrics` rebuilds them all. Nothing else writes them.
"""

from django.conf import settings
from django.db import models


class StaleDemand(models.Model):
    """A demand whose facts must be recomputed. Written by a signal inside the transaction that
    records the event, so a committed event always has its row; deleted once processed."""

    demand_id = models.BigIntegerField()  # read in pk order, never looked up by demand


class DemandFact(models.Model):
    demand = models.OneToOneField(
        "demands.Demand", on_delete=models.CASCADE, primary_key=True, related_name="fact"
    )
    park_id = models.BigIntegerField()
    created_at = models.DateTimeField()
    month = models.PositiveIntegerField()  # local yyyymm of created_at, for monthly trends
    category_id = models.BigIntegerField(null=True)
    category_l1_id = models.BigIntegerField(null=True)  # the level-1 category (itself if level 1)
    channel = models.CharField(max_length=20)
    liaison_id = models.BigIntegerField(null=True)
    lead_department_id = models.BigIntegerField(null=True)
    status = models.CharField(max_length=20)
    tier = models.CharField(max_length=20, blank=True)
    outcome = models.CharField(max_length=20, blank=True)
    is_merged = models.BooleanField(default=False)
    is_legacy = models.BooleanField(default=False)
    answered = models.BooleanField(default=False)  # currently answered, confirmed or closed
    first_answered_at = models.DateTimeField(null=True)
    closed_at = models.DateTimeField(null=True)
    ever_closed = models.BooleanField(default=False)
    reopened = models.BooleanField(default=False)
    due_date = models.DateField(null=True)
    rated = models.PositiveSmallIntegerField(default=0)  # 回访 ratings (confirm events)
    rated_satisfied = models.PositiveSmallIntegerField(default=0)
    rated_basic = models.PositiveSmallIntegerField(default=0)
    rated_dissatisfied = models.PositiveSmallIntegerField(default=0)
    tasks = models.PositiveSmallIntegerField(default=0)
    returns = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["park_id", "created_at"], name="dfact_park_created"),
            models.Index(
                fields=["park_id", "lead_department_id", "created_at"], name="dfact_park_dept"
            ),
            models.Index(fields=["park_id", "category_l1_id", "created_at"], name="dfact_park_cat"),
            models.Index(
                fields=["park_id", "is_legacy", "status"],
                name="dfact_legacy",
                condition=models.Q(is_legacy=True),
            ),
            models.Index(fields=["park_id", "liaison_id", "created_at"], name="dfact_park_liaison"),
            models.Index(fields=["park_id", "category_id", "created_at"], name="dfact_park_leaf"),
            # What depends on today (overdue) concerns open items only: a small partial index.
            models.Index(
                fields=["park_id", "due_date"],
                name="dfact_working_due",
                condition=models.Q(
                    status__in=["dispatched", "in_progress", "returned"], is_merged=False
                ),
            ),
        ]


class TaskFact(models.Model):
    task = models.OneToOneField(
        "demands.Task", on_delete=models.CASCADE, primary_key=True, related_name="fact"
    )
    demand_id = models.BigIntegerField(db_index=True)
    park_id = models.BigIntegerField()
    department_id = models.BigIntegerField()
    role = models.CharField(max_length=10)
    month = models.PositiveIntegerField()  # local yyyymm of the demand's created_at
    # The demand's dimensions, copied so that task figures filter without a join.
    demand_created_at = models.DateTimeField()
    category_id = models.BigIntegerField(null=True)
    category_l1_id = models.BigIntegerField(null=True)
    channel = models.CharField(max_length=20)
    liaison_id = models.BigIntegerField(null=True)
    demand_merged = models.BooleanField(default=False)
    assigned_date = models.DateField()  # local date the department was first given the task
    response_days = models.PositiveSmallIntegerField(null=True)  # working days to sign/return
    response_known = models.BooleanField(default=True)  # False: an import without 签收时间
    returns = models.PositiveSmallIntegerField(default=0)
    cancelled = models.BooleanField(default=False)
    active = models.BooleanField(default=False)  # pending, signed or paused now
    paused = models.BooleanField(default=False)
    deadline = models.DateField(null=True)  # None: the sheet gave none (deadline_known False)
    first_answered_at = models.DateTimeField(null=True)
    answered_on_time = models.BooleanField(null=True)  # of the first answer; None: not answered
    deadline_known = models.BooleanField(default=True)
    answer_days = models.PositiveSmallIntegerField(null=True)  # working days, pauses excluded
    # An imported sheet's own 响应 judgement of the task (it outranks the times: it is the fact
    # the sheet states); None when the sheet gave none.
    sheet_responded = models.BooleanField(null=True)
    assigned_known = models.BooleanField(default=True)  # False: imported without 派发时间
    answer_known = models.BooleanField(default=True)  # False: answered, the sheet gave no time

    class Meta:
        indexes = [
            models.Index(fields=["park_id", "demand_created_at"], name="tfact_park_created"),
            models.Index(
                fields=["park_id", "department_id", "demand_created_at"], name="tfact_park_dept"
            ),
            models.Index(
                fields=["park_id", "liaison_id", "demand_created_at"], name="tfact_park_liaison"
            ),
            # Unsigned or still-open tasks: the only ones whose standing changes with the date.
            models.Index(
                fields=["park_id", "demand_created_at"],
                name="tfact_live",
                condition=(models.Q(active=True) | models.Q(response_days__isnull=True))
                & models.Q(demand_merged=False),
            ),
        ]


def _counters(*names: str) -> dict[str, models.Field]:
    return {n: models.IntegerField(default=0) for n in names}


# Monthly rollups: the sums of the facts by month of receipt and the dimensions the dashboard
# groups by, kept up to date with deltas whenever facts change (reports.rollup). A year's figures
# are then a sum over a few thousand rollup rows instead of an aggregate over hundreds of
# thousands of facts. Dimension 0 means "none" (NULL would defeat the unique key's upsert).
DEMAND_COUNTERS = (
    "received",
    "answered",
    "closed",
    "open",
    "legacy_open",
    "tier_on_spot",
    "tier_department",
    "tier_reception_day",
    "tier_project_meeting",
    "tier_expert",
    "out_solved",
    "out_partly",
    "out_explained",
    "out_not_feasible",
    "rated",
    "r_satisfied",
    "r_basic",
    "r_dissatisfied",
    "reopened",
    "ever_closed",
)
RESPONSE_DAYS_KEPT = 5  # response-day histogram 0..5; a longer window reads the facts
TASK_COUNTERS = (
    "tasks",
    "returns",
    "reacted",
    *(f"resp_{d}" for d in range(RESPONSE_DAYS_KEPT + 1)),
    "ontime_ok",
    "ontime_answered",
    "days_sum",
    "days_n",
    # Imported sheets: their own 响应 judgements, and the tasks each timed figure leaves out
    # because the sheet gave no time for them.
    "resp_sheet_ok",
    "resp_sheet_n",
    "resp_unknown",
    "ontime_unknown",
    "days_unknown",
)


class DemandRollup(models.Model):
    park_id = models.BigIntegerField()
    month = models.PositiveIntegerField()
    lead_department_id = models.BigIntegerField(default=0)
    category_l1_id = models.BigIntegerField(default=0)
    channel = models.CharField(max_length=20)
    locals().update(_counters(*DEMAND_COUNTERS))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["park_id", "month", "lead_department_id", "category_l1_id", "channel"],
                name="uniq_demand_rollup",
            )
        ]


class TaskRollup(models.Model):
    park_id = models.BigIntegerField()
    month = models.PositiveIntegerField()
    department_id = models.BigIntegerField(default=0)
    category_l1_id = models.BigIntegerField(default=0)
    channel = models.CharField(max_length=20)
    locals().update(_counters(*TASK_COUNTERS))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["park_id", "month", "department_id", "category_l1_id", "channel"],
                name="uniq_task_rollup",
            )
        ]


class BriefingStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class Briefing(models.Model):
    """A published briefing (工作简报) for one period: the .docx and, when LibreOffice is present,
    the PDF. Generated by a background task; `progress` lets the page show how far it got."""

    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="briefings")
    period = models.CharField("统计期", max_length=20)
    department_id = models.BigIntegerField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=BriefingStatus.choices, default=BriefingStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=100, blank=True)
    docx = models.FileField(upload_to="briefings/", max_length=300, blank=True)
    pdf = models.FileField(upload_to="briefings/", max_length=300, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "工作简报"
        verbose_name_plural = "工作简报"
        ordering = ["-created_at"]
