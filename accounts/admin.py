from django.contrib import admin

from accounts.models import SecurityEvent


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """The record is read-only: it says what happened, nobody edits it."""

    list_display = ("at", "action", "username", "actor", "park", "ip_address", "note")
    list_filter = ("action", "park")
    search_fields = ("username", "note", "ip_address")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
