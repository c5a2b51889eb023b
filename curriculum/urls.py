from django.urls import path

from . import views

app_name = "curriculum"

urlpatterns = [
    path("", views.index, name="index"),
    # Training
    path("training/mine/", views.my_training, name="my_training"),
    path("training/mine/add/", views.my_training_add, name="my_training_add"),
    path("training/certificates/<int:record_id>/", views.certificate, name="certificate"),
    path("training/matrix/", views.matrix, name="matrix"),
    path("training/matrix.csv", views.matrix_csv, name="matrix_csv"),
    path("training/people/<int:user_id>/", views.person, name="person"),
    path("training/briefings/new/", views.briefing_new, name="briefing_new"),
    path("training/briefings/<int:briefing_id>/", views.briefing, name="briefing"),
    path("training/requirements/", views.requirements, name="requirements"),
    path("training/requirements/add/", views.requirement_add, name="requirement_add"),
    path("training/requirements/<int:requirement_id>/", views.requirement_edit, name="requirement_edit"),
    path("training/standards/<int:standard_id>/adopt/", views.standard_adopt, name="standard_adopt"),
    path("trust/standards/", views.trust_standards, name="trust_standards"),
    path("trust/standards/publish/", views.trust_standard_publish, name="trust_standard_publish"),
    # Teaching
    path("lessons/log/", views.log_lesson, name="log_lesson"),
    path("coverage/", views.heatmap, name="heatmap"),
    path("units/", views.units, name="units"),
    path("units/add/", views.unit_add, name="unit_add"),
    path("units/<int:unit_id>/", views.unit_edit, name="unit_edit"),
    path("events/", views.events, name="events"),
    path("events/add/", views.event_add, name="event_add"),
    # From incidents to teaching
    path("gaps/", views.gaps, name="gaps"),
    path("gaps/<int:gap_id>/", views.gap, name="gap"),
    path("gaps/map/", views.mapping, name="mapping"),
    # Policy register
    path("policies/", views.policies, name="policies"),
    path("policies/add/", views.policy_add, name="policy_add"),
    path("policies/<int:policy_id>/", views.policy_edit, name="policy_edit"),
    path("policies/<int:policy_id>/document/", views.policy_document, name="policy_document"),
]
