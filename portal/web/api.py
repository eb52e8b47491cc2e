"""The DRF side of the one business error: ``PortalError`` → a 400/403 with a Chinese message and a code."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Model
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.fields import Field
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import exception_handler as drf_exception_handler

from portal.concurrency import etag
from portal.errors import ChangedSinceOpened, PermissionDenied, PortalError

#: The largest primary key (``BigAutoField``). Ids a client sends are bounded by it: a larger one would reach the
#: database as an out-of-range integer (SQLite raises OverflowError on ``IN (...)``) and answer 500, not 400.
RECORD_ID_MAX = 2**63 - 1


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, PortalError):
        code: int
        if isinstance(exc, PermissionDenied):
            code = status.HTTP_403_FORBIDDEN
        elif isinstance(exc, ChangedSinceOpened):  # an If-Match the row no longer matches
            code = status.HTTP_412_PRECONDITION_FAILED
        else:
            code = status.HTTP_400_BAD_REQUEST
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=code)
    if isinstance(exc, Http404):
        # DRF would pass on Django's English "No Hire matches the given query.", which also names the model: a record
        # out of the caller's scope reads as DRF's own 「未找到。」, like one that does not exist.
        exc = NotFound()
    return drf_exception_handler(exc, context)


def if_match_parameter(what: str) -> OpenApiParameter:
    """The ``If-Match`` request header of a PUT that replaces a whole record (``portal.concurrency``)."""
    return OpenApiParameter(
        "If-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description=f"读取{what}时响应头 ETag 的原值：{what}此后被修改过（其他窗口或其他人），则不覆盖，返回412。"
        "不带此请求头（或为 *）则不作比较。",
    )


def precondition_failed(what: str) -> OpenApiResponse:
    return OpenApiResponse(description=f"{what}在读取后已被修改（If-Match 与当前 ETag 不符），未保存")


def with_etag(response: Response, row: Any) -> Response:
    """``response`` carrying ``row``'s version (its ``updated_at``) as its ``ETag``, for a later ``If-Match``."""
    response["ETag"] = etag(row.updated_at)
    return response


class VersionedRetrieveMixin(GenericAPIView):
    """A detail GET that answers the record's version in ``ETag`` (``portal.concurrency``)."""

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row = self.get_object()
        return with_etag(Response(self.get_serializer(row).data), row)


class RereadMixin(GenericAPIView):
    """Answers a write with the row re-read through the viewset's own queryset (its selector), serialised as the
    list and detail serialise it: the response carries the same joins and annotations as a later GET."""

    def reread(self, obj: Model, code: int = status.HTTP_200_OK) -> Response:
        serializer_class = self.get_serializer_class()
        return Response(serializer_class(self.get_queryset().get(pk=obj.pk)).data, status=code)


class RecordViewSet(RereadMixin, viewsets.ReadOnlyModelViewSet):
    """A kind of record's list and detail through its selector; its writes are actions that answer with the row
    re-read (``reread``) and go through the domain's services, never DRF's generic create/update."""


#: Each ``FieldsBuiltOnce`` serializer class's fields as ``get_fields`` first built them.
_BUILT_FIELDS: dict[type, dict[str, Field[Any, Any, Any, Any]]] = {}

#: What a serializer keeps of its own use (its bound fields, its data and errors): never copied to another.
_IN_USE = ("fields", "_data", "_errors", "_validated_data")
#: Where a field holds a field of its own, bound to it by its constructor (a list's child, a many-relation's).
_INNER = ("child", "child_relation")


def copy_unbound(field: Field[Any, Any, Any, Any]) -> Field[Any, Any, Any, Any]:
    """A copy of a field not yet bound to a serializer, equal to what ``copy.deepcopy`` makes of it. DRF's deep copy
    runs the field's constructor again on deep copies of its arguments; this copies the state the constructor left
    instead (the same values: a field's constructor depends on its arguments only, and a field's state is only read
    after it, until ``bind`` sets the name and parent of the copy). A field held inside (a ``ListSerializer``'s or a
    ``ListField``'s child, a ``ManyRelatedField``'s ``child_relation``) is copied in turn and bound to the copy, as
    the constructor binds it."""
    clone = object.__new__(type(field))
    state = {name: value for name, value in field.__dict__.items() if name not in _IN_USE}
    for name in _INNER:
        inner = state.get(name)
        if isinstance(inner, Field):
            inner = copy_unbound(inner)
            # Its name and source stay those the constructor's ``bind`` gave it (""); its parent is the copy.
            inner.parent = cast("BaseSerializer[Any]", clone)
            state[name] = inner
    clone.__dict__.update(state)
    return clone


class FieldsBuiltOnce:
    """For a serializer: its fields are worked out once per class, not on every instantiation. DRF's ``get_fields``
    deep-copies the declared fields and (``ModelSerializer``) reads the model's options and builds each field's
    arguments (labels, validators, choices) every time a serializer is made — and a claim's reply makes one for
    the claim, its lines, their hires, its scans and its history. Each instance still gets fields of its own:
    copies of the first ones (``copy_unbound``). Only for serializers whose fields do not depend on the instance,
    its data or its context (``Meta`` and declared fields only: no override of ``get_fields`` or its helpers)."""

    def get_fields(self) -> dict[str, Field[Any, Any, Any, Any]]:
        built = _BUILT_FIELDS.get(type(self))
        if built is None:
            built = _BUILT_FIELDS[type(self)] = super().get_fields()  # type: ignore[misc]
        return {name: copy_unbound(field) for name, field in built.items()}
