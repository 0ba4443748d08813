"""Expensive requests: one limiter for every path whose work grows with what the client sends.

A pasted note (the note page, the note API, a long search box query that note mode reads) and a
claims batch cost seconds of CPU each, where a code page costs a millisecond. So, before any view
runs, each such request is:
- size-checked: a guest's note is short (GUEST_NOTE_BYTES; an account may send ACCOUNT_NOTE_BYTES)
  and a guest's claims batch a sample (GUEST_BATCH_BYTES); a larger one gets 413 saying why;
- counted per client and kind per minute (an account by its user, a guest by its address), 429
  with Retry-After past the limit;
- admitted by a per-process cap on how many of its kind run at once (503 with Retry-After when
  all are busy), so the other threads stay free for code pages.
Metering off lifts the per-minute counts (as it lifts every plan limit); the size and concurrency
caps always hold.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render

from medcode.accounts import metering
from medcode.accounts.quota_links import quota_links
from medcode.accounts.viewers import who_is

GUEST_NOTE_BYTES = 12_000  # ~ a 10,000-character note, form-encoded
ACCOUNT_NOTE_BYTES = 60_000
GUEST_BATCH_BYTES = 20_000
LONG_QUERY_CHARS = 300  # a search box query this long is read as a note


@dataclass(frozen=True)
class Cost:
    kind: str
    noun: str
    guest_per_minute: int
    account_per_minute: int
    at_once: int  # per process
    guest_bytes: int | None = None
    account_bytes: int | None = None


NOTE = Cost("cost_note", "note", 6, 30, 2, GUEST_NOTE_BYTES, ACCOUNT_NOTE_BYTES)
# A guest's batch is a sample (~500 CSV lines); an account's is capped by MEDCODE_MAX_UPLOAD_BYTES.
BATCH = Cost("cost_batch", "claims batch", 2, 10, 1, GUEST_BATCH_BYTES, None)

POSTED: dict[str, Cost] = {
    "/search/note": NOTE,
    "/api/v1/search/note": NOTE,
    "/api/v1/claims/check-batch": BATCH,
}
SEARCHED = frozenset({"/search/", "/api/v1/search"})

_running = {cost.kind: threading.BoundedSemaphore(cost.at_once) for cost in (NOTE, BATCH)}

TOO_LONG = "This {noun} is {size:,} bytes; {who} may send up to {limit:,}. {hint}"
HINTS = {
    "note": "Paste the part of the note that describes the diagnoses and procedures.",
    "claims batch": "Send fewer claims at a time.",
}
TOO_MANY = "Too many requests of this kind: {limit} a minute {who}. Retry after {seconds} seconds."
HEADINGS = {413: "Too long to read", 429: "Too many requests", 503: "Busy for a moment"}
BUSY = "The server is busy with other requests of this kind; retry in a few seconds."


def cost_of(request: HttpRequest) -> Cost | None:
    if request.method == "POST":
        return POSTED.get(request.path_info)
    long_query = len(request.GET.get("q", "")) >= LONG_QUERY_CHARS
    if request.method == "GET" and request.path_info in SEARCHED and long_query:
        return NOTE
    return None


def _refusal(
    request: HttpRequest,
    status: int,
    detail: str,
    *,
    links: list[dict[str, str]] | None = None,
    **headers: str,
) -> HttpResponse:
    response: HttpResponse
    if request.path_info.startswith("/api/"):
        body: dict[str, object] = {"detail": detail, "errors": []}
        if links:
            body["links"] = links  # where to go next: register, sign in, upgrade
        response = JsonResponse(body, status=status)
    else:
        # A page in the site's design: what happened, and where to go next.
        context = {"heading": HEADINGS[status], "detail": detail, "links": links or []}
        response = render(request, "429.html", context, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


class _ReleasedAfter:
    """The stream's chunks; the place is given back when they run out or the server closes the
    response (it always does, also when the client went away), whichever comes first, once."""

    def __init__(self, chunks: Iterable[bytes], release: Callable[[], None]) -> None:
        self._chunks = iter(chunks)
        self._release: Callable[[], None] | None = release

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        try:
            return next(self._chunks)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()


class ExpensiveRequestMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        cost = cost_of(request)
        if cost is None:
            return self.get_response(request)
        viewer = who_is(request)
        signed_in = viewer.user_id is not None
        refused = self._over_size(request, cost, signed_in) or self._over_rate(
            request, cost, viewer.subject if not signed_in else f"user:{viewer.user_id}", signed_in
        )
        if refused is not None:
            return refused
        running = _running[cost.kind]
        if not running.acquire(blocking=False):
            return _refusal(request, 503, BUSY, Retry_After="5")
        try:
            response = self.get_response(request)
        except BaseException:
            running.release()
            raise
        if response.streaming:
            # The work happens while the stream is read: hold the place until it ends.
            response.streaming_content = _ReleasedAfter(  # type: ignore[attr-defined]
                response.streaming_content,  # type: ignore[attr-defined]
                running.release,
            )
        else:
            running.release()
        return response

    @staticmethod
    def _over_size(request: HttpRequest, cost: Cost, signed_in: bool) -> HttpResponse | None:
        limit = cost.account_bytes if signed_in else cost.guest_bytes
        if limit is None:
            return None
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        size = max(size, len(request.META.get("QUERY_STRING", "")))
        if size <= limit:
            return None
        who, more = (
            ("an account", "") if signed_in else ("a guest", "Signed in, you may send more. ")
        )
        detail = TOO_LONG.format(
            noun=cost.noun, size=size, who=who, limit=limit, hint=more + HINTS.get(cost.noun, "")
        )
        return _refusal(request, 413, detail)

    @staticmethod
    def _over_rate(
        request: HttpRequest, cost: Cost, subject: str, signed_in: bool
    ) -> HttpResponse | None:
        if not settings.MEDCODE_METERING:
            return None
        limit = cost.account_per_minute if signed_in else cost.guest_per_minute
        allowance = metering.consume(subject, cost.kind, limit=limit, period=metering.MINUTE)
        if allowance.allowed:
            return None
        seconds = str(max(1, int(allowance.retry_after)))
        who = "for an account" if signed_in else "for a guest"
        detail = TOO_MANY.format(limit=limit, who=who, seconds=seconds)
        links = quota_links(request, is_guest=not signed_in)
        return _refusal(request, 429, detail, links=links, Retry_After=seconds)
