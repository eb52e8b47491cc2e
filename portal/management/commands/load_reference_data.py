"""Load the reference fixtures in dependency order. Safe to run again: fixtures use natural or fixed keys."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

REFERENCE_FIXTURES = (
    "fixtures/districts.json",
    "fixtures/policies.json",
    "fixtures/caps_targets.json",
    "fixtures/bases.json",
)


class Command(BaseCommand):
    help = "载入参考数据：区县、政策指南、补助上限与年度目标、人才基地。"

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("loaddata", *REFERENCE_FIXTURES, verbosity=options["verbosity"])
