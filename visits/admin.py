from django.contrib import admin

from visits.models import Answer, Campaign, Question, Visit, VisitPhoto


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = (
        "order",
        "text",
        "kind",
        "options",
        "required",
        "follow_up",
        "follow_up_on",
        "category",
    )


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("title", "park", "theme", "status", "start_date", "end_date")
    list_filter = ("park", "theme", "status")
    inlines = [QuestionInline]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    can_delete = False
    readonly_fields = (
        "question",
        "value",
        "follow_up_answer",
        "is_problem",
        "problem_note",
        "demand",
    )


class PhotoInline(admin.TabularInline):
    model = VisitPhoto
    extra = 0
    readonly_fields = ("original_name", "content_type", "size")


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ("entity", "campaign", "recorded_by", "visited_on", "outcome")
    list_filter = ("campaign", "outcome")
    raw_id_fields = ("entity", "recorded_by")
    inlines = [AnswerInline, PhotoInline]
