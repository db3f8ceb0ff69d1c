from django.contrib import admin

from experts.models import Consultation, ConsultationEvent, Expert, LegacyRule, Opinion


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ("user", "park", "field", "organisation", "is_active")
    list_filter = ("park", "is_active")
    search_fields = ("user__full_name", "field", "organisation")


class ReadOnly(admin.ModelAdmin):
    """Consultations change only through experts.services, where each change is recorded."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Consultation, ReadOnly)
admin.site.register(Opinion, ReadOnly)
admin.site.register(ConsultationEvent, ReadOnly)
admin.site.register(LegacyRule, ReadOnly)
