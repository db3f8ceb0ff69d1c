"""督查: inspections of how departments handle their items, their rectification, and the
periodic 督查通报 built from them.

An inspection names a department, the ledger items looked at, what was found and a deadline
in working days for putting it right; the department reports its rectification, the 督查 role
accepts it or sends it back. Every step is an InspectionEvent (who, when, what, why).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class InspectionStatus(models.TextChoices):
    RECTIFYING = "rectifying", "整改中"
    REPORTED = "reported", "已报整改"
    VERIFIED = "verified", "已验收"


class Inspection(models.Model):
    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="+")
    number = models.CharField("编号", max_length=30)
    department = models.ForeignKey(
        "orgs.Department",
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name="被督查部门",
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="督查人"
    )
    inspected_on = models.DateField("督查日期")
    demands = models.ManyToManyField(
        "demands.Demand", related_name="inspections", verbose_name="督查事项"
    )
    findings = models.TextField("发现问题")
    rectification_days = models.PositiveSmallIntegerField("整改时限（工作日）")
    rectification_due = models.DateField("整改期限")
    status = models.CharField(
        "状态", max_length=12, choices=InspectionStatus.choices, default=InspectionStatus.RECTIFYING
    )
    rectification = models.TextField("整改情况", blank=True)
    reported_at = models.DateTimeField("报整改时间", null=True, blank=True)
    verified_at = models.DateTimeField("验收时间", null=True, blank=True)
    result = models.TextField("验收意见", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "督查记录"
        verbose_name_plural = "督查记录"
        ordering = ["-inspected_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["park", "number"], name="uniq_inspection_number")
        ]
        indexes = [models.Index(fields=["park", "department", "inspected_on"])]

    def __str__(self) -> str:
        return self.number


class InspectionEvent(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=20)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
