"""CasePilot answers kept in the shared data cache (medcode.ops.datacache).

Without a language model an answer depends only on the question, the date of service, the
setting, the day it is asked and the loaded data, so the same question is answered once per
data generation and day; the quota is still counted for every question (api.py asks first).
With a language model configured answers are not cached: its phrasing may differ and a
transient failure must not be kept.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from medcode.assistant import llm
from medcode.assistant.answer import answer_question
from medcode.assistant.facts import Answer
from medcode.ops import datacache


def answer(text: str, *, on: dt.date | None = None, setting: str | None = None) -> Answer:
    if llm.is_configured():
        return answer_question(text, on=on, setting=setting)
    today = timezone.localdate()
    return datacache.get_or_build(
        "casepilot",
        (text, on, setting, today),
        lambda: answer_question(text, on=on, today=today, setting=setting),
    )
