from django.urls import path

from . import views

app_name = "filtering"

urlpatterns = [
    path("", views.index, name="index"),
]
