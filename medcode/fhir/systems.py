"""The code systems the FHIR service speaks for: canonical URIs, and which kept release a
request (a `date` or a `version`) is answered from.

A release is a CodeSystem version (`version` = its release label). "In force on a date" is
the code store's own rule (`medcode.codes.catalog.ReleaseCatalog.in_force`); the one thing added
here is that a date before the earliest loaded release has no release at all, rather than
the nearest one a code page falls back to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from medcode.codes.catalog import release_catalog
from medcode.codes.models import Release
from medcode.fhir.errors import FhirError, bad_request, not_found
from medcode.lib.in_force import started


@dataclass(frozen=True)
class FhirSystem:
    key: str  # the code store's system (ICD10CM)
    uri: str  # the canonical URI
    slug: str  # CodeSystem resource ids start with it
    name: str  # a computer-friendly name
    title: str
    publisher: str
    is_hierarchical: bool  # a code's descendants are the codes it prefixes (ICD-10)
    extra_keys: tuple[str, ...] = ()  # other code-store systems looked up under this URI


SYSTEMS: tuple[FhirSystem, ...] = (
    FhirSystem(
        "ICD10CM",
        "http://hl7.org/fhir/sid/icd-10-cm",
        "icd-10-cm",
        "ICD10CM",
        "ICD-10-CM",
        "CDC National Center for Health Statistics",
        True,
    ),
    FhirSystem(
        "ICD10PCS",
        "http://www.cms.gov/Medicare/Coding/ICD10",
        "icd-10-pcs",
        "ICD10PCS",
        "ICD-10-PCS",
        "Centers for Medicare & Medicaid Services",
        True,
    ),
    FhirSystem(
        "HCPCS",
        "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
        "hcpcs",
        "HCPCSLevelII",
        "HCPCS Level II",
        "Centers for Medicare & Medicaid Services",
        False,
        ("MODIFIER",),
    ),
    # CPT as bare numbers with CMS data: no AMA descriptor unless the operator imported one.
    FhirSystem(
        "CPT",
        "http://www.ama-assn.org/go/cpt",
        "cpt",
        "CPT",
        "CPT (codes as numbers with CMS data)",
        "American Medical Association (codes); facts from CMS files",
        False,
    ),
)

BY_URI = {s.uri: s for s in SYSTEMS}
BY_SLUG = {s.slug: s for s in SYSTEMS}

UNKNOWN_SYSTEM = "Unknown code system {uri!r}: this server knows {known}."
NO_RELEASE = "No {title} release is loaded on this server."
NO_RELEASE_FOR_DATE = (
    "No {title} release is loaded for {date}: the earliest loaded is {label}, effective {start}."
)
UNKNOWN_VERSION = "{title} version {version!r} is not loaded; loaded versions: {versions}."
BAD_DATE = "The date {value!r} is not a FHIR date: write YYYY-MM-DD (or a dateTime starting so)."


class NoReleaseForDate(FhirError):
    """The date comes before every loaded release of the system."""

    def __init__(self, diagnostics: str) -> None:
        super().__init__(422, diagnostics, code="not-found")


def system_for(uri: str | None) -> FhirSystem:
    value = (uri or "").strip()
    if not value:
        raise bad_request("The parameter 'system' (or 'url') naming the code system is required.")
    found = BY_URI.get(value.split("|", 1)[0])
    if found is None:
        known = ", ".join(s.uri for s in SYSTEMS)
        raise not_found(UNKNOWN_SYSTEM.format(uri=value, known=known))
    return found


def releases_of(system: FhirSystem) -> list[Release]:
    """The system's kept code releases, oldest first."""
    return release_catalog().with_table("codes", system.key)


def parse_date(value: str | None) -> dt.date | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10]) if len(text) >= 10 else _bad_date(text)
    except ValueError:
        return _bad_date(text)


def _bad_date(text: str) -> dt.date:
    raise bad_request(BAD_DATE.format(value=text))


@dataclass(frozen=True)
class Chosen:
    """The release a request is answered from and the date of service it stands for."""

    release: Release
    on: dt.date


def choose_release(system: FhirSystem, *, on: dt.date | None, version: str | None) -> Chosen:
    """The release named by `version`, else the one in force on `on` (default today)."""
    releases = releases_of(system)
    if not releases:
        raise FhirError(404, NO_RELEASE.format(title=system.title), code="not-found")
    if version:
        named = [r for r in releases if r.version_label == version.strip()]
        if not named:
            versions = ", ".join(repr(r.version_label) for r in releases)
            raise not_found(
                UNKNOWN_VERSION.format(title=system.title, version=version, versions=versions)
            )
        release = named[-1]
        return Chosen(release, on or release.effective_from)
    day = on or dt.date.today()
    earliest = releases[0]
    if day < earliest.effective_from:
        raise NoReleaseForDate(
            NO_RELEASE_FOR_DATE.format(
                title=system.title,
                date=day.isoformat(),
                label=earliest.version_label,
                start=earliest.effective_from.isoformat(),
            )
        )
    # The code store's rule (catalog.in_force: per dataset, the latest in effect), then the
    # latest of those, as queries.release_in_force picks it, read from the cached catalog.
    # (in_force falls back to a dataset's earliest release: keep those in effect by then.)
    in_force = release_catalog().in_force("codes", day, system.key)
    return Chosen(started(in_force, day)[-1], day)


def dotted(system: FhirSystem, code: str) -> str:
    """How a code is printed (ICD-10-CM takes a dot after the category)."""
    if system.key == "ICD10CM" and len(code) > 3 and "." not in code:
        return f"{code[:3]}.{code[3:]}"
    return code
