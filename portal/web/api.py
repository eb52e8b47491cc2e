"""The DRF side of the one business error: ``PortalError`` → a 400/403 with a Chinese message and a code."""

from __future__ import annotations

import copy
from typing import Any

from django.db.models import Model
from django.http import Http404
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.fields import Field
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.errors import PermissionDenied, PortalError

#: The largest primary key (``BigAutoField``). Ids a client sends are bounded by it: a larger one would reach the
#: database as an out-of-range integer (SQLite raises OverflowError on ``IN (...)``) and answer 500, not 400.
RECORD_ID_MAX = 2**63 - 1


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, PortalError):
        code = status.HTTP_403_FORBIDDEN if isinstance(exc, PermissionDenied) else status.HTTP_400_BAD_REQUEST
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=code)
    if isinstance(exc, Http404):
        # DRF would pass on Django's English "No Hire matches the given query.", which also names the model: a record
        # out of the caller's scope reads as DRF's own 「未找到。」, like one that does not exist.
        exc = NotFound()
    return drf_exception_handler(exc, context)


class RereadMixin(GenericAPIView):
    """Answers a write with the row re-read through the viewset's own queryset (its selector), serialised as the
    list and detail serialise it: the response carries the same joins and annotations as a later GET."""

    def reread(self, obj: Model, code: int = status.HTTP_200_OK) -> Response:
        serializer_class = self.get_serializer_class()
        return Response(serializer_class(self.get_queryset().get(pk=obj.pk)).data, status=code)


class RecordViewSet(RereadMixin, viewsets.ReadOnlyModelViewSet):
    """A kind of record's list and detail through its selector; its writes are actions that answer with the row
    re-read (``reread``) and go through the domain's services, never DRF's generic create/update."""


#: Each ``FieldsBuiltOnce`` serializer class's fields as ``ModelSerializer.get_fields`` first built them.
_BUILT_FIELDS: dict[type, dict[str, Field[Any, Any, Any, Any]]] = {}


class FieldsBuiltOnce:
    """For a ``ModelSerializer``: its fields are worked out from the model once per class, not on every
    instantiation. DRF's ``get_fields`` reads the model's options and builds each field's arguments (labels,
    validators, choices) every time a serializer is made — and a claim's reply makes one for the claim, its lines,
    their hires, its scans and its history. Each instance still gets fields of its own: deep copies of the first
    ones, as DRF itself copies the declared fields. Only for serializers whose fields do not depend on the instance,
    its data or its context (``Meta`` and declared fields only: no override of ``get_fields`` or its helpers)."""

    def get_fields(self) -> dict[str, Field[Any, Any, Any, Any]]:
        built = _BUILT_FIELDS.get(type(self))
        if built is None:
            built = _BUILT_FIELDS[type(self)] = super().get_fields()  # type: ignore[misc]
        return copy.deepcopy(built)
