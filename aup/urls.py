from django.urls import path

from . import views

app_name = "aup"

urlpatterns = [
    path("", views.index, name="index"),
]
