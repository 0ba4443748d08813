"""How many questions a requester may ask: the one place CasePilot checks its quota.

Signed-in users get their plan's CasePilot questions per day and guests the "guest" plan's
(a small number, editable in the admin), through `medcode.accounts.metering.check_quota`,
which counts the question in the same atomic step as the check. Call `check_question_quota`
once per accepted question, after the question itself has been validated.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from medcode.accounts.metering import CASEPILOT, check_quota


@dataclass(frozen=True)
class Quota:
    allowed: bool
    message: str
    retry_after: int | None = None  # seconds, when not allowed


def check_question_quota(request: HttpRequest) -> Quota:
    allowance = check_quota(request, CASEPILOT)
    if allowance.allowed:
        return Quota(True, allowance.message)
    return Quota(False, allowance.message, allowance.retry_after)
