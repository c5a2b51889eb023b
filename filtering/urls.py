from django.urls import path

from . import views

app_name = "filtering"

urlpatterns = [
    path("", views.index, name="index"),
    path("request/", views.request_change, name="request"),
    path("report-a-site/", views.report_site, name="report_site"),
    path("changes/<int:change_id>/", views.change_detail, name="change"),
    path("changes/<int:change_id>/assess/", views.assess, name="assess"),
    path("changes/<int:change_id>/decide/", views.decide, name="decide"),
    path("changes/<int:change_id>/apply/", views.apply, name="apply"),
    path("changes/<int:change_id>/revert/", views.revert, name="revert"),
    path("log/", views.log, name="log"),
    path("log.csv", views.log_csv, name="log_csv"),
    path("log.pdf", views.log_pdf, name="log_pdf"),
    path("responsibilities/", views.responsibilities, name="responsibilities"),
    path("responsibilities/add/", views.responsibility_add, name="responsibility_add"),
    path("responsibilities/<int:responsibility_id>/end/", views.responsibility_end, name="responsibility_end"),
    path("vendor/", views.vendor_page, name="vendor"),
    path("vendor/import/", views.vendor_import, name="vendor_import"),
    path("vendor/changes/<int:entry_id>/", views.vendor_entry, name="vendor_entry"),
    path("checks/", views.checks, name="checks"),
    path("checks/add/", views.check_add, name="check_add"),
    path("checks/<int:check_id>/certificate/", views.check_certificate, name="check_certificate"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviews/add/", views.review_add, name="review_add"),
    path("reviews/actions/<int:action_id>/done/", views.review_action_done, name="review_action_done"),
]
