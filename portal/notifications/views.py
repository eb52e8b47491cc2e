"""The inbox (站内消息) and the e-mail choices page (通知设置). Every look-up is scoped to the signed-in user."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.constants import NotificationKind
from portal.notifications import services as notifications
from portal.web.http import request_user

PAGE_SIZE = 20


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    page = Paginator(notifications.notification_list(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/inbox.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    # Scoped before the look-up: somebody else's notice is a 404, indistinguishable from none.
    notification = get_object_or_404(notifications.notification_list(user=user), pk=pk)
    notifications.notification_mark_read(notification=notification, by=user)
    target = notification.url
    # Stored URLs are checked when written; checked again here so the inbox can never be an open redirect.
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    ):
        return redirect(target)
    return redirect("portal:inbox")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications.notifications_mark_all_read(by=request_user(request))
    if count:
        messages.success(request, f"已将 {count} 条消息标记为已读。")
    return redirect("portal:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if request.method == "POST":
        notifications.notification_preferences_save(user=user, by_email=request.POST.getlist("by_email"))
        messages.success(request, "通知设置已保存。")
        return redirect("portal:notification_settings")
    choices = notifications.email_choices(user=user)
    kinds = [
        {"value": kind, "label": NotificationKind(kind).label, "by_email": by_email}
        for kind, by_email in choices.items()
    ]
    return render(request, "portal/notification_settings.html", {"kinds": kinds})
