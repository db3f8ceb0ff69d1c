"""Key projects (重点项目 / 在建项目): stage, milestones, site inspections and their timeline.

Changes happen only in projects/services.py; each one writes a ProjectEvent (who, when, what,
why). Rows are never deleted.
"""

from typing import Any

from django.conf import settings
from django.db import models


class Stage(models.TextChoices):
    SIGNED = "signed", "签约"
    STARTED = "started", "开工"
    BUILDING = "building", "在建"
    COMPLETED = "completed", "竣工"
    OPERATING = "operating", "投产"


STAGE_ORDER = [s.value for s in Stage]
# The date field each stage sets when a project reaches it.
STAGE_DATE_FIELD = {
    Stage.SIGNED: "signed_on",
    Stage.STARTED: "started_on",
    Stage.BUILDING: "building_on",
    Stage.COMPLETED: "completed_on",
    Stage.OPERATING: "operating_on",
}


class Level(models.TextChoices):
    PROVINCE = "province", "省重点"
    CITY = "city", "市重点"
    DISTRICT = "district", "区重点"
    PARK = "park", "园区重点"


class InspectionResult(models.TextChoices):
    PENDING = "pending", "待整改"
    RECTIFIED = "rectified", "已整改"
    PASSED = "passed", "合格（无需整改）"


class KeyProject(models.Model):
    # Display-only, set by the API on the copies it answers with (projects.api), never stored.
    slips: bool
    out_milestones: list[dict[str, Any]]
    out_inspections: list[dict[str, Any]]
    out_events: list[dict[str, Any]]
    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="key_projects")
    name = models.CharField("项目名称", max_length=200)
    investor = models.ForeignKey(
        "entities.MarketEntity",
        on_delete=models.PROTECT,
        related_name="key_projects",
        verbose_name="投资主体",
    )
    investment_wan = models.DecimalField("总投资（万元）", max_digits=14, decimal_places=2)
    industry = models.CharField("行业（GB/T 4754 大类）", max_length=2)
    level = models.CharField("重点项目级别", max_length=20, choices=Level.choices)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="led_projects",
        verbose_name="联系领导",
    )
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="served_projects",
        verbose_name="专属服务员",
    )
    stage = models.CharField("阶段", max_length=20, choices=Stage.choices, default=Stage.SIGNED)
    signed_on = models.DateField("签约日期")
    started_on = models.DateField("开工日期", null=True, blank=True)
    building_on = models.DateField("进入在建日期", null=True, blank=True)
    completed_on = models.DateField("竣工日期", null=True, blank=True)
    operating_on = models.DateField("投产日期", null=True, blank=True)
    address = models.CharField("建设地点", max_length=200, blank=True)
    description = models.TextField("建设内容", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField("登记时间")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "重点项目"
        verbose_name_plural = "重点项目"
        ordering = ["-signed_on", "-id"]
        indexes = [
            models.Index(fields=["park", "stage"]),
            models.Index(fields=["park", "-signed_on"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def finished_on(self):
        """The day the project reached 竣工 (or 投产 when it went straight there)."""
        return self.completed_on or self.operating_on


class Milestone(models.Model):
    slip: str | None  # display-only (projects.views): why the milestone slips
    project = models.ForeignKey(KeyProject, on_delete=models.PROTECT, related_name="milestones")
    name = models.CharField("节点", max_length=100)
    planned_on = models.DateField("计划日期")
    forecast_on = models.DateField("预计完成日期", null=True, blank=True)
    actual_on = models.DateField("实际完成日期", null=True, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    # The slip already announced ("planned:forecast"): one alert per slip, not one per scan.
    alerted_key = models.CharField(max_length=40, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "项目节点"
        verbose_name_plural = "项目节点"
        ordering = ["project", "planned_on", "id"]
        indexes = [models.Index(fields=["project", "actual_on", "planned_on"])]

    def __str__(self) -> str:
        return f"{self.project.name} · {self.name}"


class SiteInspection(models.Model):
    """工地巡查: what the inspector found and by when it must be put right."""

    late: bool  # display-only (projects.views): rectification overdue
    project = models.ForeignKey(KeyProject, on_delete=models.PROTECT, related_name="inspections")
    inspected_on = models.DateField("巡查日期")
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="巡查人"
    )
    findings = models.TextField("发现问题")
    rectification_days = models.PositiveSmallIntegerField(
        "整改时限（工作日）", null=True, blank=True
    )
    rectification_deadline = models.DateField("整改期限", null=True, blank=True)
    result = models.CharField(
        "结果", max_length=20, choices=InspectionResult.choices, default=InspectionResult.PENDING
    )
    result_note = models.CharField("整改情况", max_length=1000, blank=True)
    result_on = models.DateField("整改确认日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "工地巡查"
        verbose_name_plural = "工地巡查"
        ordering = ["project", "-inspected_on", "-id"]


class ProjectEvent(models.Model):
    """The project's timeline: one row per change. Never updated or deleted."""

    project = models.ForeignKey(KeyProject, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=30)
    note = models.TextField("理由/说明", blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "项目记录"
        verbose_name_plural = "项目记录"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["project", "created_at"])]
