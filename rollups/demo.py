"""The demo roll-up of `make run` and `make dev`, registered with the core's demo data (``portal.demo``)."""

from __future__ import annotations

from portal.calendar import TenDayPeriod
from portal.demo import DemoWorld, register_demo_step
from rollups.tenday import rollup_run


def roll_up_last_period(world: DemoWorld) -> list[str]:
    """The last closed 旬 rolled up, so 旬汇总 has something to show before beat's next run."""
    rollup_run(period=TenDayPeriod.last_closed())
    return []


def register() -> None:
    # After every domain app's demo records.
    register_demo_step(roll_up_last_period, order=90)
