from django.contrib.auth import views as auth_views
from django.urls import path

from web import views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("park/switch/", views.switch_park, name="switch_park"),
    path("dispatch/", views.dispatch_centre, name="dispatch_centre"),
    path("department/", views.department, name="department"),
    path("liaison/", views.liaison, name="liaison"),
    path("portal/", views.portal, name="portal"),
    path("leader/", views.leader, name="leader"),
    path("expert/", views.expert, name="expert"),
    path("manage/", views.admin_home, name="admin_home"),
]
