from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.index, name="list"),
    path("bell/", views.bell, name="bell"),
    path("<int:pk>/", views.open_one, name="open"),
    path("read-all/", views.read_all, name="read_all"),
]
