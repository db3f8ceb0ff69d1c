from django.contrib import admin

from scheduling.models import JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ("job", "slot", "enqueued_at", "task_result_id", "error")
    list_filter = ("job",)
    readonly_fields = ("job", "slot", "enqueued_at", "task_result_id", "error")
