from django.urls import path

from . import views

app_name = "sar"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("new/subject/", views.subject_search, name="subject_search"),
    path("<int:request_id>/", views.detail, name="detail"),
    path("<int:request_id>/extend/", views.extend, name="extend"),
    path("<int:request_id>/pack/", views.review_pack, name="pack"),
    path("<int:request_id>/pack/mark/", views.mark, name="mark"),
    path("<int:request_id>/pack/withdraw/", views.withdraw, name="withdraw"),
    path("<int:request_id>/disclosure/", views.build, name="build"),
    path("<int:request_id>/disclosure/<int:disclosure_id>/", views.disclosure_pdf, name="disclosure_pdf"),
    path("<int:request_id>/disclosure/<int:disclosure_id>/status/", views.disclosure_status, name="disclosure_status"),
    path("<int:request_id>/sent/", views.sent, name="sent"),
]
