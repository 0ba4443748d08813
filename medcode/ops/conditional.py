"""HTTP validators for answers derived from the loaded data: ETag, Last-Modified, 304.

`validate` gives a 200 answer its ETag, Last-Modified and Cache-Control, then answers 304 Not
Modified when the client's copy is still good (If-None-Match, else If-Modified-Since; If-Match
and If-Unmodified-Since answer 412 as Django does).

- The ETag is a digest of what the answer depends on: its content (the JSON code page), or its
  inputs (`input_etag`: the data generation, medcode's files, the URL, and what else the answer
  shows, such as the viewer's kind) when the content holds a varying part: the time taken
  (search), or a form's CSRF token, masked afresh for each request (code pages: the CSRF secret
  it is derived from is an input).
- Last-Modified is the later of the last data change (import or index build), the last change
  to medcode's own files (a deploy) and, for answers "as of today", the start of today.
- A personal answer (it depends on who asks: metering, a signed-in user, an API key) is
  `Cache-Control: private, no-cache` and is validated by its ETag only: a time alone cannot
  tell one viewer's copy from another's. Answers that are the same for everyone may be kept by
  shared caches for `public_seconds`.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Iterable
from pathlib import Path

from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, parse_etags

from medcode.ops import generation

PACKAGE = Path(__file__).resolve().parent.parent


@functools.cache
def code_stamp() -> tuple[str, float]:
    """A digest and the latest modification time of medcode's own files (code, templates,
    editorial content): the same in every worker of one deploy, new after a change."""
    digest = hashlib.blake2b(digest_size=8)
    latest = 0.0
    for path in sorted(PACKAGE.rglob("*")):
        if "__pycache__" in path.parts or not path.is_file():
            continue
        stat = path.stat()
        digest.update(f"{path.relative_to(PACKAGE)}:{stat.st_size}:{stat.st_mtime_ns};".encode())
        latest = max(latest, stat.st_mtime)
    return digest.hexdigest(), latest


def last_modified(*, as_of_today: bool) -> dt.datetime | None:
    """When an answer built from the current data last changed (see the module docstring)."""
    times = [dt.datetime.fromtimestamp(code_stamp()[1], tz=dt.UTC)]
    changed = generation.current().changed_at
    if changed is not None:
        times.append(changed)
    if as_of_today:
        today = timezone.localdate()
        times.append(
            timezone.make_aware(
                dt.datetime.combine(today, dt.time()), timezone.get_current_timezone()
            )
        )
    return min(max(times), timezone.now())


def digest(*parts: str | bytes) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def input_etag(request: HttpRequest, *extra: str, data: str | None = None) -> str:
    """A weak ETag from what an answer depends on: the data generation, medcode's files, the
    method-independent URL, htmx or not, and `extra` (e.g. the viewer). `data`: the generation
    token read before the answer was built, when building it takes a while: an import that
    lands meanwhile then leaves an ETag older than the content (asked again, answered anew),
    never a new generation's ETag on the old generation's content."""
    value = digest(
        data if data is not None else generation.current().token,
        code_stamp()[0],
        request.get_full_path(),
        request.headers.get("HX-Request", ""),
        *extra,
    )
    return f'W/"{value}"'


def content_etag(content: str | bytes) -> str:
    return f'"{digest(content)}"'


def validate(
    request: HttpRequest,
    response: HttpResponse,
    *,
    etag: str,
    modified: dt.datetime | None,
    personal: bool,
    public_seconds: int = 0,
    vary: Iterable[str] = (),
) -> HttpResponseBase:
    """Add the validators and caching headers to a 200 answer; 304 when the client's copy is
    current. Other answers (errors, redirects) pass through untouched."""
    if response.status_code != 200 or request.method not in ("GET", "HEAD"):
        return response
    response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified.timestamp())
    if personal or public_seconds <= 0:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=public_seconds)
    if vary:
        patch_vary_headers(response, tuple(vary))
    if personal:
        # Validated by its ETag only (see the module docstring).
        return _not_modified(response) if _none_match(request, etag) else response
    stamp = int(modified.timestamp()) if modified is not None else None
    answer = get_conditional_response(request, etag=etag, last_modified=stamp, response=response)
    return answer if answer is not None else response


def _none_match(request: HttpRequest, etag: str) -> bool:
    """Whether If-None-Match names `etag` (weak comparison, RFC 9110 13.1.2) or is "*"."""
    header = request.META.get("HTTP_IF_NONE_MATCH", "")
    if not header:
        return False
    tags = parse_etags(header)
    return tags == ["*"] or etag.removeprefix("W/") in {t.removeprefix("W/") for t in tags}


def _not_modified(response: HttpResponse) -> HttpResponseNotModified:
    answer = HttpResponseNotModified()
    for header in (
        "Cache-Control",
        "Content-Location",
        "Date",
        "ETag",
        "Expires",
        "Last-Modified",
        "Vary",
    ):
        if header in response:
            answer.headers[header] = response.headers[header]
    answer.cookies = response.cookies
    return answer
