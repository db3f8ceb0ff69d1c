"""The record of what happened to accounts: locks and unlocks, second-factor changes, passwords.

Axes keeps its own attempt rows (they are deleted on unlock); these rows are kept. API tokens
carry their own record (created_by, revoked_at, revoked_by, revoke_reason on orgs.ApiToken).
"""

from django.conf import settings
from django.db import models


class SecurityAction(models.TextChoices):
    LOCKED = "locked", "登录锁定"
    UNLOCKED = "unlocked", "解除锁定"
    OTP_ENROLLED = "otp_enrolled", "绑定验证器"
    OTP_REMOVED = "otp_removed", "解绑验证器"
    OTP_RESET = "otp_reset", "管理员重置二次验证"
    BACKUP_CODES = "backup_codes", "生成备用验证码"
    BACKUP_CODE_USED = "backup_code_used", "使用备用验证码"
    PASSWORD_CHANGED = "password_changed", "修改密码"


class SecurityEvent(models.Model):
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    action = models.CharField("事件", max_length=20, choices=SecurityAction.choices)
    # The account concerned, by name too: a lock may name an account that does not exist.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="security_events",
        verbose_name="账号",
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    park = models.ForeignKey(
        "orgs.Park", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ip_address = models.GenericIPAddressField("地址", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "账号安全事件"
        verbose_name_plural = "账号安全事件"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.username}"
