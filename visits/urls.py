from django.urls import path

from visits import views

app_name = "visits"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_new, name="new"),
    path("<int:campaign_id>/", views.dashboard, name="dashboard"),
    path("<int:campaign_id>/edit/", views.campaign_edit, name="edit"),
    path("<int:campaign_id>/questions/", views.questions, name="questions"),
    path("<int:campaign_id>/close/", views.campaign_close, name="close"),
    path("<int:campaign_id>/targets/", views.mine, name="mine"),
    path("<int:campaign_id>/record/<int:entity_id>/", views.record, name="record"),
    path("<int:campaign_id>/export.xlsx", views.export, name="export"),
    path("visit/<int:visit_id>/", views.visit_detail, name="visit"),
    path("photo/<int:photo_id>/", views.photo, name="photo"),
]
