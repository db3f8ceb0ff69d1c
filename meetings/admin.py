from django.contrib import admin

from meetings.models import Meeting, MeetingEvent, Schedule


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ("park", "kind", "enabled", "day_of_month", "weekday", "lead_working_days")
    list_filter = ("park", "kind")


class EventInline(admin.TabularInline):
    model = MeetingEvent
    extra = 0
    can_delete = False
    readonly_fields = ("created_at", "actor", "action", "note", "data")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    # Read-only: meetings change only through meetings.services, which records each change.
    list_display = ("__str__", "park", "date", "status", "chair")
    list_filter = ("park", "kind", "status")
    inlines = [EventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
