from django.urls import path

from . import views, views_encompass

app_name = "duty"

urlpatterns = [
    path("rota/", views.rota, name="rota"),
    path("rota/pattern/", views.pattern, name="pattern"),
    path("rota/swap/", views.swap, name="swap"),
    path("rota/swaps/<int:swap_id>/cancel/", views.swap_cancel, name="swap_cancel"),
    path("rota/settings/", views.duty_settings, name="settings"),
    path("rota/settings/mobile/", views.mobile, name="mobile"),
    path("encompass/", views_encompass.index, name="encompass"),
    path("encompass/new/", views_encompass.new, name="encompass_new"),
    path("encompass/<int:notification_id>/", views_encompass.detail, name="encompass_detail"),
    path("encompass/<int:notification_id>/acknowledge/", views_encompass.acknowledge, name="encompass_acknowledge"),
    path("encompass/<int:notification_id>/ask/", views_encompass.ask, name="encompass_ask"),
    path("my-actions/", views_encompass.my_actions, name="my_actions"),
    path("my-actions/<int:action_id>/done/", views_encompass.action_done, name="action_done"),
]
