"""The demand ledger (问题台账): demands, department tasks, extensions and the event timeline.

State changes happen only in demands/services.py; the allowed transitions are the table in
demands/workflow.py. Rows here are never deleted: a merged or withdrawn demand keeps its history.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Channel(models.TextChoices):
    VISIT = "visit", "走访"
    QUESTIONNAIRE = "questionnaire", "问卷"
    PORTAL = "portal", "企业门户"
    HOTLINE = "hotline", "热线"
    RECEPTION = "reception", "接待日"
    LIAISON = "liaison", "服务员代报"
    API = "api", "API"
    IMPORT = "import", "台账导入"


class RequesterKind(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    RESIDENT = "resident", "群众"
    COMMUNITY = "community", "村/社区"


class Status(models.TextChoices):
    RECEIVED = "received", "待交办"
    DISPATCHED = "dispatched", "待签收"
    IN_PROGRESS = "in_progress", "办理中"
    RETURNED = "returned", "退单待处理"
    ANSWERED = "answered", "待回访"
    CONFIRMED = "confirmed", "待销号"
    CLOSED = "closed", "已销号"
    MERGED = "merged", "已合并"


OPEN_STATUSES = (
    Status.RECEIVED,
    Status.DISPATCHED,
    Status.IN_PROGRESS,
    Status.RETURNED,
    Status.ANSWERED,
    Status.CONFIRMED,
)


class Tier(models.TextChoices):
    """Where a demand is being solved: the escalation ladder of the seeds."""

    ON_SPOT = "on_spot", "当即解决"
    DEPARTMENT = "department", "限时交办"
    RECEPTION_DAY = "reception_day", "企业接待日"
    PROJECT_MEETING = "project_meeting", "重点项目调度会"
    EXPERT = "expert", "专家协商"


class Outcome(models.TextChoices):
    SOLVED = "solved", "已解决"
    PARTLY = "partly", "部分解决"
    EXPLAINED = "explained", "政策解释到位"
    NOT_FEASIBLE = "not_feasible", "暂不具备条件"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class CallbackMethod(models.TextChoices):
    """How a 回访 rating was taken (kept in the confirm event's data)."""

    SELF = "self", "本人评价"
    PHONE = "phone", "电话回访"
    VISIT = "visit", "上门回访"


class Category(models.Model):
    """Two-level demand catalogue; a level-2 category carries the routing defaults."""

    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="categories")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="上级类别",
    )
    code = models.SlugField("代码", max_length=40)
    name = models.CharField("名称", max_length=50)
    default_department = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="默认主办部门",
    )
    default_co_departments = models.ManyToManyField(
        "orgs.Department", blank=True, related_name="+", verbose_name="默认协办部门"
    )
    time_limit_days = models.PositiveSmallIntegerField("办理时限（工作日）", default=10)
    for_residents = models.BooleanField("群众诉求类", default=False)
    is_active = models.BooleanField("启用", default=True)
    sort = models.PositiveSmallIntegerField("排序", default=100)

    class Meta:
        verbose_name = "诉求类别"
        verbose_name_plural = "诉求类别"
        ordering = ["park", "sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["park", "code"], name="uniq_category_code"),
        ]

    def __str__(self) -> str:
        if self.parent_id and self.parent:
            return f"{self.parent.name}/{self.name}"
        return self.name


class ReplyTemplate(models.Model):
    """A park's wording for a common answer (答复 and 当场解决), kept by its administrator.

    Placeholders in braces ({企业名称}, {诉求编号}, {联系人}, {园区}) are filled from the demand
    when the template is offered; anything else in braces is left as written."""

    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reply_templates",
        verbose_name="适用类别",
        help_text="一级类别适用于其下全部二级类别；留空适用于所有类别",
    )
    title = models.CharField("模板名称", max_length=40)
    body = models.TextField("答复内容")
    is_active = models.BooleanField("启用", default=True)
    sort = models.PositiveSmallIntegerField("排序", default=100)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "答复模板"
        verbose_name_plural = "答复模板"
        ordering = ["park", "sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["park", "title"], name="uniq_reply_template_title"),
        ]

    def __str__(self) -> str:
        return self.title


class NumberSequence(models.Model):
    """Yearly counters behind QS-2026-000123; incremented under a row lock."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)


class DemandQuerySet(models.QuerySet):
    def open(self) -> "DemandQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def overdue(self, today) -> "DemandQuerySet":
        return self.filter(due_date__lt=today, status__in=OPEN_STATUSES)


class Demand(models.Model):
    # Set by demands.privacy.mask on a copy in memory, never stored (see save()).
    contact_masked: bool
    # No single-column indexes where a composite one below starts with the column: each index
    # is paid for on every intake.
    park = models.ForeignKey(
        "orgs.Park", on_delete=models.PROTECT, related_name="demands", db_index=False
    )
    number = models.CharField("编号", max_length=20, unique=True)
    title = models.CharField("标题", max_length=200)
    description = models.TextField("诉求内容")
    channel = models.CharField("来源渠道", max_length=20, choices=Channel.choices)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="demands",
        verbose_name="类别",
    )
    requester_kind = models.CharField(
        "诉求人类型", max_length=20, choices=RequesterKind.choices, default=RequesterKind.ENTERPRISE
    )
    enterprise = models.ForeignKey(
        "entities.MarketEntity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="demands",
        verbose_name="企业",
        db_index=False,
    )
    requester_name = models.CharField("联系人", max_length=50, blank=True)
    requester_phone = models.CharField("联系电话", max_length=20, blank=True)
    community = models.CharField("村/社区", max_length=100, blank=True)
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="liaison_demands",
        verbose_name="专属服务员",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="created_demands",
        verbose_name="登记人",
        db_index=False,  # nothing looks demands up by who typed them in
    )
    status = models.CharField(
        "状态", max_length=20, choices=Status.choices, default=Status.RECEIVED
    )
    tier = models.CharField("解决层级", max_length=20, choices=Tier.choices, blank=True)
    lead_department = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="主办部门",
    )
    # Earliest deadline among the tasks still being worked on; kept by the service layer so the
    # ledger can filter and sort late items without joining tasks.
    due_date = models.DateField("办结时限", null=True, blank=True)
    answer = models.TextField("答复内容", blank=True)
    outcome = models.CharField("办理结果", max_length=20, choices=Outcome.choices, blank=True)
    satisfaction = models.CharField(
        "满意度", max_length=20, choices=Satisfaction.choices, blank=True
    )
    urge_level = models.PositiveSmallIntegerField("督办级别", default=0)
    redo_count = models.PositiveSmallIntegerField("重办次数", default=0)
    reopen_count = models.PositiveSmallIntegerField("重新打开次数", default=0)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name="合并至",
        db_index=False,  # a partial index below: only merged demands have an entry
    )
    is_legacy = models.BooleanField("遗留问题", default=False)
    # 补充材料: a question put to the requester; while it is open the clock of the demand's tasks
    # is stopped (they are paused) and the requester's answer starts it again.
    info_question = models.TextField("请诉求人补充的内容", blank=True)
    info_requested_at = models.DateTimeField("请求补充时间", null=True, blank=True)
    info_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="请求补充人",
    )
    # 查询码 for a requester without an account (a hotline caller): only a keyed hash is kept,
    # so the ledger's readers cannot follow an item in the caller's name.
    track_code_hash = models.CharField("查询码摘要", max_length=64, blank=True, editable=False)
    source_ref = models.CharField("来源引用", max_length=100, blank=True)
    extra = models.JSONField("其他字段", default=dict, blank=True)
    created_at = models.DateTimeField("受理时间")
    dispatched_at = models.DateTimeField("交办时间", null=True, blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    confirmed_at = models.DateTimeField("回访时间", null=True, blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = DemandQuerySet.as_manager()

    class Meta:
        verbose_name = "诉求"
        verbose_name_plural = "诉求"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["park", "-created_at"]),
            models.Index(fields=["park", "status", "-created_at"]),
            models.Index(fields=["park", "category", "-created_at"]),
            models.Index(fields=["park", "lead_department", "-created_at"]),
            models.Index(fields=["park", "channel", "-created_at"]),
            # Covering indexes for the dispatcher's commonest filters: a count or a page of ids
            # is read from the index alone, with no row lookups (see queries.page_rows).
            models.Index(
                fields=["park", "status", "category", "created_at"], name="demand_status_category"
            ),
            models.Index(
                fields=["park", "channel", "status", "due_date"], name="demand_channel_status_due"
            ),
            # The id makes it covering: PostgreSQL counts overdue items from the index alone
            # (28 ms -> 5 ms for a department's overdue items at 100,000 demands).
            models.Index(
                fields=["park", "due_date", "id"],
                condition=~Q(status__in=["closed", "merged"]),
                name="demand_open_due_id",
            ),
            # 逾期催办 and its count: the working demands by deadline (a few % of the ledger),
            # read from the index alone (the statuses of demands.workflow.WORKING).
            models.Index(
                fields=["park", "due_date", "id"],
                condition=Q(status__in=["dispatched", "in_progress", "returned"]),
                name="demand_working_due",
            ),
            # A date range sorted by number: the range's rows from the index alone, then a
            # top-N sort. Without it PostgreSQL walks the number index from the first number
            # and filters by date (10.7 s for a quarter of 2025 at 1,000,000 demands).
            models.Index(
                fields=["park", "created_at", "number", "id"], name="demand_created_number"
            ),
            # The ledger by 解决层级 in receipt order, and its capped count, from the index alone.
            # Without it PostgreSQL walked (park, -created_at) testing each row's tier: the rarer
            # tiers (专家协商: 1 % of the ledger) read most of the park to count 2,001 of them
            # (2.6 s at 1,000,000 demands).
            models.Index(fields=["park", "tier", "created_at", "id"], name="demand_tier_created"),
            # 遗留问题清零 (experts.legacy.annotate): a period's candidates are the open demands
            # and those closed since it began, `closed_at IS NULL OR closed_at >= start` — two
            # ranges of this index instead of a scan of the whole table.
            models.Index(fields=["park", "closed_at"], name="demand_closed_at"),
            # The park's requester kinds one probe each (reports.metrics.demand_noun: how the
            # dashboard and the briefing name the demands), instead of a join of every fact row.
            models.Index(fields=["park", "requester_kind"], name="demand_park_kind"),
            models.Index(fields=["enterprise", "-created_at"]),
            models.Index(
                fields=["merged_into"],
                condition=Q(merged_into__isnull=False),
                name="demand_merged_into",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        # demands.privacy masks a list's copies in memory; writing one back would lose the data.
        if getattr(self, "contact_masked", False):
            raise RuntimeError("a demand with masked contact details must not be saved")
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def awaits_info(self) -> bool:
        return self.info_requested_at is not None


class TaskRole(models.TextChoices):
    LEAD = "lead", "主办"
    CO = "co", "协办"


class TaskStatus(models.TextChoices):
    PENDING = "pending", "待签收"
    SIGNED = "signed", "办理中"
    PAUSED = "paused", "待补充材料"
    # The handler's answer waits for the department head's review before it goes out.
    REVIEW = "review", "待审核"
    RETURNED = "returned", "已退单"
    ANSWERED = "answered", "已答复"
    CANCELLED = "cancelled", "已撤销"


ACTIVE_TASK_STATUSES = (
    TaskStatus.PENDING,
    TaskStatus.SIGNED,
    TaskStatus.PAUSED,
    TaskStatus.REVIEW,
)
# The tasks whose working-day clock runs (a paused one waits for the requester's material).
RUNNING_TASK_STATUSES = (TaskStatus.PENDING, TaskStatus.SIGNED, TaskStatus.REVIEW)


class ReturnReason(models.TextChoices):
    NOT_OUR_DUTY = "not_our_duty", "职能不符"
    NOT_OUR_AREA = "not_our_area", "属地不符"
    INCOMPLETE = "incomplete", "信息不全"
    OTHER = "other", "其他"


class Task(models.Model):
    """One department's share of a demand: the 主办 or a 协办, with its own deadline."""

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="tasks")
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, related_name="tasks", verbose_name="部门"
    )
    role = models.CharField("角色", max_length=10, choices=TaskRole.choices)
    status = models.CharField(
        "状态", max_length=20, choices=TaskStatus.choices, default=TaskStatus.PENDING
    )
    time_limit_days = models.PositiveSmallIntegerField("时限（工作日）")
    assigned_at = models.DateTimeField("交办时间")
    # None: an imported task whose sheet gave no 时限要求 (时限未知) — no overdue scan counts it.
    deadline = models.DateField("办结时限", null=True, blank=True)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="签收人",
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answer = models.TextField("答复内容", blank=True)
    outcome = models.CharField("办理结果", max_length=20, choices=Outcome.choices, blank=True)
    return_reason = models.CharField(
        "退单理由", max_length=20, choices=ReturnReason.choices, blank=True
    )
    return_note = models.TextField("退单说明", blank=True)
    insisted = models.BooleanField("派单员坚持交办", default=False)
    # The department head's choice of who in the department works on it (指派), and whether the
    # answer goes through the head's review first (also set for the whole department).
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tasks",
        verbose_name="经办人",
    )
    review_required = models.BooleanField("答复须经负责人审核", default=False)
    paused_at = models.DateTimeField("暂停时间", null=True, blank=True)
    paused_working_days = models.PositiveSmallIntegerField("累计暂停工作日", default=0)
    extension_count = models.PositiveSmallIntegerField("延期次数", default=0)
    urge_level = models.PositiveSmallIntegerField("督办级别", default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "交办任务"
        verbose_name_plural = "交办任务"
        ordering = ["demand", "-role", "id"]  # 主办 (lead) before 协办 (co)
        indexes = [
            models.Index(fields=["department", "status", "deadline"]),
            # "Every demand the department has a task in" without reading the task rows.
            models.Index(fields=["department", "demand"], name="task_department_demand"),
            # 指派给我: a handler's own tasks.
            models.Index(
                fields=["assignee", "status"],
                condition=Q(assignee__isnull=False),
                name="task_assignee_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.demand.number} {self.get_role_display()} {self.department}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_TASK_STATUSES


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    GRANTED = "granted", "已同意"
    REFUSED = "refused", "已驳回"


class Extension(models.Model):
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="extensions")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField()
    days = models.PositiveSmallIntegerField("延期工作日数")
    reason = models.TextField("延期理由")
    status = models.CharField(
        max_length=10, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    old_deadline = models.DateField()
    new_deadline = models.DateField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["-requested_at"]


class Event(models.Model):
    """The timeline: one row per action, who did it, when, and why. Never updated or deleted."""

    # Both looked up through the indexes below: (demand, created_at), and a partial one on task
    # that the many demand-level events (without a task) stay out of.
    demand = models.ForeignKey(
        Demand, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    task = models.ForeignKey(
        Task,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        db_index=False,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_role = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["demand", "created_at"]),
            models.Index(fields=["action", "created_at"]),
            models.Index(fields=["task"], condition=Q(task__isnull=False), name="event_task"),
        ]


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"attachments/{instance.demand.park_id}/{instance.demand.number}/{filename}"


class Attachment(models.Model):
    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="attachments")
    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"


class AccessKind(models.TextChoices):
    OPEN = "open", "查看诉求"
    REVEAL = "reveal", "显示联系方式"


class AccessField(models.TextChoices):
    NONE = "", "—"
    NAME = "name", "联系人"
    PHONE = "phone", "联系电话"


class AccessLog(models.Model):
    """Who opened which demand, and who revealed a masked name or phone number (for 督查).

    Written once per opening with a single INSERT; read only by the 督查 page."""

    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="+")
    demand = models.ForeignKey(
        Demand, on_delete=models.PROTECT, related_name="+", verbose_name="诉求"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="用户"
    )
    kind = models.CharField("类型", max_length=10, choices=AccessKind.choices)
    field = models.CharField(
        "字段", max_length=10, choices=AccessField.choices, blank=True, default=""
    )
    via = models.CharField("途径", max_length=10, default="web")  # web / api
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "诉求查阅记录"
        verbose_name_plural = "诉求查阅记录"
        ordering = ["-at", "-id"]
        # The 督查 page filters a park's log by user, by demand or by date, newest first.
        indexes = [
            models.Index(fields=["park", "-at"], name="access_park_at"),
            models.Index(fields=["user", "-at"], name="access_user_at"),
            models.Index(fields=["demand", "-at"], name="access_demand_at"),
        ]


class TrackingAttempt(models.Model):
    """A look-up on the public tracking page; failed ones within a window lock the number and
    the address, so six digits cannot be guessed."""

    number = models.CharField(max_length=20, db_index=True)
    address = models.CharField(max_length=45, db_index=True)
    ok = models.BooleanField(default=False)
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "查询记录"
        verbose_name_plural = "查询记录"


class LedgerExport(models.Model):
    """A ledger export too large to answer at once: written by a background task
    (demands.tasks.run_ledger_export) with its progress, then downloaded by the one who asked.
    The query string is kept as asked, so the task exports exactly what the page showed."""

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "生成失败"

    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    params = models.JSONField("筛选条件", default=dict, blank=True)  # the ledger's GET
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    rows_total = models.PositiveIntegerField("条数", default=0)
    rows_done = models.PositiveIntegerField("已写条数", default=0)
    file = models.FileField(upload_to="exports/", max_length=300, blank=True)
    name = models.CharField("文件名", max_length=200)
    error = models.CharField("错误", max_length=300, blank=True, default="")
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "台账导出"
        verbose_name_plural = "台账导出"
        ordering = ["-created_at", "-id"]

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return min(99, self.rows_done * 100 // self.rows_total) if self.rows_total else 0


class SavedView(models.Model):
    """A named ledger filter of one user in one park (我的视图): the query string as the page
    had it, without its page number, checked by the ledger's own filter when saved."""

    park = models.ForeignKey("orgs.Park", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField("名称", max_length=30)
    query = models.CharField("筛选条件", max_length=1000, blank=True, default="")
    created_at = models.DateTimeField("保存时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "台账视图"
        verbose_name_plural = "台账视图"
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "park", "name"], name="saved_view_unique_name")
        ]
