from django.contrib import admin, messages

from qinshang.errors import ServiceError
from routing import services
from routing.models import Label, ModelVersion, Suggestion


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = (
        "park",
        "target",
        "version",
        "status",
        "holdout_macro_f1",
        "baseline_macro_f1",
        "n_train",
        "trained_at",
        "activated_at",
    )
    list_filter = ("park", "target", "status")
    readonly_fields = [f.name for f in ModelVersion._meta.fields]
    actions = ["rollback"]

    @admin.action(description="启用所选版本（回滚）")
    def rollback(self, request, queryset):
        for v in queryset:
            try:
                services.activate(request.user, v.pk, v.park)
                self.message_user(request, f"已启用 {v}")
            except ServiceError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)

    def has_add_permission(self, request):
        return False


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = (
        "demand",
        "category",
        "category_confidence",
        "department",
        "department_confidence",
        "unsure",
        "auto_dispatched",
        "created_at",
    )
    raw_id_fields = ("demand",)


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ("demand", "kind", "category", "department", "created_at")
    list_filter = ("kind", "park")
    raw_id_fields = ("demand", "event")
