from django.urls import path

from routing import views

app_name = "routing"

urlpatterns = [
    path("", views.index, name="index"),
    path("retrain/", views.retrain, name="retrain"),
    path("threshold/", views.threshold, name="threshold"),
    path("versions/<int:version_id>/activate/", views.activate, name="activate"),
    path("common/", views.common, name="common"),
    path("similar/", views.similar_text, name="similar_text"),
    path("demand/<int:pk>/similar/", views.similar_panel, name="similar"),
    path("intake/extract/", views.intake_extract, name="intake_extract"),
    path("intake/entities/", views.entity_lookup, name="entity_lookup"),
    path("intake/caller/", views.caller, name="caller"),
]
