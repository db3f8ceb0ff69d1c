from django.contrib import admin

from demands.models import AccessLog, Category, Demand, Event, Task


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "park",
        "code",
        "default_department",
        "time_limit_days",
        "is_active",
        "sort",
    )
    list_filter = ("park", "parent", "is_active")
    search_fields = ("name", "code")
    filter_horizontal = ("default_co_departments",)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TaskInline(ReadOnlyInline):
    model = Task
    fields = ("department", "role", "status", "deadline", "answered_at", "outcome")


class EventInline(ReadOnlyInline):
    model = Event
    fields = ("created_at", "actor", "action", "from_status", "to_status", "note")


@admin.register(Demand)
class DemandAdmin(admin.ModelAdmin):
    """Read-only: the ledger changes only through the workflow, which records every step."""

    list_display = ("number", "title", "park", "status", "channel", "category", "created_at")
    list_filter = ("park", "status", "channel")
    search_fields = ("number", "title")
    inlines = [TaskInline, EventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: the log is written by opening and revealing, and read by 督查."""

    list_display = ("at", "user", "demand", "kind", "field", "via", "park")
    list_filter = ("park", "kind", "via")
    search_fields = ("user__username", "demand__number")
    list_select_related = ("user", "demand", "park")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
