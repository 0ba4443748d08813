"""Expected payment of a DME line under the DMEPOS fee schedule, for a state.

The DMEPOS file lists, per HCPCS code and payment modifier pair (NU new, RR rental, UE used,
KU, KE, KF, ...), a non-rural (NR) and a rural (R) fee for each state. A line's modifiers pick
the row: of the rows whose modifiers are all on the line, the one naming the most; two such
rows naming as many (NU and RR on one line) are ambiguous and the line is not priced. The
amount is the state fee times the units (a rental row's fee is the monthly rental).

A rural fee of 0.00 in the file means the file gives no rural fee for that row: the line is
then not priced, and the reason names the non-rural fee, rather than guessing that it applies.
Amounts are the fee schedule amounts (allowed amounts before the 20% coinsurance), not a
remittance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from medcode.rules.claim import ClaimLine
from medcode.rules.payment import LinePayment, PaymentStatus, cents

ZERO = Decimal("0.00")
# The states and DC: the DMEPOS file's fee columns (medcode.codes.importers.pfs.DMEPOS_STATES).
_STATE_LIST = (
    "AL AK AZ AR CA CO CT DC DE FL GA HI IA ID IL IN KS KY LA MA MD ME MI MN MO MS MT NC ND NE "
    "NH NJ NM NV NY OH OK OR PA RI SC SD TN TX UT VA VT WA WI WV WY"
)
US_STATES = frozenset(_STATE_LIST.split())


@dataclass(frozen=True, slots=True)
class DmeposRow:
    """One row of the DMEPOS fee schedule: a code, its modifiers and the state fees."""

    code: str
    modifiers: tuple[str, ...]  # the row's mod and mod2, blanks left out
    category: str
    fees: Mapping[str, float]  # "tx_nr" -> 57.53, "tx_r" -> 0.0


NO_STATE = (
    "The DMEPOS fee schedule prices {code} by state: give the claim a state (or a locality) for "
    "its fee."
)
NO_ROW_FOR_MODIFIERS = (
    "The DMEPOS fee schedule prices {code} by payment modifier ({choices}); the line has none "
    "that picks a row."
)
AMBIGUOUS = (
    "The line's modifiers match more than one DMEPOS row of {code} ({choices}): not priced; "
    "keep the one modifier that applies."
)
NO_STATE_COLUMN = "The DMEPOS file has no fee column for state {state}."
NO_RURAL_FEE = (
    "The DMEPOS file gives no rural fee for {row} in {state} (0.00); its non-rural fee is {nr}. "
    "Not priced as rural."
)
NO_FEE = "The DMEPOS file gives no fee for {row} in {state} (0.00)."
NO_UNITS = "The line has 0 units: nothing is paid for it."


def pick_row(rows: Sequence[DmeposRow], modifiers: Sequence[str]) -> tuple[DmeposRow | None, str]:
    """The row the line's modifiers pick, or why none."""
    on_line = {m.upper() for m in modifiers}
    fitting = [row for row in rows if set(row.modifiers) <= on_line]
    if not fitting:
        return None, NO_ROW_FOR_MODIFIERS.format(code=rows[0].code, choices=_choices(rows))
    most = max(len(row.modifiers) for row in fitting)
    best = [row for row in fitting if len(row.modifiers) == most]
    if len(best) > 1:
        return None, AMBIGUOUS.format(code=rows[0].code, choices=_choices(best))
    return best[0], ""


def _choices(rows: Sequence[DmeposRow]) -> str:
    return ", ".join(sorted({" ".join(r.modifiers) or "no modifier" for r in rows}))


def row_name(row: DmeposRow) -> str:
    return f"{row.code} {' '.join(row.modifiers)}".strip()


def price_dme_line(
    line: ClaimLine,
    rows: Sequence[DmeposRow],
    *,
    state: str | None,
    rural: bool,
    release: str,
    source: str,
) -> LinePayment:
    """A line priced from its code's DMEPOS rows (at least one) for a two-letter state."""

    def payment(
        status: PaymentStatus, amount: Decimal | None, reason: str, fee: Decimal | None = None
    ) -> LinePayment:
        return LinePayment(
            line=line.number,
            code=line.code,
            status=status,
            setting="non_facility",
            fee=fee,
            amount=amount,
            reason=reason,
            formula=formula,
            source=source,
            schedule="dmepos",
        )

    formula = ""
    if not state:
        return payment("not_priced", None, NO_STATE.format(code=line.code))
    row, why = pick_row(rows, line.modifiers)
    if row is None:
        return payment("not_priced", None, why)
    state = state.upper()
    column = f"{state.lower()}_{'r' if rural else 'nr'}"
    if column not in row.fees:
        return payment("not_priced", None, NO_STATE_COLUMN.format(state=state))
    fee = Decimal(str(row.fees[column]))
    where = f"{state} {'rural' if rural else 'non-rural'}"
    if fee == 0:
        nr = Decimal(str(row.fees.get(f"{state.lower()}_nr", 0)))
        if rural and nr:
            text = NO_RURAL_FEE.format(row=row_name(row), state=state, nr=f"{nr:.2f}")
            return payment("not_priced", None, text)
        return payment("not_priced", None, NO_FEE.format(row=row_name(row), state=where))
    fee = cents(fee)
    if line.units == 0:
        return payment("no_payment", ZERO, NO_UNITS, fee)
    formula = f"{fee} x {line.units} unit(s) ({row_name(row)}, {where} fee, {release})"
    return payment("priced", cents(fee * line.units), "", fee)


__all__ = ["US_STATES", "DmeposRow", "pick_row", "price_dme_line", "row_name"]
