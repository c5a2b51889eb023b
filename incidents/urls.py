from django.urls import path

from . import views

app_name = "incidents"

urlpatterns = [
    path("", views.index, name="index"),
    path("report/", views.report, name="report"),
    path("report/pupils/", views.pupil_options, name="pupil_options"),
    path("reported/<str:reference>/", views.reported, name="reported"),
    path("mine/<str:reference>/", views.my_report, name="my_report"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("case/<str:reference>/", views.case, name="case"),
    path("case/<str:reference>/act/", views.case_action, name="case_action"),
    path("case/<str:reference>/files/<int:attachment_id>/", views.attachment, name="attachment"),
]
