"""Log lines: plain text for a terminal, or one JSON object per line (MEDCODE_LOG_FORMAT=json).

Every record logged while a request is handled carries that request's id (`request_id`), so
a request's access line and anything logged on its way can be joined.
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import logging
import logging.handlers
import os
import queue
import sys
import threading
import weakref
from contextvars import ContextVar
from typing import Any, ClassVar, TextIO

current_request_id: ContextVar[str] = ContextVar("medcode_request_id", default="")

# Attributes every LogRecord has; anything else on a record came in through `extra=`.
_STANDARD = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
    | {"message", "asctime", "taskName"}
)
LOG_FORMATS = ("plain", "json")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (empty outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, then the record's extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry and value not in ("", None):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the stream given, or else to whatever `sys.stderr` is at the time of writing.

    Like the stdlib's last-resort handler: a test runner or a process manager may swap
    `sys.stderr` after logging is configured, and lines then go to the current one instead of a
    closed one.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        logging.Handler.__init__(self)
        self._fixed = stream

    @property
    def stream(self) -> TextIO:
        return self._fixed if self._fixed is not None else sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        self._fixed = value


class BackgroundStreamHandler(logging.handlers.QueueHandler):
    """The stdlib's QueueHandler and QueueListener: one writer thread per process.

    The calling thread formats the record and queues it; it never waits on the stream. With many
    request threads, a plain StreamHandler serialises them on its lock, and a thread holding it
    across a write() must win the GIL back before the next one may go (measured under
    bench/load.py: 12% of the request threads' samples were waits for that lock), so handle()
    here takes no lock either. Lines keep each thread's order; flush() and close() (at exit, via
    logging.shutdown, and before a fork) stop the listener, which writes every queued line
    first. The next line, in this process or a forked child, starts a listener again.
    """

    _instances: ClassVar[weakref.WeakSet[BackgroundStreamHandler]] = weakref.WeakSet()

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(queue.SimpleQueue())
        self.writer = StderrHandler(stream)
        self._listener: logging.handlers.QueueListener | None = None
        self._pid = 0
        self._start_lock = threading.Lock()
        BackgroundStreamHandler._instances.add(self)

    def handle(self, record: logging.LogRecord) -> bool:
        # No handler lock: formatting is thread-safe and the queue is the only shared state.
        if not self.filter(record):
            return False
        self.emit(record)
        return True

    def enqueue(self, record: logging.LogRecord) -> None:
        if self._pid != os.getpid():
            self._start()
        self.queue.put_nowait(record)

    def _start(self) -> None:
        with self._start_lock:
            if self._pid == os.getpid():
                return
            # A forked child inherits the parent's queue object but not its listener thread.
            self.queue = queue.SimpleQueue()
            self._listener = logging.handlers.QueueListener(self.queue, self.writer)
            self._listener.start()
            self._pid = os.getpid()

    def flush(self) -> None:
        with self._start_lock:
            listener, self._listener = self._listener, None
            mine = self._pid == os.getpid()
            self._pid = 0
        if listener is not None and mine and listener._thread is not None:
            listener.stop()  # writes what is queued, then ends the thread
        self.writer.flush()

    def close(self) -> None:
        self.flush()
        super().close()


@atexit.register
def _flush_background_handlers() -> None:
    # Handlers made by dictConfig are also flushed by logging.shutdown; this covers any other.
    # Also run before a fork (gunicorn's workers): no listener thread then holds a lock of the
    # stream that the child would inherit locked.
    for handler in list(BackgroundStreamHandler._instances):
        handler.flush()


os.register_at_fork(before=_flush_background_handlers)


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """The LOGGING setting for the chosen format; a clear error for an unknown one."""
    if log_format not in LOG_FORMATS:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"MEDCODE_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}"
        )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "medcode.ops.logs.RequestIdFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
            "json": {"()": "medcode.ops.logs.JsonFormatter"},
        },
        "handlers": {
            "console": {
                "class": "medcode.ops.logs.BackgroundStreamHandler",
                "formatter": log_format,
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
    }
