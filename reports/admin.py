from django.contrib import admin

from reports.models import Briefing


@admin.register(Briefing)
class BriefingAdmin(admin.ModelAdmin):
    list_display = ("park", "period", "status", "progress", "requested_by", "created_at")
    list_filter = ("park", "status")
    readonly_fields = (
        "park",
        "period",
        "department_id",
        "requested_by",
        "status",
        "progress",
        "step",
        "docx",
        "pdf",
        "error",
        "created_at",
        "finished_at",
    )
