from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="dashboard"),
    path("data.json", views.data_json, name="data"),
    path("drill/", views.drill, name="drill"),
    path("drill/export.xlsx", views.drill_export, name="drill_export"),
    path("briefings/new/", views.briefing_new, name="briefing_new"),
    path("briefings/<int:pk>/", views.briefing, name="briefing"),
    path("briefings/<int:pk>/<slug:kind>", views.briefing_file, name="briefing_file"),
]
