from django.contrib import admin

from projects.models import KeyProject, Milestone, ProjectEvent, SiteInspection


class ReadOnly(admin.ModelAdmin):
    """Changes go through projects.services so that each one is recorded; the admin only reads."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(KeyProject)
class KeyProjectAdmin(ReadOnly):
    list_display = ("name", "park", "investor", "investment_wan", "level", "stage", "signed_on")
    list_filter = ("park", "stage", "level")
    search_fields = ("name", "investor__name")


admin.site.register(Milestone, ReadOnly)
admin.site.register(SiteInspection, ReadOnly)
admin.site.register(ProjectEvent, ReadOnly)
