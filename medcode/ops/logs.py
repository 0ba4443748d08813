"""Log lines: plain text for a terminal, or one JSON object per line (MEDCODE_LOG_FORMAT=json).

Every record logged while a request is handled carries that request's id (`request_id`), so
a request's access line and anything logged on its way can be joined.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import json
import logging
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


class BackgroundStreamHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """A stream handler whose lines are written by one thread per process.

    The calling thread formats the record and queues the line; it never waits on the stream.
    With many request threads, a plain StreamHandler serialises them on its lock, and a thread
    holding it across a write() must win the GIL back before the next one may go (measured
    under bench/load.py: 12% of the request threads' samples were waits for that lock). Lines
    keep their order; flush() and close() (at exit, via logging.shutdown) wait until every
    queued line is written. After a fork the child starts its own writer on its first line.
    """

    _instances: ClassVar[weakref.WeakSet[BackgroundStreamHandler]] = weakref.WeakSet()

    def __init__(self, stream: TextIO | None = None) -> None:
        super().__init__(stream)
        self._queue: queue.SimpleQueue[str | threading.Event | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        self._pid = 0
        self._start_lock = threading.Lock()
        BackgroundStreamHandler._instances.add(self)

    def handle(self, record: logging.LogRecord) -> bool:
        # No handler lock: formatting is thread-safe and the queue is the only shared state.
        if not self.filter(record):
            return False
        self.emit(record)
        return True

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record) + self.terminator
        except Exception:
            self.handleError(record)
            return
        if self._pid != os.getpid():
            self._start()
        self._queue.put(line)

    def _start(self) -> None:
        with self._start_lock:
            if self._pid == os.getpid():
                return
            # A forked child inherits the parent's queue object but not its writer thread.
            self._queue = queue.SimpleQueue()
            self._writer = threading.Thread(
                target=self._write_lines, name="log-writer", daemon=True
            )
            self._pid = os.getpid()
            self._writer.start()

    def _write_lines(self) -> None:
        lines = self._queue
        while True:
            item = lines.get()
            if item is None:
                return
            if isinstance(item, threading.Event):
                self._flush_stream()
                item.set()
                continue
            try:
                self.stream.write(item)
                if lines.empty():
                    self._flush_stream()
            except Exception:  # a closed or broken stream: say so once per line, keep going
                sys.stderr.write(f"--- medcode could not write a log line: {item}")

    def _flush_stream(self) -> None:
        flush = getattr(self.stream, "flush", None)
        if flush is not None:
            with contextlib.suppress(Exception):
                flush()

    def flush(self) -> None:
        writer = self._writer
        if self._pid != os.getpid() or writer is None or not writer.is_alive():
            self._flush_stream()
            return
        if threading.current_thread() is writer:
            return
        done = threading.Event()
        self._queue.put(done)
        done.wait(timeout=5)

    def close(self) -> None:
        self.flush()
        if self._pid == os.getpid() and self._writer is not None and self._writer.is_alive():
            self._queue.put(None)
            self._writer.join(timeout=5)
        self._writer = None
        super().close()


@atexit.register
def _flush_background_handlers() -> None:
    # Handlers made by dictConfig are also flushed by logging.shutdown; this covers any other.
    # Also run before a fork (gunicorn's workers): the writer then holds no lock of the stream
    # that the child would inherit locked.
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
