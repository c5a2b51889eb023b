from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.index, name="index"),
    path("queue/", views.queue, name="queue"),
    path("alerts/<int:alert_id>/", views.alert, name="alert"),
    path("alerts/<int:alert_id>/close/", views.alert_close, name="alert_close"),
    path("alerts/<int:alert_id>/escalate/", views.alert_escalate, name="alert_escalate"),
    path("alerts/<int:alert_id>/screenshot/", views.alert_screenshot, name="alert_screenshot"),
    path("alerts/<int:alert_id>/message/", views.message, name="message"),
    path("user-names/", views.usernames, name="usernames"),
    path("upload/", views.upload, name="upload"),
    path("mapping/", views.mapping, name="mapping"),
    path("mapping/trust/<int:template_id>/adopt/", views.severities_adopt, name="severities_adopt"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/<int:endpoint_id>/off/", views.webhook_revoke, name="webhook_revoke"),
    path("hook/<str:token>/", views.webhook_receive, name="webhook_receive"),
]
