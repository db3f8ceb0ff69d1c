from django.contrib import admin

from ops.models import Incident


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ("kind", "opened_at", "closed_at", "notified")
    list_filter = ("kind",)
    readonly_fields = ("kind", "opened_at", "closed_at", "detail", "notified")

    def has_add_permission(self, request):
        return False
