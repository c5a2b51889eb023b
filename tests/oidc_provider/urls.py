from django.contrib.auth import views as auth_views
from django.urls import include, path

from .state import state_view

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("test/state/", state_view, name="state"),  # only with the token the test fixture starts it with
]
