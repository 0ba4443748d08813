from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "medcode.accounts"
    label = "accounts"
    verbose_name = "Accounts, plans and usage"
