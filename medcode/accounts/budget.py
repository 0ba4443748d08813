"""A hard time budget for every request (MEDCODE_REQUEST_BUDGET_SECONDS; 0 turns it off).

gunicorn's --timeout kills a sync worker that stops answering, but a gthread worker keeps
beating while one of its threads runs a request for minutes. So one watchdog thread per process
looks at the running requests twice a second:
- past the budget, it raises RequestOverBudget inside the request's thread (CPython's
  PyThreadState_SetAsyncExc; delivered at the next bytecode, so in pure-Python work such as note
  mode or a claims batch at once, after a blocking database call when that returns). The
  middleware answers 503 and every `with`/`finally` on the way out runs as usual;
- if the thread is still running HARD_GRACE_SECONDS later (stuck in C code), the worker process
  exits, and gunicorn's master starts a fresh one. Losing the worker's other requests is the
  price of never holding a thread for ever.
A streamed response is timed until its last chunk.
"""

from __future__ import annotations

import ctypes
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse

log = logging.getLogger(__name__)

HARD_GRACE_SECONDS = 10.0
TICK_SECONDS = 0.5
OVER_BUDGET = "This request took longer than {seconds:g} seconds and was stopped. {hint}"
HINT = "Send a smaller note or batch, or retry later."


class RequestOverBudget(Exception):
    """Raised inside a request's thread by the watchdog when the budget is spent."""


class _Watchdog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._deadlines: dict[int, tuple[float, bool]] = {}  # thread id -> (deadline, raised)
        self._thread: threading.Thread | None = None
        self._pid = 0

    def start(self, seconds: float) -> int:
        ident = threading.get_ident()
        with self._lock:
            self._deadlines[ident] = (time.monotonic() + seconds, False)
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()  # a forked worker needs its own watchdog thread
                self._thread = threading.Thread(
                    target=self._run, name="medcode-request-budget", daemon=True
                )
                self._thread.start()
        return ident

    def stop(self, ident: int) -> bool:
        """The request is over: no exception is raised in its thread from now on (a pending
        one is withdrawn), so it can never reach the server's own code. True when the budget
        was spent (the exception was raised, or is withdrawn now)."""
        with self._lock:
            entry = self._deadlines.pop(ident, None)
            if entry is not None and entry[1]:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), None)
        return entry is not None and entry[1]

    def _run(self) -> None:
        while True:
            time.sleep(TICK_SECONDS)
            now = time.monotonic()
            stuck = False
            with self._lock:  # raised under the lock, so never after stop() returned
                for ident, (deadline, raised) in list(self._deadlines.items()):
                    if now < deadline:
                        continue
                    if not raised:
                        self._deadlines[ident] = (deadline, True)
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(
                            ctypes.c_ulong(ident), ctypes.py_object(RequestOverBudget)
                        )
                    elif now >= deadline + HARD_GRACE_SECONDS:
                        stuck = True
            if stuck:
                log.critical("a request ignored its time budget; the worker process exits")
                logging.shutdown()
                os._exit(70)


WATCHDOG = _Watchdog()


def budget_seconds() -> float:
    return float(getattr(settings, "MEDCODE_REQUEST_BUDGET_SECONDS", 0) or 0)


class _TimedStream:
    def __init__(self, chunks: Iterable[bytes], done: Callable[[], object]) -> None:
        self._chunks = iter(chunks)
        self._done: Callable[[], object] | None = done

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if self._done is None:
            raise StopIteration
        try:
            return next(self._chunks)
        except RequestOverBudget:
            # The status is sent already: the stream says why it ends here.
            self.close()
            return b"\n" + OVER_BUDGET.format(seconds=budget_seconds(), hint=HINT).encode()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        done, self._done = self._done, None
        if done is not None:
            done()


def over_budget_response(request: HttpRequest) -> HttpResponse:
    detail = OVER_BUDGET.format(seconds=budget_seconds(), hint=HINT)
    response: HttpResponse
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": detail, "errors": []}, status=503)
    else:
        response = HttpResponse(detail, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "30"
    return response


class RequestBudgetMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        seconds = budget_seconds()
        if seconds <= 0:
            return self.get_response(request)
        ident = WATCHDOG.start(seconds)
        try:
            response = self.get_response(request)
            if response.streaming:
                response.streaming_content = _TimedStream(  # type: ignore[attr-defined]
                    response.streaming_content,  # type: ignore[attr-defined]
                    lambda: WATCHDOG.stop(ident),
                )
            elif WATCHDOG.stop(ident):
                # Django turned the exception into a 500 on the way out: say what happened.
                return self._over(request, seconds)
        except RequestOverBudget:
            WATCHDOG.stop(ident)
            return self._over(request, seconds)
        except BaseException:
            WATCHDOG.stop(ident)
            raise
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Raised in a view: answered here, before Django logs it as a server error."""
        if isinstance(exception, RequestOverBudget):
            return self._over(request, budget_seconds())
        return None

    @staticmethod
    def _over(request: HttpRequest, seconds: float) -> HttpResponse:
        log.warning("request over its %ss budget: %s %s", seconds, request.method, request.path)
        return over_budget_response(request)
