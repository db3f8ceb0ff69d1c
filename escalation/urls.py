from django.urls import path

from escalation import views

app_name = "escalation"

urlpatterns = [
    path("", views.proposals, name="proposals"),
    path("<int:pk>/<slug:decision>/", views.decide, name="decide"),
    path("rules/", views.rules, name="rules"),
]
