"""Which modifiers apply to a code, derived from its fee-schedule and NCCI indicators.

Pure functions: the page's query hands in the code's PFS global row and its PTP summary and
gets back `ModifierAdvice` items, each naming the indicator it rests on and its release.
The two-digit CPT modifiers' official descriptors are AMA text, so this module describes
them in our own words; HCPCS Level II modifiers (XE, XS, TC, AS, ...) are public domain and
their pages also show the CMS description.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from medcode.codes.page.meanings import (
    ASSISTANT,
    BILATERAL,
    CO_SURGEON,
    MULT_PROC,
    PCTC,
    TEAM_SURGERY,
)
from medcode.codes.page.panels import FeeRow, PtpSummary, Source
from medcode.rules.modifier_sets import DISTINCT_SERVICE_LISTED

APPLIES = "applies"
RESTRICTED = "restricted"
DOES_NOT_APPLY = "does_not_apply"
NOTE = "note"

VERDICT_LABELS: Mapping[str, str] = MappingProxyType(
    {
        APPLIES: "Applies",
        RESTRICTED: "With documentation",
        DOES_NOT_APPLY: "Does not apply",
        NOTE: "When appropriate",
    }
)


@dataclass(frozen=True)
class ModifierAdvice:
    modifiers: tuple[str, ...]
    label: str
    verdict: str
    verdict_label: str
    explanation: str
    # The indicator the advice rests on ("bilat_surg_ind = 1"); "" for editorial notes.
    basis: str
    # The release the indicator comes from; None for editorial notes.
    source: Source | None

    @property
    def basis_label(self) -> str:
        """The basis as a reader names it: "PFS bilateral surgery indicator 1", not the
        column name (which the JSON keeps in `basis`)."""
        field, _, value = self.basis.partition(" = ")
        name = BASIS_NAMES.get(field)
        return f"{name} {value}" if name and value else self.basis


# The readable name of each indicator a basis names (the PFS RVU file's and NCCI PTP columns).
BASIS_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "bilat_surg_ind": "PFS bilateral surgery indicator",
        "mult_proc_ind": "PFS multiple procedure indicator",
        "co_surg_ind": "PFS co-surgeon indicator",
        "team_surg_ind": "PFS team surgery indicator",
        "asst_surg_ind": "PFS assistant at surgery indicator",
        "pctc_ind": "PFS PC/TC indicator",
        "modifier_indicator": "NCCI modifier indicator",
    }
)

# Our own short explanations of the CPT (Level I) modifiers: the AMA's descriptors are
# licensed text and are never shown here.
CPT_MODIFIERS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "22": (
            "Substantially more work than usual",
            "The procedure took substantially more work than the code normally involves "
            "(time, complexity, difficulty). The record must show why; many payers review "
            "it before paying more.",
        ),
        "24": (
            "Unrelated visit in a postoperative period",
            "An evaluation and management visit by the same physician during a global "
            "period, for a problem unrelated to the surgery.",
        ),
        "25": (
            "Separate visit on the day of a procedure",
            "A significant, separately identifiable evaluation and management service by "
            "the same physician on the same day as a procedure or other service.",
        ),
        "26": (
            "Professional component",
            "Only the physician's part (supervision and interpretation) of a service that "
            "has professional and technical parts.",
        ),
        "50": (
            "Procedure on both sides",
            "The same procedure done on both sides of the body at the same session.",
        ),
        "51": (
            "Several procedures at one session",
            "More than one procedure by the same physician at the same session; payers "
            "reduce the payment for the secondary procedures.",
        ),
        "52": (
            "Reduced service",
            "A service partly reduced or eliminated at the physician's discretion.",
        ),
        "53": (
            "Procedure stopped",
            "The physician ended a procedure after it started, usually because the "
            "patient's wellbeing was at risk.",
        ),
        "54": ("Surgery only", "The surgeon did the operation but not the follow-up care."),
        "55": (
            "Postoperative care only",
            "Another physician took over the care after the operation.",
        ),
        "56": (
            "Preoperative care only",
            "Another physician did the care before the operation.",
        ),
        "57": (
            "Visit that led to the decision for surgery",
            "An evaluation and management visit, the day before or the day of a major "
            "operation, at which the decision to operate was made.",
        ),
        "58": (
            "Staged or related procedure in the global period",
            "A procedure planned at the time of the first, more extensive than it, or "
            "therapy after a diagnostic procedure, by the same physician.",
        ),
        "59": (
            "Distinct procedure on the same day",
            "A procedure that is separate from another one done the same day (another "
            "session, site, incision or lesion). Use it only when no more specific modifier "
            "(XE, XS, XP, XU) fits.",
        ),
        "62": (
            "Two surgeons sharing one procedure",
            "Two surgeons of different skills each perform a distinct part of one procedure; "
            "each reports the code with 62.",
        ),
        "66": (
            "Surgical team",
            "A highly complex procedure done by a team of several physicians and other staff.",
        ),
        "76": (
            "Repeat procedure, same physician",
            "The same procedure repeated by the same physician, on the same day or later "
            "in the original procedure's postoperative period.",
        ),
        "77": (
            "Repeat procedure, another physician",
            "The same procedure repeated by a different physician, on the same day or "
            "later in the original procedure's postoperative period.",
        ),
        "78": (
            "Unplanned return to the operating room",
            "A related procedure by the same physician during the global period, needing a "
            "return to the operating room.",
        ),
        "79": (
            "Unrelated procedure in the global period",
            "A procedure by the same physician during a global period, unrelated to the "
            "first operation; it starts its own global period.",
        ),
        "80": ("Assistant surgeon", "A physician who assisted the operating surgeon."),
        "81": (
            "Minimum assistant surgeon",
            "A physician who assisted for only a small part of the operation.",
        ),
        "82": (
            "Assistant surgeon, no qualified resident",
            "A physician who assisted at surgery in a teaching hospital because no "
            "qualified resident surgeon was available.",
        ),
        "91": (
            "Repeat laboratory test",
            "The same laboratory test repeated on the same day to obtain new results.",
        ),
    }
)

# Level II modifiers that the advice refers to, in our own words (the page for each shows
# the CMS description when the HCPCS modifier file is loaded).
LEVEL2_MODIFIERS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "TC": ("Technical component", "Only the equipment, staff and supplies part of a test."),
        "AS": (
            "Non-physician assistant at surgery",
            "A physician assistant, nurse practitioner or clinical nurse specialist "
            "assisting at surgery.",
        ),
        "XE": ("Separate encounter", "A distinct service because it was a separate encounter."),
        "XS": (
            "Separate structure",
            "A distinct service because it was on a separate organ or structure.",
        ),
        "XP": (
            "Separate practitioner",
            "A distinct service because a different practitioner performed it.",
        ),
        "XU": (
            "Unusual non-overlapping service",
            "A distinct service that does not overlap the usual parts of the main service.",
        ),
        "RT": ("Right side", "The procedure was on the right side of the body."),
        "LT": ("Left side", "The procedure was on the left side of the body."),
    }
)

FAMILIES: tuple[tuple[str, ...], ...] = (
    DISTINCT_SERVICE_LISTED,
    ("80", "81", "82", "AS"),
    ("26", "TC"),
    ("76", "77"),
    ("50", "RT", "LT"),
    ("24", "25", "57", "58", "78", "79"),
    ("54", "55", "56"),
    ("52", "53"),
)

# The PFS indicator each modifier's payment rule rests on.
MODIFIER_INDICATORS: Mapping[str, tuple[str, str, Mapping[str, str]]] = MappingProxyType(
    {
        "50": ("bilat_surg_ind", "Bilateral surgery indicator", BILATERAL),
        "51": ("mult_proc_ind", "Multiple procedure indicator", MULT_PROC),
        "62": ("co_surg_ind", "Co-surgeon indicator", CO_SURGEON),
        "66": ("team_surg_ind", "Team surgery indicator", TEAM_SURGERY),
        "80": ("asst_surg_ind", "Assistant at surgery indicator", ASSISTANT),
        "81": ("asst_surg_ind", "Assistant at surgery indicator", ASSISTANT),
        "82": ("asst_surg_ind", "Assistant at surgery indicator", ASSISTANT),
        "AS": ("asst_surg_ind", "Assistant at surgery indicator", ASSISTANT),
        "26": ("pctc_ind", "PC/TC indicator", PCTC),
        "TC": ("pctc_ind", "PC/TC indicator", PCTC),
    }
)


def modifier_family(modifier: str) -> tuple[str, ...]:
    """The other modifiers used in the same situation as this one."""
    for family in FAMILIES:
        if modifier in family:
            return tuple(m for m in family if m != modifier)
    return ()


def modifier_explanation(modifier: str) -> tuple[str, str] | None:
    return CPT_MODIFIERS.get(modifier) or LEVEL2_MODIFIERS.get(modifier)


def is_cpt_modifier(modifier: str) -> bool:
    return len(modifier) == 2 and modifier.isdigit()


def _advice(
    modifiers: tuple[str, ...],
    label: str,
    verdict: str,
    explanation: str,
    basis: str = "",
    source: Source | None = None,
) -> ModifierAdvice:
    return ModifierAdvice(
        modifiers=modifiers,
        label=label,
        verdict=verdict,
        verdict_label=VERDICT_LABELS[verdict],
        explanation=explanation,
        basis=basis,
        source=source,
    )


def fee_schedule_advice(fee: FeeRow, source: Source) -> list[ModifierAdvice]:
    """Modifiers 50, 51, 62, 66, 80/81/82/AS and 26/TC from the PFS indicators."""
    advice: list[ModifierAdvice] = []
    bilat = fee.bilat_surg_ind
    if bilat:
        verdict = {"1": APPLIES, "3": APPLIES}.get(bilat, DOES_NOT_APPLY)
        payment = {
            "0": " Reported on both sides, payment stays at 100% of the single amount.",
            "1": " Payment rule: one line with 50, paid at up to 150% of the single amount.",
            "3": " Payment rule: each side at 100% of the single amount.",
        }.get(bilat, "")
        advice.append(
            _advice(
                ("50",),
                "Bilateral procedure",
                verdict,
                BILATERAL.get(bilat, "") + payment,
                f"bilat_surg_ind = {bilat}",
                source,
            )
        )
    mult = fee.mult_proc_ind
    if mult:
        verdict = DOES_NOT_APPLY if mult in {"0", "9"} else APPLIES
        advice.append(
            _advice(
                ("51",),
                "Multiple procedures",
                verdict,
                MULT_PROC.get(mult, "")
                + (
                    " Many payers want 51 on the secondary procedures; Medicare contractors "
                    "apply the reduction from the claim."
                    if verdict == APPLIES
                    else ""
                ),
                f"mult_proc_ind = {mult}",
                source,
            )
        )
    for modifiers, label, field, table, payment in (
        (
            ("62",),
            "Co-surgeons",
            "co_surg_ind",
            CO_SURGEON,
            " Medicare pays each co-surgeon 62.5% of the fee schedule amount.",
        ),
        (
            ("66",),
            "Team surgery",
            "team_surg_ind",
            TEAM_SURGERY,
            " Payment is set by the contractor for each case.",
        ),
    ):
        value = getattr(fee, field)
        if value:
            verdict = {"1": RESTRICTED, "2": APPLIES}.get(value, DOES_NOT_APPLY)
            advice.append(
                _advice(
                    modifiers,
                    label,
                    verdict,
                    table.get(value, "") + (payment if verdict != DOES_NOT_APPLY else ""),
                    f"{field} = {value}",
                    source,
                )
            )
    asst = fee.asst_surg_ind
    if asst:
        verdict = {"0": RESTRICTED, "2": APPLIES}.get(asst, DOES_NOT_APPLY)
        payment = (
            " Medicare pays a physician assistant at surgery (80, 81, 82) 16% of the surgeon's "
            "fee schedule amount, and a non-physician assistant (AS) 85% of that. Use 82 only "
            "in a teaching hospital when no qualified resident was available."
            if verdict != DOES_NOT_APPLY
            else ""
        )
        advice.append(
            _advice(
                ("80", "81", "82", "AS"),
                "Assistant at surgery",
                verdict,
                ASSISTANT.get(asst, "") + payment,
                f"asst_surg_ind = {asst}",
                source,
            )
        )
    pctc = fee.pctc_ind
    if pctc:
        if pctc == "1":
            advice.append(
                _advice(
                    ("26", "TC"),
                    "Professional and technical components",
                    APPLIES,
                    PCTC["1"],
                    "pctc_ind = 1",
                    source,
                )
            )
        elif pctc == "6":
            advice.append(
                _advice(
                    ("26",), "Professional component", APPLIES, PCTC["6"], "pctc_ind = 6", source
                )
            )
        else:
            advice.append(
                _advice(
                    ("26", "TC"),
                    "Professional and technical components",
                    DOES_NOT_APPLY,
                    PCTC.get(pctc, ""),
                    f"pctc_ind = {pctc}",
                    source,
                )
            )
    return advice


def ncci_advice(ptp: PtpSummary, source: Source) -> list[ModifierAdvice]:
    advice = []
    if ptp.modifier_allowed:
        advice.append(
            _advice(
                DISTINCT_SERVICE_LISTED,
                "Distinct procedural service (NCCI)",
                NOTE,
                f"{ptp.modifier_allowed} active NCCI pair edit(s) with this code as column 1 "
                "allow a modifier to bypass the edit. Use XE, XS, XP or XU (or 59 when none "
                "fits) only when the services really were distinct: a separate encounter, "
                "site, practitioner or non-overlapping service, as the record must show.",
                "modifier_indicator = 1",
                source,
            )
        )
    if ptp.never_together:
        advice.append(
            _advice(
                DISTINCT_SERVICE_LISTED,
                "Pairs no modifier can bypass",
                DOES_NOT_APPLY,
                f"{ptp.never_together} active pair edit(s) have modifier indicator 0: no "
                "modifier makes those pairs payable together.",
                "modifier_indicator = 0",
                source,
            )
        )
    return advice


PROCEDURE_GLOBALS = frozenset({"000", "010", "090"})


def editorial_advice(*, is_procedure: bool, has_ncci_note: bool) -> list[ModifierAdvice]:
    """Our notes on 22, 59/X{EPSU}, 76 and 77 for procedure codes."""
    if not is_procedure:
        return []
    advice = [
        _advice(("22",), CPT_MODIFIERS["22"][0], NOTE, CPT_MODIFIERS["22"][1]),
    ]
    if not has_ncci_note:
        advice.append(
            _advice(
                DISTINCT_SERVICE_LISTED,
                "Distinct procedural service",
                NOTE,
                "Only to show that a service paired by an NCCI edit was really distinct "
                "(separate encounter, site, practitioner or non-overlapping service). Prefer "
                "the specific X modifier over 59.",
            )
        )
    advice += [
        _advice(("76",), CPT_MODIFIERS["76"][0], NOTE, CPT_MODIFIERS["76"][1]),
        _advice(("77",), CPT_MODIFIERS["77"][0], NOTE, CPT_MODIFIERS["77"][1]),
    ]
    return advice


# Surgical modifiers: on a code that is not a procedure (no 0/10/90-day global) a card is
# shown only when its indicator positively allows the modifier, never "does not apply" or
# "with documentation" noise on an office visit or an X-ray.
SURGICAL = frozenset({"50", "51", "62", "66", "80"})

# E/M services: the modifiers coders actually put on a visit, in our own words (CMS Claims
# Processing Manual, chapter 12, sections 30.6 and 40).
EM_MODIFIERS: tuple[tuple[str, str, str], ...] = (
    (
        "25",
        "Separate visit on the day of a procedure",
        "When the same physician bills a procedure or other service on the same day and the "
        "visit went beyond the usual work before and after that service. The record must "
        "show the separately identifiable visit; Medicare does not require a different "
        "diagnosis. On the day of a minor procedure (0 or 10-day global) the visit is "
        "otherwise included.",
    ),
    (
        "57",
        "Visit that led to the decision for surgery",
        "When the visit, the day before or the day of a major operation (90-day global), is "
        "where the decision to operate was made; without 57 such a visit is part of the "
        "surgery's global package.",
    ),
    (
        "24",
        "Unrelated visit in a postoperative period",
        "When the same physician sees the patient during a surgery's postoperative period "
        "for a problem unrelated to it; the diagnosis and the record should show that it "
        "is unrelated.",
    ),
    (
        "95",
        "Telehealth (real-time audio and video)",
        "Many payers ask for 95 on a visit given by real-time audio and video. Medicare's "
        "instructions on 95 and the place-of-service code have changed from year to year; "
        "check the CMS telehealth list and instructions for the date of service.",
    ),
)


def em_advice() -> list[ModifierAdvice]:
    return [_advice((code,), label, NOTE, text) for code, label, text in EM_MODIFIERS]


def applicable_modifiers(
    *,
    fee: FeeRow | None,
    fee_source: Source | None,
    ptp: PtpSummary | None,
    ptp_source: Source | None,
    is_em: bool = False,
) -> tuple[ModifierAdvice, ...]:
    """Every modifier note for a procedure or service code, indicator-derived first.

    is_em: an evaluation and management service, which gets the visit modifiers (25, 57,
    24, 95) instead of the surgical ones.
    """
    advice: list[ModifierAdvice] = []
    is_procedure = fee is not None and fee.global_days in PROCEDURE_GLOBALS
    if fee is not None and fee_source is not None:
        for item in fee_schedule_advice(fee, fee_source):
            surgical = item.modifiers[0] in SURGICAL
            if surgical and (is_em or (not is_procedure and item.verdict != APPLIES)):
                continue
            if is_em and item.verdict == DOES_NOT_APPLY:
                continue
            # The diagnostic-test reductions (indicators 4-7) are applied without 51.
            if item.modifiers == ("51",) and not is_procedure and fee.mult_proc_ind not in "23":
                continue
            advice.append(item)
    if is_em:
        advice += em_advice()
    ncci: list[ModifierAdvice] = []
    if ptp is not None and ptp_source is not None:
        ncci = ncci_advice(ptp, ptp_source)
        advice += ncci
    advice += editorial_advice(
        is_procedure=is_procedure and not is_em,
        has_ncci_note=any(a.verdict == NOTE for a in ncci),
    )
    return tuple(advice)
