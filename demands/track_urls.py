"""查询进度: the public pages (no account) under /track/."""

from django.urls import path

from demands import track_views

urlpatterns = [
    path("", track_views.track, name="track"),
    path("<str:number>/", track_views.track_detail, name="track_detail"),
    path("<str:number>/rate/", track_views.track_rate, name="track_rate"),
    path("<str:number>/supply/", track_views.track_supply, name="track_supply"),
]
