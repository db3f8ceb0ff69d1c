from django.urls import path

from liaisons import views

app_name = "liaisons"

urlpatterns = [
    path("", views.index, name="index"),
    path("rules/", views.rules, name="rules"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:plan_id>/", views.plan_detail, name="plan"),
    path("plans/<int:plan_id>/apply/", views.plan_apply, name="plan_apply"),
    path("entities/<int:entity_id>/", views.entity_detail, name="entity"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/<int:staff_id>/", views.staff_detail, name="staff"),
    path("staff/<int:staff_id>/handover/", views.staff_handover, name="handover"),
    path("staff/<int:staff_id>/deactivate/", views.staff_deactivate, name="deactivate"),
    path("contacts/", views.contacts, name="contacts"),
    path("contacts/<int:entity_id>/", views.contact_record, name="contact_record"),
    path("import/", views.import_page, name="import"),
    path("export/entities.xlsx", views.export_entities, name="export_entities"),
    path("export/staff.xlsx", views.export_staff, name="export_staff"),
]
