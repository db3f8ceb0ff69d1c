"""Parks, departments, staff accounts and roles.

One installation serves the several parks of a city. Every object that belongs to a park carries
`park`, and every query a user runs goes through a scoping function that filters on it.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    DISPATCHER = "dispatcher", "派单员/督查"
    HANDLER = "handler", "部门经办人"
    DEPARTMENT_HEAD = "department_head", "部门负责人"
    LIAISON = "liaison", "专属服务员"
    LEADER = "leader", "园区领导"
    ENTERPRISE = "enterprise", "企业用户"
    RESIDENT = "resident", "群众"
    EXPERT = "expert", "专家"
    ADMIN = "admin", "系统管理员"
    BANK = "bank", "金融机构"


DEPARTMENT_ROLES = (Role.HANDLER, Role.DEPARTMENT_HEAD)
PARK_WIDE_ROLES = (Role.DISPATCHER, Role.LEADER, Role.ADMIN)


class Park(models.Model):
    name = models.CharField("园区名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=30)
    code = models.SlugField("代码", max_length=20, unique=True)
    region_code = models.CharField("行政区划代码", max_length=6, default="430300")
    # Closing without the requester's rating is allowed after this many working days, provided a
    # call-back attempt was recorded: enterprises that never answer must not block the ledger.
    auto_close_working_days = models.PositiveSmallIntegerField("未评价可销号工作日数", default=5)
    due_soon_working_days = models.PositiveSmallIntegerField("即将到期提醒工作日数", default=2)
    response_window_working_days = models.PositiveSmallIntegerField("签收时限（工作日）", default=1)
    auto_dispatch_threshold = models.FloatField("自动派单置信度阈值", null=True, blank=True)
    # A requester asked for missing material who has not answered after this many working days:
    # the dispatcher may close the item as 无法联系 / 资料不全.
    info_wait_working_days = models.PositiveSmallIntegerField("补充材料等待工作日数", default=10)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "园区"
        verbose_name_plural = "园区"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    park = models.ForeignKey(Park, on_delete=models.PROTECT, related_name="departments")
    name = models.CharField("部门名称", max_length=100)
    code = models.SlugField("代码", max_length=30)
    duties = models.TextField("职责", blank=True)
    is_dispatch_centre = models.BooleanField("派单中心", default=False)
    review_replies = models.BooleanField(
        "答复须经负责人审核", default=False, help_text="经办人的答复经部门负责人审核后才发出"
    )
    is_active = models.BooleanField("启用", default=True)
    sort = models.PositiveSmallIntegerField("排序", default=100)

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["park", "sort", "id"]
        constraints = [
            models.UniqueConstraint(fields=["park", "name"], name="uniq_department_name"),
            models.UniqueConstraint(fields=["park", "code"], name="uniq_department_code"),
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.HANDLER)
    park = models.ForeignKey(
        Park,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name="所属园区",
    )
    # Staff of the city level may serve several parks; they switch between them in the UI.
    extra_parks = models.ManyToManyField(
        Park, blank=True, related_name="+", verbose_name="兼管园区"
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name="部门",
    )
    enterprise = models.ForeignKey(
        "entities.MarketEntity",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name="所属企业",
    )
    rank = models.PositiveSmallIntegerField(
        "职级", default=3, help_text="1 园区领导，2 部门负责人/科级以上，3 一般干部职工"
    )
    title = models.CharField("职务", max_length=50, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        indexes = [models.Index(fields=["park", "role"])]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    def park_ids(self) -> list[int]:
        # Asked several times per request (scoping, permissions): one query per user object.
        cached = self.__dict__.get("_park_ids")
        if cached is not None:
            return cached
        ids = [self.park_id] if self.park_id else []
        ids += [pk for pk in self.extra_parks.values_list("pk", flat=True) if pk not in ids]
        self.__dict__["_park_ids"] = ids
        return ids

    def in_park(self, park_id: int | None) -> bool:
        """Whether the user works in the park. The own park needs no query, and it is the park
        of nearly every request: the extra parks are read only for another one."""
        if park_id is None:
            return False
        return park_id == self.park_id or park_id in self.park_ids()

    @property
    def is_dispatcher(self) -> bool:
        return self.role == Role.DISPATCHER

    @property
    def in_department(self) -> bool:
        return self.role in DEPARTMENT_ROLES and self.department_id is not None


class TokenScope(models.TextChoices):
    READ = "read", "只读"
    WRITE = "write", "读写"


class ApiToken(models.Model):
    """A bearer token for integrators. Only a hash is stored: a leaked database leaks no token.

    A token expires (`expires_at`), carries a scope (a read token may only GET) and is revoked by
    its user, by the park administrator, or for all of a user's tokens when the password changes;
    revoked rows are kept with who revoked them and why.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100, default="")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    scope = models.CharField(
        "权限", max_length=5, choices=TokenScope.choices, default=TokenScope.WRITE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField("到期时间")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.CharField("吊销原因", max_length=100, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… {self.name}"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(
        cls,
        user: User,
        name: str = "",
        *,
        days: int | None = None,
        scope: str = TokenScope.WRITE,
        by: User | None = None,
    ) -> str:
        """A new token for `user`; the raw value is returned once and never stored."""
        if days is None:
            days = settings.API_TOKEN_DAYS
        raw = "qs_" + secrets.token_urlsafe(32)
        cls.objects.create(
            user=user,
            name=name,
            key_hash=cls.hash(raw),
            prefix=raw[:8],
            scope=scope,
            expires_at=timezone.now() + timedelta(days=days),
            created_by=by or user,
        )
        return raw

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return not self.revoked and not self.is_expired

    @property
    def status_label(self) -> str:
        if self.revoked:
            return "已吊销"
        return "已过期" if self.is_expired else "有效"
