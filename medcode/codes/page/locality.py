"""The PFS locality picker on a code page, remembered per visitor.

A signed-in user's choice is stored on their account (accounts.LocalityPreference); a guest's
in the session. It is the default of /codes/<code>/?locality=; an explicit ?locality= wins.
Choices are the localities of the newest loaded GPCI release, stored as MAC-locality keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from medcode.accounts.models import LocalityPreference
from medcode.codes.catalog import derived, release_catalog
from medcode.codes.models import Release
from medcode.codes.page.payment import find_locality, gpcis
from medcode.rules.payment import Gpci

SESSION_KEY = "pfs_locality"
PRICED_SYSTEMS = frozenset({"CPT", "HCPCS"})
NO_GPCI = "No GPCI release is loaded, so there are no payment localities to choose from."
UNKNOWN = (
    "No payment locality {wanted!r} in the {year} GPCI file: give the MAC and locality "
    "number (e.g. 13202-01), a locality name, or a county and state (e.g. Kings County, NY)."
)
SAVED = "Payment locality saved: {label}. Code pages show the payment there by default."
CLEARED = "Payment locality cleared: code pages show national amounts by default."


@dataclass(frozen=True)
class Choice:
    key: str  # "13202-01"
    label: str  # "MANHATTAN, NY (13202-01)"


def newest_gpci() -> Release | None:
    """The newest loaded GPCI release: the list of localities to choose from."""
    releases = release_catalog().with_table("gpci", None)
    return max(releases, key=lambda r: (r.effective_from, r.pk), default=None)


def _label(gpci: Gpci) -> str:
    name = gpci.name.rstrip("*").strip()
    return f"{name}, {gpci.state} ({gpci.key})" if gpci.state else f"{name} ({gpci.key})"


def choices() -> tuple[Choice, ...]:
    """Every locality of the newest GPCI release, by state then name (read once a release)."""
    release = newest_gpci()
    if release is None:
        return ()
    key = ("locality_choices", release.pk)
    found = derived.get(key)
    if found is None:
        rows = sorted(gpcis(release), key=lambda g: (g.state, g.name, g.key))
        found = tuple(Choice(g.key, _label(g)) for g in rows)
        derived[key] = found
    return found


def remembered(request: HttpRequest) -> str:
    """The visitor's saved locality key, or "" (one indexed query for a signed-in user)."""
    user = request.user
    if user.is_authenticated:
        saved = (
            LocalityPreference.objects.filter(user_id=user.pk)
            .values_list("locality", flat=True)
            .first()
        )
        return saved or ""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return ""  # no session yet: leave it untouched (no store read, no Vary: Cookie)
    return str(request.session.get(SESSION_KEY, ""))


def remember(request: HttpRequest, key: str) -> None:
    """Store (or with "" clear) the visitor's locality: on the account, else in the session."""
    user = request.user
    if user.is_authenticated:
        if key:
            LocalityPreference.objects.update_or_create(user_id=user.pk, defaults={"locality": key})
        else:
            LocalityPreference.objects.filter(user_id=user.pk).delete()
    elif key:
        request.session[SESSION_KEY] = key
    else:
        request.session.pop(SESSION_KEY, None)


def picker(page: Any, locality: str) -> dict[str, Any] | None:
    """The picker's context on a CPT or HCPCS page (None elsewhere): the choices and the
    chosen key, when `locality` names one of them."""
    if page.system not in PRICED_SYSTEMS:
        return None
    options = choices()
    if not options:
        return None
    wanted = locality.strip().upper()
    current = next((c.key for c in options if c.key == wanted), "")
    if not current and locality:
        release = newest_gpci()
        place = find_locality(release, locality) if release is not None else None
        current = place.key if place is not None else ""
    return {"choices": options, "current": current, "asked": locality}


def _next(request: HttpRequest) -> str:
    wanted = request.POST.get("next", "")
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return "/"


@require_POST
def save_locality(request: HttpRequest) -> HttpResponse:
    """POST locality= (a key, name or "County, ST"; empty clears), next= (a local path)."""
    wanted = request.POST.get("locality", "").strip()[:80]
    if not wanted:
        remember(request, "")
        messages.info(request, CLEARED)
        return HttpResponseRedirect(_next(request), status=303)
    release = newest_gpci()
    if release is None:
        return render(request, "codes/bad_request.html", {"message": NO_GPCI}, status=400)
    place = find_locality(release, wanted)
    if place is None:
        message = UNKNOWN.format(wanted=wanted, year=release.effective_from.year)
        return render(request, "codes/bad_request.html", {"message": message}, status=400)
    remember(request, place.key)
    messages.success(request, SAVED.format(label=_label(place)))
    return HttpResponseRedirect(_next(request), status=303)


__all__ = ["choices", "picker", "remember", "remembered", "save_locality"]
