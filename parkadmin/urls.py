from django.urls import path

from parkadmin import views

app_name = "parkadmin"

urlpatterns = [
    path("departments/", views.departments, name="departments"),
    path("departments/new/", views.department_edit, name="department_new"),
    path("departments/<int:pk>/", views.department_edit, name="department_edit"),
    path("staff/", views.staff, name="staff"),
    path("staff/new/", views.staff_edit, name="staff_new"),
    path("staff/<int:pk>/", views.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/reset-password/", views.staff_reset_password, name="reset_password"),
    path("categories/", views.categories, name="categories"),
    path("categories/new/", views.category_edit, name="category_new"),
    path("categories/<int:pk>/", views.category_edit, name="category_edit"),
    path("templates/", views.templates, name="templates"),
    path("templates/new/", views.template_edit, name="template_new"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("settings/", views.settings_page, name="settings"),
    path("calendar/<int:year>/", views.calendar_year, name="calendar_year"),
    path("changes/", views.changes, name="changes"),
]
