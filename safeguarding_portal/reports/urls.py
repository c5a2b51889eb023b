from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("request/", views.request_report, name="request"),
    path("<int:report_id>/", views.detail, name="detail"),
    path("<int:report_id>/status/", views.status, name="status"),
    path("<int:report_id>/download/", views.download, name="download"),
    path("trust/", views.trust_report, name="trust"),
    path("trust/pdf/", views.trust_report_pdf, name="trust_pdf"),
    path("trust/school/<int:school_id>/", views.trust_school, name="trust_school"),
    path("trust/thresholds/", views.trust_thresholds, name="trust_thresholds"),
    path("reminders/", views.reminder_log, name="reminders"),
]
