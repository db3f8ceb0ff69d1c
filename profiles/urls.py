from django.urls import path

from profiles import views

app_name = "profiles"

urlpatterns = [
    path("", views.index, name="index"),
    path("export/", views.export, name="export"),
    path("new/", views.new, name="new"),
    path("suggest/", views.suggest, name="suggest"),
    path("import/", views.import_page, name="import"),
    path("<int:entity_id>/", views.detail, name="detail"),
    path("<int:entity_id>/figures/", views.figures, name="figures"),
    path("<int:entity_id>/certifications/", views.certification, name="certification"),
    path("<int:entity_id>/certifications/<int:cert_id>/revoke/", views.revoke, name="revoke"),
    path("<int:entity_id>/size/", views.size_override, name="size_override"),
    path("<int:entity_id>/purchases/", views.purchase, name="purchase"),
    path(
        "<int:entity_id>/purchases/<int:purchase_id>/void/",
        views.purchase_void,
        name="purchase_void",
    ),
    path("<int:entity_id>/plans/", views.plan_new, name="plan_new"),
    path("<int:entity_id>/plans/<int:sp_id>/goals/", views.plan_goal, name="plan_goal"),
    path("<int:entity_id>/plans/<int:sp_id>/measures/", views.plan_measure, name="plan_measure"),
    path("<int:entity_id>/measures/<int:measure_id>/", views.measure_status, name="measure_status"),
    path("<int:entity_id>/plans/<int:sp_id>/review/", views.plan_review, name="plan_review"),
]
