from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("", views.schedule, name="schedule"),
    path("trust/<int:template_id>/adopt/", views.adopt, name="adopt"),
]
