from django.urls import path

from medcode.assistant import views

app_name = "assistant"

urlpatterns = [
    path("", views.pilot_page, name="pilot"),
    path("ask/", views.ask, name="ask"),
    path("stream/<str:ticket>/", views.stream, name="stream"),
    path("kb/<slug:slug>/", views.knowledge_entry, name="knowledge"),
]
