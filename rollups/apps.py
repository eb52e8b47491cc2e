from django.apps import AppConfig


class RollupsConfig(AppConfig):
    """The figures read across the domain apps: the 旬 roll-ups, the dashboard and the year-end evaluation."""

    name = "rollups"
    verbose_name = "汇总与评估"

    def ready(self) -> None:
        from rollups import demo

        demo.register()
