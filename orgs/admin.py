from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError

from orgs.models import ApiToken, Department, Park, User


@admin.register(Park)
class ParkAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "short_name",
        "code",
        "auto_close_working_days",
        "due_soon_working_days",
    )


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "park", "code", "is_dispatch_centre", "is_active", "sort")
    list_filter = ("park", "is_active")
    search_fields = ("name", "code")


class StaffChangeForm(UserChangeForm):
    def clean(self):
        data = super().clean()
        # Switching off someone who still serves entities would leave them without a liaison.
        if data and self.instance.pk and self.instance.is_active and data.get("is_active") is False:
            from liaisons.services import served_by

            n = served_by(self.instance).count()
            if n:
                raise ValidationError(
                    f"该用户仍是 {n} 家市场主体的专属服务员或B角，请先在“专属服务员 → 工作交接”中"
                    "办理交接，再停用账号。"
                )
        return data


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = StaffChangeForm
    list_display = ("username", "full_name", "role", "park", "department", "rank", "is_active")
    list_filter = ("role", "park", "is_active")
    search_fields = ("username", "full_name", "phone")
    autocomplete_fields = ("department",)
    raw_id_fields = ("enterprise",)
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        (
            "园区角色",
            {
                "fields": (
                    "full_name",
                    "phone",
                    "role",
                    "park",
                    "extra_parks",
                    "department",
                    "enterprise",
                    "rank",
                    "title",
                )
            },
        ),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "name",
        "prefix",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked",
    )
    list_filter = ("scope", "revoked")
    search_fields = ("user__username", "name", "prefix")
    readonly_fields = (
        "key_hash",
        "prefix",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
        "revoked_by",
        "revoke_reason",
    )
