"""Market entities (市场主体): enterprises, shops and construction projects of a park."""

import datetime as dt
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


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
    # The size-class table needs the 中类 where 大类 cannot tell rows apart (701 房地产开发经营 vs
    # 702 物业管理, 591 装卸搬运 vs 592 仓储); three or four digits starting with the 大类.
    industry_detail = models.CharField("行业中类/小类", max_length=4, blank=True)
    business_scope = models.TextField("经营范围", blank=True)
    main_business = models.CharField("主营业务", max_length=200, blank=True)
    # What the classifier suggested from the name and scope when they were last entered (门类,
    # 大类, confidence, the words that decided), kept so the form, API and report show the same.
    industry_suggestion = models.JSONField("行业建议", default=dict, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    employees = models.PositiveIntegerField("从业人数", null=True, blank=True)
    annual_revenue_wan = models.DecimalField(
        "年营业收入（万元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    registered_capital_wan = models.DecimalField(
        "注册资本（万元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    total_assets_wan = models.DecimalField(
        "资产总额（万元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    # The figures above are the latest known (a registration's, or the newest YearlyFigure's);
    # which year they are of, and the size class they give, are kept beside them.
    figures_year = models.PositiveSmallIntegerField("数据年度", null=True, blank=True)
    size_class = models.CharField("企业规模", max_length=10, blank=True)
    size_basis = models.JSONField("划型依据", default=dict, blank=True)
    size_override = models.CharField("人工认定规模", max_length=10, blank=True)
    size_override_reason = models.CharField("人工认定理由", max_length=200, blank=True)
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


class SizeStandard(models.Model):
    """A version of the size-class table (thresholds as data: a revision is a new row)."""

    version = models.CharField("版本", max_length=20, unique=True)
    title = models.CharField("名称", max_length=200)
    effective_from = models.DateField("施行日期")
    table = models.JSONField("划型标准")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "企业划型标准"
        verbose_name_plural = "企业划型标准"
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.title}（{self.version}）"


class YearlyFigure(models.Model):
    """One year's 从业人员 / 营业收入 / 资产总额 of an entity, each with its source and date."""

    entity = models.ForeignKey(MarketEntity, on_delete=models.CASCADE, related_name="figures")
    year = models.PositiveSmallIntegerField("年度")
    employees = models.PositiveIntegerField("从业人员（人）", null=True, blank=True)
    employees_source = models.CharField("从业人员来源", max_length=50, blank=True)
    employees_date = models.DateField("从业人员取得日期", null=True, blank=True)
    annual_revenue_wan = models.DecimalField(
        "营业收入（万元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    revenue_source = models.CharField("营业收入来源", max_length=50, blank=True)
    revenue_date = models.DateField("营业收入取得日期", null=True, blank=True)
    total_assets_wan = models.DecimalField(
        "资产总额（万元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    assets_source = models.CharField("资产总额来源", max_length=50, blank=True)
    assets_date = models.DateField("资产总额取得日期", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "年度经营数据"
        verbose_name_plural = "年度经营数据"
        ordering = ["entity", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "year"], name="uniq_entity_figure_year"),
        ]

    def __str__(self) -> str:
        return f"{self.entity} {self.year}"


class CertificationKind(models.TextChoices):
    HIGH_TECH = "high_tech", "高新技术企业"
    LITTLE_GIANT = "little_giant", "专精特新“小巨人”企业"
    PROVINCIAL_SRDI = "provincial_srdi", "省级专精特新中小企业"
    INNOVATIVE_SME = "innovative_sme", "创新型中小企业"
    TECH_SME = "tech_sme", "科技型中小企业"
    ABOVE_SCALE = "above_scale", "规模以上企业（规上入库）"
    CHAMPION = "champion", "制造业单项冠军"
    ENTERPRISE_TECH_CENTRE = "tech_centre", "省级企业技术中心"
    GAZELLE = "gazelle", "瞪羚企业"
    OTHER = "other", "其他认定"


class Certification(models.Model):
    """A recognition an entity holds (高新技术企业, 专精特新 …), with its validity."""

    entity = models.ForeignKey(
        MarketEntity, on_delete=models.CASCADE, related_name="certifications"
    )
    kind = models.CharField("认定类别", max_length=20, choices=CertificationKind.choices)
    name = models.CharField("认定名称", max_length=100, blank=True)  # for "other"
    number = models.CharField("证书编号", max_length=60, blank=True)
    issuer = models.CharField("认定机关", max_length=100, blank=True)
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期至", null=True, blank=True)
    source = models.CharField("来源", max_length=50, blank=True)
    revoked_reason = models.CharField("撤销理由", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "资质认定"
        verbose_name_plural = "资质认定"
        ordering = ["entity", "-valid_from"]
        indexes = [models.Index(fields=["kind", "valid_until"])]

    def __str__(self) -> str:
        return f"{self.entity} {self.title}"

    @property
    def title(self) -> str:
        return self.name or self.get_kind_display()

    def valid_on(self, day: date) -> bool:
        if self.revoked_reason:
            return False
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class EntityEvent(models.Model):
    """Every change of an entity's record: who, when, what, why (never deleted)."""

    entity = models.ForeignKey(MarketEntity, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField("动作", max_length=40)
    note = models.CharField("说明", max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "市场主体变更记录"
        verbose_name_plural = "市场主体变更记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["entity", "at"])]

    def __str__(self) -> str:
        return f"{self.entity} {self.action}"


# Certifications that make a firm a 战略性新兴产业 (strategic emerging industry) enterprise for
# the local-procurement rules: the park's recognitions of technology and SRDI firms.
SEI_CERTIFICATIONS = (
    CertificationKind.HIGH_TECH,
    CertificationKind.LITTLE_GIANT,
    CertificationKind.PROVINCIAL_SRDI,
    CertificationKind.INNOVATIVE_SME,
    CertificationKind.TECH_SME,
    CertificationKind.CHAMPION,
    CertificationKind.GAZELLE,
)


class PurchaseSource(models.TextChoices):
    MANUAL = "manual", "手工登记"
    IMPORT = "import", "表格导入"
    ORDER = "order", "签约订单"


class Purchase(models.Model):
    """A purchase by a park entity from a local firm (本地采购), the basis of the 3 % subsidy.

    The supplier is a park entity or a name with its 统一社会信用代码; whether it is a local
    战略性新兴产业 firm is decided from its certifications on the purchase day, or stated with a
    basis. Rows are never deleted: a wrong one is voided with a reason.
    """

    buyer = models.ForeignKey(MarketEntity, on_delete=models.PROTECT, related_name="purchases")
    supplier = models.ForeignKey(
        MarketEntity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sales",
        verbose_name="供应商（园区企业）",
    )
    supplier_name = models.CharField("供应商名称", max_length=200)
    supplier_credit_code = models.CharField("供应商统一社会信用代码", max_length=18, blank=True)
    amount_wan = models.DecimalField("采购金额（万元）", max_digits=14, decimal_places=2)
    purchased_on = models.DateField("采购日期")
    evidence = models.CharField("凭证（合同/发票号）", max_length=200, blank=True)
    source = models.CharField(
        "来源", max_length=10, choices=PurchaseSource.choices, default=PurchaseSource.MANUAL
    )
    # What created the row elsewhere (e.g. "market.order:17"): a second call with it is a replay.
    source_ref = models.CharField("来源编号", max_length=60, blank=True)
    local_sei = models.BooleanField("本地战略性新兴产业企业", default=False)
    local_sei_basis = models.CharField("认定依据", max_length=200, blank=True)
    voided_reason = models.CharField("作废理由", max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "本地采购"
        verbose_name_plural = "本地采购"
        ordering = ["buyer", "-purchased_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "source_ref"],
                condition=~Q(source_ref=""),
                name="uniq_purchase_source_ref",
            ),
        ]
        indexes = [models.Index(fields=["buyer", "purchased_on"])]

    def __str__(self) -> str:
        return f"{self.buyer} ← {self.supplier_name} {self.amount_wan} 万元"
