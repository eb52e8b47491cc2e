"""Demo data for `make run` and `make dev`: the core makes the accounts (``manage.py seed_demo``); each app that has
records to show registers a step here in its ``AppConfig.ready()``, and the steps run in their order, in the
command's transaction, through the apps' real services."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from portal.models import Employer, ThirdParty, User


@dataclass(frozen=True)
class DemoWorld:
    """What the demo accounts made: the demo employer, the verified demo agency and the demo users."""

    employer: Employer
    agency: ThirdParty
    users: Iterable[User]
    by_username: dict[str, User] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_username", {user.username: user for user in self.users})


#: A step adds its app's demo records (idempotent: a second run adds nothing) and returns notes for the operator.
DemoStep = Callable[[DemoWorld], list[str]]

_steps: dict[DemoStep, int] = {}


def register_demo_step(step: DemoStep, *, order: int) -> None:
    _steps[step] = order


def demo_steps() -> list[DemoStep]:
    return sorted(_steps, key=_steps.__getitem__)
