from django.urls import path

from demands import track_views, views

app_name = "demands"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("export.xlsx", views.export, name="export"),
    path("views/", views.save_view, name="save_view"),
    path("views/<int:view_id>/delete/", views.delete_view, name="delete_view"),
    path("exports/<int:export_id>/", views.export_job, name="export_job"),
    path("exports/<int:export_id>/file/", views.export_file, name="export_file"),
    path("new/", views.new, name="new"),
    path("access-log/", views.access_log, name="access_log"),
    path("bulk/", views.bulk, name="bulk"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/<slug:action>/", views.act, name="act"),
    path("<int:pk>/upload/", views.upload, name="upload"),
    path("<int:pk>/track-code/", track_views.issue_code, name="track_code"),
    path("<int:pk>/reveal/<slug:field>/", views.reveal, name="reveal"),
    path("files/<int:att_id>/", views.download, name="download"),
]
