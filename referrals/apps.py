from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "引进人才与公示"

    def ready(self) -> None:
        from referrals import (
            demo,
            import_jobs,
            permissions,  # noqa: F401  (registers the referrals.* permissions)
            queues,
            retention,
        )

        queues.register()
        import_jobs.register()
        demo.register()
        retention.register()
