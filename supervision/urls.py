from django.urls import path

from supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.inspections, name="list"),
    path("new/", views.new, name="new"),
    path("bulletin.docx", views.bulletin, name="bulletin"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<slug:step>/", views.act, name="act"),
]
