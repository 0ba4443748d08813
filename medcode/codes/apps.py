from django.apps import AppConfig


class CodesConfig(AppConfig):
    name = "medcode.codes"
    label = "codes"
    verbose_name = "Code sets and releases"
