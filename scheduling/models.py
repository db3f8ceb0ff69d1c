from django.db import models


class JobRun(models.Model):
    """One firing of a periodic job. The unique (job, slot) row is the lock: however many
    scheduler processes run, each slot of each job is enqueued exactly once."""

    job = models.CharField("任务", max_length=100)
    slot = models.DateTimeField("计划时间")
    enqueued_at = models.DateTimeField("入队时间", auto_now_add=True)
    task_result_id = models.CharField("任务结果编号", max_length=64, blank=True)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = "定时任务记录"
        verbose_name_plural = "定时任务记录"
        ordering = ["-slot"]
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="uniq_job_slot")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"
