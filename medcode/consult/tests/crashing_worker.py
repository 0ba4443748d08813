"""`medcode ...` that dies at a named point of answering an inquiry, for the worker crash test.

    python -m medcode.consult.tests.crashing_worker POINT worker --batch

runs the real console script (medcode.cli) in this process after wrapping one function of the
consult pipeline so the process ends with os._exit(70) — no cleanup, no `finally`, as a killed
worker — at POINT:

- drafted: right after the draft is recorded (state `drafted`), before anything is sent;
- sent: right after the SMTP server accepted the reply, before `sent` is recorded.

The production code knows nothing of this: the wrapping happens here, after django.setup().
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

EXIT_CODE = 70


def _die(point: str) -> NoReturn:
    print(f"crashing_worker: exiting at {point}", file=sys.stderr, flush=True)
    os._exit(EXIT_CODE)


def _exit_after(owner: Any, name: str, point: str) -> None:
    original: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> NoReturn:
        original(*args, **kwargs)
        _die(point)

    setattr(owner, name, wrapper)


def arm(point: str) -> None:
    """Wrap the function at `point` (Django must be set up: these modules import models)."""
    from medcode.consult import processing, sending

    if point == "drafted":
        _exit_after(processing, "draft_step", point)
    elif point == "sent":
        _exit_after(sending, "send_reply", point)
    else:
        raise SystemExit(f"crashing_worker: unknown point {point!r} (drafted or sent)")


def main(argv: Sequence[str]) -> int:
    from medcode import cli

    point, *args = argv
    cli.setup_django()
    arm(point)
    return cli.main(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
