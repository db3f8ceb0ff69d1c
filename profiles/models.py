"""一企一策: the service plan of a key enterprise (韶山's 三帮一促: 政府帮、园区帮、项目帮).

A plan has goals (a figure it aims to move, from a baseline to a target in a year, or a goal in
words), measures (what is done, by whom, by when, under which 帮), and reviews on the profile
(what the figures are now, what was done, the next review date). Changes are recorded as the
entity's events (entities.EntityEvent), so the profile has one timeline.
"""

from django.conf import settings
from django.db import models


class PlanStatus(models.TextChoices):
    ACTIVE = "active", "实施中"
    CLOSED = "closed", "已结束"


class Track(models.TextChoices):
    GOVERNMENT = "government", "政府帮"
    PARK = "park", "园区帮"
    PROJECT = "project", "项目帮"


class Metric(models.TextChoices):
    EMPLOYEES = "employees", "从业人员（人）"
    REVENUE = "annual_revenue_wan", "营业收入（万元）"
    ASSETS = "total_assets_wan", "资产总额（万元）"
    NONE = "", "（文字目标）"


class MeasureStatus(models.TextChoices):
    OPEN = "open", "推进中"
    DONE = "done", "已完成"
    DROPPED = "dropped", "已取消"


class ServicePlan(models.Model):
    entity = models.ForeignKey(
        "entities.MarketEntity", on_delete=models.PROTECT, related_name="service_plans"
    )
    title = models.CharField("名称", max_length=100)
    status = models.CharField(
        "状态", max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE
    )
    starts_on = models.DateField("起始日期")
    ends_on = models.DateField("截止日期")
    next_review_on = models.DateField("下次评估日期")
    closed_reason = models.CharField("结束说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "一企一策"
        verbose_name_plural = "一企一策"
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title


class PlanGoal(models.Model):
    plan = models.ForeignKey(ServicePlan, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField("目标", max_length=200)
    metric = models.CharField("指标", max_length=20, choices=Metric.choices, blank=True)
    year = models.PositiveSmallIntegerField("目标年度", null=True, blank=True)
    baseline = models.DecimalField("基数", max_digits=14, decimal_places=2, null=True, blank=True)
    target = models.DecimalField("目标值", max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = "目标"
        verbose_name_plural = "目标"
        ordering = ["plan", "id"]

    def __str__(self) -> str:
        return self.text


class PlanMeasure(models.Model):
    plan = models.ForeignKey(ServicePlan, on_delete=models.CASCADE, related_name="measures")
    text = models.CharField("措施", max_length=300)
    track = models.CharField("帮扶方式", max_length=12, choices=Track.choices)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="plan_measures",
        verbose_name="责任人",
    )
    due_on = models.DateField("完成时限")
    status = models.CharField(
        "状态", max_length=10, choices=MeasureStatus.choices, default=MeasureStatus.OPEN
    )
    note = models.CharField("进展说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "措施"
        verbose_name_plural = "措施"
        ordering = ["plan", "due_on", "id"]

    def __str__(self) -> str:
        return self.text


class PlanReview(models.Model):
    plan = models.ForeignKey(ServicePlan, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField("评估日期")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    summary = models.TextField("评估意见")
    progress = models.JSONField("目标进度", default=list, blank=True)
    next_review_on = models.DateField("下次评估日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "评估"
        verbose_name_plural = "评估"
        ordering = ["-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.plan} {self.reviewed_on}"
