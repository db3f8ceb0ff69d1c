from django.urls import path

from knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("import/", views.import_duties, name="import"),
    path("entries/<int:pk>/", views.detail, name="detail"),
    path("entries/<int:pk>/edit/", views.edit, name="edit"),
    path("entries/<int:pk>/status/", views.status, name="status"),
    path("entries/<int:pk>/upload/", views.upload, name="upload"),
    path("files/<int:att_id>/", views.download, name="download"),
    path("demands/<int:pk>/panel/", views.demand_panel, name="demand_panel"),
    path("demands/<int:pk>/promote/", views.promote, name="promote"),
    path("demands/<int:pk>/consult/", views.consult_new, name="consult_new"),
    path("intake-panel/", views.intake_panel, name="intake_panel"),
    path("portal-panel/", views.portal_panel, name="portal_panel"),
    path("self-serve/", views.self_serve, name="self_serve"),
    path("consults/", views.consults, name="consults"),
    path("consults/<int:pk>/", views.consult, name="consult"),
]
