from django.apps import AppConfig


class PositionsConfig(AppConfig):
    name = "positions"
    verbose_name = "岗位"

    def ready(self) -> None:
        from positions import (
            demo,
            import_jobs,
            permissions,  # noqa: F401  (registers the positions.* permissions)
            queues,
        )

        queues.register()
        import_jobs.register()
        demo.register()
