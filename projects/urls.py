from django.urls import path

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
]
