from django.urls import path

from medcode.accounts import plans, views

app_name = "accounts"

urlpatterns = [
    path("", views.account_page, name="home"),
    path("keys/", views.create_api_key, name="create_key"),
    path("keys/<int:key_id>/revoke/", views.revoke_api_key, name="revoke_key"),
    path("delete/", views.delete_account, name="delete"),
    path("plans/", plans.plans_page, name="plans"),
]
