from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "medcode.changes"
    label = "changes"
    verbose_name = "What changed between releases"
