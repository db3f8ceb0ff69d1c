from django.contrib import admin

from scheduling.models import JobRun, SchedulerTick


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ("job", "slot", "enqueued_at", "task_result_id", "error")
    list_filter = ("job",)
    readonly_fields = ("job", "slot", "enqueued_at", "task_result_id", "error")


@admin.register(SchedulerTick)
class SchedulerTickAdmin(admin.ModelAdmin):
    list_display = ("instance", "last_tick_at", "started_at", "pid")
    readonly_fields = ("instance", "last_tick_at", "started_at", "pid")
