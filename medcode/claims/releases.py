"""Which releases are in force on a date of service, per rule table, and how findings cite them.

The NCCI edit tables are never guessed: before a table's first release none is in force, and
an official PTP quarter (four files, four releases) is read whole. Code lists, the PFS and
ICD-10-CM fall back to their earliest release (the source shows its effective date), since
without them every code would look unknown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from medcode.codes.models import CodeSystem, Release
from medcode.lib.in_force import (
    each_dataset_in_force,
    layered_in_force,
    newest_in_force,
    quarter_in_force,
)
from medcode.rules.tables import TableKind

Setting = Literal["practitioner", "outpatient_hospital"]
SETTINGS: tuple[Setting, ...] = ("practitioner", "outpatient_hospital")

# The PTP table that applies to each setting (dataset names of medcode.codes.importers.ncci).
PTP_DATASETS: dict[Setting, str] = {
    "practitioner": "ncci_ptp_practitioner",
    "outpatient_hospital": "ncci_ptp_hospital",
}
# MueLimit.service_type of each setting's MUE table.
MUE_SERVICE_TYPES: dict[Setting, str] = {
    "practitioner": "practitioner",
    "outpatient_hospital": "outpatient_hospital",
}

# Code systems whose codes go on claim lines; the others are diagnoses, PCS, places of service.
NOT_LINE_SYSTEMS = frozenset(
    {CodeSystem.ICD10CM, CodeSystem.ICD10PCS, CodeSystem.POS, CodeSystem.MODIFIER}
)

NOT_IN_FORCE: dict[TableKind, str] = {
    "ptp": "no NCCI PTP table loaded is in force on the date of service",
    "mue": "no NCCI MUE table loaded is in force on the date of service",
    "addon": "no NCCI add-on code table loaded is in force on the date of service",
}
NOT_LOADED: dict[TableKind, str] = {
    "ptp": "no NCCI PTP table loaded",
    "mue": "no NCCI MUE table loaded",
    "addon": "no NCCI add-on code table loaded",
    "pfs": "no PFS relative value file loaded",
    "codes": "no CPT/HCPCS code release loaded",
    "modifiers": "CPT modifiers (built in); no HCPCS modifier release loaded",
    "diagnoses": "no ICD-10-CM release loaded",
    "ncd": "no NCD coding spreadsheet loaded",
    "lcd_articles": "no LCD article crosswalk in force on the date of service",
}
CPT_MODIFIERS_SOURCE = "CPT Level I modifiers (built in)"


@dataclass(frozen=True, slots=True)
class ReleaseRef:
    id: int
    dataset: str
    code_system: str
    effective_from: dt.date
    tables: frozenset[str]
    citation: str
    version_label: str = ""  # "RVU25D": how payment adjustments name their release


@dataclass(frozen=True, slots=True)
class ReleaseSet:
    """The releases in force on a date, per table: what a claim line on that date is checked by.

    The NCCI edit tables are never guessed: before a table's first release none is in force.
    Code lists, the PFS and ICD-10-CM fall back to their earliest release (the source then
    shows its effective date), since without them every code would look unknown.
    """

    setting: Setting
    ptp: tuple[ReleaseRef, ...]  # every part (f1..f4) of the quarter in force
    mue: tuple[ReleaseRef, ...]  # newest first; a newer partial table overrides an older one
    addon: ReleaseRef | None
    pfs: ReleaseRef | None
    codes: tuple[ReleaseRef, ...]  # one per dataset (CPT from the PFS, HCPCS Level II, ...)
    modifiers: tuple[ReleaseRef, ...]
    diagnoses: ReleaseRef | None
    notes: ReleaseRef | None
    loaded: frozenset[str] = frozenset()  # kinds with any release loaded, in force or not
    ncd: ReleaseRef | None = None  # the NCD coding spreadsheet
    articles: ReleaseRef | None = None  # the LCD article crosswalk (none before it starts)
    opps: ReleaseRef | None = None  # OPPS Addendum B (the expected payment of hospital claims)
    dmepos: ReleaseRef | None = None  # the DMEPOS fee schedule (the expected payment of DME)
    key: tuple[object, ...] = field(default=(), compare=False)  # equal sets, equal keys

    def __post_init__(self) -> None:
        def ids(refs: Iterable[ReleaseRef | None]) -> tuple[int | None, ...]:
            return tuple(r.id if r else None for r in refs)

        key = (
            self.setting,
            ids(
                [
                    self.addon,
                    self.pfs,
                    self.diagnoses,
                    self.notes,
                    self.ncd,
                    self.articles,
                    self.opps,
                    self.dmepos,
                ]
            ),
            ids(self.ptp),
            ids(self.mue),
            ids(self.codes),
            ids(self.modifiers),
        )
        object.__setattr__(self, "key", key)

    def source(self, kind: TableKind) -> str:
        refs: Sequence[ReleaseRef | None]
        joiner = "; "
        if kind == "ptp":
            refs = self.ptp
        elif kind == "mue":
            refs, joiner = self.mue, " over "
        elif kind == "addon":
            refs = [self.addon]
        elif kind == "pfs":
            refs = [self.pfs]
        elif kind == "ncd":
            refs = [self.ncd]
        elif kind == "lcd_articles":
            refs = [self.articles]
        elif kind == "codes":
            refs = self.codes
        elif kind == "modifiers":
            found = [r.citation for r in self.modifiers]
            return "; ".join([*found, CPT_MODIFIERS_SOURCE]) if found else NOT_LOADED[kind]
        else:
            refs = [self.diagnoses]
            if self.notes is not None and self.notes != self.diagnoses:
                refs = [self.diagnoses, self.notes]
        citations = [r.citation for r in refs if r is not None]
        if citations:
            return joiner.join(citations)
        return NOT_IN_FORCE[kind] if kind in self.loaded else NOT_LOADED[kind]


def cite(release: Release) -> str:
    """How a finding names its source: 'NCCI PTP practitioner 2024Q3 (v30.2), effective ...'."""
    return f"{release.citation}, effective {release.effective_from.isoformat()}"


class Catalog:
    """Every loaded release, read once, and the release set in force on each date."""

    def __init__(self, releases: Iterable[ReleaseRef]) -> None:
        self.releases = tuple(releases)
        self._sets: dict[tuple[dt.date, Setting], ReleaseSet] = {}

    @classmethod
    def load(cls) -> Catalog:
        return cls(
            ReleaseRef(
                id=r.pk,
                dataset=r.dataset,
                code_system=r.code_system,
                effective_from=r.effective_from,
                tables=frozenset(r.row_counts or {}),
                citation=cite(r),
                version_label=r.version_label,
            )
            for r in Release.objects.all()
        )

    def release_set(self, on: dt.date, setting: Setting = "practitioner") -> ReleaseSet:
        key = (on, setting)
        found = self._sets.get(key)
        if found is None:
            found = self._sets[key] = self._build(on, setting)
        return found

    def _build(self, on: dt.date, setting: Setting) -> ReleaseSet:
        def having(table: str) -> list[ReleaseRef]:
            return [r for r in self.releases if table in r.tables]

        line_codes = [r for r in having("codes") if r.code_system not in NOT_LINE_SYSTEMS]
        icd_codes = [r for r in having("codes") if r.code_system == CodeSystem.ICD10CM]
        icd_notes = [r for r in having("notes") if r.code_system == CodeSystem.ICD10CM]
        ptp = [r for r in having("ptp_edits") if r.dataset == PTP_DATASETS[setting]]
        mue, addon = having("mue_limits"), having("addon_edits")
        loaded = {"ptp": ptp, "mue": mue, "addon": addon}
        return ReleaseSet(
            setting=setting,
            ptp=quarter_in_force(ptp, on),
            mue=layered_in_force(mue, on),
            addon=newest_in_force(addon, on, guess=False),
            pfs=newest_in_force(having("fee_items"), on),
            codes=each_dataset_in_force(line_codes, on),
            modifiers=each_dataset_in_force(having("modifiers"), on),
            diagnoses=newest_in_force(icd_codes, on),
            notes=newest_in_force(icd_notes, on),
            loaded=frozenset(kind for kind, found in loaded.items() if found),
            ncd=newest_in_force(having("ncd_codes"), on),
            articles=newest_in_force(having("article_icd10"), on, guess=False),
            opps=newest_in_force(having("opps_items"), on),
            dmepos=newest_in_force(having("dmepos_fees"), on),
        )
