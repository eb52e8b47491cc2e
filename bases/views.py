from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bases.selectors import batches_with_bases


@require_GET
def base_list(request: HttpRequest) -> HttpResponse:
    return render(request, "bases/list.html", {"batches": batches_with_bases()})
