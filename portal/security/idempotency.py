"""``Idempotency-Key`` for API writes: a retried request gets the stored reply instead of acting twice.

A client that cannot tell whether its write arrived (a timeout, a dropped connection) sends it again with the same
``Idempotency-Key`` header. The first successful (2xx) reply to a key is stored for ``KEY_LIFETIME`` with a
fingerprint of the request (method, path, body; uploaded files by their content); the same user sending the same
key and the same request again gets that reply back (status and body, header ``Idempotent-Replayed: true``) and
nothing is done again. The same key with a different request is refused (422). A request without the header works
as before.

Use it on a DRF handler, innermost (below ``@action`` and ``@extend_schema``)::

    @extend_schema(parameters=[IDEMPOTENCY_KEY_PARAMETER], responses={201: ..., **IDEMPOTENCY_RESPONSES})
    @action(detail=True, methods=["post"])
    @idempotent
    def submit(self, request, pk=None): ...

Concurrency: the key's row is inserted before the handler runs, in one transaction with the handler's own writes,
and kept only if the reply is a success. A second request with the same key arriving while the first is under way
waits on the unique index until the first commits (then gets its reply) or rolls back (then acts itself): a key
never acts twice, even when both copies of a request arrive at once.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from portal.errors import PortalError
from portal.models import User
from portal.models.idempotency import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 64
KEY_LIFETIME = datetime.timedelta(hours=24)

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=f"可选的幂等键（1–{MAX_KEY_LENGTH}个可见ASCII字符，建议使用UUID）。网络超时等情况下用同一个键重发"
    "完全相同的请求，将返回第一次成功处理时的响应（状态码和内容，响应头 Idempotent-Replayed: true），不会重复办理；"
    "同一个键用于不同的请求返回422。成功的响应保存24小时；处理失败的请求不保存，可用同一个键重试。",
)
IDEMPOTENCY_RESPONSES = {
    422: OpenApiResponse(description="该 Idempotency-Key 已用于另一个不同的请求"),
}

V = TypeVar("V")
P = ParamSpec("P")


def _canonical(value: Any) -> Any:
    """The request body as plain JSON values; an uploaded file by the SHA-256 of its content."""
    if isinstance(value, File):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        # ``chunks()`` leaves the file at its end; the handler reads it from the start.
        value.seek(0)
        return f"sha256:{digest.hexdigest()}"
    if hasattr(value, "lists"):  # a QueryDict (form or multipart body): every value of every field
        return {key: [_canonical(item) for item in items] for key, items in value.lists()}
    if isinstance(value, dict):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    return value


def request_fingerprint(request: Request) -> str:
    """What makes two requests "the same": method, path with query, and the body's content (not its bytes: key
    order and whitespace of JSON, and a multipart boundary, do not count)."""
    body = json.dumps(_canonical(request.data), sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
    return hashlib.sha256(f"{request.method}\n{request.get_full_path()}\n{body}".encode()).hexdigest()


def _key(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not 1 <= len(key) <= MAX_KEY_LENGTH or not all("!" <= char <= "~" for char in key):
        raise PortalError(
            f"{HEADER} 须为1至{MAX_KEY_LENGTH}个可见ASCII字符（建议使用UUID）。", "idempotency_key_invalid"
        )
    return key


def _replay(stored: IdempotencyKey, fingerprint: str) -> Response:
    if stored.fingerprint != fingerprint:
        return Response(
            {
                "detail": f"该 {HEADER} 已用于另一个不同的请求（{stored.method} {stored.path}）。"
                "同一个键只能用于重试完全相同的请求；新的请求请使用新的键。",
                "code": "idempotency_key_reused",
            },
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    return Response(json.loads(stored.body), status=stored.status_code, headers={REPLAYED_HEADER: "true"})


def _stored(user: User, key: str) -> IdempotencyKey | None:
    """The user's live record of ``key``; one past its lifetime is deleted here, so that the key may act again."""
    stored = IdempotencyKey.objects.filter(user=user, key=key).first()
    if stored is not None and stored.created_at < timezone.now() - KEY_LIFETIME:
        stored.delete()
        return None
    return stored


def purge_expired_keys() -> int:
    """Daily housekeeping (``portal.tasks.purge_idempotency_keys``): every record past its lifetime. A request finds
    its own expired key without this (``_stored``); the purge keeps the table to a day of replies."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - KEY_LIFETIME).delete()
    return deleted


def _claim_key(user: User, key: str, request: Request, fingerprint: str) -> IdempotencyKey | None:
    """Insert the user's record of ``key`` for this request (its reply still to come), or None where a record of the
    key is already there (committed, or inserted by a request still under way: then this waits until that one
    commits or rolls back). Inserted at once, not looked up first: a new key, the usual case, costs one statement."""
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(
                user=user,
                key=key,
                method=request.method or "",
                path=request.get_full_path()[:255],
                fingerprint=fingerprint,
                status_code=0,
                body="",
            )
    except IntegrityError:
        return None


def idempotent(
    handler: Callable[Concatenate[V, Request, P], Response],
) -> Callable[Concatenate[V, Request, P], Response]:
    """Make a DRF write handler honour ``Idempotency-Key`` (see the module's docstring)."""

    @functools.wraps(handler)
    def wrapper(view: V, request: Request, *args: P.args, **kwargs: P.kwargs) -> Response:
        key = _key(request)
        user = request.user
        if key is None or not isinstance(user, User):
            return handler(view, request, *args, **kwargs)
        fingerprint = request_fingerprint(request)
        with transaction.atomic():
            # Inserted first: a concurrent request with this key waits here until ours commits or rolls back.
            record = _claim_key(user, key, request, fingerprint)
            if record is None:
                # The key has a record: a live one is replayed; one past its lifetime is deleted (``_stored``) and
                # the key acts again.
                stored = _stored(user, key)
                if stored is not None:
                    return _replay(stored, fingerprint)
                record = _claim_key(user, key, request, fingerprint)
            if record is None:
                # Another request with this key committed in between: its reply is ours.
                stored = _stored(user, key)
                if stored is None:  # pragma: no cover - expired or purged in between; the client may retry
                    raise PortalError("相同的请求刚刚处理完毕，请稍后查询办理结果。", "idempotency_key_busy")
                return _replay(stored, fingerprint)
            response = handler(view, request, *args, **kwargs)
            if status.is_success(response.status_code):
                record.status_code = response.status_code
                record.body = json.dumps(response.data, ensure_ascii=False, cls=DjangoJSONEncoder)
                record.save(update_fields=["status_code", "body"])
            else:
                # Only successes are kept: a refused request leaves the key free, so the same request may be sent
                # again once its cause is fixed (e.g. the missing attachment uploaded).
                record.delete()
            return response

    return wrapper
