"""Escalation rules per park and the proposals they raise.

A rule proposes moving an open demand one rung up the ladder (限时交办 → 企业接待日 → 专家协商)
when the department workflow has visibly failed: still overdue after N urges, returned N times,
rated 不满意 N times, or older than N working days. A person decides: accepting runs the ledger's
own `escalate` action; dismissing keeps the proposal with who and why, and the same rule does not
propose the same demand at the same rung again.
"""

from django.conf import settings
from django.db import models

from demands.models import Tier


class RuleKind(models.TextChoices):
    OVERDUE_URGED = "overdue_urged", "逾期且多次催办"
    RETURNED = "returned", "多次退单"
    DISSATISFIED = "dissatisfied", "多次评价不满意"
    OLD = "old", "久拖未决"


class ProposalStatus(models.TextChoices):
    OPEN = "open", "待处理"
    ACCEPTED = "accepted", "已采纳"
    DISMISSED = "dismissed", "不采纳"
    LAPSED = "lapsed", "已失效"


class EscalationRules(models.Model):
    """One park's thresholds; an empty threshold switches its rule off."""

    park = models.OneToOneField(
        "orgs.Park", on_delete=models.CASCADE, related_name="escalation_rules", verbose_name="园区"
    )
    overdue_urges = models.PositiveSmallIntegerField(
        "逾期后催办次数", null=True, blank=True, default=2
    )
    returns = models.PositiveSmallIntegerField("退单次数", null=True, blank=True, default=2)
    dissatisfied = models.PositiveSmallIntegerField(
        "不满意评价次数", null=True, blank=True, default=2
    )
    age_working_days = models.PositiveSmallIntegerField(
        "受理后工作日数", null=True, blank=True, default=60
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "提级规则"
        verbose_name_plural = "提级规则"

    def __str__(self) -> str:
        return f"{self.park} 提级规则"


class RulesChange(models.Model):
    """Who changed the thresholds, when, from what to what."""

    park = models.ForeignKey("orgs.Park", on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    note = models.CharField("理由", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class Proposal(models.Model):
    park = models.ForeignKey("orgs.Park", on_delete=models.CASCADE, related_name="+")
    demand = models.ForeignKey(
        "demands.Demand", on_delete=models.PROTECT, related_name="escalation_proposals"
    )
    rule = models.CharField("规则", max_length=20, choices=RuleKind.choices)
    from_tier = models.CharField("原层级", max_length=20, choices=Tier.choices)
    to_tier = models.CharField("建议层级", max_length=20, choices=Tier.choices)
    reason = models.CharField("触发情况", max_length=300)
    status = models.CharField(
        "状态", max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.OPEN
    )
    created_at = models.DateTimeField("提出时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decision_note = models.CharField("处理意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "提级建议"
        verbose_name_plural = "提级建议"
        ordering = ["-created_at", "-id"]
        constraints = [
            # A rule proposes a demand once per rung, however often the scan runs.
            models.UniqueConstraint(
                fields=["demand", "rule", "from_tier"], name="uniq_proposal_per_rung"
            )
        ]
        indexes = [models.Index(fields=["park", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.demand_id} {self.get_rule_display()} → {self.get_to_tier_display()}"
