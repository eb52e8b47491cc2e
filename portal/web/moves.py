"""The view every workflow's single move shares (a post, a hire): the row the user may see, one move on it by its
service, a message that names the move and the row, and back to the page the move was made on.

Each app configures one ``MoveView`` with its table of moves, what the user may see, and its service.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View

from portal.errors import PortalError
from portal.models import User
from portal.web.http import redirect_back, request_user
from portal.workflow import Move


class MoveView(View):
    """POST ``action`` (and ``reason``, ``next``, ``here``) to move one row; a refusal goes back where it was asked."""

    http_method_names: ClassVar[list[str]] = ["post"]  # type: ignore[misc]
    moves: ClassVar[dict[str, Move]]
    #: The URL name to go back to when the form names no page of ours.
    default_url: ClassVar[str]

    def visible(self, user: User) -> QuerySet[Any]:
        raise NotImplementedError

    def make_move(self, obj: Any, *, action: str, by: User, reason: str) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request_user(request)
        obj = get_object_or_404(self.visible(user), pk=pk)
        action = request.POST.get("action", "")
        try:
            self.make_move(obj, action=action, by=user, reason=request.POST.get("reason", ""))
        except PortalError as error:
            messages.error(request, error.message)
            return redirect_back(request, reverse(self.default_url), refused=True)
        messages.success(request, f"已{self.moves[action].label}：{obj.name}。")
        return redirect_back(request, reverse(self.default_url))
