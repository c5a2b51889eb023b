from django.urls import path

from . import views

app_name = "standards"

urlpatterns = [
    path("", views.trust_overview, name="trust"),
    path("<str:kind>/", views.trust_kind, name="trust_kind"),
    path("<str:kind>/publish/", views.publish, name="publish"),
]
