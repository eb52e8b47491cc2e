"""Showing a person's data whole: allowed by a predicate, recorded every time (``PersonalDataAccess``)."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model

from portal.errors import PermissionDenied
from portal.models import PersonalDataAccess, User


def personal_data_reveal(
    *, obj: Model, field: str, by: User, allowed: bool, purpose: str, remote_addr: str | None = None
) -> str:
    """Return ``obj.<field>`` whole and record who saw it, when, why and from where.

    ``allowed`` is the caller's permission check (an object-level rules predicate); refusing here as well means no
    view can forget it."""
    if not allowed:
        raise PermissionDenied("您无权查看完整的个人信息。")
    PersonalDataAccess.objects.create(
        user=by,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        field=field,
        purpose=purpose[:200],
        remote_addr=remote_addr or None,
    )
    return str(getattr(obj, field))


def personal_data_printed(
    *, objs: Sequence[Model], field: str, by: User, allowed: bool, purpose: str, remote_addr: str | None = None
) -> list[PersonalDataAccess]:
    """Record that a document printed ``<field>`` whole for each of ``objs`` (one row per person), handed to ``by``.

    The caller renders the document first and hands it out only once this returned: all the rows are written or none
    (one transaction), so no document with whole numbers leaves the portal unrecorded. ``allowed`` is the caller's
    permission check, as in ``personal_data_reveal``."""
    if not allowed:
        raise PermissionDenied("您无权查看完整的个人信息。")
    if not objs:
        return []
    rows = [
        PersonalDataAccess(
            user=by,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
            field=field,
            purpose=purpose[:200],
            remote_addr=remote_addr or None,
        )
        for obj in objs
    ]
    with transaction.atomic():
        return PersonalDataAccess.objects.bulk_create(rows)
