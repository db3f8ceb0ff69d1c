"""In-app notifications: the bell. One row per recipient; read when opened."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Kind(models.TextChoices):
    RECEIVED = "received", "新诉求"
    ASSIGNED = "assigned", "新交办"
    WITHDRAWN = "withdrawn", "撤销交办"
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


class Channel(models.TextChoices):
    """Ways a notice reaches a person. The bell (in-app) always gets it; the others are chosen per
    kind of notice in the user's preferences and delivered in the background."""

    IN_APP = "in_app", "站内消息"
    SMS = "sms", "短信"
    EMAIL = "email", "电子邮件"
    WECHAT = "wechat", "微信"


OUTSIDE_CHANNELS = (Channel.SMS, Channel.EMAIL, Channel.WECHAT)


class DeliveryState(models.TextChoices):
    QUEUED = "queued", "待发送"
    SENT = "sent", "已发送"
    DELIVERED = "delivered", "已送达"
    FAILED = "failed", "发送失败"


class Delivery(models.Model):
    """One notice on one outside channel: its state, its attempts and the gateway's answers. The
    notice itself (the bell) never depends on it."""

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, related_name="deliveries", verbose_name="消息"
    )
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    # The mobile, e-mail address or openid used, as it was at the time of sending.
    address = models.CharField("发送到", max_length=254)
    state = models.CharField(
        "状态", max_length=10, choices=DeliveryState.choices, default=DeliveryState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.CharField("错误信息", max_length=300, blank=True, default="")
    gateway_ref = models.CharField("网关消息编号", max_length=100, blank=True, default="")
    queued_at = models.DateTimeField("排队时间", db_index=True)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    failed_at = models.DateTimeField("失败时间", null=True, blank=True)
    # Every attempt and receipt: {"at", "result", "error"}; the record of what happened.
    log = models.JSONField("发送记录", default=list, blank=True)

    class Meta:
        verbose_name = "消息投递"
        verbose_name_plural = "消息投递"
        ordering = ["-queued_at", "-id"]
        indexes = [
            models.Index(fields=["state", "channel"]),
            models.Index(fields=["channel", "gateway_ref"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.get_state_display()}"


class Preference(models.Model):
    """Which outside channels a user wants for which kind of notice. No row, or no entry for a
    kind: the defaults of `notifications.delivery.default_channels`."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notice_preference",
        verbose_name="用户",
    )
    # {kind: [channel, ...]} for the kinds the user has decided on.
    channels = models.JSONField("渠道选择", default=dict, blank=True)
    wechat_openid = models.CharField("微信 openid", max_length=64, blank=True, default="")
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "消息接收设置"
        verbose_name_plural = "消息接收设置"

    def __str__(self) -> str:
        return str(self.user)


class CallState(models.TextChoices):
    OPEN = "open", "待回访"
    DONE = "done", "已回访"
    CANCELLED = "cancelled", "已取消"


class CallTask(models.Model):
    """电话回访: the rating request reached the requester by no outside channel, so the
    enterprise's liaison calls. Completing it records the call-back in the demand's ledger."""

    park = models.ForeignKey("orgs.Park", on_delete=models.CASCADE, related_name="+")
    demand = models.ForeignKey(
        "demands.Demand", on_delete=models.CASCADE, related_name="call_tasks", verbose_name="诉求"
    )
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="call_tasks",
        verbose_name="专属服务员",
    )
    reason = models.CharField("原因", max_length=300)
    state = models.CharField(
        "状态", max_length=10, choices=CallState.choices, default=CallState.OPEN
    )
    created_at = models.DateTimeField("创建时间")
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="完成人",
    )
    # "satisfied" / "basic" / "dissatisfied" (reached, rating recorded), "unreached", "self"
    # (the requester rated before the call).
    outcome = models.CharField("结果", max_length=20, blank=True, default="")
    note = models.CharField("回访情况", max_length=300, blank=True, default="")
    event = models.ForeignKey(
        "demands.Event", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "电话回访任务"
        verbose_name_plural = "电话回访任务"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["demand"],
                condition=Q(state="open"),
                name="uniq_open_call_task",
            ),
        ]
        indexes = [models.Index(fields=["liaison", "state"])]

    def __str__(self) -> str:
        return f"电话回访 {self.demand_id}"
