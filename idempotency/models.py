from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotentRequest(models.Model):
    """The first answer to a POST of the API sent with an `Idempotency-Key`.

    Inserted in the request's own transaction before the work and committed with it, so a
    retry either waits for the first request (the unique row is locked until it commits) and then
    gets its answer, or, if the first changed nothing, runs as a new request."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name="用户"
    )
    key = models.CharField("幂等键", max_length=255)
    fingerprint = models.CharField("请求摘要", max_length=64)
    method = models.CharField("方法", max_length=10)
    path = models.CharField("路径", max_length=2000)
    status = models.PositiveSmallIntegerField("状态码", null=True)
    content_type = models.CharField("内容类型", max_length=100, blank=True)
    body = models.BinaryField("应答", default=b"")
    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "幂等请求"
        verbose_name_plural = "幂等请求"
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="uniq_idempotency_user_key")
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
