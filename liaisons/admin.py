from django.contrib import admin

from liaisons.models import (
    AssignmentRules,
    ContactLog,
    Handover,
    LiaisonAssignment,
    Plan,
    StaffOverride,
)


@admin.register(AssignmentRules)
class AssignmentRulesAdmin(admin.ModelAdmin):
    list_display = ("park", "backup", "updated_at", "updated_by")


@admin.register(StaffOverride)
class StaffOverrideAdmin(admin.ModelAdmin):
    list_display = ("user", "park", "capacity", "backup_capacity", "industries", "excluded")
    list_filter = ("park", "excluded")
    raw_id_fields = ("user",)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "park",
        "purpose",
        "status",
        "coverage",
        "objective",
        "greedy_objective",
        "created_at",
    )
    list_filter = ("park", "status")
    readonly_fields = [f.name for f in Plan._meta.fields]


class ReadOnly(admin.ModelAdmin):
    # History is written by the services only: editing it here would falsify who served whom.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LiaisonAssignment)
class LiaisonAssignmentAdmin(ReadOnly):
    list_display = ("entity", "liaison", "backup", "start", "end", "source", "changed_by")
    list_filter = ("park", "source")
    search_fields = ("entity__name", "liaison__full_name")


@admin.register(Handover)
class HandoverAdmin(ReadOnly):
    list_display = ("person", "to", "entity_count", "deactivated", "created_by", "created_at")
    list_filter = ("park",)


@admin.register(ContactLog)
class ContactLogAdmin(ReadOnly):
    list_display = ("entity", "by", "kind", "at")
    list_filter = ("park", "kind")
    search_fields = ("entity__name",)
