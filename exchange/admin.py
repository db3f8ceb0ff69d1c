from django.contrib import admin

from exchange.models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("original_name", "park", "user", "state", "created_at", "imported_at")
    list_filter = ("park", "state")
    readonly_fields = (
        "park",
        "user",
        "file",
        "original_name",
        "mapping",
        "create_missing",
        "state",
        "report",
        "created_at",
        "imported_at",
    )
