"""Print layouts: a template rendered to PDF bytes with WeasyPrint, offline.

Every print template extends ``templates/pdf/base.html`` and is laid out with the one print stylesheet
``static/pdf/print.css`` (A4, 2 cm margins, page numbers, a CJK font by family name, tables whose header repeats on
each page). Fonts come from fontconfig (Debian ``fonts-noto-cjk``); nothing is downloaded.

The stylesheet is parsed once per thread, not once per document (parsing and indexing its rules cost a tenth of a
one-page render), and handed to WeasyPrint with the thread's font configuration, which keeps the fonts fontconfig
found and Pango opened from one document to the next. Per thread, because Pango's font maps are not thread-safe
(the Celery worker runs tasks in threads). A change to the stylesheet's file is seen at the next render.

The renderer never touches the network: its URL fetcher serves the portal's own static files and ``data:`` URLs and
refuses everything else, so neither a template nor a value printed in one can make the server fetch an outside
address or read any other file on the disk.

WeasyPrint is imported inside the functions: it is heavy, and most processes never print. It is also slow (seconds
for a notice of 200 people, see bench/notice_pdf.py): a document issued at an event of its record (a claim's papers,
a publicity notice) is rendered once after that event and stored (``portal.documents``), and its downloads read the
stored file; a document served often whose content changes without an event should be rendered with
``cache_timeout``, so that repeated requests for the same content cost a template render, not a layout.
"""

from __future__ import annotations

import functools
import hashlib
import mimetypes
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.cache import cache
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.templatetags.static import static

#: What relative URLs in a print template resolve against. ``{% static "pdf/print.css" %}`` gives
#: ``/static/pdf/print.css``, so the fetcher sees ``file:///static/pdf/print.css`` and maps the ``STATIC_URL`` part to
#: the static files; the path is never read as a path of the disk.
BASE_URL = "file:///"
#: The print stylesheet, by its name among the static files.
STYLESHEET = "pdf/print.css"


class ResourceRefused(ValueError):
    """A print template asked for something other than one of the portal's static files."""


def _static_name(url: str) -> str:
    parts = urlsplit(url)
    static_prefix = urlsplit(settings.STATIC_URL).path
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise ResourceRefused(f"PDF 只使用本平台的静态文件，不加载：{url}")
    path = unquote(parts.path)
    if not path.startswith(static_prefix):
        raise ResourceRefused(f"PDF 只使用本平台的静态文件，不加载：{url}")
    name = path.removeprefix(static_prefix)
    if not name or name.startswith("/") or any(segment in ("", ".", "..") for segment in name.split("/")):
        raise ResourceRefused(f"PDF 只使用本平台的静态文件，不加载：{url}")
    return name


def static_file_for(url: str) -> Path:
    """The local file behind a static URL of a print template, or ``ResourceRefused``.

    Looked up with the staticfiles finders (the source tree, where ``collectstatic`` has not run) and then in the
    collected ``STATIC_ROOT`` (where the manifest storage's hashed names exist)."""
    name = _static_name(url)
    try:
        found = finders.find(name)
        if isinstance(found, str):
            return Path(found)
        if staticfiles_storage.exists(name):
            return Path(staticfiles_storage.path(name))
    except (SuspiciousFileOperation, NotImplementedError):
        pass
    raise ResourceRefused(f"PDF 引用的静态文件不存在：{url}")


@functools.cache
def _fetcher_class() -> type[Any]:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesOnly(URLFetcher):
        """WeasyPrint's fetcher, narrowed to ``data:`` URLs and the portal's static files."""

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = static_file_for(url)
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return StaticFilesOnly


def url_fetcher() -> Any:
    """A WeasyPrint URL fetcher that serves only local static files and ``data:`` URLs.

    A refused URL raises ``ResourceRefused`` before anything is opened; WeasyPrint logs it and leaves the resource
    out of the PDF."""
    return _fetcher_class()(allowed_protocols=("file", "data"), allow_redirects=False)


@dataclass(frozen=True)
class _Stylesheet:
    """The print stylesheet parsed for one thread, with the font configuration it was parsed for."""

    #: The file's path, modification time and size: a different one is a changed stylesheet.
    source: tuple[str, int, int]
    digest: str
    css: Any
    font_config: Any


_local = threading.local()


def _stylesheet() -> _Stylesheet:
    """This thread's parsed print stylesheet, parsed again when its file has changed."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    url = BASE_URL + static(STYLESHEET).lstrip("/")
    path = static_file_for(url)
    stat = path.stat()
    source = (str(path), stat.st_mtime_ns, stat.st_size)
    cached: _Stylesheet | None = getattr(_local, "stylesheet", None)
    if cached is None or cached.source != source:
        text = path.read_bytes()
        font_config = cached.font_config if cached is not None else FontConfiguration()
        css = CSS(string=text.decode(), base_url=url, url_fetcher=url_fetcher(), font_config=font_config)
        cached = _Stylesheet(source, hashlib.sha256(text).hexdigest(), css, font_config)
        _local.stylesheet = cached
    return cached


def html_to_pdf(html: str) -> bytes:
    """``html`` laid out with the print stylesheet (templates link none: it is added here, parsed once)."""
    from weasyprint import HTML

    stylesheet = _stylesheet()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=url_fetcher())
    pdf: bytes = document.write_pdf(stylesheets=[stylesheet.css], font_config=stylesheet.font_config)
    return pdf


def render_pdf(
    template_name: str, context: dict[str, Any], *, request: HttpRequest | None = None, cache_timeout: int = 0
) -> bytes:
    """Render a print template (``templates/pdf/``) to PDF bytes.

    ``request`` is only handed to the template engine (context processors); documents are built from their
    records, so services can print without one. With ``cache_timeout`` (seconds) the PDF is kept in the cache under
    the digest of its HTML and of the stylesheet: the same content is laid out once, and any change to it (a person
    added or removed, a new stylesheet) is a new key, so nothing stale is ever served. Leave it off for documents
    with personal data the cache should not hold."""
    html = render_to_string(template_name, context, request=request)
    if not cache_timeout:
        return html_to_pdf(html)
    key = f"pdf:{hashlib.sha256((_stylesheet().digest + html).encode()).hexdigest()}"
    pdf: bytes | None = cache.get(key)
    if pdf is None:
        pdf = html_to_pdf(html)
        cache.set(key, pdf, cache_timeout)
    return pdf
