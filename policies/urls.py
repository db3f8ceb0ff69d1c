from django.urls import path

from policies import views

app_name = "policies"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("mine/", views.mine, name="mine"),
    path("import/", views.import_page, name="import"),
    path("<int:policy_id>/", views.detail, name="detail"),
    path("<int:policy_id>/edit/", views.edit, name="edit"),
    path("<int:policy_id>/propose/", views.propose, name="propose"),
    path("<int:policy_id>/apply/", views.apply, name="apply"),
    path("grants/<int:grant_id>/confirm/", views.confirm, name="confirm"),
    path("grants/<int:grant_id>/reject/", views.reject, name="reject"),
    path("applications/<int:application_id>/", views.decide, name="decide"),
]
