from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "subsidies"
    verbose_name = "引才补助"

    def ready(self) -> None:
        from subsidies import (
            permissions,  # noqa: F401  (registers the subsidies.* permissions)
            queues,
            retention,
        )

        queues.register()
        retention.register()
