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


class SchedulerTick(models.Model):
    """The last time each scheduler process looked at the clock, for /healthz: a scheduler that
    stopped ticking enqueues nothing and alerts no one, so its silence must be visible."""

    instance = models.CharField("调度器", max_length=200, unique=True)
    last_tick_at = models.DateTimeField("最近一次检查", db_index=True)
    started_at = models.DateTimeField("启动时间")
    pid = models.PositiveIntegerField("进程号", default=0)

    class Meta:
        verbose_name = "调度器心跳"
        verbose_name_plural = "调度器心跳"
        ordering = ["-last_tick_at"]

    def __str__(self) -> str:
        return f"{self.instance} @ {self.last_tick_at:%Y-%m-%d %H:%M:%S}"
