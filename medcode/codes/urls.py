from django.urls import path

from medcode.codes import views
from medcode.codes.page import locality as locality_choice

app_name = "codes"

urlpatterns = [
    path("", views.code_index, name="index"),
    path("locality/", locality_choice.save_locality, name="locality"),
    path("<str:code>/", views.code_detail, name="detail"),
    path("<str:code>/ncci/", views.ncci_partners, name="ncci"),
]
