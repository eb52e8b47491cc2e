"""/api/v1/claims/: subsidy claims (Annex 2) for third parties' machine clients and for the city's reviewers.

The same services, selectors and predicates as the pages: a third party creates, edits, submits and withdraws its
own claims and reads only those (another's claim is 404 on every URL, never 403); the talent centre (first review)
and the bureau (re-review, payment) read every claim and work their queues. Every rule (who may move a claim where,
caps, one live claim per hire, separation of duties) is in ``subsidies.services`` and ``subsidies.workflow``.
What each viewer sees of personal data is decided in ``subsidies.serializers``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, NoReturn, cast

import rules
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, UserRateThrottle
from rest_framework.views import APIView

from portal import permissions as p
from portal.concurrency import if_match
from portal.errors import PermissionDenied, PortalError
from portal.models import User
from portal.security.idempotency import IDEMPOTENCY_KEY_PARAMETER, IDEMPOTENCY_RESPONSES, idempotent
from portal.web.api import VersionedRetrieveMixin, if_match_parameter, precondition_failed, with_etag
from referrals.models import Hire
from referrals.selectors import hire_scope
from subsidies import selectors, services
from subsidies.attachments import MAX_ATTACHMENT_BYTES, attachment_add
from subsidies.constants import ClaimAction
from subsidies.filters import ClaimFilter
from subsidies.models import Claim, ClaimItem
from subsidies.serializers import (
    AttachmentUploadSerializer,
    ClaimableHireSerializer,
    ClaimAttachmentSerializer,
    ClaimDetailSerializer,
    ClaimPaySerializer,
    ClaimReviewSerializer,
    ClaimSerializer,
    ClaimWithdrawSerializer,
    ClaimWriteSerializer,
    is_reviewer,
)

#: Who may open which reviewer's queue (``?queue=``): the talent centre the first review, the bureau the rest.
QUEUE_PERMISSIONS = {
    "first": "subsidies.review_first",
    "second": "subsidies.review_second",
    "payment": "subsidies.record_payment",
}
NOT_A_CLAIMANT = "只有荐才机构或个人可以申报引才补助。"


def _user(request: Request) -> User:
    return cast(User, request.user)


class ClaimAccess(BasePermission):
    """The claims API is for third parties and the city's two reviewing offices; district staff, employers and
    others are told so (403) rather than shown an empty list."""

    message = "只有荐才机构（个人）和市人才交流服务中心、市人力社保局审核人员可以使用引才补助申报接口。"

    def has_permission(self, request: Request, view: APIView) -> bool:
        return rules.has_perm("subsidies.claim", request.user) or rules.has_perm("subsidies.review", request.user)


class ClaimWriteThrottle(UserRateThrottle):
    """Third parties' writes on /claims/ per account, at the ``claims`` rate (``DEFAULT_THROTTLE_RATES``): the guard
    against a machine client in a loop. Reads, and the reviewers' decisions, count only towards the user rate."""

    scope = "claims"

    def allow_request(self, request: Request, view: APIView) -> bool:
        if request.method in SAFE_METHODS or not p.is_third_party.test(request.user):
            return True
        return super().allow_request(request, view)


def _hires_of_claimant(user: User, ids: list[int]) -> dict[int, Hire]:
    """The hires named by ``ids`` among those the third party introduced, or one refusal naming the ids only: who
    the other hires are, and whose, is none of this claimant's business (nor whether an id exists at all)."""
    wanted = set(ids)
    hires = Hire.objects.filter(hire_scope(user), pk__in=wanted).in_bulk()
    missing = sorted(wanted - set(hires))
    if missing:
        raise PortalError(
            f"人员ID {'、'.join(map(str, missing))} 不存在或不是由本机构（个人）推荐引进的人员，不能申报。",
            "not_introduced_by_claimant",
            field="lines",
        )
    return hires


def _caps(hires: list[Hire]) -> dict[int, Decimal | None]:
    """Each hire's cap (``services.hire_cap``), looked up once per channel, arrival day and confirmation day: the
    inputs of the cap, so hires of one batch share one lookup. None where no single cap is in force on the hire's
    date (the claim would be refused saying so)."""
    found: dict[tuple[object, ...], Decimal | None] = {}
    caps: dict[int, Decimal | None] = {}
    for hire in hires:
        confirmed_on = hire.confirmed_at and timezone.localdate(hire.confirmed_at)
        inputs = (hire.channel, hire.arrived_on, confirmed_on)
        if inputs not in found:
            try:
                found[inputs] = services.hire_cap(hire).amount
            except PortalError:
                found[inputs] = None
        caps[hire.pk] = found[inputs]
    return caps


@extend_schema_view(
    list=extend_schema(
        summary="引才补助申报列表",
        description="荐才机构（个人）只看到本机构（个人）的申报；市人才交流服务中心和市人力社保局看到全部申报。"
        "可按状态、用人单位筛选。审核人员用 `queue` 查看待办队列，按到达该环节的时间先后排列（等待最久的在前）："
        "first（待初审，市人才中心）、second（待复核，市人社局）、payment（已核定待发放，市人社局）。"
        "身份证号码一律脱敏；联系电话除申报人本人外脱敏；银行账号在列表中除申报人本人外脱敏。",
        parameters=[
            OpenApiParameter(
                "queue",
                OpenApiTypes.STR,
                enum=list(QUEUE_PERMISSIONS),
                description="审核待办队列：first（待初审）、second（待复核）、payment（待发放）",
            )
        ],
    ),
    retrieve=extend_schema(
        summary="引才补助申报详情",
        description="含申报人员（岗位、渠道、补助上限、申请与核定金额）、申报材料和办理记录；审核人员另可看到每名人员的"
        "公示情况（公示编号与日期、异议数及处理结果）和用人单位确认情况。银行账号对申报人本人和审核人员完整显示"
        "（初审核对签章的附件2，复核后据以发放），联系电话除申报人本人外脱敏。其他机构的申报一律返回404。",
    ),
)
@extend_schema(tags=["引才补助申报"])
class ClaimViewSet(VersionedRetrieveMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ClaimSerializer
    filterset_class = ClaimFilter
    permission_classes = [IsAuthenticated, ClaimAccess]
    # JSON bodies (the lines are a list of objects); the upload of a scan is multipart (its own parsers).
    parser_classes = [JSONParser]
    http_method_names = ["get", "post", "put", "head", "options"]

    def get_throttles(self) -> list[BaseThrottle]:
        return [*super().get_throttles(), ClaimWriteThrottle()]

    def throttled(self, request: Request, wait: float) -> NoReturn:
        raise Throttled(wait, detail="引才补助申报操作过于频繁，请稍后再试。")

    def _queue(self) -> str | None:
        step = self.request.query_params.get("queue") or None
        if step is None:
            return None
        if step not in QUEUE_PERMISSIONS:
            raise PortalError("queue 只能是 first（待初审）、second（待复核）或 payment（待发放）。", "unknown_queue")
        if not rules.has_perm(QUEUE_PERMISSIONS[step], self.request.user):
            raise PermissionDenied("您无权查看该审核队列。")
        return step

    def _detail_queryset(self) -> QuerySet[Claim]:
        user = _user(self.request)
        if not is_reviewer.test(user):
            # The claimant's shape: no publicity record on the lines (ClaimLineDetailSerializer).
            return selectors.claim_detail(user=user, with_publicity=False)
        # The reviewers' lines also carry each hire's objections: one more query, not one per line.
        return selectors.claim_detail(user=user).prefetch_related("items__hire__objections")

    def get_queryset(self) -> QuerySet[Claim]:
        user = _user(self.request)
        if self.action == "list":
            step = self._queue()
            if step is not None:
                return selectors.review_queue(user=user, step=step)
            return selectors.claim_visible(user=user).prefetch_related(
                Prefetch("items", queryset=ClaimItem.objects.select_related("hire"))
            )
        if self.action == "retrieve":
            return self._detail_queryset()
        # A write: only whether the claim is the user's to act on (404 if not), so only its id is read; the service
        # locks and reads the row itself.
        return Claim.objects.filter(selectors.claim_scope(user)).only("pk")

    def filter_queryset(self, queryset: QuerySet[Any, Any]) -> QuerySet[Any, Any]:
        # The filters (``ClaimFilter``: ?status=, ?employer=) narrow what is read; a write finds its claim by its id
        # in the user's scope (``get_queryset``) alone, without building the filter form for it.
        if self.request.method not in SAFE_METHODS:
            return queryset
        return super().filter_queryset(queryset)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "user": self.request.user, "detail": self.action != "list"}

    def get_serializer_class(self) -> type[ClaimSerializer]:
        return ClaimSerializer if self.action == "list" else ClaimDetailSerializer

    def _render(self, claim: Claim, code: int = status.HTTP_200_OK) -> Response:
        """A write's reply: the claim as a GET of it answers (same shape, fields and masking). The claimant's own
        writes answer from the rows the service wrote and read in its transaction, reading only what it did not
        (``selectors.claim_detail_in_hand``); the reviewers' re-read the claim through the detail's queryset."""
        rows = services.rows_in_hand(claim)
        if rows is not None and not is_reviewer.test(_user(self.request)):
            shown = selectors.claim_detail_in_hand(claim, rows)
        else:
            shown = self._detail_queryset().get(pk=claim.pk)
        return Response(ClaimDetailSerializer(shown, context=self.get_serializer_context()).data, status=code)

    def _claimant(self) -> User:
        user = _user(self.request)
        if not rules.has_perm("subsidies.claim", user):
            raise PermissionDenied(NOT_A_CLAIMANT)
        return user

    # --- the third party ------------------------------------------------------------------------------------------

    @extend_schema(
        summary="新建申报（保存草稿）",
        description="荐才机构（个人）为同一用人单位的、本机构推荐引进且已经公示确认和用人单位确认的人员申报引才补助。"
        "每人的申请金额不超过其渠道在其入职日的补助上限（揭榜招贤30000元、引才专项4000元，以管理员维护的为准），"
        "超出时返回400并说明上限；同一人员只能在一份有效申报中。保存后即占用所选人员。"
        "状态、金额合计、核定金额、审核人等字段不接受客户端输入（请求中带有时忽略）。账号须经市人才中心核验。",
        request=ClaimWriteSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: ClaimDetailSerializer, **IDEMPOTENCY_RESPONSES},
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = self._claimant()
        writer = ClaimWriteSerializer(data=request.data)
        writer.is_valid(raise_exception=True)
        claim = services.claim_create(data=writer.to_data(_hires_of_claimant(user, writer.hire_ids())), by=user)
        return self._render(claim, status.HTTP_201_CREATED)

    @extend_schema(
        summary="修改申报",
        description="修改草稿或被退回修改的申报（整体替换申报人员和金额）；用人单位不能更改。规则同新建。",
        request=ClaimWriteSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER, if_match_parameter("申报")],
        responses={200: ClaimDetailSerializer, 412: precondition_failed("申报"), **IDEMPOTENCY_RESPONSES},
    )
    @idempotent
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = self._claimant()
        claim = self.get_object()
        seen = if_match(request.headers.get("If-Match"))
        writer = ClaimWriteSerializer(data=request.data)
        writer.is_valid(raise_exception=True)
        data = writer.to_data(_hires_of_claimant(user, writer.hire_ids()))
        claim = services.claim_update(claim=claim, data=data, by=user, opened_at=seen)
        return with_etag(self._render(claim), claim)

    @extend_schema(
        summary="提交申报",
        description="重新核对每名人员的条件和金额，须已勾选三项承诺并上传签字盖章的附件2和附件3扫描件。"
        "提交时记录申报人当时的开户银行和银行账号。",
        request=None,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={200: ClaimDetailSerializer, **IDEMPOTENCY_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def submit(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        return self._render(services.claim_submit(claim=claim, by=_user(request)))

    @extend_schema(
        summary="撤回申报",
        description="申报人撤回草稿、待初审或退回修改的申报；所选人员随即释放，可重新申报。",
        request=ClaimWithdrawSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={200: ClaimDetailSerializer, **IDEMPOTENCY_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        reader = ClaimWithdrawSerializer(data=request.data)
        reader.is_valid(raise_exception=True)
        claim = services.claim_withdraw(claim=claim, by=_user(request), reason=reader.validated_data["reason"])
        return self._render(claim)

    @extend_schema(
        summary="上传申报材料",
        description="multipart/form-data：kind（annex2 附件2 / annex3 附件3 / other 其他）和 file。"
        f"只接受PDF、JPG、PNG（按文件内容判断），最大{MAX_ATTACHMENT_BYTES // (1024 * 1024)}MB；"
        "新的附件2或附件3替换原有的。仅草稿或退回修改的申报可上传。",
        request={"multipart/form-data": AttachmentUploadSerializer},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={201: ClaimAttachmentSerializer, **IDEMPOTENCY_RESPONSES},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    @idempotent
    def attachments(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        reader = AttachmentUploadSerializer(data=request.data)
        reader.is_valid(raise_exception=True)
        upload = reader.validated_data["file"]
        attachment = attachment_add(
            claim=claim, kind=reader.validated_data["kind"], upload=upload, filename=upload.name, by=_user(request)
        )
        return Response(ClaimAttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="可申报的引进人才",
        description="本机构（个人）推荐引进、已经公示确认（或按规定不公示）并经用人单位确认、且不在任何有效申报中的人员，"
        "附其渠道在其入职日的补助上限。身份证号码脱敏。",
        responses={200: ClaimableHireSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], url_path="claimable-hires", filter_backends=[])
    def claimable_hires(self, request: Request) -> Response:
        hires = selectors.claimable_hires(user=self._claimant())
        page = self.paginate_queryset(hires)
        rows = list(hires) if page is None else page
        context = {"caps": _caps(rows)}
        data = ClaimableHireSerializer(rows, many=True, context=context).data
        return Response(data) if page is None else self.get_paginated_response(data)

    # --- the reviewers --------------------------------------------------------------------------------------------

    @extend_schema(
        summary="审核申报",
        description="初审（市人才交流服务中心）：first_pass 通过、first_return 退回修改、first_reject 不予支持；"
        "复核（市人力社保局，须与初审不是同一人）：approve 核定、second_return 退回修改、second_reject 不予支持。"
        "每项操作须填写审核意见。approve 时按申报人员条目逐人核定金额（不超过申请金额，可为0）："
        '`approved: {"<lines[].id>": "25000.00"}`。',
        request=ClaimReviewSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={200: ClaimDetailSerializer, **IDEMPOTENCY_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def review(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        reader = ClaimReviewSerializer(data=request.data)
        reader.is_valid(raise_exception=True)
        decision = reader.validated_data["action"]
        claim = services.claim_review(
            claim=claim,
            action=decision,
            opinion=reader.validated_data["opinion"],
            by=_user(request),
            approved=reader.approved_by_line() if decision == ClaimAction.APPROVE else None,
        )
        return self._render(claim)

    @extend_schema(
        summary="登记发放",
        description="市人力社保局登记已核定申报的发放日期和支付凭证号。发放日期不晚于今天、不早于复核核定日期。",
        request=ClaimPaySerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        responses={
            200: ClaimDetailSerializer,
            403: OpenApiResponse(description="无权登记发放"),
            **IDEMPOTENCY_RESPONSES,
        },
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def pay(self, request: Request, pk: str | None = None) -> Response:
        claim = self.get_object()
        reader = ClaimPaySerializer(data=request.data)
        reader.is_valid(raise_exception=True)
        claim = services.claim_pay(
            claim=claim,
            paid_on=reader.validated_data["paid_on"],
            reference=reader.validated_data["payment_reference"],
            by=_user(request),
        )
        return self._render(claim)
