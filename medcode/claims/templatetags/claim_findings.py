"""Template filters for the worksheet's findings panel."""

from __future__ import annotations

from typing import Any

from django import template

from medcode.claims.bundling import Bundling, bundling_of

register = template.Library()


@register.filter
def bundling(view: Any) -> Bundling | None:
    """The 'usually included' reading of an NCCI PTP finding (None for other findings)."""
    return bundling_of(view.finding)
