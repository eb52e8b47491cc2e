"""Load the reference fixtures in dependency order. Safe to run again: fixtures use natural or fixed keys.

The districts are written field by field (by their code), not through ``loaddata``: loaddata saves whole rows, and
would blank the objection contacts an admin has entered on a district since (the fixture leaves them empty). For the
same reason an employer the base list names is written only when it does not exist yet: the notice gives only its
name, and the credit code and district an admin has entered since must survive a reload."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Model

from portal.models import District, Employer

DISTRICTS_FIXTURE = "fixtures/districts.json"
REFERENCE_FIXTURES = (
    "fixtures/policies.json",
    "fixtures/caps_targets.json",
)
#: Loaded record by record, keeping existing employers as they are.
BASES_FIXTURE = "fixtures/bases.json"


class Command(BaseCommand):
    help = "载入参考数据：区县、政策指南、补助上限与年度目标、人才基地。"

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            load_districts()
            call_command("loaddata", *REFERENCE_FIXTURES, verbosity=options["verbosity"])
            load_keeping_employers(BASES_FIXTURE)


def load_districts() -> None:
    """The 41 districts' code, name, kind and order from the fixture; nothing else of an existing district changes."""
    records = json.loads((Path(settings.BASE_DIR) / DISTRICTS_FIXTURE).read_text(encoding="utf-8"))
    for record in records:
        fields = dict(record["fields"])
        District.objects.update_or_create(code=fields.pop("code"), defaults=fields)


def load_keeping_employers(fixture: str) -> None:
    """Every record of ``fixture`` saved as ``loaddata`` would, except an employer that already exists (by name):
    that one is left as it stands. Records are saved in the file's order, so later ones find the employers by name."""
    data = (Path(settings.BASE_DIR) / fixture).read_text(encoding="utf-8")
    saved: set[type[Model]] = set()
    for record in serializers.deserialize("json", data):
        instance = record.object
        if isinstance(instance, Employer) and Employer.objects.filter(name=instance.name).exists():
            continue
        record.save()
        saved.add(type(instance))
    # Records with fixed primary keys: move the sequences past them, as loaddata does (PostgreSQL; no-op on SQLite).
    statements = connection.ops.sequence_reset_sql(no_style(), sorted(saved, key=lambda model: model._meta.label))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
