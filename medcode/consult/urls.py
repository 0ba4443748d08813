from django.urls import path

from medcode.consult import views, webhook

app_name = "consult"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("inbound/mailgun/", webhook.mailgun_inbound, name="inbound_mailgun"),
    path("queue/", views.review_queue, name="queue"),
    path("queue/<int:inquiry_id>/", views.review_item, name="review"),
    path("queue/<int:inquiry_id>/approve/", views.approve, name="approve"),
    path("queue/<int:inquiry_id>/reject/", views.reject, name="reject"),
]
