"""Data panels of a code page: rows of a loaded release turned into cited, explained facts.

Every builder here is a pure function: rows in, a frozen `Panel` out. Each panel carries its
`source` (dataset title, release, source file) and the date it describes (`as_of`), so a page
never shows a fact without saying where it came from. Code values are explained in words;
the meanings follow the official record layouts (shared/data/DATA_LAYOUTS.md section 2).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from medcode.codes.page.meanings import (
    AOC_TYPES,
    ASSISTANT,
    BILATERAL,
    CO_SURGEON,
    DMEPOS_CATEGORIES,
    DMEPOS_MODIFIERS,
    GLOBAL_DAYS,
    HCPCS_ACTION,
    HCPCS_COVERAGE,
    HCPCS_LAB_CERT,
    HCPCS_LAYOUT_SOURCE,
    HCPCS_MULT_PRICING,
    HCPCS_PRICING,
    IMAGING_FAMILY,
    MUE_MAI,
    MULT_PROC,
    NOTE_TYPES,
    OPPS_STATUS,
    PCTC,
    PFS_STATUS,
    PTP_MODIFIER,
    SERVICE_TYPES,
    SEVERITY,
    SUPERVISION,
    TEAM_SURGERY,
    TYPE_OF_SERVICE,
    betos_meaning,
    explain,
)
from medcode.rules.nonpayment import nonpayment_reason


@dataclass(frozen=True)
class Source:
    """Where a fact comes from: one imported release file."""

    dataset: str
    title: str
    version_label: str
    source_file: str
    effective_from: dt.date
    effective_to: dt.date | None
    citation: str


EDITORIAL_SOURCE_TITLE = "medcode editorial"


class ReleaseLike(Protocol):
    dataset: str
    version_label: str
    source_file: str
    effective_from: dt.date
    effective_to: dt.date | None

    def get_dataset_title(self) -> str: ...


def source_of(release: ReleaseLike) -> Source:
    title = release.get_dataset_title()
    return Source(
        dataset=release.dataset,
        title=title,
        version_label=release.version_label,
        source_file=release.source_file,
        effective_from=release.effective_from,
        effective_to=release.effective_to,
        citation=f"{title} {release.version_label} ({release.source_file})",
    )


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    meaning: str = ""


@dataclass(frozen=True)
class ListItem:
    text: str
    # The code (as printed) or heading the item is inherited from; "" when it is the code's own.
    inherited_from: str = ""


@dataclass(frozen=True)
class ListGroup:
    title: str
    meaning: str
    items: tuple[ListItem, ...]


@dataclass(frozen=True)
class Table:
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    # Indexes of columns whose cells are codes (the page links them).
    code_columns: tuple[int, ...] = ()


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    source: Source
    as_of: dt.date
    summary: str = ""
    facts: tuple[Fact, ...] = ()
    groups: tuple[ListGroup, ...] = ()
    tables: tuple[Table, ...] = ()
    # "NCCI PTP edits for 2026-12-05 are not loaded; ..." (medcode.codes.staleness), or "".
    stale: str = ""


def money(amount: float) -> str:
    return f"${amount:,.2f}"


def number(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


class FeeRow(Protocol):
    modifier: str
    status_code: str
    work_rvu: float | None
    nonfac_pe_rvu: float | None
    nonfac_na: bool
    facility_pe_rvu: float | None
    facility_na: bool
    mp_rvu: float | None
    nonfac_total: float | None
    facility_total: float | None
    pctc_ind: str
    global_days: str
    pre_op: float | None
    intra_op: float | None
    post_op: float | None
    mult_proc_ind: str
    bilat_surg_ind: str
    asst_surg_ind: str
    co_surg_ind: str
    team_surg_ind: str
    endo_base: str
    conv_factor: float | None
    phys_supervision: str
    diag_imaging_family: str


def national_payment(total: float | None, conv_factor: float | None, *, is_na: bool) -> str:
    """Total RVUs x conversion factor, in dollars; 'not paid in this setting' for NA."""
    if is_na:
        return "NA (not paid in this setting)"
    if total is None or conv_factor is None:
        return ""
    return money(total * conv_factor)


NO_MEDICARE_PAYMENT = "None"
MEDICARE_PAYMENT = "Medicare payment"


def no_payment_reason(row: FeeRow) -> str | None:
    """Why Medicare pays nothing for this PFS row (status or RVU flag), or None when it pays."""
    attributes = getattr(row, "attributes", None) or {}
    return nonpayment_reason(
        row.status_code,
        not_used_for_medicare=bool(attributes.get("not_used_for_medicare_payment")),
    )


def row_payment(row: FeeRow, total: float | None, *, is_na: bool) -> str:
    """A row's national payment cell: the amount, NA, or "None (why)"."""
    reason = no_payment_reason(row)
    if reason is not None:
        return f"{NO_MEDICARE_PAYMENT} ({reason})"
    return national_payment(total, row.conv_factor, is_na=is_na)


def global_row(rows: Sequence[FeeRow]) -> FeeRow | None:
    return next((r for r in rows if not r.modifier), rows[0] if rows else None)


# CMS added the PRIC IND column to the relative value file in CY2026. Neither layout document
# medcode's meanings are checked against (DATA_LAYOUTS.md, HCPC2026_recordlayout.txt) defines
# it: say so, never guess (the HCPCS pricing indicators are a different field).
PRICING_IND = (
    "Shown exactly as CMS publishes it; meaning not verified. CMS added this column to the "
    "relative value file in 2026, and the CMS record layouts medcode checks its explanations "
    "against do not define it, so medcode does not explain it."
)


def fee_schedule_panel(rows: Sequence[FeeRow], source: Source, as_of: dt.date) -> Panel | None:
    main = global_row(rows)
    if main is None:
        return None
    cf = main.conv_factor
    table_rows = []
    for r in sorted(rows, key=lambda r: (r.modifier != "", r.modifier)):
        table_rows.append(
            (
                r.modifier or "global",
                r.status_code,
                number(r.work_rvu),
                number(r.nonfac_pe_rvu) + (" (NA)" if r.nonfac_na else ""),
                number(r.facility_pe_rvu) + (" (NA)" if r.facility_na else ""),
                number(r.mp_rvu),
                number(r.nonfac_total),
                number(r.facility_total),
                row_payment(r, r.nonfac_total, is_na=r.nonfac_na),
                row_payment(r, r.facility_total, is_na=r.facility_na),
            )
        )
    facts = [Fact("Status", main.status_code, explain(PFS_STATUS, main.status_code))]
    reason = no_payment_reason(main)
    if reason is not None:
        # No dollar figure for a code Medicare does not pay: the RVUs stay in the table below.
        facts.append(Fact(MEDICARE_PAYMENT, NO_MEDICARE_PAYMENT, reason + "."))
    else:
        facts += _national_payment_facts(main)
    facts += [
        Fact("Conversion factor", f"{cf:.4f}" if cf is not None else "", ""),
        Fact("Global period", main.global_days, explain(GLOBAL_DAYS, main.global_days)),
    ]
    _other_facts(main, facts)
    return Panel(
        key="fee_schedule",
        title="Medicare Physician Fee Schedule",
        source=source,
        as_of=as_of,
        summary=(
            "National relative value units (RVUs) and the national payment they give "
            "(RVUs x conversion factor). Your local payment also applies the geographic "
            "practice cost indices (GPCI) of your locality."
        ),
        facts=tuple(f for f in facts if f.value),
        tables=(
            Table(
                caption="Relative value units and national payment by modifier row",
                columns=(
                    "Row",
                    "Status",
                    "Work RVU",
                    "Non-facility PE RVU",
                    "Facility PE RVU",
                    "MP RVU",
                    "Non-facility total",
                    "Facility total",
                    "Non-facility payment",
                    "Facility payment",
                ),
                rows=tuple(table_rows),
            ),
        ),
    )


def _national_payment_facts(main: FeeRow) -> list[Fact]:
    cf = main.conv_factor
    return [
        Fact(
            "Non-facility national payment",
            national_payment(main.nonfac_total, cf, is_na=main.nonfac_na),
            "Total non-facility RVUs x conversion factor (office and other non-facility "
            "settings), before the locality adjustment (GPCI).",
        ),
        Fact(
            "Facility national payment",
            national_payment(main.facility_total, cf, is_na=main.facility_na),
            "Total facility RVUs x conversion factor (hospital, ASC and other facility "
            "settings), before the locality adjustment (GPCI).",
        ),
    ]


def _other_facts(main: FeeRow, facts: list[Fact]) -> None:
    if main.global_days in {"010", "090"} and main.intra_op is not None:
        facts.append(
            Fact(
                "Pre/intra/post-operative share",
                f"{_pct(main.pre_op)} / {_pct(main.intra_op)} / {_pct(main.post_op)}",
                "How the global fee splits when different physicians share the care "
                "(modifiers 54, 55, 56).",
            )
        )
    facts += [
        Fact("PC/TC indicator", main.pctc_ind, explain(PCTC, main.pctc_ind)),
        Fact(
            "Multiple procedures (51)", main.mult_proc_ind, explain(MULT_PROC, main.mult_proc_ind)
        ),
        Fact(
            "Bilateral surgery (50)", main.bilat_surg_ind, explain(BILATERAL, main.bilat_surg_ind)
        ),
        Fact(
            "Assistant at surgery (80/81/82/AS)",
            main.asst_surg_ind,
            explain(ASSISTANT, main.asst_surg_ind),
        ),
        Fact("Co-surgeons (62)", main.co_surg_ind, explain(CO_SURGEON, main.co_surg_ind)),
        Fact("Team surgery (66)", main.team_surg_ind, explain(TEAM_SURGERY, main.team_surg_ind)),
    ]
    attributes = getattr(main, "attributes", None) or {}
    if attributes.get("pricing_ind"):
        facts.append(
            Fact(
                "PFS pricing indicator (2026 column, as published)",
                str(attributes["pricing_ind"]),
                PRICING_IND,
            )
        )
    if main.endo_base:
        facts.append(
            Fact("Endoscopic base code", main.endo_base, "Family base for the endoscopy rules.")
        )
    if main.phys_supervision and main.phys_supervision != "09":
        facts.append(
            Fact(
                "Physician supervision (diagnostic tests)",
                main.phys_supervision,
                explain(SUPERVISION, main.phys_supervision),
            )
        )
    if main.diag_imaging_family == "88":
        facts.append(
            Fact("Imaging family", "88", explain(IMAGING_FAMILY, main.diag_imaging_family))
        )


def _pct(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.0f}%"


class OppsRow(Protocol):
    status_indicator: str
    payment_rate: Any
    apc: str
    attributes: dict[str, Any]


def opps_panel(rows: Sequence[OppsRow], source: Source, as_of: dt.date) -> Panel | None:
    if not rows:
        return None
    row = rows[0]
    si = row.status_indicator.strip()
    facts = [
        Fact(
            "Status indicator",
            si,
            explain(
                OPPS_STATUS,
                si,
                unknown=f"Status indicator {si}: see CMS OPPS Addendum D1 for its meaning.",
            ),
        )
    ]
    if row.payment_rate is not None:
        facts.append(
            Fact(
                "National payment rate",
                money(float(row.payment_rate)),
                "Unadjusted national rate for hospital outpatient departments, before the "
                "wage index.",
            )
        )
    if row.apc:
        facts.append(Fact("APC", row.apc, "Ambulatory Payment Classification."))
    changed = row.attributes.get("changed_vs_prior") if row.attributes else None
    if changed in {True, "true", "1"}:
        facts.append(Fact("Changed", "yes", "Changed since the previous quarter's addendum."))
    return Panel(
        key="opps",
        title="Hospital outpatient (OPPS Addendum B)",
        source=source,
        as_of=as_of,
        summary="How Medicare pays hospital outpatient departments for this code.",
        facts=tuple(facts),
    )


def split_values(value: Any) -> list[str]:
    """Multi-valued ANWEB cells: a list, or one cell joined with ':' or ','."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value)
    for sep in (":", ","):
        if sep in text:
            return [v.strip() for v in text.split(sep) if v.strip()]
    return [text.strip()] if text.strip() else []


def first_attribute(attributes: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        value = attributes.get(name)
        if value not in (None, "", []):
            return value
    return None


class CodeRowLike(Protocol):
    code: str
    display: str
    short_description: str
    long_description: str
    added_on: dt.date | None
    action_on: dt.date | None
    terminated_on: dt.date | None
    action_code: str
    attributes: dict[str, Any]


def hcpcs_panel(row: CodeRowLike, source: Source, as_of: dt.date) -> Panel:
    attrs = row.attributes or {}
    facts: list[Fact] = []
    if row.short_description:
        facts.append(Fact("Short description", row.short_description))
    pricing = split_values(
        first_attribute(attrs, "pricing_indicators", "pricing_indicator", "price1")
    )
    for value in pricing:
        facts.append(Fact("Pricing indicator", value, explain(HCPCS_PRICING, value)))
    mult = first_attribute(attrs, "mult_pi", "multiple_pricing_indicator")
    if mult:
        facts.append(
            Fact("Multiple pricing indicator", str(mult), explain(HCPCS_MULT_PRICING, str(mult)))
        )
    cov = first_attribute(attrs, "coverage", "cov")
    if cov:
        facts.append(Fact("Coverage code", str(cov), explain(HCPCS_COVERAGE, str(cov))))
    betos = first_attribute(attrs, "betos")
    if betos:
        facts.append(Fact("BETOS", str(betos), betos_meaning(str(betos))))
    tos = split_values(first_attribute(attrs, "tos", "type_of_service"))
    if tos:
        facts.append(
            Fact(
                "Type of service",
                ", ".join(tos),
                "; ".join(f"{t}: {TYPE_OF_SERVICE.get(t, 'not described')}" for t in tos) + ".",
            )
        )
    action = row.action_code or str(first_attribute(attrs, "action", "action_cd") or "")
    if action:
        facts.append(Fact("Action code", action, explain(HCPCS_ACTION, action)))
    for label, day in (
        ("Added", row.added_on),
        ("Action effective", row.action_on),
        ("Terminated", row.terminated_on),
    ):
        if day:
            facts.append(Fact(label, day.isoformat()))
    for label, names in (
        ("Cross-reference", ("xref", "cross_reference")),
        ("Statute", ("statute",)),
        ("Coverage Issues Manual", ("cim",)),
        ("Medicare Carriers Manual", ("mcm",)),
        ("ASC payment group", ("asc_group", "asc_grp")),
        ("Anesthesia base units", ("anesthesia_base_units", "anest_bu")),
    ):
        value = first_attribute(attrs, *names)
        if value and str(value) not in {"0", "0.0"}:
            facts.append(Fact(label, ", ".join(split_values(value)) or str(value)))
    labcert = split_values(first_attribute(attrs, "labcert"))
    if labcert:
        facts.append(
            Fact(
                "Lab certification",
                ", ".join(labcert),
                "; ".join(f"{c}: {explain(HCPCS_LAB_CERT, c)}" for c in labcert) + ".",
            )
        )
    procnote = first_attribute(attrs, "procnote_text", "procnote")
    if procnote:
        facts.append(Fact("Processing note", str(procnote)))
    return Panel(
        key="hcpcs",
        title="HCPCS Level II record",
        source=source,
        as_of=as_of,
        summary=(
            "The administrative data CMS publishes with the code; the code values are "
            f"explained from the {HCPCS_LAYOUT_SOURCE}."
        ),
        facts=tuple(facts),
    )


@dataclass(frozen=True)
class NoteRow:
    """A tabular note with the label of the level it is declared at."""

    level: str  # "" for the code itself, else e.g. "S72", "section S70-S79", "chapter 19"
    note_type: str
    text: str


def icd10cm_notes_panel(notes: Iterable[NoteRow], source: Source, as_of: dt.date) -> Panel | None:
    by_type: dict[str, list[ListItem]] = {}
    for note in notes:
        by_type.setdefault(note.note_type, []).append(ListItem(note.text, note.level))
    if not by_type:
        return None
    groups = []
    for note_type, (title, meaning) in NOTE_TYPES.items():
        items = by_type.pop(note_type, [])
        if items:
            groups.append(ListGroup(title, meaning, tuple(items)))
    for note_type, items in sorted(by_type.items()):
        groups.append(ListGroup(note_type, "", tuple(items)))
    return Panel(
        key="icd10cm_notes",
        title="ICD-10-CM instructional notes",
        source=source,
        as_of=as_of,
        summary=(
            "Notes declared at this code and inherited from the levels above it (chapter, "
            "section, category, subcategory)."
        ),
        groups=tuple(groups),
    )


def seventh_base(code: str) -> str:
    """The 6-character stem a 7th character is added to (placeholder X pads short codes)."""
    stem = code[:6] if len(code) >= 7 else code
    return stem.ljust(6, "X")


def display_icd10cm(code: str) -> str:
    return code if len(code) <= 3 else f"{code[:3]}.{code[3:]}"


def seventh_character_panel(
    *,
    code: str,
    declared_at: str,
    characters: Sequence[tuple[str, str]],
    valid_codes: Mapping[str, bool],
    source: Source,
    as_of: dt.date,
) -> Panel | None:
    """`characters` are (character, meaning) declared at `declared_at`, inherited by `code`.

    `valid_codes` maps each full code built from the base (undotted) to whether it is loaded.
    """
    if not characters:
        return None
    base = seventh_base(code)
    current = code[6] if len(code) == 7 else ""
    rows = []
    for char, meaning in characters:
        full = base + char
        shown = display_icd10cm(full) if valid_codes.get(full, False) else ""
        rows.append((char, meaning, shown, "this code" if char == current else ""))
    inherited = declared_at != code
    summary = (
        f"This code takes a 7th character. The values are declared at "
        f"{display_icd10cm(declared_at)}{' and inherited by this code' if inherited else ''}."
    )
    if len(code) < 7:
        summary += " Codes shorter than six characters use the placeholder X before it."
    return Panel(
        key="seventh_characters",
        title="7th characters",
        source=source,
        as_of=as_of,
        summary=summary,
        tables=(
            Table(
                caption=f"Valid 7th characters for {display_icd10cm(base)}",
                columns=("Character", "Meaning", "Code", ""),
                rows=tuple(rows),
                code_columns=(2,),
            ),
        ),
    )


def severity_panel(
    severity: str, source: Source, as_of: dt.date, *, graded_later: str = ""
) -> Panel:
    """The code's level on the loaded Tables 6I/6J. `graded_later` is the level the MS-DRG
    definitions in force on `as_of` give a code these tables do not list (a code added after
    them, such as the April 2026 QA0 codes): the tables' silence then says nothing."""
    label = severity or "non-CC"
    meaning = SEVERITY.get(severity, "")
    if not severity and graded_later:
        label = "Not on these tables"
        meaning = (
            "These Tables 6I/6J do not list the code: it is newer than them. The MS-DRG "
            f"definitions in force on this date grade it {graded_later} (the MS-DRG "
            "definitions panel)."
        )
    return Panel(
        key="severity",
        title="MS-DRG severity (CC/MCC)",
        source=source,
        as_of=as_of,
        facts=(Fact("Severity", label, meaning),),
        summary="The CC exclusion list (IPPS Table 6K) is not loaded; the MS-DRG definitions "
        "panel gives drgpy's copy of the Definitions Manual's exclusions (Appendix C).",
    )


def index_panel(
    entries: Sequence[tuple[str, str, str]], source: Source, as_of: dt.date
) -> Panel | None:
    """(index table, term path, code as printed) rows of the alphabetic index leading here."""
    if not entries:
        return None
    rows = tuple((path, code, table) for table, path, code in entries)
    return Panel(
        key=f"index_{source.dataset}",
        title="Alphabetic index entries",
        source=source,
        as_of=as_of,
        summary="Index terms that lead to this code or to a code above it; a trailing - means "
        "the index code needs more characters, as on this page.",
        tables=(Table("Index terms", ("Term", "Index code", "Index"), rows),),
    )


class MueRow(Protocol):
    service_type: str
    value: int
    mai: int
    rationale: str


def mue_panel(rows: Sequence[MueRow], source: Source, as_of: dt.date) -> Panel | None:
    if not rows:
        return None
    table_rows = tuple(
        (
            SERVICE_TYPES.get(r.service_type, r.service_type),
            str(r.value),
            f"{r.mai}: {explain(MUE_MAI, str(r.mai))}",
            r.rationale,
        )
        for r in sorted(rows, key=lambda r: r.service_type)
    )
    return Panel(
        key=f"mue_{source.dataset}",
        title="NCCI medically unlikely edits (MUE)",
        source=source,
        as_of=as_of,
        summary="The most units of this code a provider would report for one patient on one "
        "day (or one line) in most cases.",
        tables=(
            Table(
                "MUE values", ("Table", "Units", "Adjudication indicator", "Rationale"), table_rows
            ),
        ),
    )


@dataclass(frozen=True)
class PtpSummary:
    as_column_1: int
    as_column_2: int | None  # None when not counted (no index on column 2)
    modifier_allowed: int
    never_together: int
    partners: tuple[tuple[str, str, str], ...]  # (column 2 code, indicator, rationale)


PTP_MODIFIER_SHORT = {"0": "0: never together", "1": "1: modifier may bypass", "9": "9: deleted"}


def ptp_panel(summary: PtpSummary, title: str, source: Source, as_of: dt.date) -> Panel:
    facts = [
        Fact(
            "Active edits as column 1",
            str(summary.as_column_1),
            "Pairs where this code is the comprehensive code: the column 2 code is denied "
            "when both are billed for the same patient on the same day.",
        ),
        Fact(
            "Of which a modifier may bypass", str(summary.modifier_allowed), PTP_MODIFIER["1"] + "."
        ),
        Fact("Of which never paid together", str(summary.never_together), PTP_MODIFIER["0"] + "."),
    ]
    if summary.as_column_2 is not None:
        facts.append(
            Fact(
                "Active edits as column 2",
                str(summary.as_column_2),
                "Pairs where this code is the component code, denied with the column 1 code.",
            )
        )
    rows = tuple(
        (code, PTP_MODIFIER_SHORT.get(ind, ind), rationale)
        for code, ind, rationale in summary.partners
    )
    tables: tuple[Table, ...] = ()
    if rows:
        shown = len(rows)
        caption = (
            f"Column 2 codes (first {shown} of {summary.as_column_1})"
            if shown < summary.as_column_1
            else "Column 2 codes"
        )
        tables = (Table(caption, ("Column 2 code", "Modifier indicator", "Rationale"), rows, (0,)),)
    return Panel(
        key=f"ptp_{source.dataset}",
        title=title,
        source=source,
        as_of=as_of,
        summary="NCCI procedure-to-procedure edits active on the date shown. Modifier "
        "indicator 0: " + PTP_MODIFIER["0"] + "; 1: " + PTP_MODIFIER["1"] + ".",
        facts=tuple(facts),
        tables=tables,
    )


def addon_panel(
    *,
    primaries: Sequence[tuple[str, int, str]],
    addons: Sequence[tuple[str, int]],
    source: Source,
    as_of: dt.date,
    shown: int = 40,
) -> Panel | None:
    """`primaries`: (primary, type, note) when this code is an add-on; `addons` when a primary."""
    if not primaries and not addons:
        return None
    facts = []
    tables = []
    if primaries:
        edit_type = str(primaries[0][1])
        facts.append(Fact("Add-on code", "yes", explain(AOC_TYPES, edit_type)))
        listed = [p for p in primaries if p[0] != "CCCCC"]
        facts.append(Fact("Listed primary codes", str(len(listed))))
        if listed:
            tables.append(
                Table(
                    "Eligible primary codes"
                    + (f" (first {shown} of {len(listed)})" if len(listed) > shown else ""),
                    ("Primary code", "Type", "Note"),
                    tuple((p, str(t), note) for p, t, note in listed[:shown]),
                    (0,),
                )
            )
    if addons:
        facts.append(
            Fact(
                "Primary for add-on codes",
                str(len(addons)),
                "Add-on codes that may be reported with this code.",
            )
        )
        tables.append(
            Table(
                "Add-on codes reported with this code",
                ("Add-on code", "Type"),
                tuple((a, str(t)) for a, t in addons[:shown]),
                (0,),
            )
        )
    return Panel(
        key="addon",
        title="NCCI add-on code edits",
        source=source,
        as_of=as_of,
        summary="An add-on code is only paid with an eligible primary code on the same claim.",
        facts=tuple(facts),
        tables=tuple(tables),
    )


def dmepos_panel(rows: Sequence[Mapping[str, Any]], source: Source, as_of: dt.date) -> Panel | None:
    """Rows of the DMEPOS fee schedule for one code: floors, ceilings and state fee ranges."""
    if not rows:
        return None
    table_rows = []
    for row in sorted(rows, key=lambda r: (str(r.get("mod", "")), str(r.get("mod2", "")))):
        mods = " ".join(m for m in (str(row.get("mod", "")), str(row.get("mod2", ""))) if m)
        meaning = DMEPOS_MODIFIERS.get(str(row.get("mod", "")), "")
        fees = [
            float(v)
            for k, v in (row.get("fees") or {}).items()
            if k.endswith("_nr") and isinstance(v, int | float) and v > 0
        ]
        spread = f"{money(min(fees))} – {money(max(fees))}" if fees else ""
        catg = str(row.get("catg", ""))
        table_rows.append(
            (
                f"{mods} ({meaning})" if mods and meaning else mods or "none",
                f"{catg}: {DMEPOS_CATEGORIES[catg]}" if catg in DMEPOS_CATEGORIES else catg,
                _money_or_blank(row.get("floor")),
                _money_or_blank(row.get("ceiling")),
                spread,
            )
        )
    return Panel(
        key="dmepos",
        title="DMEPOS fee schedule",
        source=source,
        as_of=as_of,
        summary="Medicare fee schedule amounts for durable medical equipment, prosthetics, "
        "orthotics and supplies: the national floor and ceiling, and the range of the "
        "state (non-rural) fees.",
        tables=(
            Table(
                "Fees by modifier",
                ("Modifier", "Category", "Floor", "Ceiling", "State fees (non-rural)"),
                tuple(table_rows),
            ),
        ),
    )


def _money_or_blank(value: Any) -> str:
    return money(float(value)) if isinstance(value, int | float) else ""
