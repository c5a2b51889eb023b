from django.urls import path

from . import views

app_name = "aup"

urlpatterns = [
    path("", views.index, name="index"),
    path("sign/<str:audience>/", views.sign_own, name="sign_own"),
    path("mine/<str:code>/", views.my_certificate, name="my_certificate"),
    # Public: the parent's links, the verify page and the visitors' page.
    path("s/<str:token>/", views.sign, name="sign"),
    path("signed/<str:token>/", views.signed, name="signed"),
    path("signed/<str:token>/certificate/<str:code>/", views.signed_certificate, name="signed_certificate"),
    path("verify/", views.verify, name="verify"),
    path("visit/<uuid:key>/", views.visitor, name="visitor"),
    # The office: versions, campaigns, the register.
    path("manage/", views.manage, name="manage"),
    path("manage/visitors-qr/", views.visitor_qr, name="visitor_qr"),
    path("manage/trust/<int:template_id>/adopt/", views.agreement_adopt, name="agreement_adopt"),
    path("manage/<str:audience>/", views.agreement_edit, name="agreement"),
    path("manage/<str:audience>/issue/", views.campaign_new, name="campaign_new"),
    path("manage/<str:audience>/translations/", views.translation_add, name="translation_add"),
    path("register/<str:audience>/", views.register, name="register"),
    path("campaigns/<int:campaign_id>/", views.campaign, name="campaign"),
    path("campaigns/<int:campaign_id>/export.csv", views.campaign_csv, name="campaign_csv"),
    path("campaigns/<int:campaign_id>/close/", views.campaign_close, name="campaign_close"),
    path("campaigns/<int:campaign_id>/chase/", views.campaign_chase, name="campaign_chase"),
    path("manage/paper/<int:pupil_id>/", views.paper_agreement, name="paper_agreement"),
    path("manage/paper-scans/<int:scan_id>/", views.paper_scan, name="paper_scan"),
    path(
        "campaigns/<int:campaign_id>/bounced/<int:invitation_id>/", views.invitation_bounced, name="invitation_bounced"
    ),
    # Teachers: a class's photo consents and recording pupils' agreements.
    path("classes/", views.classes, name="classes"),
    path("classes/<str:class_name>/", views.class_detail, name="class"),
]
