"""In-app notifications: the bell. One row per recipient; read when opened."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Kind(models.TextChoices):
    RECEIVED = "received", "新诉求"
    ASSIGNED = "assigned", "新交办"
    DUE_SOON = "due_soon", "即将到期"
    OVERDUE = "overdue", "已逾期"
    RETURNED = "returned", "退单"
    REPLIED = "replied", "部门答复"
    ANSWERED = "answered", "已答复"
    EXTENSION_REQUESTED = "extension_requested", "延期申请"
    EXTENSION_DECIDED = "extension_decided", "延期审批"
    URGED = "urged", "催办督办"
    MATERIAL = "material", "补充材料"
    MEETING = "meeting", "会议通知"
    SYSTEM = "system", "系统告警"
    PROJECT_SLIP = "project_slip", "项目节点滞后"
    CONSULTATION = "consultation", "专家会诊"
    CAMPAIGN = "campaign", "走访任务"
    POLICY = "policy", "惠企政策"


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name="接收人",
    )
    park = models.ForeignKey("orgs.Park", on_delete=models.CASCADE, related_name="+")
    # Empty for what is not about one demand (a key project's slipping milestone); `link` then
    # says where the message leads, and that page checks access again.
    demand = models.ForeignKey(
        "demands.Demand",
        on_delete=models.CASCADE,
        # Empty for what concerns no demand: a meeting (opened through `link`), a system alert
        # to administrators (a stalled task queue).
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name="诉求",
    )
    # Where a notification about something else than a demand (a meeting, a project) opens.
    link = models.CharField("链接", max_length=200, blank=True, default="")
    kind = models.CharField("类型", max_length=30, choices=Kind.choices)
    text = models.CharField("内容", max_length=300)
    created_at = models.DateTimeField("时间", db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    # Set by the periodic deadline scan so that running it twice a day sends nothing twice.
    dedupe_key = models.CharField(max_length=80, blank=True, default="")

    class Meta:
        verbose_name = "消息提醒"
        verbose_name_plural = "消息提醒"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "park", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="uniq_notification_dedupe",
            ),
        ]

    def __str__(self) -> str:
        return self.text
