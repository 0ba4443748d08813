"""Expected Medicare allowed amounts for a claim's lines under the Physician Fee Schedule.

Per line: one unit's fee schedule amount,
[(work RVU x work GPCI) + (PE RVU x PE GPCI) + (MP RVU x MP GPCI)] x CF, with the facility PE
RVU at a facility place of service and the non-facility PE RVU elsewhere (DATA_LAYOUTS.md,
PFS), GPCIs of 1 for the national amount. Then the adjustments the PFS indicators of the
line's row call for, each citing the indicator (its column name in the PPRRVU file) and the
release:

- BILAT SURG with modifier 50, or the same code on an RT line and an LT line of one date:
  1 = the 150% adjustment applies; 2 = already bilateral, 100%; 3 = each side at 100%;
  0 and 9 = no adjustment.
- MULT PROC 2: the standard reduction, 100/50/50/50/50 ranked by fee (a bilateral procedure
  ranked at its adjusted amount), then "by report" (priced by the contractor: not computed).
  Values 1 and 3-7 name reductions whose arithmetic DATA_LAYOUTS.md does not give: they are
  said, not applied, and the claim total is then marked incomplete.
- Modifiers 54 (surgical care only), 55 (postoperative management only) and 56
  (preoperative management only) on a code with a global period: the row's PRE OP, INTRA OP
  and POST OP shares of the global package (the PFS file's split of the package; global
  surgery: Medicare Claims Processing Manual, IOM 100-04, chapter 12, section 40): 54 gets
  PRE OP + INTRA OP, 56 PRE OP, 55 POST OP. 55's share is the most it is paid: the share can
  be prorated by the postoperative days the physician actually cared for the patient, which
  the claim does not say, so the amount is marked as a maximum. On a code whose shares are 0
  (no global period) the modifiers have no split to apply and the line is not priced.
- ASST SURG (80/81/82/AS), CO-SURG (62), TEAM SURG (66): the layout says when these are paid
  (1 statutory restriction / 0 not permitted: nothing is paid) but not at what share of the
  fee, so a paid assistant, co-surgeon or team line is not priced, and says so.

Amounts are rounded to the cent (half up) at each step: the unit fee, then each adjusted
amount. This is an estimate of the allowed amount, not a remittance: deductible,
coinsurance, sequestration and the lower-of-charge rule are not applied.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Literal, Protocol

from medcode.rules.claim import Claim, ClaimLine, lines_by_date
from medcode.rules.nonpayment import is_facility_place, nonpayment_reason
from medcode.rules.pfs import ASSISTANT_MODIFIERS, PFS_PAYABLE_STATUSES, priced_row
from medcode.rules.tables import FeeIndicators, FeeTables, TableKind

CENT = Decimal("0.01")
ONE = Decimal(1)
NON_PARTICIPATING = Decimal("0.95")
LIMITING = Decimal("1.15")

PaymentStatus = Literal["priced", "no_payment", "not_priced", "packaged"]
Setting = Literal["facility", "non_facility"]
# Which payment system priced a line: the PFS, the OPPS (Addendum B) or the DMEPOS fee schedule.
Schedule = Literal["pfs", "opps", "dmepos"]
AdjustmentRule = Literal[
    "bilateral", "multiple_procedure", "assistant", "cosurgeon", "team", "split_care", "reduced"
]


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Gpci:
    """One payment locality's geographic practice cost indices (GPCI file of the year)."""

    mac: str
    locality: str
    state: str
    name: str
    work: Decimal
    pe: Decimal
    mp: Decimal

    @property
    def key(self) -> str:
        return f"{self.mac}-{self.locality}"


NATIONAL = Gpci("", "", "", "national", ONE, ONE, ONE)


def locality_amount(
    *, work: object, pe: object, mp: object, gpci: Gpci, conv_factor: object
) -> Decimal:
    """[(work x work GPCI) + (PE x PE GPCI) + (MP x MP GPCI)] x CF, rounded to the cent."""
    total = (
        _decimal(work) * gpci.work + _decimal(pe) * gpci.pe + _decimal(mp) * gpci.mp
    ) * _decimal(conv_factor)
    return cents(total)


def non_participating(amount: Decimal) -> Decimal:
    return cents(amount * NON_PARTICIPATING)


def limiting_charge(amount: Decimal) -> Decimal:
    """115% of the non-participating amount (95% of the fee schedule amount)."""
    return cents(amount * NON_PARTICIPATING * LIMITING)


def _decimal(value: object) -> Decimal:
    # Through str: float RVUs from the database (1.92) become the decimals the file printed.
    return value if isinstance(value, Decimal) else Decimal(str(value))


# --- what the claim check gives the pricing -------------------------------------------------


@dataclass(frozen=True, slots=True)
class PricingPlace:
    """How the lines of one date are priced: the locality (NATIONAL for none) and its GPCI
    release, or why no amount can be given on that date (no PFS file of the year loaded)."""

    gpci: Gpci = NATIONAL
    gpci_source: str = ""
    unavailable: str = ""


@dataclass(frozen=True, slots=True)
class Adjustment:
    rule: AdjustmentRule
    indicator: str  # the PPRRVU column and value, e.g. "MULT PROC 2"
    percent: Decimal | None  # the share of the fee paid; None when the source gives none
    message: str
    source: str


@dataclass(frozen=True, slots=True)
class LinePayment:
    line: int
    code: str
    status: PaymentStatus
    setting: Setting
    fee: Decimal | None  # one unit's fee schedule amount in this setting and locality
    amount: Decimal | None  # the expected allowed amount of the line; None: not priced
    reason: str  # why there is no payment or no price ("" when priced)
    formula: str
    adjustments: tuple[Adjustment, ...] = ()
    source: str = ""
    schedule: Schedule = "pfs"
    status_indicator: str = ""  # the OPPS status indicator of an OPPS line
    packaged_into: tuple[int, ...] = ()  # the lines an OPPS line's payment is packaged into


@dataclass(frozen=True, slots=True)
class ClaimPayment:
    lines: tuple[LinePayment, ...]
    notices: tuple[str, ...] = ()

    @property
    def total(self) -> Decimal:
        return sum((p.amount for p in self.lines if p.amount is not None), Decimal("0.00"))

    @property
    def is_complete(self) -> bool:
        """Every line has an amount and no reduction was left unapplied."""
        return all(p.amount is not None for p in self.lines) and not any(
            a.percent is None and a.rule == "multiple_procedure"
            for p in self.lines
            for a in p.adjustments
        )


# --- messages ---------------------------------------------------------------------------------

NO_PFS_ROW = "No PFS relative value row for {code}: it is not paid under the PFS on this date."
NOT_PRICED_STATUS: dict[str, str] = {
    "C": "PFS status C: the contractor prices it; the PFS gives no amount.",
    "D": "PFS status D: deleted; no amount is computed for it.",
    "E": "PFS status E: excluded from the PFS by regulation; any payment is outside the PFS.",
    "J": "PFS status J: anesthesia service, paid by (base units + time units) x the "
    "anesthesia conversion factor; the base units are not in the loaded data, so no amount is "
    "computed.",
    "X": "PFS status X: statutory exclusion, not paid under the PFS (e.g. lab or ambulance "
    "fee schedules).",
}
STATUS_T_BUNDLED = (
    "PFS status T: paid only when no other PFS service is billed on the date; {others} is, "
    "so its payment is bundled."
)
NO_UNITS = "The line has 0 units: nothing is paid for it."
SETTING_NA = "The PFS has no {setting} practice expense for {code} (NA): no {setting} payment."
NO_CF = "The PFS row of {code} has no conversion factor."
NO_PLACE = " (no place of service given: the non-facility rate)"

ASSISTANT_NOT_PAID = (
    "ASST SURG 1 ({release}): statutory payment restriction, an assistant at surgery is not "
    "paid for {code}."
)
ASSISTANT_NOT_PRICED = (
    "ASST SURG {indicator} ({release}): {meaning}. The share of the fee paid to an assistant "
    "is not given in the PFS layout medcode reads, so no amount is computed."
)
ASSISTANT_MEANINGS = {
    0: "an assistant is paid only with documentation of medical necessity",
    2: "an assistant at surgery may be paid",
    9: "the assistant at surgery concept does not apply",
}
COSURGEON_NOT_PAID = "CO-SURG 0 ({release}): co-surgeons are not permitted for {code}."
COSURGEON_NOT_PRICED = (
    "CO-SURG {indicator} ({release}): {meaning}. The share of the fee paid to each co-surgeon "
    "is not given in the PFS layout medcode reads, so no amount is computed."
)
COSURGEON_MEANINGS = {
    1: "co-surgeons are permitted with documentation",
    2: "co-surgeons are permitted",
    9: "the co-surgeon concept does not apply",
}
TEAM_NOT_PAID = "TEAM SURG 0 ({release}): team surgery is not permitted for {code}."
TEAM_NOT_PRICED = (
    "TEAM SURG {indicator} ({release}): {meaning}. The PFS layout medcode reads gives no "
    "amount for a team surgeon, so none is computed."
)
TEAM_MEANINGS = {
    1: "a team is permitted with documentation",
    2: "team surgery is permitted",
    9: "the team surgery concept does not apply",
}

# Modifier -> (the shares it is paid: indexes into PRE OP, INTRA OP, POST OP; what it means).
SPLIT_CARE: dict[str, tuple[tuple[int, ...], str]] = {
    "54": ((0, 1), "surgical care only: the pre- and intra-operative shares"),
    "56": ((0,), "preoperative management only: the pre-operative share"),
    "55": ((2,), "postoperative management only: the post-operative share"),
}
SPLIT_CARE_PAID = (
    "PRE OP {pre} / INTRA OP {intra} / POST OP {post} ({release}): modifier {modifier}, "
    "{meaning}, {percent}% of the fee (global surgery, IOM 100-04, chapter 12, section 40)."
)
SPLIT_CARE_AT_MOST = (
    " This is the most it is paid: the post-operative share can be prorated by the days of "
    "post-operative care the physician gave, which the claim does not say."
)
REDUCED_SERVICES = (
    "Modifier 52 (reduced services): the payment is reduced by the contractor from the "
    "documentation; the PFS file gives no reduction, so no amount is computed (the full fee of "
    "one unit would be {fee})."
)
SPLIT_CARE_NONE = (
    "PRE OP / INTRA OP / POST OP are 0 for {code} ({release}): the code has no global "
    "surgical package to divide, so modifier {modifier} has no share to apply and no amount "
    "is computed."
)

BILATERAL_150 = (
    "BILAT SURG 1 ({release}): the 150% bilateral adjustment applies{how}: 150% of one side's fee."
)
BILATERAL_PAIR_FIRST = (
    "BILAT SURG 1 ({release}): with {other} ({code}-{other_side}), a bilateral procedure: "
    "150% of one side's fee for both sides, 100% on this line."
)
BILATERAL_PAIR_SECOND = (
    "BILAT SURG 1 ({release}): with {other} ({code}-{other_side}), a bilateral procedure: "
    "150% of one side's fee for both sides, the other 50% on this line."
)
BILATERAL_OTHER: dict[int, tuple[str, Decimal]] = {
    0: ("BILAT SURG 0 ({release}): the 150% adjustment does not apply; one side's fee.", ONE),
    2: (
        "BILAT SURG 2 ({release}): the code is already bilateral; 100% of its fee.",
        ONE,
    ),
    3: (
        "BILAT SURG 3 ({release}): the 150% adjustment does not apply; each side at 100% of "
        "the fee (200% for both).",
        Decimal(2),
    ),
    9: ("BILAT SURG 9 ({release}): the bilateral concept does not apply; one fee.", ONE),
}
MULTIPLE_FULL = (
    "MULT PROC 2 ({release}): the highest-paid of {count} procedures on {dos} subject to the "
    "standard reduction: 100%."
)
MULTIPLE_HALF = (
    "MULT PROC 2 ({release}): procedure {rank} of {count} on {dos} by fee (standard "
    "reduction 100/50/50/50/50): 50%."
)
MULTIPLE_BY_REPORT = (
    "MULT PROC 2 ({release}): procedure {rank} of {count} on {dos} by fee; past the fifth "
    "the standard reduction prices it by report (the contractor), so no amount is computed."
)
MIXED_WITH_STANDARD = (1, 3)
MULTIPLE_MIXED = (
    "MULT PROC 2 ({release}): on {dos} this claim also has a procedure with MULT PROC 1 or 3; "
    "all of them are ranked together for the multiple procedure reduction, which is not "
    "applied across them here (the amounts shown rank the MULT PROC 2 lines alone), so the "
    "total is incomplete."
)
MULTIPLE_NOT_APPLIED: dict[int, str] = {
    1: "MULT PROC 1 ({release}): the standard reduction (historical); its arithmetic is not "
    "in the PFS layout medcode reads, so no reduction is applied.",
    3: "MULT PROC 3 ({release}): special endoscopy rules (same endoscopic base) apply with "
    "another endoscopy on {dos}; their arithmetic is not in the PFS layout medcode reads, so "
    "no reduction is applied: this line may be paid less.",
    4: "MULT PROC 4 ({release}): the diagnostic imaging multiple procedure reduction applies "
    "with another such service on {dos}; its percentages are not in the PFS layout medcode "
    "reads, so no reduction is applied: this line may be paid less.",
    5: "MULT PROC 5 ({release}): the practice expense reduction for 'always therapy' "
    "services applies with another on {dos}; its percentage is not in the PFS layout medcode "
    "reads, so no reduction is applied: this line may be paid less.",
    6: "MULT PROC 6 ({release}): the diagnostic cardiovascular reduction applies with another "
    "such service on {dos}; its percentage is not in the PFS layout medcode reads, so no "
    "reduction is applied: this line may be paid less.",
    7: "MULT PROC 7 ({release}): the diagnostic ophthalmology reduction applies with another "
    "such service on {dos}; its percentage is not in the PFS layout medcode reads, so no "
    "reduction is applied: this line may be paid less.",
}
HALF = Decimal("0.5")
STANDARD_REDUCTION = 2
STANDARD_PRICED_RANKS = 5  # 100/50/50/50/50, then by report


# --- pricing --------------------------------------------------------------------------------


class PricingTables(FeeTables, Protocol):
    """What pricing reads: PFS rows (RuleTables has these too) and their source."""

    def source(self, kind: TableKind) -> str: ...


@dataclass
class _Line:
    """A line being priced: its row and fee, the share of the fee it is paid so far."""

    line: ClaimLine
    row: FeeIndicators
    fee: Decimal
    setting: Setting
    formula: str
    share: Decimal  # of one unit's fee: units, or the bilateral adjustment
    adjustments: list[Adjustment] = field(default_factory=list)
    not_priced: str = ""
    # After the multiple procedure ranking: (share of the fee, rate) per procedure on the line.
    ranked: list[tuple[Decimal, Decimal]] = field(default_factory=list)
    pair: _Line | None = None  # the other side of an RT/LT bilateral pair

    @property
    def is_open(self) -> bool:
        """Still to be priced: not refused by an indicator and not already zero."""
        return not self.not_priced and self.share > 0


@dataclass
class _Procedure:
    """One procedure in the multiple procedure ranking: a unit of a line, or an RT/LT pair."""

    value: Decimal
    first_line: int
    members: list[tuple[_Line, Decimal]]  # each line and its share of the fee


def price_claim(
    claim: Claim,
    tables: PricingTables,
    *,
    place_for: Callable[[date], PricingPlace],
    release: str,
) -> ClaimPayment:
    """The expected allowed amount of each line and the adjustments applied, date by date.

    `release` names the PFS release in the adjustments ("RVU25D"); `place_for` gives each
    date's locality, or why nothing can be priced on it.
    """
    source = tables.source("pfs")
    payments: dict[int, LinePayment] = {}
    for dos, lines in lines_by_date(claim).items():
        for payment in _price_date(dos, lines, tables, place_for(dos), release, source):
            payments[payment.line] = payment
    return ClaimPayment(tuple(payments[line.number] for line in claim.lines))


def setting_of(line: ClaimLine) -> Setting:
    place = line.place_of_service
    return "facility" if place and is_facility_place(place) else "non_facility"


def _price_date(
    dos: date,
    lines: list[ClaimLine],
    tables: PricingTables,
    place: PricingPlace,
    release: str,
    source: str,
) -> list[LinePayment]:
    done: list[LinePayment] = []
    pricing: list[_Line] = []
    rows = {line.number: priced_row(line, tables) for line in lines}
    for line in lines:
        row, setting = rows[line.number], setting_of(line)
        reason, status = _closed(line, row, rows, place)
        if reason:
            amount = Decimal("0.00") if status == "no_payment" else None
            done.append(
                LinePayment(line.number, line.code, status, setting, None, amount, reason, "")
            )
            continue
        assert row is not None
        fee, formula = _fee(line, row, setting, place)
        if fee is None:
            done.append(
                LinePayment(line.number, line.code, "not_priced", setting, None, None, formula, "")
            )
            continue
        priced = _Line(line, row, fee, setting, formula, share=Decimal(line.units))
        _surgeon_modifiers(priced, release, source)
        pricing.append(priced)
    _bilateral(pricing, release, source)
    for priced in pricing:
        _split_care(priced, release, source)
        _reduced_services(priced, source)
    _multiple_procedures(dos, pricing, release, source)
    return done + [_finish(p, source) for p in pricing]


def _closed(
    line: ClaimLine,
    row: FeeIndicators | None,
    rows: dict[int, FeeIndicators | None],
    place: PricingPlace,
) -> tuple[str, PaymentStatus]:
    """Why the line gets no PFS amount at all ("" when it is priced), and which kind."""
    if place.unavailable:
        return place.unavailable, "not_priced"
    if row is None:
        return NO_PFS_ROW.format(code=line.code), "not_priced"
    if line.units == 0:
        return NO_UNITS, "no_payment"
    status = row.status_code
    if status in NOT_PRICED_STATUS and not row.not_used_for_medicare:
        return NOT_PRICED_STATUS[status], "not_priced"
    why = nonpayment_reason(status, not_used_for_medicare=row.not_used_for_medicare)
    if why is not None:
        return why + ".", "no_payment"
    if status == "T":
        others = [
            n
            for n, other in rows.items()
            if n != line.number and other is not None and other.status_code in PFS_PAYABLE_STATUSES
        ]
        if others:
            named = ", ".join(f"line {n}" for n in others)
            return STATUS_T_BUNDLED.format(others=named), "no_payment"
    elif status not in PFS_PAYABLE_STATUSES:
        return f"PFS status {status}: no amount is computed for it.", "not_priced"
    return "", "priced"


# Each row's fee and formula per setting and locality, keyed by the objects' identities (the
# table cache keeps one object per row; hashing a row's fields cost more than pricing it). The
# row and locality are kept with the entry, so a reused id never matches another object.
_FEES: dict[tuple[int, str, int, bool], tuple[FeeIndicators, Gpci, Decimal | None, str]] = {}
_FEES_LIMIT = 20_000


def _fee(
    line: ClaimLine, row: FeeIndicators, setting: Setting, place: PricingPlace
) -> tuple[Decimal | None, str]:
    gpci, has_place = place.gpci, bool(line.place_of_service)
    key = (id(row), setting, id(gpci), has_place)
    found = _FEES.get(key)
    if found is not None and found[0] is row and found[1] is gpci:
        return found[2], found[3]
    fee, formula = _fee_of(row, setting, gpci, has_place)
    if len(_FEES) >= _FEES_LIMIT:
        _FEES.clear()
    _FEES[key] = (row, gpci, fee, formula)
    return fee, formula


def _fee_of(
    row: FeeIndicators, setting: Setting, gpci: Gpci, has_place: bool
) -> tuple[Decimal | None, str]:
    """One unit's fee and its formula (the same for every line of a row, setting and place)."""
    rvus = row.rvus
    label = setting.replace("_", "-")
    if row.facility_na if setting == "facility" else row.nonfac_na:
        return None, SETTING_NA.format(code=row.code, setting=label)
    if rvus is None or rvus.conv_factor is None:
        return None, NO_CF.format(code=row.code)
    pe = rvus.facility_pe if setting == "facility" else rvus.nonfac_pe
    fee = locality_amount(
        work=rvus.work, pe=pe, mp=rvus.mp, gpci=gpci, conv_factor=rvus.conv_factor
    )
    where = "national" if gpci == NATIONAL else f"{gpci.name.rstrip('*').strip()}, {gpci.key}"
    formula = (
        f"(work {rvus.work:.2f} x {gpci.work} + {label} PE {pe:.2f} x {gpci.pe} + MP "
        f"{rvus.mp:.2f} x {gpci.mp}) x CF {rvus.conv_factor:.4f} = {fee} ({where}, {label}"
        f"{'' if has_place else NO_PLACE})"
    )
    return fee, formula


SURGEON_RULES: tuple[
    tuple[AdjustmentRule, tuple[str, ...], str, int, str, str, dict[int, str]], ...
] = (
    (
        "assistant",
        ASSISTANT_MODIFIERS,
        "ASST SURG",
        1,
        ASSISTANT_NOT_PAID,
        ASSISTANT_NOT_PRICED,
        ASSISTANT_MEANINGS,
    ),
    (
        "cosurgeon",
        ("62",),
        "CO-SURG",
        0,
        COSURGEON_NOT_PAID,
        COSURGEON_NOT_PRICED,
        COSURGEON_MEANINGS,
    ),
    ("team", ("66",), "TEAM SURG", 0, TEAM_NOT_PAID, TEAM_NOT_PRICED, TEAM_MEANINGS),
)


def _surgeon_modifiers(priced: _Line, release: str, source: str) -> None:
    """Assistant (80/81/82/AS), co-surgeon (62), team (66): unpaid, or not priced here."""
    line, row = priced.line, priced.row
    if not line.modifiers:
        return
    indicators = {
        "assistant": row.asst_surg_ind,
        "cosurgeon": row.co_surg_ind,
        "team": row.team_surg_ind,
    }
    for rule, modifiers, column, unpaid, not_paid, not_priced, meanings in SURGEON_RULES:
        if not line.has_modifier(*modifiers):
            continue
        ind = indicators[rule]
        words = {"code": line.code, "release": release, "indicator": ind}
        if ind == unpaid:
            priced.share = Decimal(0)
            text = not_paid.format(**words)
            priced.adjustments.append(Adjustment(rule, f"{column} {ind}", Decimal(0), text, source))
            continue
        text = not_priced.format(meaning=meanings.get(ind, "no published value"), **words)
        priced.adjustments.append(Adjustment(rule, f"{column} {ind}", None, text, source))
        if priced.share:
            priced.not_priced = priced.not_priced or text


def _split_care(priced: _Line, release: str, source: str) -> None:
    """Modifiers 54, 56 and 55: the row's PRE OP / INTRA OP / POST OP share of the fee."""
    line = priced.line
    modifiers = [m for m in SPLIT_CARE if line.has_modifier(m)]
    if not modifiers or not priced.share:
        return
    shares = priced.row.care_shares or (Decimal(0), Decimal(0), Decimal(0))
    if not sum(shares):  # no global package: nothing to divide
        for modifier in modifiers:
            text = SPLIT_CARE_NONE.format(code=line.code, release=release, modifier=modifier)
            priced.adjustments.append(
                Adjustment("split_care", "PRE/INTRA/POST OP 0", None, text, source)
            )
            priced.not_priced = priced.not_priced or text
        return
    pre, intra, post = shares
    paid = Decimal(0)
    for modifier in modifiers:
        parts, meaning = SPLIT_CARE[modifier]
        fraction = sum((shares[i] for i in parts), Decimal(0))
        paid += fraction
        text = SPLIT_CARE_PAID.format(
            pre=pre,
            intra=intra,
            post=post,
            release=release,
            modifier=modifier,
            meaning=meaning,
            percent=f"{(fraction * 100).normalize():f}",
        )
        if modifier == "55":
            text += SPLIT_CARE_AT_MOST
        priced.adjustments.append(
            Adjustment("split_care", f"modifier {modifier}", fraction * 100, text, source)
        )
    priced.share *= min(paid, ONE)


def _reduced_services(priced: _Line, source: str) -> None:
    """Modifier 52: the contractor sets the reduction, so the line is not priced here."""
    if priced.line.has_modifier("52") and priced.share:
        text = REDUCED_SERVICES.format(fee=priced.fee)
        priced.adjustments.append(Adjustment("reduced", "modifier 52", None, text, source))
        priced.not_priced = priced.not_priced or text


def _bilateral(pricing: list[_Line], release: str, source: str) -> None:
    sides: dict[str, dict[str, _Line]] = {}
    for priced in pricing:
        line, ind = priced.line, priced.row.bilat_surg_ind
        if not priced.is_open:
            continue
        if line.has_modifier("50"):
            if ind == 1:
                how = " with modifier 50"
                if line.units > 1:
                    how += f" ({line.units} units: priced as one bilateral procedure)"
                text, share = BILATERAL_150.format(release=release, how=how), Decimal("1.5")
            elif ind in BILATERAL_OTHER:
                text, share = BILATERAL_OTHER[ind]
                text = text.format(release=release)
            else:
                continue
            priced.share = share
            priced.adjustments.append(
                Adjustment("bilateral", f"BILAT SURG {ind}", share * 100, text, source)
            )
        elif ind == 1 and line.units == 1 and line.has_modifier("RT") != line.has_modifier("LT"):
            side = "RT" if line.has_modifier("RT") else "LT"
            sides.setdefault(line.code, {}).setdefault(side, priced)
    for pair in sides.values():
        if len(pair) < 2:
            continue
        first, second = sorted(pair.values(), key=lambda p: p.line.number)
        for this, other, text, share in (
            (first, second, BILATERAL_PAIR_FIRST, ONE),
            (second, first, BILATERAL_PAIR_SECOND, HALF),
        ):
            other_side = "RT" if other.line.has_modifier("RT") else "LT"
            message = text.format(
                release=release,
                other=f"line {other.line.number}",
                code=this.line.code,
                other_side=other_side,
            )
            this.share = share
            this.adjustments.append(
                Adjustment("bilateral", "BILAT SURG 1", share * 100, message, source)
            )
        first.pair, second.pair = second, first


def _multiple_procedures(dos: date, pricing: list[_Line], release: str, source: str) -> None:
    """MULT PROC 2: 100% for the highest fee, 50% for the next four, then by report.

    Each unit is a procedure; a bilateral procedure is ranked at its adjusted amount (an RT/LT
    pair as one procedure at 150%).
    """
    procedures: list[_Procedure] = []
    for priced in pricing:
        if not priced.is_open or priced.row.mult_proc_ind != STANDARD_REDUCTION:
            continue
        if priced.pair is not None:
            if priced.pair.line.number > priced.line.number:
                members = [(priced, priced.share), (priced.pair, priced.pair.share)]
                procedures.append(
                    _Procedure(priced.fee * Decimal("1.5"), priced.line.number, members)
                )
            continue
        if priced.line.has_modifier("50"):
            procedures.append(
                _Procedure(priced.fee * priced.share, priced.line.number, [(priced, priced.share)])
            )
            continue
        for _ in range(priced.line.units):
            procedures.append(_Procedure(priced.fee, priced.line.number, [(priced, ONE)]))
    if len(procedures) > 1:
        procedures.sort(key=lambda p: (-p.value, p.first_line))
        count = len(procedures)
        for rank, procedure in enumerate(procedures, 1):
            rate = ONE if rank == 1 else HALF if rank <= STANDARD_PRICED_RANKS else None
            adjustment = _ranked(release, rank, count, dos, source)
            for priced, share in procedure.members:
                # A line's units of equal rank say it once.
                if not priced.adjustments or priced.adjustments[-1] is not adjustment:
                    priced.adjustments.append(adjustment)
                if rate is None:
                    priced.not_priced = priced.not_priced or adjustment.message
                else:
                    priced.ranked.append((share, rate))
    # A MULT PROC 2 procedure is ranked together with the same day's procedures of indicator
    # 1 or 3 too; that combined ranking is not applied here: said, and the total incomplete.
    standard = [p for p in pricing if p.is_open and p.row.mult_proc_ind == STANDARD_REDUCTION]
    others = [p for p in pricing if p.is_open and p.row.mult_proc_ind in MIXED_WITH_STANDARD]
    if standard and others:
        message = MULTIPLE_MIXED.format(release=release, dos=dos.isoformat())
        for priced in standard + others:
            priced.adjustments.append(
                Adjustment("multiple_procedure", "MULT PROC 2", None, message, source)
            )
    # Reductions whose arithmetic the layout does not give: said, not applied.
    by_indicator: dict[int, list[_Line]] = {}
    for priced in pricing:
        if priced.row.mult_proc_ind in MULTIPLE_NOT_APPLIED and priced.is_open:
            by_indicator.setdefault(priced.row.mult_proc_ind, []).append(priced)
    for ind, same in by_indicator.items():
        text = MULTIPLE_NOT_APPLIED[ind]
        if sum(p.line.units for p in same) < 2:
            continue
        message = text.format(release=release, dos=dos.isoformat())
        for priced in same:
            priced.adjustments.append(
                Adjustment("multiple_procedure", f"MULT PROC {ind}", None, message, source)
            )


@lru_cache(maxsize=4096)
def _ranked(release: str, rank: int, count: int, dos: date, source: str) -> Adjustment:
    """The MULT PROC 2 adjustment of a procedure's rank (the same for every claim alike)."""
    words = {"release": release, "rank": rank, "count": count, "dos": dos.isoformat()}
    if rank == 1:
        text, percent = MULTIPLE_FULL.format(**words), Decimal(100)
    elif rank <= STANDARD_PRICED_RANKS:
        text, percent = MULTIPLE_HALF.format(**words), Decimal(50)
    else:
        return Adjustment(
            "multiple_procedure", "MULT PROC 2", None, MULTIPLE_BY_REPORT.format(**words), source
        )
    return Adjustment("multiple_procedure", "MULT PROC 2", percent, text, source)


def _finish(priced: _Line, source: str) -> LinePayment:
    line, adjustments = priced.line, tuple(priced.adjustments)

    def payment(status: PaymentStatus, amount: Decimal | None, reason: str) -> LinePayment:
        return LinePayment(
            line.number,
            line.code,
            status,
            priced.setting,
            priced.fee,
            amount,
            reason,
            priced.formula,
            adjustments,
            source,
        )

    if priced.not_priced:
        return payment("not_priced", None, priced.not_priced)
    if not priced.share:
        reason = adjustments[-1].message if adjustments else NO_UNITS
        return payment("no_payment", Decimal("0.00"), reason)
    if priced.ranked:
        amount = sum((cents(priced.fee * share * rate) for share, rate in priced.ranked), CENT * 0)
    else:
        amount = cents(priced.fee * priced.share)
    return payment("priced", amount, "")
