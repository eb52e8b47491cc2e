from django.apps import AppConfig


class BasesConfig(AppConfig):
    name = "bases"
    verbose_name = "人才基地"

    def ready(self) -> None:
        from bases import (
            demo,
            import_jobs,
            permissions,  # noqa: F401  (registers the bases.* permissions)
            queues,
        )

        import_jobs.register()
        queues.register()
        demo.register()
