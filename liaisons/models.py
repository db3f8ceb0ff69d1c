"""一对一专属服务员: the park's assignment rules, persisted plans, the history of who served whom,
handovers and contact records.

The engine itself is `liaisons.solver` (pure Python); `liaisons.services` turns these rows into its
input and its output back into rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


def _default_allowed_ranks() -> dict[str, list[int]]:
    # tier -> ranks that may be the A角 ("分层级": leaders take the key enterprises).
    return {"1": [1], "2": [1, 2], "3": [1, 2, 3]}


def _default_backup_allowed_ranks() -> dict[str, list[int]]:
    return {"1": [1, 2], "2": [1, 2, 3], "3": [1, 2, 3]}


def _default_capacity() -> dict[str, int]:
    return {"1": 5, "2": 6, "3": 3}


def _default_cadence() -> dict[str, int]:
    # tier -> days between contacts: key and 规上 enterprises monthly, the rest quarterly.
    return {"1": 30, "2": 30, "3": 90}


def _default_roles() -> list[str]:
    # "联企人员从147名扩充为全区干部职工": every staff role may serve, not only the liaison role.
    return ["liaison", "handler", "department_head", "leader", "dispatcher"]


class AssignmentRules(models.Model):
    """One park's rules for the assignment engine and for the contact cadence."""

    park = models.OneToOneField(
        "orgs.Park", on_delete=models.CASCADE, related_name="liaison_rules", verbose_name="园区"
    )
    allowed_ranks = models.JSONField("各层级可联系的职级", default=_default_allowed_ranks)
    capacity_by_rank = models.JSONField("各职级联系企业上限", default=_default_capacity)
    backup = models.BooleanField("同时安排B角（备岗服务员）", default=True)
    backup_allowed_ranks = models.JSONField(
        "各层级可任B角的职级", default=_default_backup_allowed_ranks
    )
    backup_capacity_by_rank = models.JSONField("各职级B角上限", default=_default_capacity)
    eligible_roles = models.JSONField("参与联企的角色", default=_default_roles)
    # department id (as a string) -> industry codes its people know: "C,I" or "39,C".
    department_industries = models.JSONField("部门熟悉的行业", default=dict, blank=True)
    industry_weight = models.PositiveIntegerField("行业未对口代价", default=10)
    seniority_weight = models.PositiveIntegerField("高职级联系低层级代价（每级）", default=2)
    load_weight = models.PositiveIntegerField("负荷均衡权重", default=1)
    change_weight = models.PositiveIntegerField("变更已有服务关系代价", default=1000)
    department_weight = models.PositiveIntegerField("B角跨部门代价", default=5)
    cadence_days = models.JSONField("各层级联系周期（天）", default=_default_cadence)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "服务员安排规则"
        verbose_name_plural = "服务员安排规则"

    def __str__(self) -> str:
        return f"{self.park} 服务员安排规则"


class RulesChange(models.Model):
    """Who changed the 专属服务员规则 (cadence, ranks, capacities, weights), when, from what to
    what: only the fields that changed."""

    park = models.ForeignKey("orgs.Park", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    before = models.JSONField("修改前", default=dict)
    after = models.JSONField("修改后", default=dict)

    class Meta:
        verbose_name = "服务员规则修改记录"
        verbose_name_plural = "服务员规则修改记录"
        ordering = ["-at", "-id"]


class StaffOverride(models.Model):
    """What differs for one person: a lower or higher capacity, the industries they know, or
    that they take no entities at all (long leave, seconded out)."""

    park = models.ForeignKey("orgs.Park", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="liaison_overrides",
        verbose_name="人员",
    )
    capacity = models.PositiveSmallIntegerField("联系企业上限", null=True, blank=True)
    backup_capacity = models.PositiveSmallIntegerField("B角上限", null=True, blank=True)
    industries = models.CharField(
        "熟悉的行业",
        max_length=200,
        blank=True,
        help_text="门类字母或大类代码，逗号分隔，如 C,39,I",
    )
    excluded = models.BooleanField("暂不安排联企", default=False)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "人员个别设置"
        verbose_name_plural = "人员个别设置"
        constraints = [
            models.UniqueConstraint(fields=["park", "user"], name="uniq_staff_override"),
        ]

    def __str__(self) -> str:
        return f"{self.user} 个别设置"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "待确认"
    APPLIED = "applied", "已生效"
    STALE = "stale", "已过期"


class Plan(models.Model):
    """A persisted preview: every proposed pair with its reason, and the figures a dispatcher
    checks before applying it."""

    park = models.ForeignKey("orgs.Park", on_delete=models.CASCADE, related_name="liaison_plans")
    status = models.CharField(
        "状态", max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    purpose = models.CharField("用途", max_length=100, default="全面安排")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    applied_at = models.DateTimeField("生效时间", null=True, blank=True)
    entity_count = models.PositiveIntegerField("市场主体数", default=0)
    staff_count = models.PositiveIntegerField("可联企人数", default=0)
    coverage = models.FloatField("覆盖率", default=0)
    backup_coverage = models.FloatField("B角覆盖率", null=True, blank=True)
    objective = models.BigIntegerField("目标值", default=0)
    greedy_objective = models.BigIntegerField("贪心法目标值", null=True, blank=True)
    breakdown = models.JSONField("目标值构成", default=dict)
    kept = models.PositiveIntegerField("保持", default=0)
    moved = models.PositiveIntegerField("调整", default=0)
    new = models.PositiveIntegerField("新增", default=0)
    orphaned = models.PositiveIntegerField("原服务员离岗/不符规则", default=0)
    backup_changed = models.PositiveIntegerField("B角变化", default=0)
    # staff id (str) -> [primary load, capacity, backup load]
    load = models.JSONField("负荷", default=dict)
    solve_ms = models.PositiveIntegerField("求解耗时（毫秒）", default=0)
    warnings = models.JSONField("提示", default=list, blank=True)
    rules_snapshot = models.JSONField("规则快照", default=dict)

    class Meta:
        verbose_name = "安排方案"
        verbose_name_plural = "安排方案"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"方案 #{self.pk}（{self.get_status_display()}）"


class Change(models.TextChoices):
    KEPT = "kept", "保持"
    MOVED = "moved", "调整"
    NEW = "new", "新增"
    ORPHANED = "orphaned", "原服务员离岗"


class PlanItem(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    entity = models.ForeignKey("entities.MarketEntity", on_delete=models.CASCADE, related_name="+")
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    backup = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    previous_liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    previous_backup = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    change = models.CharField("变化", max_length=10, choices=Change.choices)
    reason = models.CharField("理由", max_length=300)
    backup_reason = models.CharField("B角理由", max_length=300, blank=True)
    backup_changed = models.BooleanField("B角有变化", default=False)

    class Meta:
        verbose_name = "方案明细"
        verbose_name_plural = "方案明细"
        constraints = [
            models.UniqueConstraint(fields=["plan", "entity"], name="uniq_plan_entity"),
        ]
        indexes = [models.Index(fields=["plan", "change"])]


class Handover(models.Model):
    """A person left or changed post; their entities moved, with a note kept in the history."""

    park = models.ForeignKey("orgs.Park", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="handovers_given",
        verbose_name="交出人",
    )
    to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handovers_taken",
        verbose_name="指定接手人",
    )
    note = models.CharField("交接说明", max_length=500)
    deactivated = models.BooleanField("同时停用账号", default=False)
    entity_count = models.PositiveIntegerField("涉及市场主体", default=0)
    plan = models.ForeignKey(
        Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "工作交接"
        verbose_name_plural = "工作交接"
        ordering = ["-created_at"]


class Source(models.TextChoices):
    PLAN = "plan", "统一安排"
    HANDOVER = "handover", "工作交接"
    MANUAL = "manual", "人工调整"
    IMPORT = "import", "导入"


class LiaisonAssignmentQuerySet(models.QuerySet):
    def current(self) -> LiaisonAssignmentQuerySet:
        return self.filter(end__isnull=True)

    def involving(self, user_id: int) -> LiaisonAssignmentQuerySet:
        return self.filter(Q(liaison_id=user_id) | Q(backup_id=user_id))


class LiaisonAssignment(models.Model):
    """One period during which `liaison` (A角) and `backup` (B角) served `entity`. A change of
    either closes the open row and opens a new one, so the rows of an entity are its full story
    and the rows naming a person are everything they ever served."""

    park = models.ForeignKey("orgs.Park", on_delete=models.CASCADE, related_name="+")
    entity = models.ForeignKey(
        "entities.MarketEntity",
        on_delete=models.CASCADE,
        related_name="liaison_history",
        verbose_name="市场主体",
    )
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="专属服务员",
    )
    backup = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="B角",
    )
    # The liaison's post when the period began (职级 · 部门 · 职务): posts change, history must not.
    role = models.CharField("服务员职务", max_length=150, blank=True)
    start = models.DateTimeField("开始")
    end = models.DateTimeField("结束", null=True, blank=True)
    reason = models.CharField("理由", max_length=500)
    source = models.CharField("方式", max_length=10, choices=Source.choices, default=Source.PLAN)
    plan = models.ForeignKey(
        Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    handover = models.ForeignKey(
        Handover, on_delete=models.SET_NULL, null=True, blank=True, related_name="assignments"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )

    objects = LiaisonAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "服务关系记录"
        verbose_name_plural = "服务关系记录"
        ordering = ["-start", "-id"]
        indexes = [
            models.Index(fields=["entity", "end"]),
            models.Index(fields=["liaison", "start"]),
            models.Index(fields=["backup", "start"]),
        ]

    def __str__(self) -> str:
        return f"{self.entity} ← {self.liaison}"


class ContactKind(models.TextChoices):
    VISIT = "visit", "上门走访"
    CALL = "call", "电话联系"
    MEETING = "meeting", "座谈/接待日"
    MESSAGE = "message", "微信/短信"


class ContactLog(models.Model):
    """A liaison's contact with an entity; keeps MarketEntity.last_contact_at current."""

    park = models.ForeignKey("orgs.Park", on_delete=models.CASCADE, related_name="+")
    entity = models.ForeignKey(
        "entities.MarketEntity", on_delete=models.CASCADE, related_name="contact_logs"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("方式", max_length=10, choices=ContactKind.choices)
    at = models.DateTimeField("时间")
    note = models.CharField("情况", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "联系记录"
        verbose_name_plural = "联系记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["entity", "at"])]
