"""银企对接: financial institutions of a park, their products, enterprises' financing needs, the
enterprises' consent to share their profile field by field, and the institutions' answers.

A need is *shown* to an institution by a Referral; the institution answers it within a number of
working days. What an institution's users may read of an enterprise is exactly the fields of its
active Consent (finance.access); a withdrawn consent hides everything at once. Every change is a
FinanceEvent (who, when, what, why). Nothing is deleted.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class InstitutionKind(models.TextChoices):
    BANK = "bank", "银行"
    GUARANTEE = "guarantee", "融资担保"
    MICROLOAN = "microloan", "小额贷款"
    LEASING = "leasing", "融资租赁"
    OTHER = "other", "其他金融机构"


class Institution(models.Model):
    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("机构名称", max_length=100)
    kind = models.CharField("机构类型", max_length=12, choices=InstitutionKind.choices)
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=20, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    answer_working_days = models.PositiveSmallIntegerField("答复时限（工作日）", default=5)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "金融机构"
        verbose_name_plural = "金融机构"
        ordering = ["park", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["park", "name"], name="uniq_institution_name")
        ]

    def __str__(self) -> str:
        return self.name


class InstitutionUser(models.Model):
    """The link of a 金融机构 user to the institution they work for (one each)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="institution_link"
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="members")

    class Meta:
        verbose_name = "金融机构用户"
        verbose_name_plural = "金融机构用户"


class ProductType(models.TextChoices):
    CREDIT = "credit", "信用贷款"
    MORTGAGE = "mortgage", "抵押贷款"
    GUARANTEED = "guaranteed", "担保贷款"
    PLEDGE = "pledge", "质押贷款"
    SUPPLY_CHAIN = "supply_chain", "供应链金融"
    GUARANTEE = "guarantee", "融资担保"
    LEASING = "leasing", "融资租赁"
    OTHER = "other", "其他"


class Product(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="products")
    name = models.CharField("产品名称", max_length=100)
    type = models.CharField("产品类型", max_length=14, choices=ProductType.choices)
    min_amount_wan = models.DecimalField("最低额度（万元）", max_digits=12, decimal_places=2)
    max_amount_wan = models.DecimalField("最高额度（万元）", max_digits=12, decimal_places=2)
    rate_min_pct = models.DecimalField("年利率下限（%）", max_digits=5, decimal_places=2)
    rate_max_pct = models.DecimalField("年利率上限（%）", max_digits=5, decimal_places=2)
    term_min_months = models.PositiveSmallIntegerField("期限下限（月）")
    term_max_months = models.PositiveSmallIntegerField("期限上限（月）")
    conditions = models.TextField("申请条件", blank=True)
    is_active = models.BooleanField("在售", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "金融产品"
        verbose_name_plural = "金融产品"
        ordering = ["institution", "id"]

    def __str__(self) -> str:
        return self.name


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    SOON = "soon", "较急"
    URGENT = "urgent", "紧急"


class FinancingStatus(models.TextChoices):
    OPEN = "open", "对接中"
    FUNDED = "funded", "已获融资"
    WITHDRAWN = "withdrawn", "已撤回"


class FinancingNeed(models.Model):
    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="+")
    number = models.CharField("编号", max_length=30)
    entity = models.ForeignKey(
        "entities.MarketEntity", on_delete=models.PROTECT, related_name="financing_needs"
    )
    amount_wan = models.DecimalField("融资金额（万元）", max_digits=12, decimal_places=2)
    purpose = models.TextField("资金用途")
    collateral = models.CharField("担保/抵押物", max_length=300, blank=True)
    term_months = models.PositiveSmallIntegerField("期望期限（月）", null=True, blank=True)
    urgency = models.CharField(
        "紧急程度", max_length=8, choices=Urgency.choices, default=Urgency.NORMAL
    )
    status = models.CharField(
        "状态", max_length=10, choices=FinancingStatus.choices, default=FinancingStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "融资需求"
        verbose_name_plural = "融资需求"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["park", "number"], name="uniq_need_number")]

    def __str__(self) -> str:
        return self.number


class ConsentField(models.TextChoices):
    """The parts of an enterprise's profile it may share with an institution."""

    NAME = "name", "企业名称"
    CREDIT_CODE = "credit_code", "统一社会信用代码"
    INDUSTRY = "industry", "所属行业"
    SIZE_CLASS = "size_class", "企业规模"
    FIGURES = "figures", "经营数据（从业人员、营业收入、资产总额）"
    CERTIFICATIONS = "certifications", "资质认定"
    CONTACTS = "contacts", "联系人"
    NEEDS = "needs", "融资需求"


class Consent(models.Model):
    """An enterprise's consent to one institution, for a set of fields. A change of fields or a
    withdrawal ends the row (withdrawn_at); a new grant is a new row, so history stays."""

    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="+")
    entity = models.ForeignKey(
        "entities.MarketEntity", on_delete=models.PROTECT, related_name="finance_consents"
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="consents")
    fields = models.JSONField("授权字段", default=list)
    # Denormalised from `fields` on save: the bank's need queries filter on it (JSON containment
    # is not portable to SQLite).
    covers_needs = models.BooleanField(default=False, editable=False)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField("授权时间")
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdraw_reason = models.CharField("撤回原因", max_length=200, blank=True)

    class Meta:
        verbose_name = "信息授权"
        verbose_name_plural = "信息授权"
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "institution"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="uniq_active_consent",
            )
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.covers_needs = ConsentField.NEEDS.value in (self.fields or [])
        super().save(*args, **kwargs)

    @property
    def field_labels(self) -> list[str]:
        return [ConsentField(f).label for f in self.fields if f in ConsentField.values]


class ReferralStatus(models.TextChoices):
    PENDING = "pending", "待答复"
    APPROVED = "approved", "已批准"
    DECLINED = "declined", "已拒绝"


class Referral(models.Model):
    """A need shown to one institution, with the deadline of its answer and the answer."""

    need = models.ForeignKey(FinancingNeed, on_delete=models.PROTECT, related_name="referrals")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="referrals")
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    shown_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shown_at = models.DateTimeField("推送时间")
    deadline = models.DateField("答复期限")
    status = models.CharField(
        "状态", max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decline_reason = models.TextField("拒绝理由", blank=True)
    approved_amount_wan = models.DecimalField(
        "批准金额（万元）", max_digits=12, decimal_places=2, null=True, blank=True
    )
    rate_pct = models.DecimalField(
        "年利率（%）", max_digits=5, decimal_places=2, null=True, blank=True
    )
    term_months = models.PositiveSmallIntegerField("期限（月）", null=True, blank=True)
    subsidy_pct = models.DecimalField(
        "贴息（百分点）", max_digits=5, decimal_places=2, null=True, blank=True
    )
    note = models.TextField("说明", blank=True)
    urge_count = models.PositiveSmallIntegerField("催办次数", default=0)
    last_urged_on = models.DateField("最近催办", null=True, blank=True)

    class Meta:
        verbose_name = "融资对接"
        verbose_name_plural = "融资对接"
        ordering = ["deadline", "id"]
        constraints = [
            models.UniqueConstraint(fields=["need", "institution"], name="uniq_referral")
        ]
        indexes = [models.Index(fields=["institution", "status", "deadline"])]


class FinanceEvent(models.Model):
    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="+")
    entity = models.ForeignKey(
        "entities.MarketEntity", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    need = models.ForeignKey(
        FinancingNeed, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    action = models.CharField("动作", max_length=30)
    note = models.CharField("说明", max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    @property
    def label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


ACTION_LABELS = {
    "institution_created": "登记金融机构",
    "member_linked": "关联机构用户",
    "product_added": "发布金融产品",
    "need_created": "登记融资需求",
    "need_withdrawn": "撤回融资需求",
    "consent_granted": "授权共享信息",
    "consent_changed": "变更授权范围",
    "consent_withdrawn": "撤回授权",
    "need_shown": "推送金融机构",
    "answered": "金融机构答复",
    "urged": "逾期催办",
    "disbursed": "登记放款",
    "disbursement_voided": "作废放款记录",
}


class Disbursement(models.Model):
    """放款: money actually lent on an approved answer. An approval is a promise; the loans a park
    reports as granted are these rows. A mistaken row is voided with a reason, never deleted."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="disbursements")
    amount_wan = models.DecimalField("放款金额（万元）", max_digits=12, decimal_places=2)
    disbursed_on = models.DateField("放款日期")
    term_months = models.PositiveSmallIntegerField("期限（月）")
    rate_pct = models.DecimalField("年利率（%）", max_digits=5, decimal_places=2)
    note = models.CharField("说明", max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间")
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.CharField("作废理由", max_length=200, blank=True)

    class Meta:
        verbose_name = "放款记录"
        verbose_name_plural = "放款记录"
        ordering = ["disbursed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_wan__gt=0), name="disbursement_amount_positive"
            )
        ]

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None
