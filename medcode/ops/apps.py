from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "medcode.ops"
    label = "ops"
    verbose_name = "Operations"
