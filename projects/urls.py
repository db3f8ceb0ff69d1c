from django.urls import path

from projects import livelihood_views as lv
from projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("export.xlsx", views.export, name="export"),
    path("new/", views.project_new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/stage/", views.stage, name="stage"),
    path("<int:pk>/milestones/", views.milestone_add, name="milestone_add"),
    path("<int:pk>/milestones/<int:mid>/", views.milestone_update, name="milestone_update"),
    path("<int:pk>/inspections/", views.inspection_add, name="inspection_add"),
    path("<int:pk>/inspections/<int:iid>/close/", views.inspection_close, name="inspection_close"),
    path("livelihood/", lv.livelihood_list, name="livelihood_list"),
    path("livelihood/<int:pk>/", lv.livelihood_detail, name="livelihood_detail"),
    path("livelihood/<int:pk>/progress/", lv.livelihood_progress, name="livelihood_progress"),
    path("livelihood/<int:pk>/urge/", lv.livelihood_urge, name="livelihood_urge"),
    path("livelihood/<int:pk>/confirm/", lv.livelihood_confirm, name="livelihood_confirm"),
    path("livelihood/<int:pk>/callback/", lv.livelihood_callback, name="livelihood_callback"),
    path("livelihood/<int:pk>/close/", lv.livelihood_close, name="livelihood_close"),
]
