"""供需对接: enterprises' products and capabilities, purchasing needs, matchmaking events
(供需对接会, 银企对接会, 校企对接会) with invitations, registrations, one-to-one slots, and the
intentions and signed orders that come of them, with their follow-up. Every change is an
`Activity` row (who, when, what, why)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q


class OfferKind(models.TextChoices):
    PRODUCT = "product", "产品"
    CAPABILITY = "capability", "配套能力"


class OfferStatus(models.TextChoices):
    PUBLISHED = "published", "已发布"
    WITHDRAWN = "withdrawn", "已下架"


class Product(models.Model):
    """A product or capability an enterprise publishes (by itself or its liaison for it)."""

    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(
        "entities.MarketEntity", on_delete=models.PROTECT, related_name="products"
    )
    kind = models.CharField("类型", max_length=12, choices=OfferKind.choices)
    name = models.CharField("产品名称", max_length=100)
    description = models.TextField("产品介绍", blank=True)
    spec = models.CharField("规格型号", max_length=200, blank=True)
    capacity = models.CharField("产能", max_length=100, blank=True)
    industry = models.CharField("行业（GB/T 4754 大类）", max_length=2)
    chain_link = models.CharField("产业链环节", max_length=40, blank=True)
    # Published products are matched within the park; with this consent also for needs of the
    # other parks of the same city (同城), showing only the product and the enterprise's name.
    share_city = models.BooleanField("同城共享", default=False)
    status = models.CharField(
        "状态", max_length=10, choices=OfferStatus.choices, default=OfferStatus.PUBLISHED
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "产品与配套能力"
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["park", "status", "industry"])]

    def __str__(self) -> str:
        return self.name


class NeedStatus(models.TextChoices):
    OPEN = "open", "征集中"
    CLOSED = "closed", "已关闭"


class Need(models.Model):
    """A purchasing need: what, how much, over which period."""

    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(
        "entities.MarketEntity", on_delete=models.PROTECT, related_name="needs"
    )
    title = models.CharField("采购内容", max_length=100)
    description = models.TextField("需求说明", blank=True)
    volume = models.CharField("采购量", max_length=100)
    period_start = models.DateField("采购期起", null=True, blank=True)
    period_end = models.DateField("采购期止", null=True, blank=True)
    industry = models.CharField("行业（GB/T 4754 大类）", max_length=2, blank=True)
    chain_link = models.CharField("产业链环节", max_length=40, blank=True)
    demand = models.ForeignKey(
        "demands.Demand", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        "状态", max_length=10, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "采购需求"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__isnull=True)
                | Q(period_start__isnull=True)
                | Q(period_end__gte=models.F("period_start")),
                name="need_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.title


class EventKind(models.TextChoices):
    SUPPLY = "supply", "供需对接会"
    BANK = "bank", "银企对接会"
    SCHOOL = "school", "校企对接会"


class EventStatus(models.TextChoices):
    PLANNED = "planned", "筹备中"
    HELD = "held", "已举办"
    CANCELLED = "cancelled", "已取消"


class MatchEvent(models.Model):
    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=10, choices=EventKind.choices)
    theme = models.CharField("主题", max_length=100)
    date = models.DateField("日期")
    place = models.CharField("地点", max_length=100, blank=True)
    chain = models.CharField("产业链", max_length=20, blank=True)
    industry = models.CharField("行业（GB/T 4754 大类）", max_length=2, blank=True)
    description = models.TextField("说明", blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=EventStatus.choices, default=EventStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "对接活动"
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["park", "date"])]

    def __str__(self) -> str:
        return self.theme


class Invitation(models.Model):
    event = models.ForeignKey(MatchEvent, on_delete=models.CASCADE, related_name="invitations")
    enterprise = models.ForeignKey(
        "entities.MarketEntity", on_delete=models.PROTECT, related_name="+"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "邀请"
        constraints = [
            models.UniqueConstraint(fields=["event", "enterprise"], name="invitation_once")
        ]


class Side(models.TextChoices):
    BUYER = "buyer", "采购方"
    SUPPLIER = "supplier", "供应方"
    BOTH = "both", "供需双方"
    BORROWER = "borrower", "融资方"
    PARTNER = "partner", "合作方"


class Registration(models.Model):
    event = models.ForeignKey(MatchEvent, on_delete=models.CASCADE, related_name="registrations")
    enterprise = models.ForeignKey(
        "entities.MarketEntity", on_delete=models.PROTECT, related_name="+"
    )
    side = models.CharField("参会身份", max_length=10, choices=Side.choices)
    note = models.CharField("对接意向说明", max_length=200, blank=True)
    contact_name = models.CharField("参会人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "报名"
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "enterprise"], name="registration_once")
        ]


class Slot(models.Model):
    """A one-to-one meeting at a table at a time. Its two parties are `SlotSeat` rows, whose
    unique (event, starts_at, enterprise) is what forbids a double booking in the database."""

    event = models.ForeignKey(MatchEvent, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField("开始时间")
    minutes = models.PositiveSmallIntegerField("时长（分钟）", default=20)
    table = models.CharField("洽谈桌", max_length=20)
    counterparty_name = models.CharField("对方（非园区单位）", max_length=100, blank=True)
    topic = models.CharField("洽谈内容", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "一对一洽谈"
        ordering = ["starts_at", "table"]
        constraints = [
            models.UniqueConstraint(fields=["event", "starts_at", "table"], name="slot_table_once")
        ]


class SlotSeat(models.Model):
    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="seats")
    event = models.ForeignKey(MatchEvent, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    enterprise = models.ForeignKey(
        "entities.MarketEntity", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "starts_at", "enterprise"], name="slot_seat_once"
            )
        ]


class OrderStatus(models.TextChoices):
    INTENT = "intent", "达成意向"
    SIGNED = "signed", "已签约"
    FULFILLED = "fulfilled", "已履约"  # delivered, or for a loan drawn down
    CANCELLED = "cancelled", "已终止"


class Order(models.Model):
    """An intention, then a signed order or contract between a park enterprise and a
    counterparty: another enterprise of the park, a financial institution of the park's 银企对接
    (a 银企对接会 signing; its name is copied so the order reads the same if the institution is
    renamed), or an outside body such as a university, by name."""

    event = models.ForeignKey(MatchEvent, on_delete=models.PROTECT, related_name="orders")
    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="+")
    enterprise = models.ForeignKey(
        "entities.MarketEntity", on_delete=models.PROTECT, related_name="+"
    )
    side = models.CharField("企业身份", max_length=10, choices=Side.choices)
    counterparty = models.ForeignKey(
        "entities.MarketEntity", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    institution = models.ForeignKey(
        "finance.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="对方金融机构",
    )
    counterparty_name = models.CharField("对方单位", max_length=100)
    subject = models.CharField("标的", max_length=200)
    amount_wan = models.DecimalField("金额（万元）", max_digits=14, decimal_places=2)
    status = models.CharField("状态", max_length=10, choices=OrderStatus.choices)
    signed_on = models.DateField("签约日期", null=True, blank=True)
    fulfilled_on = models.DateField("履约日期", null=True, blank=True)
    fulfilled_wan = models.DecimalField(
        "已交付/已放款（万元）", max_digits=14, decimal_places=2, default=Decimal("0")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "意向与签约"
        ordering = ["-signed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_wan__gte=0), name="order_amount_positive"),
            models.CheckConstraint(
                condition=Q(fulfilled_wan__gte=0), name="order_fulfilled_positive"
            ),
            models.CheckConstraint(
                condition=Q(counterparty__isnull=True) | Q(institution__isnull=True),
                name="order_one_counterparty",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class FollowUp(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="followups")
    on = models.DateField("日期")
    note = models.CharField("跟踪情况", max_length=300)
    amount_wan = models.DecimalField(
        "本次交付/放款（万元）", max_digits=14, decimal_places=2, default=Decimal("0")
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "履约跟踪"
        ordering = ["on", "id"]


class Activity(models.Model):
    """Every change of this app: who, when, what, why. Never deleted."""

    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=30)
    target = models.CharField(max_length=20)  # product / need / event / order …
    target_id = models.PositiveBigIntegerField()
    note = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "对接记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["target", "target_id"])]
