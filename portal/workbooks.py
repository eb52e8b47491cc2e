"""Writing the portal's Excel workbooks (openpyxl), for every export and blank template.

One place for what every workbook shares: the download response.
"""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """The workbook as a download named ``filename`` (Chinese names travel as RFC 5987 ``filename*``)."""
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
