"""Load the reference fixtures in dependency order. Safe to run again: fixtures use natural or fixed keys.

The districts are written field by field (by their code), not through ``loaddata``: loaddata saves whole rows, and
would blank the objection contacts an admin has entered on a district since (the fixture leaves them empty)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from portal.models import District

DISTRICTS_FIXTURE = "fixtures/districts.json"
REFERENCE_FIXTURES = (
    "fixtures/policies.json",
    "fixtures/caps_targets.json",
    "fixtures/bases.json",
)


class Command(BaseCommand):
    help = "载入参考数据：区县、政策指南、补助上限与年度目标、人才基地。"

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            load_districts()
            call_command("loaddata", *REFERENCE_FIXTURES, verbosity=options["verbosity"])


def load_districts() -> None:
    """The 41 districts' code, name, kind and order from the fixture; nothing else of an existing district changes."""
    records = json.loads((Path(settings.BASE_DIR) / DISTRICTS_FIXTURE).read_text(encoding="utf-8"))
    for record in records:
        fields = dict(record["fields"])
        District.objects.update_or_create(code=fields.pop("code"), defaults=fields)
