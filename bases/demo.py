"""The demo base list of `make run` and `make dev`, registered with the core's demo data (``portal.demo``): the
example sheet of the 2023 first batch (``fixtures/bases_2023_first_batch.xlsx``, fictitious credit codes with valid
check characters) imported through the real importer, so the bases have their credit codes and districts."""

from __future__ import annotations

from django.conf import settings

from bases.importing import import_bases
from portal.constants import Role
from portal.demo import DemoWorld, register_demo_step

EXAMPLE_SHEET = settings.BASE_DIR / "fixtures" / "bases_2023_first_batch.xlsx"


def seed_bases(world: DemoWorld) -> list[str]:
    """Import the example base list (idempotent: a second run finds every row unchanged)."""
    admin = next(user for user in world.users if user.role == Role.ADMIN)
    result = import_bases(file=EXAMPLE_SHEET, by=admin)
    if not (result.created or result.updated):
        return []
    return [f"人才基地：导入示例名单，新增基地{result.created}家，更新单位信息{result.updated}家。"]


def register() -> None:
    # Before the posts and hires (order 10, 20): the bases' employers are on record when they are seeded.
    register_demo_step(seed_bases, order=5)
