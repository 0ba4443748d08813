from django.apps import AppConfig


class ConsultConfig(AppConfig):
    name = "medcode.consult"
    label = "consult"
    verbose_name = "CaseConsultant"

    def ready(self) -> None:
        from medcode.consult import webhook

        webhook.connect()
