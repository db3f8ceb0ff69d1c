"""Incidents the scheduler's watches opened: one open row per kind at most, so an alert goes out
once per incident however many ticks (or schedulers) see the same trouble."""

from django.db import models
from django.db.models import Q


class IncidentKind(models.TextChoices):
    TASK_BACKLOG = "task_backlog", "后台任务积压"


class Incident(models.Model):
    kind = models.CharField("类型", max_length=30, choices=IncidentKind.choices)
    opened_at = models.DateTimeField("发生时间")
    closed_at = models.DateTimeField("恢复时间", null=True, blank=True)
    detail = models.JSONField("情况", default=dict, blank=True)
    notified = models.PositiveIntegerField("已通知人数", default=0)

    class Meta:
        verbose_name = "运行告警"
        verbose_name_plural = "运行告警"
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=Q(closed_at=None), name="uniq_open_incident"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} @ {self.opened_at:%Y-%m-%d %H:%M}"
