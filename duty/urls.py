from django.urls import path

from . import views, views_ai, views_encompass

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
    path("ai-tools/", views_ai.index, name="ai_tools"),
    path("ai-tools/add/", views_ai.add, name="ai_tool_add"),
    path("ai-tools/<int:tool_id>/", views_ai.detail, name="ai_tool"),
    path("ai-tools/<int:tool_id>/assess/", views_ai.assess, name="ai_tool_assess"),
    path("ai-tools/<int:tool_id>/decide/", views_ai.decide, name="ai_tool_decide"),
]
