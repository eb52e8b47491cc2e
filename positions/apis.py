"""/api/v1/positions/: published posts for everyone, staff posts within their scope; writes through the services.
/api/v1/post-proposals/: employers' post proposals to their district."""

from __future__ import annotations

from typing import Any, cast

import rules
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.calendar import TenDayPeriod
from portal.concurrency import if_match
from portal.errors import PermissionDenied, PortalError
from portal.models import Employer, User
from portal.security.idempotency import IDEMPOTENCY_KEY_PARAMETER, IDEMPOTENCY_RESPONSES, idempotent
from portal.web.api import VersionedRetrieveMixin, if_match_parameter, precondition_failed, with_etag
from positions import proposals, selectors, services
from positions.filters import PositionFilter
from positions.models import Position, PostProposal
from positions.serializers import (
    PositionMoveSerializer,
    PositionSerializer,
    PositionWriteSerializer,
    ProposalAdoptSerializer,
    ProposalReturnSerializer,
    ProposalSerializer,
    ProposalWriteSerializer,
)


class PositionViewSet(
    VersionedRetrieveMixin,
    mixins.ListModelMixin,
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

    @extend_schema(
        request=PositionWriteSerializer,
        parameters=[if_match_parameter("岗位")],
        responses={200: PositionSerializer, 412: precondition_failed("岗位")},
    )
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        position = self.get_object()
        if not rules.has_perm("positions.fill", request.user):
            raise PermissionDenied("只有区县经办人可以修改岗位。")
        seen = if_match(request.headers.get("If-Match"))
        writer = PositionWriteSerializer(data=request.data, partial=False)
        writer.is_valid(raise_exception=True)
        position = services.position_update(
            position=position,
            data=writer.to_data(),
            by=request.user,  # type: ignore[arg-type]
            opened_at=seen,
        )
        return with_etag(Response(PositionSerializer(position).data), position)

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


class ProposalAccess(BasePermission):
    """The proposals API is for employers (their own proposals) and district clerks (their district's)."""

    message = "只有用人单位和区县经办人可以使用岗位需求接口。"

    def has_permission(self, request: Request, view: APIView) -> bool:
        return rules.has_perm("positions.propose", request.user) or rules.has_perm(
            "positions.handle_proposals", request.user
        )


@extend_schema_view(
    list=extend_schema(
        summary="岗位需求列表",
        description="用人单位：本单位提出的全部岗位需求；区县经办人：本区县用人单位提出的岗位需求。"
        "采纳后附所建岗位的编号和状态。",
    ),
    retrieve=extend_schema(
        summary="岗位需求详情",
        description="用人单位可查看本单位的，区县经办人可查看本区县的岗位需求；其他单位或区县的返回404。",
    ),
)
class PostProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """/api/v1/post-proposals/: employers propose their own posts to their district; the district's clerk adopts
    them into the running 旬 (optionally with edits) or returns them. Another employer's or district's proposal is
    404. Rules: ``positions.proposals`` and ``positions.workflow.PROPOSAL_MOVES``."""

    serializer_class = ProposalSerializer
    permission_classes = [IsAuthenticated, ProposalAccess]

    def get_queryset(self) -> QuerySet[PostProposal]:
        user = cast(User, self.request.user)
        if rules.has_perm("positions.propose", user):
            return selectors.proposal_of_employer(user=user).order_by("-proposed_at", "-pk")
        return selectors.proposal_of_district(user=user).order_by("-proposed_at", "-pk")

    def _employer(self) -> Employer:
        user = cast(User, self.request.user)
        if not rules.has_perm("positions.propose", user):
            raise PermissionDenied("只有用人单位可以提出岗位需求。")
        return proposals.proposer_employer(user)

    @extend_schema(
        summary="提出岗位需求",
        description="用人单位按附件1填写本单位的一个岗位，提交给本单位所在区县（单位尚未登记所在区县时返回400）。"
        "同一岗位（渠道和岗位名称相同）正等待区县处理时不能重复提出。",
        request=ProposalWriteSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: ProposalSerializer, **IDEMPOTENCY_RESPONSES},
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        employer = self._employer()
        writer = ProposalWriteSerializer(data=request.data)
        writer.is_valid(raise_exception=True)
        proposal = proposals.proposal_create(data=writer.to_data(employer), by=cast(User, request.user))
        return Response(ProposalSerializer(proposal).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="修改后重新提出",
        description="用人单位修改被区县退回的岗位需求（整体替换附件1各项）并重新提出。",
        request=ProposalWriteSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={200: ProposalSerializer, **IDEMPOTENCY_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def repropose(self, request: Request, pk: str | None = None) -> Response:
        proposal = self.get_object()
        employer = self._employer()
        writer = ProposalWriteSerializer(data=request.data)
        writer.is_valid(raise_exception=True)
        proposal = proposals.proposal_repropose(
            proposal=proposal, data=writer.to_data(employer), by=cast(User, request.user)
        )
        return Response(ProposalSerializer(proposal).data)

    @extend_schema(
        summary="撤回岗位需求",
        description="用人单位撤回尚在等待区县处理（或已被退回）的岗位需求。",
        request=None,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={200: ProposalSerializer, **IDEMPOTENCY_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        proposal = proposals.proposal_withdraw(proposal=self.get_object(), by=cast(User, request.user))
        return Response(ProposalSerializer(proposal).data)

    @extend_schema(
        summary="采纳岗位需求",
        description="区县经办人把本区县用人单位提出的岗位需求采纳为本旬的岗位草稿（之后按常规提交初审）。"
        "请求中给出的附件1各项替换单位填写的内容，未给出的沿用；用人单位不能更换。同一需求只能采纳一次。",
        request=ProposalAdoptSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={200: ProposalSerializer, **IDEMPOTENCY_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def adopt(self, request: Request, pk: str | None = None) -> Response:
        proposal = self.get_object()
        edits = ProposalAdoptSerializer(data=request.data)
        edits.is_valid(raise_exception=True)
        proposals.proposal_adopt(
            proposal=proposal, data=edits.merged(proposals.proposal_data(proposal)), by=cast(User, request.user)
        )
        return Response(ProposalSerializer(self.get_queryset().get(pk=proposal.pk)).data)

    @extend_schema(
        summary="退回岗位需求",
        description="区县经办人写明原因退回岗位需求，用人单位可修改后重新提出。",
        request=ProposalReturnSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={200: ProposalSerializer, **IDEMPOTENCY_RESPONSES},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    @idempotent
    def send_back(self, request: Request, pk: str | None = None) -> Response:
        proposal = self.get_object()
        reader = ProposalReturnSerializer(data=request.data)
        reader.is_valid(raise_exception=True)
        proposal = proposals.proposal_return(
            proposal=proposal, reason=reader.validated_data["reason"], by=cast(User, request.user)
        )
        return Response(ProposalSerializer(proposal).data)
