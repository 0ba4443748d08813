from django.apps import AppConfig


class FhirConfig(AppConfig):
    name = "medcode.fhir"
    label = "fhir"
    verbose_name = "FHIR R4 terminology service"
