"""Expected OPPS payment of an outpatient hospital claim's lines (Addendum B).

Each line's national unadjusted payment rate and status indicator (SI) come from the loaded
Addendum B release; the SI decides whether the line is paid separately, packaged, or not paid
under the OPPS at all (OPPS Addendum D1 definitions; DATA_LAYOUTS.md 2.6):

- N: always packaged, no separate payment.
- Q1 (STV-packaged): packaged when the claim has a line with SI S, T or V; else paid. Since
  CY 2017 CMS applies Q1 and Q2 packaging to the whole claim, not to one date of service.
- Q2 (T-packaged): packaged when the claim has a line with SI T; else paid. Q1 and Q2 lines
  that nothing packages are each paid here; CMS's claim processing may package some of them
  together, which medcode does not do.
- Q3 (composite): paid through a composite APC when the composite's criteria are met; else
  paid at its own APC or packaged (Addendum D1). Addendum B as loaded has no APC numbers and
  no composite criteria, so medcode cannot tell which composite a pair of Q3 lines would
  meet: a Q3 line that is the only Q3 service of its date (one unit) is priced at its own
  rate, on the view that a composite takes more than one service; two or more Q3 services on
  a date are not priced, and the finding says why.
- Q4 (conditionally packaged laboratory test): packaged when the claim has a line with SI J1,
  J2, S, T, V, Q1, Q2 or Q3; else paid under the Clinical Laboratory Fee Schedule, which is
  not loaded (not priced).
- J1 (comprehensive APC): one payment per claim for the primary J1 service; the claim's other
  covered services are packaged into it, except those CMS excludes. Of the exclusions, the
  SIs F, G, H, L and U show in Addendum B (paid as usual here); others (ambulance services,
  mammography, preventive services, among more) do not, so such a line with another SI is
  shown packaged. Several J1 lines: the one with the highest rate is taken as primary (CMS
  ranks comprehensive APCs by cost; the rate follows the APC's relative weight, but
  complexity adjustments, which need the APC pairs, are not applied). Whether R, P, H1, K1
  and S1 lines are packaged into it is not in the data: they are not priced beside a J1.
- J2 (may be paid through a comprehensive APC): with a J1 on the claim, packaged into it;
  with 8 or more hours of observation (G0378 units) and no SI T line on the claim, the
  comprehensive observation APC may apply, whose rate Addendum B does not give (not priced);
  otherwise paid at its own rate. CMS's criteria for that APC also involve the dates of the
  visit, the observation and any SI T procedure, which medcode does not check.
- T: the highest-rate T service of a date at 100%, every other T unit of that date at 50%.
- S, V, K, G, U, R, K1, S1: paid at the rate times the units (a J1 aside).
- A, F, L, Y: paid outside the OPPS (another fee schedule, reasonable cost, the DME MAC):
  not priced here. B, C, D, E1, M: no OPPS payment. E2, H, H1, P (no rate in Addendum B):
  not priced.

Amounts are the national unadjusted rates (before the hospital's wage index), times units,
rounded to the cent half up: an estimate of the allowed amount, not a remittance (no
coinsurance, deductible or outlier payment).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from medcode.rules.claim import Claim, ClaimLine, lines_by_date
from medcode.rules.payment import Adjustment, LinePayment, PaymentStatus, cents

ZERO = Decimal("0.00")
HALF = Decimal("0.5")
OBSERVATION = "G0378"  # hospital observation service, per hour
OBSERVATION_HOURS = 8


@dataclass(frozen=True, slots=True)
class OppsRate:
    """A code's Addendum B row: status indicator and national payment rate (None: no rate)."""

    code: str
    status_indicator: str
    rate: Decimal | None


NOT_OPPS: dict[str, tuple[PaymentStatus, str]] = {
    "A": ("not_priced", "SI A: paid under a fee schedule or payment system other than the OPPS."),
    "B": ("no_payment", "SI B: not recognised by the OPPS on an outpatient hospital bill (12x, "
          "13x); there may be another code for it."),
    "C": ("no_payment", "SI C: inpatient-only procedure, not paid under the OPPS."),
    "D": ("no_payment", "SI D: discontinued code."),
    "E1": ("no_payment", "SI E1: not covered or not paid by Medicare on an outpatient claim."),
    "E2": ("not_priced", "SI E2: no pricing or claims data available; Addendum B gives no rate."),
    "F": ("not_priced", "SI F: paid at reasonable cost, not at an OPPS rate."),
    "L": ("not_priced", "SI L: influenza or pneumococcal vaccine, paid at reasonable cost."),
    "M": ("no_payment", "SI M: not billable to the Medicare administrative contractor."),
    "Y": ("not_priced", "SI Y: non-implantable DME, billed to the DME contractor under the "
          "DMEPOS fee schedule, not paid under the OPPS."),
}  # fmt: skip
NO_RATE: dict[str, str] = {
    "H": "SI H: pass-through device category, paid at the hospital's cost less the device "
    "offset; Addendum B gives no rate.",
    "H1": "SI H1: Addendum B gives no rate; see OPPS Addendum D1 for how it is paid.",
    "P": "SI P: partial hospitalization or intensive outpatient program, paid per diem; "
    "Addendum B gives no rate.",
}
SEPARATE = frozenset({"S", "T", "V", "K", "G", "U", "R", "K1", "S1", "Q1", "Q2", "Q3", "J2"})
# SIs CMS excludes from comprehensive APC packaging that Addendum B can show.
NOT_INTO_J1 = frozenset({"F", "G", "H", "L", "U"})
# Whether these are packaged into a J1 line the loaded data does not say.
UNDECIDED_WITH_J1 = frozenset({"R", "P", "H1", "K1", "S1"})
STV = frozenset({"S", "T", "V"})
Q4_PACKAGING = frozenset({"J1", "J2", "S", "T", "V", "Q1", "Q2", "Q3"})

NO_ROW = "No Addendum B row for {code} in {release}: no OPPS payment can be given."
NO_UNITS = "The line has 0 units: nothing is paid for it."
PAID = "SI {si}: paid separately at the national rate."
N_PACKAGED = "SI N: packaged; its payment is included in the claim's other OPPS services."
Q1_PACKAGED = "SI Q1: packaged, billed on the claim with {lines} (SI S, T or V)."
Q1_PAID = "SI Q1: no SI S, T or V service on the claim, so paid separately."
Q2_PACKAGED = "SI Q2: packaged, billed on the claim with {lines} (SI T)."
Q2_PAID = "SI Q2: no SI T service on the claim, so paid separately."
Q3_PAID = (
    "SI Q3: the only composite-eligible service on {on}; taking it that a composite APC needs "
    "more than one service, priced at its own rate."
)
Q3_UNDECIDED = (
    "SI Q3: with {lines} on {on} it may be paid through a composite APC; Addendum B as loaded "
    "has no APC assignments or composite criteria, so medcode cannot tell (its own rate would "
    "be {fee} a unit)."
)
Q4_PACKAGED = "SI Q4: packaged, the claim has {lines} (SI J1, J2, S, T, V, Q1, Q2 or Q3)."
Q4_CLFS = (
    "SI Q4: no service on the claim packages it, so it is paid under the Clinical Laboratory "
    "Fee Schedule, which is not loaded."
)
J1_PRIMARY = (
    "SI J1: comprehensive APC, one payment for the claim; the claim's other OPPS services are "
    "packaged into it."
)
J1_ONE_PAYMENT = " The comprehensive APC pays once a claim, not per unit."
J1_RANKED = (
    " Of the claim's J1 lines ({lines}) it has the highest rate; complexity adjustments are "
    "not applied (they need the APC pairs, which Addendum B as loaded lacks)."
)
INTO_J1 = (
    "SI {si}: packaged into line {primary} ({code}, SI J1, comprehensive APC), unless CMS "
    "excludes the service on grounds Addendum B does not show (an ambulance, mammography or "
    "preventive service, for example)."
)
NOT_INTO = (
    "SI {si}: excluded from comprehensive APC packaging, paid separately beside line {primary}."
)
UNDECIDED_J1 = (
    "SI {si}: whether it is packaged into line {primary} (SI J1) is not in the loaded data; "
    "not priced."
)
J2_OBSERVATION = (
    "SI J2: the claim has {hours} hours of observation ({observation}) and no SI T service, so "
    "it may be paid through the comprehensive observation APC, whose rate Addendum B does not "
    "give; not priced (its own rate would be {fee})."
)
J2_PAID = "SI J2: no comprehensive APC applies on this claim, so paid at its own rate."
T_FIRST = "SI T: the highest-rate SI T service on {on}, paid at 100%."
T_REDUCED = (
    "SI T: the multiple procedure reduction, 50% (line {first} has the highest SI T rate on {on})."
)
T_UNITS = "SI T: the first unit at 100%, the other {more} at 50% (multiple procedure reduction)."


def price_opps(
    claim: Claim,
    rates: Mapping[str, OppsRate | None],
    *,
    release: str,
    source: str,
    unavailable: Callable[[date], str] = lambda on: "",
) -> tuple[LinePayment, ...]:
    """Each line's expected OPPS payment, in claim order.

    `rates` holds each code's Addendum B row (None: not in the file); `unavailable` gives why
    a date cannot be priced (no Addendum B of its year loaded), or "".
    """
    rated = {line.number: rates.get(line.code) for line in claim.lines}

    def si(line: ClaimLine) -> str:
        row = rated[line.number]
        return row.status_indicator if row is not None else ""

    closed: dict[int, str] = {}
    for line in claim.lines:
        reason = unavailable(line.date_of_service)
        if reason:
            closed[line.number] = reason
    open_lines = [line for line in claim.lines if line.number not in closed]
    j1 = [line for line in open_lines if si(line) == "J1" and line.units > 0]
    primary = max(j1, key=lambda line: (_rate(rated[line.number]), -line.number), default=None)
    observation = sum(line.units for line in open_lines if line.code == OBSERVATION)
    has_t = any(si(line) == "T" for line in open_lines)
    by_date = lines_by_date(Claim(tuple(open_lines), claim.diagnoses))
    t_shares = _t_shares(by_date, rated)

    def payment(
        line: ClaimLine,
        status: PaymentStatus,
        amount: Decimal | None,
        reason: str,
        formula: str = "",
        adjustments: tuple[Adjustment, ...] = (),
        into: tuple[int, ...] = (),
    ) -> LinePayment:
        row = rated[line.number]
        return LinePayment(
            line=line.number,
            code=line.code,
            status=status,
            setting="facility",
            fee=row.rate if row is not None else None,
            amount=amount,
            reason=reason,
            formula=formula,
            adjustments=adjustments,
            source=source,
            schedule="opps",
            status_indicator=si(line),
            packaged_into=into,
        )

    def paid(line: ClaimLine, reason: str) -> LinePayment:
        row = rated[line.number]
        assert row is not None and row.rate is not None
        amount = cents(row.rate * line.units)
        formula = f"{row.rate} x {line.units} unit(s) ({release}, SI {row.status_indicator})"
        return payment(line, "priced", amount, reason, formula)

    done: list[LinePayment] = []
    for line in claim.lines:
        row, code = rated[line.number], si(line)
        if line.number in closed:
            done.append(payment(line, "not_priced", None, closed[line.number]))
        elif row is None:
            done.append(
                payment(line, "not_priced", None, NO_ROW.format(code=line.code, release=release))
            )
        elif code in NOT_OPPS:
            status, reason = NOT_OPPS[code]
            done.append(payment(line, status, ZERO if status == "no_payment" else None, reason))
        elif line.units == 0:
            done.append(payment(line, "no_payment", ZERO, NO_UNITS))
        elif primary is not None and line is primary:
            reason = J1_PRIMARY + (J1_ONE_PAYMENT if line.units > 1 else "")
            if len(j1) > 1:
                reason += J1_RANKED.format(lines=_names(j1))
            assert row.rate is not None
            formula = f"{row.rate} once for the claim ({release}, SI J1)"
            done.append(payment(line, "priced", cents(row.rate), reason, formula))
        elif primary is not None and code not in NOT_INTO_J1:
            if code in UNDECIDED_WITH_J1:
                reason = UNDECIDED_J1.format(si=code, primary=primary.number)
                done.append(payment(line, "not_priced", None, reason))
            else:
                reason = INTO_J1.format(si=code, primary=primary.number, code=primary.code)
                done.append(payment(line, "packaged", ZERO, reason, into=(primary.number,)))
        elif code in NO_RATE or row.rate is None:
            reason = NO_RATE.get(code, f"SI {code}: Addendum B gives no rate for {line.code}.")
            if code == "N":
                reason = N_PACKAGED
                done.append(payment(line, "packaged", ZERO, reason))
            elif code == "Q4":
                done.append(_q4(line, open_lines, si, payment))
            else:
                done.append(payment(line, "not_priced", None, reason))
        elif code in {"Q1", "Q2"}:
            wanted = STV if code == "Q1" else frozenset({"T"})
            # Addendum D1 (since CY 2017): packaged with such a service anywhere on the claim.
            same = [other for other in open_lines if si(other) in wanted and other.units > 0]
            if same:
                text = (Q1_PACKAGED if code == "Q1" else Q2_PACKAGED).format(lines=_names(same))
                into = tuple(o.number for o in same)
                done.append(payment(line, "packaged", ZERO, text, into=into))
            else:
                done.append(paid(line, Q1_PAID if code == "Q1" else Q2_PAID))
        elif code == "Q3":
            others = [
                o
                for o in by_date[line.date_of_service]
                if si(o) == "Q3" and o is not line and o.units > 0
            ]
            on = line.date_of_service.isoformat()
            if not others and line.units == 1:
                done.append(paid(line, Q3_PAID.format(on=on)))
            else:
                names = _names(others) if others else f"{line.units} units"
                text = Q3_UNDECIDED.format(lines=names, on=on, fee=row.rate)
                done.append(payment(line, "not_priced", None, text))
        elif code == "J2":
            if observation >= OBSERVATION_HOURS and not has_t:
                text = J2_OBSERVATION.format(
                    hours=observation, observation=OBSERVATION, fee=row.rate
                )
                done.append(payment(line, "not_priced", None, text))
            else:
                done.append(paid(line, J2_PAID))
        elif code == "T":
            first, shares = t_shares[line.number]
            amount = sum((cents(row.rate * share) for share in shares), Decimal("0.00"))
            reductions = [s for s in shares if s != 1]
            on = line.date_of_service.isoformat()
            if first == line.number and not reductions:
                reason = T_FIRST.format(on=on)
            elif first == line.number:
                reason = T_UNITS.format(more=len(reductions))
            else:
                reason = T_REDUCED.format(first=first, on=on)
            adjustments: tuple[Adjustment, ...] = ()
            if reductions:
                adjustments = (
                    Adjustment(
                        "multiple_procedure",
                        "SI T",
                        Decimal(50),
                        f"{len(reductions)} unit(s) at 50%: OPPS multiple procedure reduction "
                        "(status indicator T).",
                        source,
                    ),
                )
            formula = " + ".join(f"{row.rate} x {share * 100:.0f}%" for share in shares)
            done.append(
                payment(line, "priced", amount, reason, f"{formula} ({release}, SI T)", adjustments)
            )
        elif code in SEPARATE:
            done.append(paid(line, PAID.format(si=code)))
        else:
            text = f"SI {code}: medcode does not price this status indicator; see Addendum D1."
            done.append(payment(line, "not_priced", None, text))
    return tuple(done)


def _q4(
    line: ClaimLine,
    lines: list[ClaimLine],
    si: Callable[[ClaimLine], str],
    payment: Callable[..., LinePayment],
) -> LinePayment:
    packaging = [o for o in lines if si(o) in Q4_PACKAGING and o.units > 0]
    if packaging:
        into = tuple(o.number for o in packaging)
        return payment(
            line, "packaged", ZERO, Q4_PACKAGED.format(lines=_names(packaging)), into=into
        )
    return payment(line, "not_priced", None, Q4_CLFS)


def _rate(row: OppsRate | None) -> Decimal:
    return row.rate if row is not None and row.rate is not None else Decimal(0)


def _names(lines: list[ClaimLine]) -> str:
    return ", ".join(f"line {o.number} ({o.code})" for o in lines)


def _t_shares(
    by_date: Mapping[date, list[ClaimLine]],
    rated: Mapping[int, OppsRate | None],
) -> dict[int, tuple[int, tuple[Decimal, ...]]]:
    """Per SI T line: the line with the date's highest T rate and each unit's share."""
    found: dict[int, tuple[int, tuple[Decimal, ...]]] = {}
    for lines in by_date.values():
        t_lines = [
            line
            for line in lines
            if (row := rated[line.number]) is not None
            and row.status_indicator == "T"
            and row.rate is not None
            and line.units > 0
        ]
        if not t_lines:
            continue
        ranked = sorted(t_lines, key=lambda line: (-_rate(rated[line.number]), line.number))
        first = ranked[0]
        for line in ranked:
            shares = [HALF] * line.units
            if line is first:
                shares[0] = Decimal(1)
            found[line.number] = (first.number, tuple(shares))
    return found


__all__ = ["OppsRate", "price_opps"]
