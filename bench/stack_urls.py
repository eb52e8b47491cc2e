"""``bench.stack``'s URL configuration: the portal's URLs, and the stack and API layers' two (see ``bench.stack``).

Apart from the settings module so that the smoke test (``tests/bench/test_load_smoke.py``) serves them under the test
settings too."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def with_templates(templates: Sequence[Mapping[str, Any]], sources: Mapping[str, str]) -> list[dict[str, Any]]:
    """The portal's template engine (its options, context processors), finding the templates of ``sources`` (by
    name) first, the portal's directories and apps' next, cached as production caches templates."""
    engine = templates[0]
    return [
        {
            **{key: value for key, value in engine.items() if key != "APP_DIRS"},
            "OPTIONS": {
                **engine["OPTIONS"],
                "loaders": [
                    (
                        "django.template.loaders.cached.Loader",
                        [
                            ("django.template.loaders.locmem.Loader", dict(sources)),
                            "django.template.loaders.filesystem.Loader",
                            "django.template.loaders.app_directories.Loader",
                        ],
                    )
                ],
            },
        }
    ]


def _urls() -> list[Any]:
    from django.urls import include, path
    from rest_framework import serializers, status
    from rest_framework.request import Request
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from bench import bare
    from portal.security.idempotency import idempotent

    form_view = next(pattern for pattern in bare.urlpatterns if str(pattern.pattern) == "form/")

    class EditSerializer(serializers.Serializer[dict[str, Any]]):
        """The bare form's five fields, as DRF validates a JSON body."""

        item = serializers.IntegerField(min_value=1, max_value=bare.ROWS)
        name = serializers.CharField(max_length=50)
        post = serializers.CharField(max_length=100)
        note = serializers.CharField(max_length=200)
        arrived = serializers.DateField()

    class BareApi(APIView):
        """The bare form's save as an API write, with nothing of the portal's domain: every class DRF uses is the
        portal's default (``REST_FRAMEWORK``)."""

        @idempotent
        def post(self, request: Request) -> Response:
            writer = EditSerializer(data=request.data)
            writer.is_valid(raise_exception=True)
            data = writer.validated_data
            entry = bare.save(data)
            return Response({"id": entry, "item": data["item"]}, status=status.HTTP_201_CREATED)

    return [
        path("form/", form_view.callback),
        path("api/bare/", BareApi.as_view()),
        path("", include("portal.urls")),
    ]


def __getattr__(name: str) -> Any:
    """``urlpatterns`` is made on first use: importing this module needs no settings (``bench.stack`` does)."""
    if name == "urlpatterns":
        value = _urls()
        globals()[name] = value
        return value
    raise AttributeError(name)
