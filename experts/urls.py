from django.urls import path

from experts import views

app_name = "experts"

urlpatterns = [
    path("", views.pool, name="pool"),
    path("consultations/", views.consultation_list, name="consultations"),
    path("consultations/new/", views.consultation_new, name="consultation_new"),
    path("consultations/<int:pk>/", views.consultation, name="consultation"),
    path("consultations/<int:pk>/opinion/", views.opinion, name="opinion"),
    path("consultations/<int:pk>/conclude/", views.conclude, name="conclude"),
    path("consultations/<int:pk>/panel/", views.form_panel, name="panel"),
    path("board/", views.board, name="board"),
    path("rule/", views.rule, name="rule"),
]
