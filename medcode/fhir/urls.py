from django.urls import re_path

from medcode.fhir import views

app_name = "fhir"

urlpatterns = [re_path(r"^(?P<path>.*)$", views.endpoint, name="endpoint")]
