from django.urls import path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_new, name="new"),
    path("schedules/", views.schedule_page, name="schedules"),
    path("register/", views.register, name="register"),
    path("<int:meeting_id>/", views.meeting_detail, name="detail"),
    path("<int:meeting_id>/edit/", views.meeting_edit, name="edit"),
    path("<int:meeting_id>/live/", views.meeting_live, name="live"),
    path("<int:meeting_id>/do/<slug:action>/", views.meeting_action, name="action"),
    path("<int:meeting_id>/minutes.docx", views.minutes_docx, name="docx"),
    path("<int:meeting_id>/minutes.pdf", views.minutes_pdf, name="pdf"),
]
