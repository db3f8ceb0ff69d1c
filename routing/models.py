"""Routing models of a park (versioned files), the suggestions they made, and the labels the
ledger teaches them (every dispatch, correction, 退单 and re-route)."""

from django.conf import settings
from django.db import models


class Target(models.TextChoices):
    CATEGORY = "category", "诉求类别"
    DEPARTMENT = "department", "主办部门"


class VersionStatus(models.TextChoices):
    ACTIVE = "active", "使用中"
    CANDIDATE = "candidate", "候选"
    REJECTED = "rejected", "未通过（不优于现用模型）"
    RETIRED = "retired", "已停用"


def model_path(instance: "ModelVersion", filename: str) -> str:
    return f"routing/{instance.park.code}/{instance.target}-v{instance.version}.joblib"


class ModelVersion(models.Model):
    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="+")
    target = models.CharField("预测对象", max_length=20, choices=Target.choices)
    version = models.PositiveIntegerField("版本")
    file = models.FileField("模型文件", upload_to=model_path, max_length=300)
    status = models.CharField(
        "状态", max_length=20, choices=VersionStatus.choices, default=VersionStatus.CANDIDATE
    )
    trained_at = models.DateTimeField("训练时间")
    n_train = models.PositiveIntegerField("训练样本数")
    n_holdout = models.PositiveIntegerField("留出样本数")
    holdout_macro_f1 = models.FloatField("留出集 macro-F1")
    holdout_accuracy = models.FloatField("留出集准确率")
    baseline_macro_f1 = models.FloatField(
        "现用模型在同一留出集上的 macro-F1", null=True, blank=True
    )
    labels = models.JSONField("类别", default=list)
    note = models.CharField("说明", max_length=200, blank=True)
    activated_at = models.DateTimeField("启用时间", null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="启用人",
    )

    class Meta:
        verbose_name = "分派模型版本"
        verbose_name_plural = "分派模型版本"
        ordering = ["park", "target", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["park", "target", "version"], name="uniq_model_version"
            ),
            models.UniqueConstraint(
                fields=["park", "target"],
                condition=models.Q(status="active"),
                name="one_active_model",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.park.short_name} {self.get_target_display()} v{self.version}"


class Suggestion(models.Model):
    """What the model proposed for a demand at intake, kept to measure it against the truth."""

    demand = models.OneToOneField(
        "demands.Demand", on_delete=models.PROTECT, related_name="suggestion"
    )
    category = models.ForeignKey(
        "demands.Category", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    category_confidence = models.FloatField(default=0)
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    department_confidence = models.FloatField(default=0)
    time_limit_days = models.PositiveSmallIntegerField(null=True, blank=True)
    ranked = models.JSONField(default=dict)
    explanation = models.JSONField(default=dict)
    versions = models.JSONField(default=dict)
    unsure = models.BooleanField(default=True)
    auto_dispatched = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "分派建议"
        verbose_name_plural = "分派建议"


class LabelKind(models.TextChoices):
    DISPATCH = "dispatch", "交办（采纳建议）"
    CORRECTION = "correction", "派单员纠正建议"
    RETURN = "return", "退单（负样本）"
    REDISPATCH = "redispatch", "改派"
    CATEGORY = "category", "类别确认"


class Label(models.Model):
    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="+")
    demand = models.ForeignKey("demands.Demand", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=LabelKind.choices)
    category = models.ForeignKey(
        "demands.Category", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    event = models.ForeignKey(
        "demands.Event", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "分派标注"
        verbose_name_plural = "分派标注"
        indexes = [models.Index(fields=["park", "kind", "created_at"])]
