from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.index, name="list"),
    path("bell/", views.bell, name="bell"),
    path("<int:pk>/", views.open_one, name="open"),
    path("read-all/", views.read_all, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("deliveries/", views.deliveries, name="deliveries"),
    path("receipts/sms/", views.sms_receipt, name="sms_receipt"),
    path("calls/complete/", views.complete_call, name="complete_call"),
]
