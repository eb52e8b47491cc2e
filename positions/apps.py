from django.apps import AppConfig


class PositionsConfig(AppConfig):
    name = "positions"
    verbose_name = "岗位"

    def ready(self) -> None:
        from positions import permissions, queues  # noqa: F401  (registers the positions.* permissions)

        queues.register()
