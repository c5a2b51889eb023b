from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("", views.schedule, name="schedule"),
    path("trust/<int:template_id>/adopt/", views.adopt, name="adopt"),
    path("holds/", views.holds, name="holds"),
    path("holds/new/", views.hold_place, name="hold_place"),
    path("holds/<int:hold_id>/lift/", views.hold_lift, name="hold_lift"),
    path("disposal/", views.batches, name="batches"),
    path("disposal/<int:batch_id>/", views.batch, name="batch"),
    path("disposal/<int:batch_id>/approve/", views.batch_approve, name="batch_approve"),
    path("disposal/<int:batch_id>/items/<int:item_id>/remove/", views.item_remove, name="item_remove"),
]
