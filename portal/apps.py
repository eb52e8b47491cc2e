from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "平台基础"

    def ready(self) -> None:
        from portal import checks  # noqa: F401  (registers the project's own deploy checks)
