"""What the park's own administrator changed: one row per change, with the values before and after.

Departments, staff accounts, categories, park settings and the holiday schedule are maintained in
the product by the park administrator (Django's admin stays for superusers). Nothing here is ever
edited or deleted: the log is how a park answers "who changed this deadline rule, and when".
"""

from django.conf import settings
from django.db import models


class ChangeKind(models.TextChoices):
    DEPARTMENT = "department", "部门"
    STAFF = "staff", "人员账号"
    CATEGORY = "category", "诉求类别"
    CALENDAR = "calendar", "节假日安排"
    SETTINGS = "settings", "园区参数"
    TEMPLATE = "template", "答复模板"


class ChangeAction(models.TextChoices):
    CREATED = "created", "新增"
    UPDATED = "updated", "修改"
    ACTIVATED = "activated", "启用"
    DEACTIVATED = "deactivated", "停用"
    PASSWORD_RESET = "password_reset", "重置密码"


class AdminChange(models.Model):
    park = models.ForeignKey("orgs.Park", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="操作人"
    )
    at = models.DateTimeField("时间", db_index=True)
    kind = models.CharField("对象", max_length=20, choices=ChangeKind.choices)
    action = models.CharField("操作", max_length=20, choices=ChangeAction.choices)
    object_id = models.BigIntegerField("对象编号", null=True, blank=True)
    label = models.CharField("对象名称", max_length=200)
    before = models.JSONField("修改前", default=dict, blank=True)
    after = models.JSONField("修改后", default=dict, blank=True)
    reason = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "管理操作记录"
        verbose_name_plural = "管理操作记录"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["park", "kind", "-at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()}{self.get_kind_display()} {self.label}"

    def changed_fields(self) -> list[tuple[str, str, str]]:
        """(field, before, after) for every field whose value differs, in the order written."""
        keys = list(self.after) + [k for k in self.before if k not in self.after]
        out = []
        for k in keys:
            b, a = self.before.get(k, ""), self.after.get(k, "")
            if str(b) != str(a):
                out.append((k, str(b), str(a)))
        return out
