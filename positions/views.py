"""Pages of Annex 1: the public list, the district's 旬 batch, the city's roll-up. Thin: parse, call a service
or selector, render; every rule lives in ``positions.services`` and ``positions.workflow``."""

from __future__ import annotations

from collections import Counter
from typing import Any, cast

import rules
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.calendar import TenDayPeriod
from portal.constants import ImportJobKind
from portal.errors import PortalError
from portal.imports.pages import SheetImportView
from portal.imports.uploads import PendingUpload
from portal.models import District, Employer, User
from portal.web.decorators import permission_required
from portal.web.http import period_from, redirect_back, request_user
from portal.web.moves import MoveView
from portal.web.public_cache import public_page
from portal.workbooks import xlsx_response
from portal.workflow import moves_open
from positions import selectors, services
from positions.constants import BatchStatus, PositionStatus
from positions.exporting import export_positions_workbook, position_template_workbook
from positions.filters import PositionFilter
from positions.forms import PositionForm, PositionImportForm
from positions.importing import ImportPreview, ImportResult, import_positions, preview_positions
from positions.models import Position
from positions.workflow import EDITABLE, MOVES

PAGE_SIZE = 20
#: An export is a working document, not a dump: beyond this the user narrows the filter.
EXPORT_MAX_ROWS = 20_000


# ---- Public ---------------------------------------------------------------


@require_GET
@public_page()
def public_list(request: HttpRequest) -> HttpResponse:
    filtered = PositionFilter(request.GET, queryset=selectors.position_public_list())
    form = filtered.form
    found = filtered.qs if filtered.is_valid() else selectors.position_public_list()
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "positions/public_list.html", {"form": form, "page": page, "query": query.urlencode()})


@require_GET
def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    position = get_object_or_404(selectors.position_public_detail_queryset(), pk=pk)
    user = request_user(request)
    closes = [MOVES[action] for action in ("close_filled", "close_withdrawn") if MOVES[action].who.test(user, position)]
    return render(request, "positions/public_detail.html", {"position": position, "closes": closes})


# ---- Staff search ---------------------------------------------------------


@permission_required("positions.search")
@require_GET
def manage_list(request: HttpRequest) -> HttpResponse:
    """Every post the user may see behind the login, filtered by 旬, district, channel, status, education, employer."""
    visible = selectors.position_visible(user=request_user(request)).order_by(
        "-batch__period", "district__order", "-pk"
    )
    filtered = PositionFilter(request.GET, queryset=visible)
    found = filtered.qs if filtered.is_valid() else visible.none()
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "positions/manage_list.html", {"form": filtered.form, "page": page, "query": query.urlencode()}
    )


# ---- District -------------------------------------------------------------


@permission_required("positions.view_district_batch")
@require_GET
def district_batch(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    period = period_from(request)
    batch = services.batch_ensure(district=user.district, period=period)  # type: ignore[arg-type]
    rows = list(selectors.batch_positions(batch=batch)) if batch else []
    return render(
        request,
        "positions/district_batch.html",
        {
            "period": period,
            "previous": period.previous(),
            "next": period.next(),
            "batch": batch,
            "batch_open": batch is not None and batch.status == BatchStatus.OPEN,
            "can_send": batch is not None and period <= TenDayPeriod.current(),
            "outlook": selectors.BatchOutlook.of(position.status for position in rows),
            "rows": rows,
            "elsewhere": _queues_elsewhere(request, rows),
            **_desk(request),
        },
    )


def _queues_elsewhere(request: HttpRequest, rows: list[Position]) -> list[tuple[str, str, int]]:
    """The district's queues with posts in other 旬 than the one on screen (carried over, returned by the city,
    left in a 旬 never sent): (title, link, how many elsewhere), so the page never hides waiting work."""
    user = request_user(request)
    mine = selectors.CLERK_QUEUES if rules.has_perm("positions.fill", user) else selectors.REVIEWER_QUEUES
    totals = selectors.position_queue_counts(user=user, statuses=mine)
    here = Counter(position.status for position in rows)
    return [
        (
            QUEUE_TITLES[status],
            reverse("positions:district_queue", kwargs={"status": status}),
            totals[status] - here[status],
        )
        for status in mine
        if totals[status] > here[status]
    ]


def _desk(request: HttpRequest) -> dict[str, Any]:
    """What the district's pages of posts show per role: the clerk's and the reviewer's buttons."""
    user = request_user(request)
    return {
        "is_clerk": rules.has_perm("positions.fill", user),
        "is_reviewer": rules.has_perm("positions.review_district", user),
        "editable": EDITABLE,
        "here": request.get_full_path(),
    }


#: The district's work queues, as the workspace names them.
QUEUE_TITLES: dict[str, str] = {
    PositionStatus.RETURNED: "被退回的岗位",
    PositionStatus.DRAFT: "未提交的草稿",
    PositionStatus.SUBMITTED: "待初审的岗位",
    PositionStatus.APPROVED: "待报送的岗位",
}


@permission_required("positions.view_district_batch")
@require_GET
def district_queue(request: HttpRequest, status: str) -> HttpResponse:
    """One work queue of the district, across 旬: every post in ``status``, grouped by the 旬 it will be sent in,
    each 旬 with its send button for the reviewer."""
    if status not in QUEUE_TITLES:
        raise Http404
    rows = list(selectors.position_district_queue(user=request_user(request), status=status))
    batches = {position.batch_id: position.batch for position in rows}
    outlooks = selectors.batch_outlooks(batches=batches.values())
    groups = [
        {
            "batch": batch,
            "period": batch.ten_day_period,
            "rows": [position for position in rows if position.batch_id == batch.pk],
            "outlook": outlooks[batch.pk],
            "batch_open": batch.status == BatchStatus.OPEN,
            "can_send": batch.ten_day_period <= TenDayPeriod.current(),
        }
        for batch in batches.values()
    ]
    return render(
        request,
        "positions/district_queue.html",
        {"status": status, "title": QUEUE_TITLES[status], "groups": groups, "count": len(rows), **_desk(request)},
    )


@permission_required("positions.search")
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Every Annex 1 field of a post behind the login, whatever its state, with the moves the viewer may make:
    a reviewer reads the whole post before approving, returning or publishing it."""
    user = request_user(request)
    position = get_object_or_404(selectors.position_visible(user=user), pk=pk)
    back = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return render(
        request,
        "positions/detail.html",
        {
            "position": position,
            "moves": moves_open(MOVES, obj=position, user=user),
            "can_edit": rules.has_perm("positions.fill", user) and position.status in EDITABLE,
            "back": back,
            "next": back or request.get_full_path(),
            "here": request.get_full_path(),
        },
    )


def _create_employer(form: PositionForm) -> Employer:
    # Inside the caller's transaction: a post refused by the service leaves no orphan employer behind.
    return Employer.objects.create(
        name=form.cleaned_data["new_employer_name"],
        credit_code=form.cleaned_data["new_employer_credit_code"],
        district=form.district,
    )


def _show_error(request: HttpRequest, form: PositionForm, error: PortalError) -> None:
    if error.field and error.field in form.fields:
        form.add_error(error.field, error.message)
    else:
        form.add_error(None, error.message)


@permission_required("positions.fill")
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    district = user.district
    assert district is not None  # a clerk always has a district (portal.models.User constraint)
    initial: dict[str, Any] = {}
    copy_of = request.GET.get("copy", "")
    if copy_of.isdigit():
        source = get_object_or_404(selectors.position_visible(user=user), pk=int(copy_of))
        initial = PositionForm.initial_from(source)
    form = PositionForm(request.POST or None, initial=initial, district=district)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                employer = form.cleaned_data["employer"] or _create_employer(form)
                position = services.position_create(
                    data=form.position_data(employer), district=district, period=TenDayPeriod.current(), by=user
                )
        except PortalError as error:
            _show_error(request, form, error)
        else:
            messages.success(request, f"已保存草稿：{position.name}。确认无误后请“提交初审”。")
            return redirect("positions:district_batch")
    return render(request, "positions/form.html", {"form": form, "position": None, "copy_of": copy_of})


@permission_required("positions.fill")
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    position = get_object_or_404(selectors.position_editable(user=user), pk=pk)
    if position.status not in EDITABLE:
        messages.error(request, f"岗位当前状态为“{position.get_status_display()}”，不能修改。")
        return redirect(f"{reverse('positions:district_batch')}?period={position.batch.period}")
    form = PositionForm(request.POST or None, initial=PositionForm.editing(position), district=position.district)
    if request.method == "POST" and form.is_valid():
        opened_at = form.cleaned_data["opened_at"]  # the post as this page showed it: saved since, it is refused
        try:
            if form.cleaned_data["employer"] is not None:
                services.position_update(
                    position=position,
                    data=form.position_data(form.cleaned_data["employer"]),
                    by=user,
                    opened_at=opened_at,
                )
            else:
                with transaction.atomic():  # the new employer and the post saved together, or neither
                    services.position_update(
                        position=position, data=form.position_data(_create_employer(form)), by=user, opened_at=opened_at
                    )
        except PortalError as error:
            _show_error(request, form, error)
        else:
            messages.success(request, f"已保存修改：{form.cleaned_data['name']}。")
            return redirect(f"{reverse('positions:district_batch')}?period={position.batch.period}")
    return render(request, "positions/form.html", {"form": form, "position": position, "copy_of": ""})


# ---- Moves (district, city and bureau alike) --------------------------------


class PositionMoveView(MoveView):
    moves = MOVES
    default_url = "positions:district_batch"

    def visible(self, user: User) -> QuerySet[Position]:
        return selectors.position_visible(user=user)

    def make_move(self, obj: Position, *, action: str, by: User, reason: str) -> None:
        services.position_move(position=obj, action=action, by=by, reason=reason)


move = permission_required("positions.move")(PositionMoveView.as_view())


@permission_required("positions.move")
@require_POST
def move_many(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()]
    action = request.POST.get("action", "")
    chosen: list[Position] = list(selectors.position_visible(user=user).filter(pk__in=ids))
    if not chosen or len(chosen) != len(set(ids)):
        messages.error(request, "请先勾选要处理的岗位。" if not ids else "所选岗位中有您无权处理的岗位。")
        return redirect_back(request, reverse("positions:district_batch"))
    try:
        services.position_move_many(positions=chosen, action=action, by=user, reason=request.POST.get("reason", ""))
    except PortalError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已{MOVES[action].label}{len(chosen)}个岗位。")
    return redirect_back(request, reverse("positions:district_batch"))


@permission_required("positions.review_district")
@require_POST
def batch_send(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    batch = get_object_or_404(selectors.batch_visible(user=user), pk=pk)
    carried = selectors.batch_outlooks(batches=[batch])[batch.pk].carried
    try:
        batch = services.batch_send(batch=batch, by=user)
    except PortalError as error:
        messages.error(request, error.message)
    else:
        label = batch.ten_day_period.label
        if batch.is_zero_report:
            done = f"已报送{label}零报告（本旬无初审通过的岗位）。"
        else:
            done = f"已报送{label}的岗位，共{batch.positions.count()}个。"
        if carried:
            done += (
                f"另有{carried}个未提交初审的岗位已转入之后的旬，经办人可在工作台“被退回的岗位”“未提交的草稿”中找到。"
            )
        messages.success(request, done)
    return redirect(f"{reverse('positions:district_batch')}?period={batch.period}")


# ---- City -----------------------------------------------------------------


@permission_required("positions.view_city_batches")
@require_GET
def city_batches(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    period = period_from(request)
    reports = selectors.city_district_reports(period=period)
    rows = list(selectors.city_positions())
    bulk_action = ""
    if rules.has_perm("positions.aggregate", user):
        bulk_action = "aggregate"
    elif rules.has_perm("positions.publish", user):
        bulk_action = "publish"
    source = PositionStatus.SENT if bulk_action == "aggregate" else PositionStatus.AGGREGATED
    return render(
        request,
        "positions/city_batches.html",
        {
            "period": period,
            "previous": period.previous(),
            "next": period.next(),
            "report_columns": [reports[start : start + 14] for start in range(0, len(reports), 14)],
            "counts": {
                "sent": sum(1 for report in reports if report.state == "sent"),
                "zero": sum(1 for report in reports if report.state == "zero"),
                "missing": sum(1 for report in reports if report.state == "missing"),
            },
            "rows": rows,
            "bulk_action": bulk_action,
            "bulk_move": MOVES.get(bulk_action),
            "bulk_ids": [position.pk for position in rows if position.status == source],
            "can_reopen": rules.has_perm("positions.reopen_batch", user),
            "here": request.get_full_path(),
        },
    )


@permission_required("positions.reopen_batch")
@require_POST
def batch_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    batch = get_object_or_404(selectors.batch_visible(user=user), pk=pk)
    try:
        services.batch_reopen(batch=batch, by=user, reason=request.POST.get("reason", ""))
    except PortalError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已重新开放{batch}，区县可补报后再次报送。")
    return redirect(f"{reverse('positions:city_batches')}?period={batch.period}")


# ---- Excel in and out ------------------------------------------------------


class PositionImportView(SheetImportView):
    """Upload → preview of every row with its errors → confirm. The same service as the admin and the command."""

    form_class = PositionImportForm
    template_name = "positions/import.html"
    job_kind = ImportJobKind.POSITIONS
    pending = PendingUpload("positions_import_upload")

    def initial(self) -> dict[str, Any]:
        # A ?period= from the 旬 page preselects it; without one the form's own default (the current 旬) stands.
        return {"period": self.request.GET["period"]} if self.request.GET.get("period") else {}

    def preview(
        self, *, data: bytes, district: District | None, period: TenDayPeriod | None, by: User
    ) -> ImportPreview:
        return preview_positions(file=data, district=cast(District, district), period=cast(TenDayPeriod, period), by=by)

    def run_import(
        self, *, file: Any, district: District | None, period: TenDayPeriod | None, by: User
    ) -> ImportResult:
        return import_positions(file=file, district=cast(District, district), period=cast(TenDayPeriod, period), by=by)

    def success_message(self, result: ImportResult) -> str:
        return f"导入完成：新增岗位{result.created}个，已存在{result.existing}个，新建用人单位{result.employers_created}家。"

    def success_url(self, *, user: User, period: TenDayPeriod | None) -> str:
        if user.district_id:
            return f"{reverse('positions:district_batch')}?period={period}"
        return reverse("admin:positions_position_changelist")


import_sheet = permission_required("positions.import_sheet")(PositionImportView.as_view())


@permission_required("positions.import_sheet")
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    """The blank Annex 1 sheet, with the header the importer reads."""
    return xlsx_response(position_template_workbook(), "卓越工程师岗位表（模板）.xlsx")


@require_GET
def export_sheet(request: HttpRequest) -> HttpResponse:
    """Any filtered list the viewer may see, as an Annex 1 workbook (published posts for the public)."""
    visible = selectors.position_api_list(user=request_user(request))
    filtered = PositionFilter(request.GET, queryset=visible)
    if not filtered.is_valid():
        return HttpResponse("筛选条件无效。", status=400, content_type="text/plain; charset=utf-8")
    positions = filtered.qs.order_by("district__order", "employer__name", "pk")[:EXPORT_MAX_ROWS]
    return xlsx_response(export_positions_workbook(positions), f"卓越工程师岗位表-{timezone.localdate():%Y%m%d}.xlsx")
