from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "平台基础"

    def ready(self) -> None:
        from portal import checks, queues  # noqa: F401  (checks registers the project's own deploy checks)

        queues.register()
