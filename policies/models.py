"""惠企政策: a policy with machine-checkable rules (data), its benefit, period, track and 申兑指南;
grants (免申即享 lists confirmed by the finance bureau, or approved applications), applications
(快申快享 with a 60-working-day payout deadline, 申报), the liaison's 有政策未享受 tasks, events."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Track(models.TextChoices):
    AUTO = "auto", "免申即享"
    FAST = "fast", "快申快享"
    APPLY = "apply", "申报"


class PolicyStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PUBLISHED = "published", "已发布"
    CLOSED = "closed", "已停止"


class BenefitKind(models.TextChoices):
    FIXED = "fixed", "定额"
    COMPUTED = "computed", "按公式计算"
    NONE = "none", "非资金（服务/资格）"


class Policy(models.Model):
    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="policies")
    code = models.CharField("政策编号", max_length=40, blank=True)
    title = models.CharField("政策名称", max_length=200)
    source_document = models.CharField("政策依据（文件）", max_length=200, blank=True)
    summary = models.TextField("政策内容", blank=True)
    department = models.CharField("兑现部门", max_length=100, blank=True)
    track = models.CharField("兑现方式", max_length=10, choices=Track.choices)
    status = models.CharField(
        "状态", max_length=10, choices=PolicyStatus.choices, default=PolicyStatus.DRAFT
    )
    # [{"field": "size_class", "op": "in", "value": ["small", "micro"]}, …] — all must hold.
    rules = models.JSONField("申享条件", default=list, blank=True)
    benefit_kind = models.CharField(
        "扶持方式", max_length=10, choices=BenefitKind.choices, default=BenefitKind.FIXED
    )
    benefit_amount_wan = models.DecimalField(
        "定额（万元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    benefit_formula = models.CharField("计算公式", max_length=40, blank=True)
    benefit_text = models.CharField("扶持内容", max_length=300, blank=True)
    # Which year's figures and purchases the rules read (None: the latest known).
    reference_year = models.PositiveSmallIntegerField("考核年度", null=True, blank=True)
    starts_on = models.DateField("执行期起")
    ends_on = models.DateField("执行期止", null=True, blank=True)
    guide = models.TextField("申兑指南", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "惠企政策"
        verbose_name_plural = "惠企政策"
        ordering = ["park", "-starts_on", "id"]
        indexes = [models.Index(fields=["park", "status", "track"])]

    def __str__(self) -> str:
        return self.title


class GrantStatus(models.TextChoices):
    PROPOSED = "proposed", "待财政确认"
    CONFIRMED = "confirmed", "已确认兑现"
    REJECTED = "rejected", "未予确认"


class Grant(models.Model):
    """A benefit given to an entity under a policy for a period (one per policy, entity and
    period: a second that overlaps is refused)."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="grants")
    entity = models.ForeignKey(
        "entities.MarketEntity", on_delete=models.PROTECT, related_name="policy_grants"
    )
    period_start = models.DateField("享受期起")
    period_end = models.DateField("享受期止")
    amount_wan = models.DecimalField("金额（万元）", max_digits=14, decimal_places=2, null=True)
    basis = models.JSONField("依据", default=dict, blank=True)  # the rules' outcomes, the sum
    status = models.CharField(
        "状态", max_length=10, choices=GrantStatus.choices, default=GrantStatus.PROPOSED
    )
    application = models.OneToOneField(
        "Application", on_delete=models.PROTECT, null=True, blank=True, related_name="grant"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "政策兑现"
        verbose_name_plural = "政策兑现"
        ordering = ["policy", "entity", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "entity", "period_start"],
                condition=~Q(status="rejected"),
                name="uniq_grant_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} → {self.entity}"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "已受理"
    APPROVED = "approved", "已审核通过"
    PAID = "paid", "已兑付"
    REJECTED = "rejected", "不予支持"


class Application(models.Model):
    """An enterprise's claim under a 快申快享 or 申报 policy."""

    payout: str  # display-only (policies.views.detail), never stored

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="applications")
    entity = models.ForeignKey(
        "entities.MarketEntity", on_delete=models.PROTECT, related_name="policy_applications"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    submitted_on = models.DateField("受理日期")
    # 快申快享: paid within 60 working days of acceptance (workcal).
    payout_deadline = models.DateField("兑付期限", null=True, blank=True)
    status = models.CharField(
        "状态",
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    amount_wan = models.DecimalField("核定金额（万元）", max_digits=14, decimal_places=2, null=True)
    note = models.CharField("说明", max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField("兑付日期", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "政策申请"
        verbose_name_plural = "政策申请"
        ordering = ["-submitted_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "entity"],
                condition=~Q(status="rejected"),
                name="uniq_open_application",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity} 申请 {self.policy}"


class Unclaimed(models.Model):
    """有政策未享受: a qualifying entity that has not claimed, a task of its liaison until it
    claims (closed_at set) or no longer qualifies."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="unclaimed")
    entity = models.ForeignKey(
        "entities.MarketEntity", on_delete=models.PROTECT, related_name="unclaimed_policies"
    )
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField("关闭原因", max_length=100, blank=True)

    class Meta:
        verbose_name = "有政策未享受"
        verbose_name_plural = "有政策未享受"
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "entity"],
                condition=Q(closed_at__isnull=True),
                name="uniq_open_unclaimed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity} 未享受 {self.policy}"


class PolicyEvent(models.Model):
    """Every change: who, when, what, why (never deleted)."""

    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, related_name="events")
    entity = models.ForeignKey(
        "entities.MarketEntity", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField("动作", max_length=40)
    note = models.CharField("说明", max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "政策变更记录"
        verbose_name_plural = "政策变更记录"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.policy} {self.action}"
