"""/api/v1/hires/, /api/v1/publicity/, /api/v1/objections/, /api/v1/declarations/, /api/v1/declaration-confirmations/:
the same selectors, services and predicates as the pages.

Thin: parse, call one service or selector, render. Every rule (who may record, move, publish, resolve; which hires a
user sees; what the public sees) is in ``referrals.services``, ``referrals.selectors`` and the rules predicates.
"""

from __future__ import annotations

from typing import Any, NoReturn, cast

import rules
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle
from rest_framework.views import APIView

from portal import permissions as p
from portal.errors import PermissionDenied, PortalError
from portal.models import User
from portal.security.privacy import personal_data_reveal
from portal.web.api import RecordViewSet
from portal.web.http import client_address
from portal.web.public_cache import public_data
from referrals import declarations, selectors, services
from referrals.filters import HireFilter, ObjectionFilter
from referrals.models import Declaration, DeclaredPerson, Hire, Objection, PublicityNotice
from referrals.serializers import (
    DeclarationDecisionSerializer,
    DeclarationSerializer,
    DeclarationWithdrawSerializer,
    DeclarationWriteSerializer,
    EmployerDeclaredPersonSerializer,
    HireExemptSerializer,
    HireMoveSerializer,
    HireSerializer,
    HireWriteSerializer,
    IdNumberSerializer,
    NoticePublishSerializer,
    NoticeSerializer,
    ObjectionLodgeSerializer,
    ObjectionReceiptSerializer,
    ObjectionResolveSerializer,
    ObjectionSerializer,
)
from referrals.views.public import OBJECTIONS_PER_HOUR


def _user(request: Request) -> User:
    return cast(User, request.user)


def _hires_in_scope(user: User, ids: list[int]) -> list[Hire]:
    """The hires named by ``ids``, all of them among those the user's office acts on (its district's, or the talent
    centre's without a district), or a refusal naming none of them."""
    wanted = set(ids)
    hires = list(Hire.objects.filter(p.office_scope(user), pk__in=wanted).order_by("pk"))
    if len(hires) != len(wanted):
        raise PortalError(
            "所选人员中有不存在或不属于您办理范围的人员，请刷新后重试。", "unknown_hires", field="hire_ids"
        )
    return hires


# --- hires --------------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="引进人才列表",
        description="按权限范围列出引进人才（附件3）：区县工作人员看本区县，市级工作人员看全部，用人单位看本单位，"
        "第三方看其推荐的人员。身份证号码一律脱敏（前6位 + ******** + 后4位）。",
    ),
    retrieve=extend_schema(summary="引进人才详情", description="权限范围外的人员返回404。身份证号码脱敏。"),
)
@extend_schema(tags=["引进人才"])
class HireViewSet(RecordViewSet):
    serializer_class = HireSerializer
    filterset_class = HireFilter
    permission_classes = [IsAuthenticated]

    def get_queryset(self) -> QuerySet[Hire]:
        return selectors.hire_visible(user=_user(self.request)).order_by("-created_at", "-pk")

    @extend_schema(
        summary="登记到岗人员",
        description="区县经办人为本区县已发布的岗位登记实际到岗人员（附件3必填项与选填项）。身份证号码校验失败或"
        "同一人同一专项同一年度重复登记时返回400（field 为 id_number），错误信息中不含身份证号码。",
        request=HireWriteSerializer,
        responses={201: HireSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = _user(request)
        if not rules.has_perm("referrals.record_hire", user):
            raise PermissionDenied("只有区县经办人可以登记到岗人员。")
        writer = HireWriteSerializer(data=request.data, context={"user": user})
        writer.is_valid(raise_exception=True)
        hire = services.hire_record(data=writer.to_data(), by=user)
        return self.reread(hire, status.HTTP_201_CREATED)

    @extend_schema(
        summary="引进人才流转",
        description="按流转表执行一步操作：audit（初审通过）、return（退回修改，须填原因）、resubmit（重新提交）。"
        "区县人员由本区县初审人办理，本区县经办人重新提交；无所属区县的人员（人才基地）由市人才交流服务中心办理，"
        "登记人和最后修改人本人不能初审或退回。",
        request=HireMoveSerializer,
        responses={200: HireSerializer},
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        hire = self.get_object()
        mover = HireMoveSerializer(data=request.data)
        mover.is_valid(raise_exception=True)
        hire = services.hire_move(
            hire=hire,
            action=mover.validated_data["action"],
            reason=mover.validated_data["reason"],
            by=_user(request),
        )
        return self.reread(hire)

    @extend_schema(
        summary="查看完整身份证号码",
        description="仅人员所在区县人力社保部门工作人员（无所属区县的人员：市人才交流服务中心）可查看；"
        "每次查看都记录查看人、时间、用途和来源地址。",
        request=None,
        responses={200: IdNumberSerializer, 403: OpenApiResponse(description="无权查看")},
    )
    @action(detail=True, methods=["post"])
    def reveal_id_number(self, request: Request, pk: str | None = None) -> Response:
        hire = self.get_object()
        user = _user(request)
        number = personal_data_reveal(
            obj=hire,
            field="id_number",
            by=user,
            allowed=rules.has_perm("referrals.reveal_id_number", user, hire),
            purpose="API 查看",
            remote_addr=client_address(request),
        )
        response = Response(IdNumberSerializer({"id_number": number}).data)
        response["Cache-Control"] = "no-store"
        return response


# --- publicity ----------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="公示列表",
        description="未登录用户只看到正在公示期内的公示；区县和市级工作人员另可看到其权限范围内的全部公示（含已结束的）。"
        "每条公示只列出公开信息：姓名、用人单位、岗位、学历、毕业院校、专业，不含身份证号码和联系电话。",
    ),
    retrieve=extend_schema(summary="公示详情", description="同列表的可见范围；范围外的公示返回404。"),
)
@extend_schema(tags=["公示"])
class PublicityViewSet(RecordViewSet):
    serializer_class = NoticeSerializer

    def get_permissions(self) -> list[BasePermission]:
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_queryset(self) -> QuerySet[PublicityNotice]:
        return selectors.notice_api_list(user=_user(self.request))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if request.user.is_authenticated:
            return super().list(request, *args, **kwargs)
        # The same page for every anonymous reader (throttled as usual): shared for a few seconds, never past the
        # moment a notice closes (portal.web.public_cache).
        data = public_data(
            f"api-notices:{request.build_absolute_uri()}",
            lambda: super(PublicityViewSet, self).list(request, *args, **kwargs).data,
            until=selectors.notice_public_next_change,
        )
        return Response(data)

    @extend_schema(
        summary="发布公示",
        description="本区县工作人员将初审通过的人员公示5个工作日（按国家法定节假日和调休安排计算）；"
        "无所属区县的人员由市人才交流服务中心公示。一次公示的人员须属同一区县（或同为无所属区县）。"
        "该年度节假日安排尚未录入时返回400（code 为 calendar_unknown）。",
        request=NoticePublishSerializer,
        responses={201: NoticeSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = _user(request)
        if not rules.has_perm("referrals.run_publicity", user):
            raise PermissionDenied("只有区县人力社保部门或市人才交流服务中心可以发布公示。")
        writer = NoticePublishSerializer(data=request.data)
        writer.is_valid(raise_exception=True)
        notice = services.notice_publish(
            hires=_hires_in_scope(user, writer.validated_data["hire_ids"]),
            published_on=writer.validated_data["published_on"],
            title=writer.validated_data["title"],
            by=user,
        )
        return self.reread(notice, status.HTTP_201_CREATED)

    @extend_schema(
        summary="按规定不公示",
        description="本区县初审人员（无所属区县的人员：市人才交流服务中心审核人员）将初审通过的人员按规定不予公示并直接确认，"
        "须选择不公示规则（经办人不能办理）。",
        request=HireExemptSerializer,
        responses={200: HireSerializer(many=True)},
    )
    # Not paginated: the answer is the hires just exempted, all of them (the schema must not promise a page).
    @action(detail=False, methods=["post"], pagination_class=None)
    def exempt(self, request: Request) -> Response:
        user = _user(request)
        if not rules.has_perm("referrals.exempt_from_publicity", user):
            raise PermissionDenied("只有区县初审人员或市人才交流服务中心可以办理按规定不公示。")
        writer = HireExemptSerializer(data=request.data)
        writer.is_valid(raise_exception=True)
        hires = services.hire_exempt(
            hires=_hires_in_scope(user, writer.validated_data["hire_ids"]),
            rule=writer.validated_data["exemption_rule"],
            note=writer.validated_data["note"],
            by=user,
        )
        rows = selectors.hire_visible(user=user).filter(pk__in=[hire.pk for hire in hires]).order_by("pk")
        return Response(HireSerializer(rows, many=True).data)


# --- objections ---------------------------------------------------------------------------------------------------


class ObjectionRateThrottle(SimpleRateThrottle):
    """The browser's limit on objections (``OBJECTIONS_PER_HOUR`` per address), for the API.

    Keyed by address for everyone, signed in or not, as in the browser. The rate is the browser's constant rather
    than a settings entry so the two cannot drift apart. The address is ``REMOTE_ADDR`` as in the browser, not DRF's
    default identity, which (with ``NUM_PROXIES`` unset) takes the client-supplied X-Forwarded-For header and would
    let anyone escape the limit by sending a new one each time."""

    scope = "objections"
    rate = f"{OBJECTIONS_PER_HOUR}/hour"

    def get_ident(self, request: Request) -> str:
        return client_address(request) or ""

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class IsStaff(BasePermission):
    message = "只有区县或市级人力社保部门工作人员可以查看异议。"

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(p.is_staff_role.test(request.user))


@extend_schema_view(
    list=extend_schema(
        summary="异议列表",
        description="区县工作人员看本区县人员的异议，市级工作人员看全部（只读）；含已处理的，可按状态筛选。"
        "异议人联系电话脱敏。",
    ),
    retrieve=extend_schema(summary="异议详情", description="权限范围外的异议返回404。"),
)
@extend_schema(tags=["异议"])
class ObjectionViewSet(RecordViewSet):
    serializer_class = ObjectionSerializer
    filterset_class = ObjectionFilter

    def get_permissions(self) -> list[BasePermission]:
        if self.action == "create":
            return [AllowAny()]
        return [IsAuthenticated(), IsStaff()]

    def get_throttles(self) -> list[BaseThrottle]:
        throttles = super().get_throttles()
        if self.action == "create":
            throttles.append(ObjectionRateThrottle())
        return throttles

    def throttled(self, request: Request, wait: float) -> NoReturn:
        if self.action == "create":
            raise Throttled(wait, detail="提交过于频繁，请一小时后再试。")
        super().throttled(request, wait)

    def get_queryset(self) -> QuerySet[Objection]:
        return selectors.objection_visible(user=_user(self.request))

    @extend_schema(
        summary="提出异议",
        description="任何人（无需登录）可在公示期内对公示中的人员实名提出异议：姓名、联系电话和异议的事实与理由。"
        f"同一来源地址每小时最多提交{OBJECTIONS_PER_HOUR}次。返回回执编号。",
        request=ObjectionLodgeSerializer,
        responses={201: ObjectionReceiptSerializer, 429: OpenApiResponse(description="提交过于频繁")},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        writer = ObjectionLodgeSerializer(data=request.data)
        writer.is_valid(raise_exception=True)
        # Only people on a notice the public can see now; anything else gets the same answer, so the endpoint
        # does not tell whether a hire id exists.
        hire = selectors.hire_on_public_notice(pk=writer.validated_data["hire"])
        if hire is None:
            raise PortalError("该人员不在公示期内，不能提出异议。", "not_in_publicity", field="hire")
        objection = services.objection_lodge(
            hire=hire,
            name=writer.validated_data["name"],
            phone=writer.validated_data["phone"],
            statement=writer.validated_data["statement"],
        )
        return Response(ObjectionReceiptSerializer(objection).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="处理异议",
        description="被异议人员所在区县的工作人员处理异议：成立（该人员公示不通过）或不成立，须填写处理意见。"
        "无所属区县的人员由市人才交流服务中心处理；对区县人员的异议，市级工作人员只读。",
        request=ObjectionResolveSerializer,
        responses={200: ObjectionSerializer},
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str | None = None) -> Response:
        objection = self.get_object()
        writer = ObjectionResolveSerializer(data=request.data)
        writer.is_valid(raise_exception=True)
        objection = services.objection_resolve(
            objection=objection,
            upheld=writer.validated_data["upheld"],
            reason=writer.validated_data["reason"],
            by=_user(request),
        )
        return self.reread(objection)


# --- declarations by third parties --------------------------------------------------------------------------------


class IsThirdParty(BasePermission):
    message = "只有第三方（荐才机构或个人）可以申报推荐引进的人员。"

    def has_permission(self, request: Request, view: APIView) -> bool:
        return rules.has_perm("referrals.declare_introductions", request.user)


class IsEmployer(BasePermission):
    message = "只有用人单位可以确认第三方申报的人员。"

    def has_permission(self, request: Request, view: APIView) -> bool:
        return rules.has_perm("referrals.confirm_as_employer", request.user)


@extend_schema_view(
    list=extend_schema(
        summary="我的推荐申报",
        description="第三方列出本机构申报的推荐引进人员（按申报分组），每人含申报状态、用人单位确认结果，确认后转入"
        "区县审核的引进人才记录及其办理阶段（hire_stage），已申报补助的含补助申报编号。身份证号码脱敏。",
    ),
    retrieve=extend_schema(summary="推荐申报详情", description="其他第三方的申报返回404。"),
)
@extend_schema(tags=["第三方推荐申报"])
class DeclarationViewSet(RecordViewSet):
    serializer_class = DeclarationSerializer
    permission_classes = [IsAuthenticated, IsThirdParty]

    def get_queryset(self) -> QuerySet[Declaration]:
        return selectors.declarations_of(user=_user(self.request))

    @extend_schema(
        summary="申报推荐引进的人员",
        description="已核验的第三方申报其推荐、已到岗的人员（附件3字段）：用人单位须有统一社会信用代码或所在区县；"
        "岗位为该单位在平台岗位表中的岗位（position），或不在其中时填写岗位名称和渠道。全部人员一并申报，任何一人"
        "有误时不申报任何人员（400，信息指明第几位人员）。同一第三方重复申报同一人员、或该人员已由用人单位确认为"
        "其他第三方推荐的，返回400。",
        request=DeclarationWriteSerializer,
        responses={201: DeclarationSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = _user(request)
        writer = DeclarationWriteSerializer(data=request.data)
        writer.is_valid(raise_exception=True)
        declaration = declarations.declaration_submit(post=writer.to_post(), people=writer.to_people(), by=user)
        return self.reread(declaration, status.HTTP_201_CREATED)

    @extend_schema(
        summary="撤回申报人员",
        description="撤回本申报中尚待用人单位确认的一名人员。",
        request=DeclarationWithdrawSerializer,
        responses={200: DeclarationSerializer},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        declaration = self.get_object()
        reader = DeclarationWithdrawSerializer(data=request.data)
        reader.is_valid(raise_exception=True)
        person = get_object_or_404(declaration.people.all(), pk=reader.validated_data["person"])
        declarations.declared_person_withdraw(person=person, by=_user(request))
        return self.reread(declaration)


@extend_schema_view(
    list=extend_schema(
        summary="第三方申报待确认",
        description="用人单位列出第三方申报到本单位的人员：默认只列待确认的，all=1 列出全部。competing 为其他第三方对"
        "同一人员的待确认或已确认申报数（大于0即多家申报，只能确认其中一家）。身份证号码脱敏。",
        parameters=[OpenApiParameter("all", OpenApiTypes.BOOL, description="列出全部申报（含已处理的）")],
    ),
    retrieve=extend_schema(summary="申报人员详情", description="其他单位的申报人员返回404。"),
)
@extend_schema(tags=["第三方推荐申报"])
class DeclarationConfirmationViewSet(RecordViewSet):
    serializer_class = EmployerDeclaredPersonSerializer
    permission_classes = [IsAuthenticated, IsEmployer]

    def get_queryset(self) -> QuerySet[DeclaredPerson]:
        pending_only = self.action == "list" and self.request.query_params.get("all") not in {"1", "true"}
        return selectors.employer_declared_people(user=_user(self.request), pending_only=pending_only)

    @extend_schema(
        summary="确认申报人员",
        description="用人单位确认该人员系由申报的第三方推荐引进、已实际到岗（附件3确认）：人员转入单位所在区县"
        "（无区县的转入市人才交流服务中心）待初审；区县已登记该人员的，第三方记入该记录。同一人员其他第三方的"
        "待确认申报自动不予确认。",
        request=None,
        responses={200: EmployerDeclaredPersonSerializer},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str | None = None) -> Response:
        person = declarations.declared_person_decide(person=self.get_object(), confirmed=True, by=_user(request))
        return self.reread(person)

    @extend_schema(
        summary="不予确认申报人员",
        description="用人单位不予确认，须填写原因；原因通知申报的第三方。",
        request=DeclarationDecisionSerializer,
        responses={200: EmployerDeclaredPersonSerializer},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str | None = None) -> Response:
        reader = DeclarationDecisionSerializer(data=request.data)
        reader.is_valid(raise_exception=True)
        person = declarations.declared_person_decide(
            person=self.get_object(), confirmed=False, by=_user(request), reason=reader.validated_data["reason"]
        )
        return self.reread(person)
