from django.urls import path

from . import views, views_bundles, views_pupils, views_searches

app_name = "incidents"

urlpatterns = [
    path("", views.index, name="index"),
    path("report/", views.report, name="report"),
    path("report/pupils/", views.pupil_options, name="pupil_options"),
    path("reported/<str:reference>/", views.reported, name="reported"),
    path("mine/<str:reference>/", views.my_report, name="my_report"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/cases.csv", views.dashboard_csv, name="dashboard_csv"),
    path("dashboard/filters/", views.saved_filter, name="saved_filter"),
    path("case/<str:reference>/", views.case, name="case"),
    path("case/<str:reference>/views/", views.case_views, name="case_views"),
    path("shared/<str:reference>/", views.shared_case, name="shared_case"),
    path("case/<str:reference>/act/", views.case_action, name="case_action"),
    path("case/<str:reference>/files/<int:attachment_id>/", views.attachment, name="attachment"),
    path("pupil/<int:pupil_id>/chronology/", views_pupils.chronology_page, name="chronology"),
    path("pupil/<int:pupil_id>/chronology.pdf", views_pupils.chronology_pdf, name="chronology_pdf"),
    path("pupil/<int:pupil_id>/cp-file/", views_pupils.cp_file_produce, name="cp_file_produce"),
    path("transfers/", views_pupils.transfer_list, name="transfers"),
    path("transfers/badge/", views_pupils.transfers_badge, name="transfers_badge"),
    path("transfers/<int:transfer_id>/", views_pupils.transfer_detail, name="transfer"),
    path("transfers/<int:transfer_id>/file.pdf", views_pupils.transfer_pdf, name="transfer_pdf"),
    path("transfers/<int:transfer_id>/bundle/", views_bundles.bundle_send, name="bundle_send"),
    path("transfers/<int:transfer_id>/bundle.zip", views_bundles.bundle_download, name="bundle_download"),
    path("transfers/received/", views_bundles.received_list, name="received_list"),
    path("transfers/received/<int:received_id>/", views_bundles.received_detail, name="received"),
    path("transfers/verify/", views_bundles.bundle_verify, name="bundle_verify"),
    path("transfers/link/<str:token>/", views_bundles.bundle_link, name="bundle_link"),
    path("transfers/link/<str:token>/received/", views_bundles.bundle_link_confirm, name="bundle_link_confirm"),
    path("pupil/<int:pupil_id>/leaving/", views_bundles.pupil_leaving, name="pupil_leaving"),
    path("trends/", views_pupils.trends_page, name="trends"),
    path("procedures/", views_pupils.procedure_list, name="procedures"),
    path("procedures/<str:category>/", views_pupils.procedure_edit, name="procedure_edit"),
    path("device-searches/", views_searches.search_list, name="device_searches"),
    path("device-searches/new/", views_searches.search_new, name="device_search_new"),
    path("device-searches/<int:search_id>/", views_searches.search_detail, name="device_search"),
    path("device-searches/<int:search_id>/act/", views_searches.search_act, name="device_search_act"),
    path("procedures/trust/<int:template_id>/adopt/", views_pupils.procedure_adopt, name="procedure_adopt"),
]
