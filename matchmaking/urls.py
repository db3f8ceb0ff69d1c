from django.urls import path

from matchmaking import views

app_name = "matchmaking"

urlpatterns = [
    path("", views.index, name="index"),
    path("products/", views.products, name="products"),
    path("products/new/", views.product_new, name="product_new"),
    path("products/import/", views.product_import, name="product_import"),
    path("products/<int:pk>/", views.product, name="product"),
    path("products/<int:pk>/status/", views.product_status, name="product_status"),
    path("brochure.<str:kind>", views.brochure, name="brochure"),
    path("needs/", views.needs, name="needs"),
    path("needs/new/", views.need_new, name="need_new"),
    path("needs/<int:pk>/", views.need, name="need"),
    path("needs/<int:pk>/close/", views.need_close, name="need_close"),
    path("events/", views.events, name="events"),
    path("events/new/", views.event_new, name="event_new"),
    path("events/<int:pk>/", views.event, name="event"),
    path("events/<int:pk>/<str:step>/", views.event_act, name="event_act"),
    path("orders/<int:pk>/", views.order, name="order"),
    path("orders/<int:pk>/<str:step>/", views.order_act, name="order_act"),
]
