from django.urls import path

from . import import_views, views

app_name = "schools"

urlpatterns = [
    path("", views.school_settings, name="settings"),
    path("contacts/", views.contacts_edit, name="contacts_edit"),
    path("terms/", views.terms_edit, name="terms_edit"),
    path("pupils/", views.pupil_list, name="pupil_list"),
    path("pupils/<int:pupil_id>/", views.pupil_detail, name="pupil_detail"),
    path("pupils/<int:pupil_id>/flags/", views.pupil_flags, name="pupil_flags"),
    path("staff/", views.staff_list, name="staff_list"),
    path("import/", import_views.import_upload, name="import"),
    path("import/template.csv", import_views.import_template, name="import_template"),
    path("import/<int:run_id>/", import_views.import_result, name="import_result"),
    path("trust/", views.trust_overview, name="trust_overview"),
    path("trust/schools/new/", views.trust_school_add, name="trust_school_add"),
]
