from django.contrib import admin

from workcal.models import YearSchedule


@admin.register(YearSchedule)
class YearScheduleAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "entered_by", "updated_at")
    readonly_fields = ("entered_by", "updated_at")

    def save_model(self, request, obj, form, change):
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)
