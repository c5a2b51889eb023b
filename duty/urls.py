from django.urls import path

from . import views

app_name = "duty"

urlpatterns = [
    path("rota/", views.rota, name="rota"),
    path("rota/pattern/", views.pattern, name="pattern"),
    path("rota/swap/", views.swap, name="swap"),
    path("rota/swaps/<int:swap_id>/cancel/", views.swap_cancel, name="swap_cancel"),
    path("rota/settings/", views.duty_settings, name="settings"),
    path("rota/settings/mobile/", views.mobile, name="mobile"),
]
