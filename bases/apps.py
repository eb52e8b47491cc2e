from django.apps import AppConfig


class BasesConfig(AppConfig):
    name = "bases"
    verbose_name = "人才基地"
