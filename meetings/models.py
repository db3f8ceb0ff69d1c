"""Meetings of the escalation ladder: 亲商优商企业接待日, 重点项目调度会, 专家会诊, 专题协调会.

A meeting hears agenda items (mostly demands of the ledger), records attendance, notes and one
decision per item; decided tasks are ledger Tasks (demands.Task) linked back here. Changes happen
only in meetings/services.py and each one writes a MeetingEvent. Nothing here is deleted: a
trimmed agenda item is marked removed, with the reason.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from demands.models import Tier


class MeetingKind(models.TextChoices):
    RECEPTION = "reception", "企业接待日"
    PROJECT = "project", "重点项目调度会"
    EXPERT = "expert", "专家会诊"
    TOPIC = "topic", "专题协调会"


# The ledger rung (Demand.tier) each kind of meeting hears; 专题协调会 is called ad hoc.
KIND_TIER: dict[str, Tier] = {
    MeetingKind.RECEPTION: Tier.RECEPTION_DAY,
    MeetingKind.PROJECT: Tier.PROJECT_MEETING,
    MeetingKind.EXPERT: Tier.EXPERT,
}
FULL_TITLES: dict[str, str] = {
    MeetingKind.RECEPTION: "亲商优商企业接待日",
    MeetingKind.PROJECT: "重点项目调度会",
    MeetingKind.EXPERT: "专家会诊",
    MeetingKind.TOPIC: "专题协调会",
}


class MeetingStatus(models.TextChoices):
    PREPARING = "preparing", "筹备中"
    HELD = "held", "已召开"
    ISSUED = "issued", "纪要已印发"


class Weekday(models.IntegerChoices):
    MON = 0, "星期一"
    TUE = 1, "星期二"
    WED = 2, "星期三"
    THU = 3, "星期四"
    FRI = 4, "星期五"


class Schedule(models.Model):
    """When a park's regular meetings fall: 接待日 monthly on a day, 调度会 weekly on a weekday."""

    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("会议类型", max_length=20, choices=MeetingKind.choices)
    enabled = models.BooleanField("启用", default=True)
    day_of_month = models.PositiveSmallIntegerField(
        "每月几日", default=9, help_text="接待日：遇非工作日顺延至下一个工作日"
    )
    weekday = models.PositiveSmallIntegerField(
        "每周星期几", choices=Weekday.choices, default=Weekday.MON
    )
    lead_working_days = models.PositiveSmallIntegerField(
        "提前生成（工作日）", default=5, help_text="提前多少个工作日生成下一次会议并通知"
    )
    start_time = models.TimeField("开始时间", default="09:00")
    place = models.CharField("默认地点", max_length=100, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="默认主持",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "会议安排"
        verbose_name_plural = "会议安排"
        constraints = [models.UniqueConstraint(fields=["park", "kind"], name="uniq_schedule")]

    @property
    def monthly(self) -> bool:
        return self.kind == MeetingKind.RECEPTION


class Meeting(models.Model):
    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField("会议类型", max_length=20, choices=MeetingKind.choices)
    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveSmallIntegerField("期数")
    date = models.DateField("会议日期")
    start_time = models.TimeField("开始时间", null=True, blank=True)
    place = models.CharField("地点", max_length=100, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chaired_meetings",
        verbose_name="主持",
    )
    theme = models.CharField("主题", max_length=200, blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.PREPARING
    )
    invited_departments = models.ManyToManyField(
        "orgs.Department", blank=True, related_name="+", verbose_name="参会部门"
    )
    invited_enterprises = models.ManyToManyField(
        "entities.MarketEntity", blank=True, related_name="+", verbose_name="参会企业"
    )
    minutes = models.TextField("会议概述", blank=True)
    # The slot of the schedule that created it: the idempotency key of the periodic job, kept
    # when the date is moved by hand so that the job does not create the meeting again.
    schedule = models.ForeignKey(
        Schedule, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    slot = models.DateField("排期日", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间")
    held_at = models.DateTimeField("召开时间", null=True, blank=True)
    issued_at = models.DateTimeField("纪要印发时间", null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "会议"
        verbose_name_plural = "会议"
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["park", "kind", "year", "number"], name="uniq_meeting_number"
            ),
            models.UniqueConstraint(
                fields=["schedule", "slot"],
                condition=Q(schedule__isnull=False),
                name="uniq_meeting_slot",
            ),
        ]
        indexes = [models.Index(fields=["park", "kind", "date"])]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return (
            f"{self.year}年第{self.number}期{FULL_TITLES.get(self.kind, self.get_kind_display())}"
        )

    @property
    def tier(self) -> str | None:
        return KIND_TIER.get(self.kind)


class Attendance(models.Model):
    """Who came: a department, an enterprise, or a person named by hand (experts, guests)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="attendance")
    department = models.ForeignKey(
        "orgs.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    enterprise = models.ForeignKey(
        "entities.MarketEntity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit = models.CharField("单位", max_length=100)
    person = models.CharField("参会人", max_length=100, blank=True)
    present = models.BooleanField("到会", default=True)
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = "参会记录"
        verbose_name_plural = "参会记录"
        ordering = ["meeting", "id"]


class AgendaSource(models.TextChoices):
    ESCALATED = "escalated", "提级协调"
    RULE = "rule", "规则提议"
    PORTAL = "portal", "企业报名"
    MANUAL = "manual", "人工添加"
    PROJECT = "project", "重点项目"


class AgendaItem(models.Model):
    # Display-only (meetings.views): the item's follow-up, and whether the viewer sees its demand.
    follow: Any  # a meetings.agenda.FollowUp, or None (agenda imports this module)
    demand_visible: bool
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="items")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    source = models.CharField("来源", max_length=20, choices=AgendaSource.choices)
    # An agenda source of another app (a key project, say) names its object here.
    source_ref = models.CharField("来源引用", max_length=100, blank=True)
    demand = models.ForeignKey(
        "demands.Demand",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name="诉求",
    )
    enterprise = models.ForeignKey(
        "entities.MarketEntity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name="企业",
    )
    title = models.CharField("议题", max_length=200)
    notes = models.TextField("会议记录", blank=True)
    removed = models.BooleanField("已移出议程", default=False)
    removed_reason = models.CharField("移出理由", max_length=300, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "议题"
        verbose_name_plural = "议题"
        ordering = ["meeting", "removed", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "demand"],
                condition=Q(removed=False, demand__isnull=False),
                name="uniq_agenda_demand",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Registration(models.Model):
    """An enterprise's 报名参加接待日 from the portal, with the demand it wants heard."""

    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(
        "entities.MarketEntity", on_delete=models.PROTECT, related_name="+"
    )
    demand = models.ForeignKey("demands.Demand", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.CharField("说明", max_length=500, blank=True)
    item = models.ForeignKey(
        AgendaItem, on_delete=models.PROTECT, null=True, blank=True, related_name="registrations"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "接待日报名"
        verbose_name_plural = "接待日报名"
        ordering = ["-created_at"]


class DecisionKind(models.TextChoices):
    TASKS = "tasks", "交办部门办理"
    ON_SPOT = "on_spot", "现场答复"
    EXPERT = "expert", "提交专家会诊"
    EXPLAINED = "explained", "政策解释"


class Decision(models.Model):
    """议定事项: what the meeting decided on one agenda item."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField("决定类型", max_length=20, choices=DecisionKind.choices)
    text = models.TextField("议定内容")
    # 专家会诊 referrals wait here until the experts app takes them over.
    expert_field = models.CharField("会诊领域", max_length=100, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "议定事项"
        verbose_name_plural = "议定事项"
        ordering = ["meeting", "item__order", "id"]


class DecisionTask(models.Model):
    """A ledger task a decision created: the link from the meeting to the department's work."""

    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="links")
    task = models.OneToOneField(
        "demands.Task", on_delete=models.PROTECT, related_name="meeting_link"
    )

    class Meta:
        verbose_name = "会议交办任务"
        verbose_name_plural = "会议交办任务"
        ordering = ["decision", "-task__role", "task_id"]  # 主办 first


class MeetingEvent(models.Model):
    """Every change of a meeting: who, when, what, why. Never updated or deleted."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_role = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=30)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "会议记录"
        verbose_name_plural = "会议记录"
        ordering = ["created_at", "id"]
