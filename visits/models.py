"""大走访: visit campaigns with a questionnaire, the visits liaisons record, and their answers.

An answer a liaison marks as a problem becomes a demand in the ledger (`Answer.demand`), created in
the same transaction as the visit.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Theme(models.TextChoices):
    RELIEF = "relief", "助企纾困"
    SAFETY = "safety", "安全生产"
    LOANS = "loans", "贴息贷款"
    ENVIRONMENT = "environment", "营商环境"
    POLICY = "policy", "惠企政策"
    EPIDEMIC = "epidemic", "疫情防控"
    OTHER = "other", "其他"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "筹备中"
    ACTIVE = "active", "走访中"
    CLOSED = "closed", "已结束"


class Campaign(models.Model):
    # Display-only, set on the list page's copies (visits.views.index), never stored.
    p: dict[str, int]
    pct: int
    mine: dict[str, int] | None
    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="campaigns")
    title = models.CharField("名称", max_length=100)
    theme = models.CharField("主题", max_length=20, choices=Theme.choices)
    description = models.TextField("走访要求", blank=True)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    # Empty list = no restriction on that dimension.
    target_kinds = models.JSONField("对象类型", default=list, blank=True)
    target_industries = models.JSONField("对象行业", default=list, blank=True)
    target_tiers = models.JSONField("对象层级", default=list, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    launched_at = models.DateTimeField("启动时间", null=True, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "走访活动"
        verbose_name_plural = "走访活动"
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", "单选"
    MULTI = "multi", "多选"
    TEXT = "text", "文字"
    NUMBER = "number", "数字"
    YESNO = "yesno", "是/否"


class Question(models.Model):
    # Display-only: what was posted, when the record form comes back with an error.
    key: str
    posted: str | list[str]
    posted_follow: str
    posted_problem: bool
    posted_note: str
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    text = models.CharField("问题", max_length=200)
    kind = models.CharField("题型", max_length=10, choices=QuestionKind.choices)
    options = models.JSONField("选项", default=list, blank=True)
    required = models.BooleanField("必答", default=True)
    # yes/no only: a follow-up asked when the answer is `follow_up_on` ("yes" or "no").
    follow_up = models.CharField("追问", max_length=200, blank=True)
    follow_up_on = models.CharField("追问条件", max_length=3, default="yes", blank=True)
    # A demand raised from this question goes into this category (routing defaults).
    category = models.ForeignKey(
        "demands.Category",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="问题归类",
    )

    class Meta:
        verbose_name = "问卷题目"
        verbose_name_plural = "问卷题目"
        ordering = ["campaign", "order", "id"]

    def __str__(self) -> str:
        return self.text


class TargetStatus(models.TextChoices):
    PENDING = "pending", "未走访"
    VISITED = "visited", "已走访"
    REFUSED = "refused", "拒访/未遇"


class Target(models.Model):
    """The entities a campaign must reach, fixed when it is launched."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    entity = models.ForeignKey("entities.MarketEntity", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        "状态", max_length=10, choices=TargetStatus.choices, default=TargetStatus.PENDING
    )
    visit = models.ForeignKey(
        "Visit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "走访对象"
        verbose_name_plural = "走访对象"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "entity"], name="uniq_campaign_target"),
        ]
        indexes = [models.Index(fields=["campaign", "status"])]


class Outcome(models.TextChoices):
    VISITED = "visited", "已走访"
    REFUSED = "refused", "拒访/未遇"


class Visit(models.Model):
    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="visits")
    entity = models.ForeignKey(
        "entities.MarketEntity", on_delete=models.PROTECT, related_name="visits"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="走访人"
    )
    visited_on = models.DateField("走访日期")
    outcome = models.CharField(
        "结果", max_length=10, choices=Outcome.choices, default=Outcome.VISITED
    )
    people_met = models.CharField("接待人员", max_length=200, blank=True)
    note = models.TextField("走访情况", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "走访记录"
        verbose_name_plural = "走访记录"
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["campaign", "entity"])]

    def __str__(self) -> str:
        return f"{self.entity} {self.visited_on}"


class Answer(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    # str (single, text), list[str] (multi), number as str (number), "yes"/"no" (yesno)
    value = models.JSONField("回答", null=True, blank=True)
    follow_up_answer = models.TextField("追问回答", blank=True)
    is_problem = models.BooleanField("反映问题", default=False)
    problem_note = models.TextField("问题说明", blank=True)
    demand = models.OneToOneField(
        "demands.Demand",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visit_answer",
        verbose_name="转入台账的诉求",
    )

    class Meta:
        verbose_name = "问卷回答"
        verbose_name_plural = "问卷回答"
        constraints = [
            models.UniqueConstraint(fields=["visit", "question"], name="uniq_visit_answer"),
        ]

    def display(self) -> str:
        v = self.value
        if v is None or v == "" or v == []:
            return ""
        if isinstance(v, list):
            return "、".join(str(x) for x in v)
        if self.question.kind == QuestionKind.YESNO:
            return {"yes": "是", "no": "否"}.get(str(v), str(v))
        return str(v)


def photo_path(instance: VisitPhoto, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"visits/{instance.visit.campaign_id}/{uuid.uuid4().hex}.{ext}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to=photo_path, max_length=300)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()

    class Meta:
        verbose_name = "走访照片"
        verbose_name_plural = "走访照片"
