from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "medcode.search"
    label = "search"
    verbose_name = "Search"
