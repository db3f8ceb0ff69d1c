from django.contrib import admin
from django.urls import include, path

from qinshang.api import api

admin.site.site_header = "亲商 · 系统管理"
admin.site.site_title = "亲商"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("reports/", include("reports.urls")),
    path("exchange/", include("exchange.urls")),
    path("demands/", include("demands.urls")),
    path("track/", include("demands.track_urls")),
    path("notifications/", include("notifications.urls")),
    path("liaisons/", include("liaisons.urls")),
    path("visits/", include("visits.urls")),
    path("routing/", include("routing.urls")),
    path("escalation/", include("escalation.urls")),
    path("supervision/", include("supervision.urls")),
    path("meetings/", include("meetings.urls")),
    path("", include("ops.urls")),
    path("projects/", include("projects.urls")),
    path("experts/", include("experts.urls")),
    path("manage/", include("parkadmin.urls")),
    path("profiles/", include("profiles.urls")),
    path("finance/", include("finance.urls")),
    path("knowledge/", include("knowledge.urls")),
    path("policies/", include("policies.urls")),
    path("matchmaking/", include("matchmaking.urls")),
    path("", include("accounts.urls")),
    path("", include("web.urls")),
]
