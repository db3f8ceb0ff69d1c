"""Expert pool, consultations on legacy demands (专家会诊) and each park's legacy rule (清零).

Changes happen only in experts/services.py; each one writes a ConsultationEvent. The answer or
the new tasks a consultation concludes are written to the ledger by demands.services.
"""

from django.conf import settings
from django.db import models


class LegacyRule(models.Model):
    """When the park calls an open demand a 遗留问题: old and unsolved, by the park's own rule."""

    park = models.OneToOneField("orgs.Park", on_delete=models.CASCADE, related_name="legacy_rule")
    open_working_days = models.PositiveSmallIntegerField("办理超过（工作日）即为遗留", default=60)
    overdue_urges = models.PositiveSmallIntegerField(
        "逾期且催办达到（次）即为遗留", default=2, help_text="0 表示不按催办次数认定"
    )
    count_escalated = models.BooleanField("提级专家协商的诉求计入遗留", default=True)
    target_date = models.DateField("清零目标日期", null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "遗留问题认定规则"
        verbose_name_plural = "遗留问题认定规则"


class Expert(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="expert_profile"
    )
    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="experts")
    field = models.CharField("专业领域", max_length=100)
    organisation = models.CharField("工作单位", max_length=200)
    title = models.CharField("职称/职务", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    email = models.EmailField("电子邮箱", blank=True)
    is_active = models.BooleanField("在库", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "专家"
        verbose_name_plural = "专家库"
        ordering = ["park", "field", "id"]

    def __str__(self) -> str:
        return f"{self.user.display_name}（{self.field}）"


class ConsultationStatus(models.TextChoices):
    # Referred by a meeting: the demand and the meeting's item are known, the panel not yet.
    PREPARING = "preparing", "待组建专家组"
    OPEN = "open", "会诊中"
    CONCLUDED = "concluded", "已形成结论"


class ConclusionKind(models.TextChoices):
    ANSWER = "answer", "直接答复企业"
    TASKS = "tasks", "重新交办部门"


class Consultation(models.Model):
    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="consultations")
    demand = models.ForeignKey(
        "demands.Demand", on_delete=models.PROTECT, related_name="consultations"
    )
    topic = models.CharField("会诊议题", max_length=200)
    background = models.TextField("情况说明", blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="主持人"
    )
    experts = models.ManyToManyField(Expert, related_name="consultations", verbose_name="专家组")
    # The departments the conclusion gave tasks to: they may read the consultation.
    departments = models.ManyToManyField(
        "orgs.Department", blank=True, related_name="+", verbose_name="交办部门"
    )
    status = models.CharField(
        "状态", max_length=20, choices=ConsultationStatus.choices, default=ConsultationStatus.OPEN
    )
    legacy_reason = models.CharField("遗留认定", max_length=200, blank=True)
    conclusion = models.TextField("会诊结论", blank=True)
    conclusion_kind = models.CharField(
        "结论去向", max_length=20, choices=ConclusionKind.choices, blank=True
    )
    concluded_at = models.DateTimeField("结论时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField("发起时间")

    class Meta:
        verbose_name = "专家会诊"
        verbose_name_plural = "专家会诊"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["park", "status", "-created_at"])]

    def __str__(self) -> str:
        return self.topic


class Opinion(models.Model):
    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, related_name="opinions"
    )
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="opinions")
    text = models.TextField("专家意见")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "专家意见"
        verbose_name_plural = "专家意见"
        ordering = ["consultation", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "expert"], name="uniq_opinion")
        ]


class ConsultationEvent(models.Model):
    """Who did what to a consultation, when and why. Never updated or deleted."""

    consultation = models.ForeignKey(Consultation, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=30)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    LABELS = {
        "prepare": "会议转专家会诊",
        "panel": "组建专家组",
        "open": "发起会诊",
        "opinion": "发表意见",
        "opinion_revised": "修改意见",
        "conclude": "形成结论",
    }

    @property
    def action_label(self) -> str:
        return self.LABELS.get(self.action, self.action)


class PoolEvent(models.Model):
    """Changes to the expert pool and to the park's legacy rule: who, when, what. Kept for good."""

    park = models.ForeignKey("orgs.Park", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=30)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["park", "-created_at"])]
