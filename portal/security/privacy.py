"""Showing a person's data whole: allowed by a predicate, recorded every time (``PersonalDataAccess``)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
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
