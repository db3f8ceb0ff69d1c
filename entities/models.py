"""Market entities (市场主体): enterprises, shops and construction projects of a park."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q


class EntityKind(models.TextChoices):
    ABOVE_SCALE = "above_scale", "规上企业"
    BELOW_SCALE = "below_scale", "规下企业"
    SHOP = "shop", "个体工商户/门店"
    PROJECT = "project", "在建项目"


# Kinds that may lawfully have no 统一社会信用代码 of their own.
KINDS_WITHOUT_CODE = (EntityKind.SHOP, EntityKind.PROJECT)


class Tier(models.IntegerChoices):
    KEY = 1, "重点（领导联系）"
    MAJOR = 2, "规上/重点项目"
    GENERAL = 3, "一般"


class MarketEntityQuerySet(models.QuerySet):
    def active(self) -> "MarketEntityQuerySet":
        return self.filter(is_active=True)


class MarketEntity(models.Model):
    last_contact: dt.datetime | None  # display-only (web.views.liaison), never stored
    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="entities")
    name = models.CharField("名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True, default="")
    # Some early pilot codes were issued before the check character rule was final and fail it;
    # an administrator may vouch for such a code, and who did so and why is kept.
    credit_code_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="代码人工确认人",
    )
    credit_code_confirm_reason = models.CharField("人工确认理由", max_length=200, blank=True)
    kind = models.CharField("类型", max_length=20, choices=EntityKind.choices)
    tier = models.PositiveSmallIntegerField("层级", choices=Tier.choices, default=Tier.GENERAL)
    industry = models.CharField("行业（GB/T 4754 大类）", max_length=2, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    employees = models.PositiveIntegerField("从业人数", null=True, blank=True)
    annual_revenue_wan = models.DecimalField(
        "年营业收入（万元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    registered_capital_wan = models.DecimalField(
        "注册资本（万元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="served_entities",
        verbose_name="专属服务员",
    )
    backup_liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="backup_entities",
        verbose_name="备岗服务员",
    )
    last_contact_at = models.DateTimeField("最近联系", null=True, blank=True)
    is_active = models.BooleanField("在园", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MarketEntityQuerySet.as_manager()

    class Meta:
        verbose_name = "市场主体"
        verbose_name_plural = "市场主体"
        ordering = ["park", "tier", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["park", "credit_code"],
                condition=~Q(credit_code=""),
                name="uniq_entity_credit_code",
            ),
        ]
        indexes = [
            models.Index(fields=["park", "kind"]),
            models.Index(fields=["park", "liaison"]),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    entity = models.ForeignKey(MarketEntity, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField("联系人", max_length=50)
    phone = models.CharField("电话", max_length=20)
    position = models.CharField("职务", max_length=50, blank=True)
    is_primary = models.BooleanField("主要联系人", default=False)

    class Meta:
        verbose_name = "联系人"
        verbose_name_plural = "联系人"
        ordering = ["-is_primary", "id"]

    def __str__(self) -> str:
        return f"{self.name} {self.phone}"
