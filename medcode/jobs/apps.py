from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "medcode.jobs"
    label = "jobs"
    verbose_name = "CareerCenter"
