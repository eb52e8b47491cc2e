"""/api/v1/positions/: published posts for everyone, staff posts within their scope; writes through the services."""

from __future__ import annotations

from typing import Any, cast

import rules
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response

from portal.calendar import TenDayPeriod
from portal.errors import PermissionDenied, PortalError
from portal.models import User
from positions import selectors, services
from positions.filters import PositionFilter
from positions.models import Position
from positions.serializers import PositionMoveSerializer, PositionSerializer, PositionWriteSerializer


class PositionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PositionSerializer
    filterset_class = PositionFilter
    permission_classes = [IsAuthenticatedOrReadOnly]
    http_method_names = ["get", "post", "put", "head", "options"]

    def get_queryset(self) -> QuerySet[Position]:
        return selectors.position_api_list(user=self.request.user).order_by("-pk")  # type: ignore[arg-type]

    @extend_schema(request=PositionWriteSerializer, responses={201: PositionSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = cast(User, request.user)
        # Who may fill comes before what was filled: no one else learns how the request would have been checked.
        if not rules.has_perm("positions.fill", user) or user.district is None:
            raise PermissionDenied("只有区县经办人可以填报岗位。")
        writer = PositionWriteSerializer(data=request.data)
        writer.is_valid(raise_exception=True)
        try:
            period = TenDayPeriod.parse(writer.validated_data.get("period") or str(TenDayPeriod.current()))
        except ValueError as error:
            raise PortalError(str(error), "invalid_period", field="period") from None
        position = services.position_create(
            data=writer.to_data(),
            district=user.district,
            period=period,
            by=user,
        )
        return Response(PositionSerializer(position).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PositionWriteSerializer, responses={200: PositionSerializer})
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        position = self.get_object()
        if not rules.has_perm("positions.fill", request.user):
            raise PermissionDenied("只有区县经办人可以修改岗位。")
        writer = PositionWriteSerializer(data=request.data, partial=False)
        writer.is_valid(raise_exception=True)
        position = services.position_update(position=position, data=writer.to_data(), by=request.user)  # type: ignore[arg-type]
        return Response(PositionSerializer(position).data)

    @extend_schema(request=PositionMoveSerializer, responses={200: PositionSerializer})
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """One move of the workflow table (submit, approve, district_return, aggregate, city_return, publish, close_*)."""
        position = self.get_object()
        mover = PositionMoveSerializer(data=request.data)
        mover.is_valid(raise_exception=True)
        position = services.position_move(
            position=position,
            action=mover.validated_data["action"],
            reason=mover.validated_data["reason"],
            by=request.user,  # type: ignore[arg-type]
        )
        return Response(PositionSerializer(position).data)
