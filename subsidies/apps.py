from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "subsidies"
    verbose_name = "引才补助"

    def ready(self) -> None:
        from referrals.selectors import register_follow_extension
        from subsidies import (
            permissions,  # noqa: F401  (registers the subsidies.* permissions)
            queues,
            retention,
            selectors,
        )

        register_follow_extension(selectors.with_live_claim)

        queues.register()
        retention.register()
