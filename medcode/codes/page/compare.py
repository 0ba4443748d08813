"""Compare two dates of service on a code page (`?date=A&compare=B`): the code's facts on each
date side by side, panel by panel, each side citing the release it comes from.

Both sides are the pages the code page itself builds for each date (cached per date), so the
comparison says nothing the page would not say for either date alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from medcode.codes.page.build import CodePage
from medcode.codes.page.panels import Panel, Source

# A data table of at most this many rows is compared row by row (e.g. MUE values); longer
# ones (PTP partner lists) by their summary facts only: the History section lists those pairs.
SMALL_TABLE = 10


@dataclass(frozen=True)
class CompareRow:
    label: str
    first: str
    second: str

    @property
    def differs(self) -> bool:
        return self.first != self.second


@dataclass(frozen=True)
class CompareBlock:
    title: str
    first_source: str
    second_source: str
    rows: tuple[CompareRow, ...]


@dataclass(frozen=True)
class Comparison:
    first_on: dt.date
    second_on: dt.date
    first_notice: str
    second_notice: str
    blocks: tuple[CompareBlock, ...]

    @property
    def differences(self) -> int:
        return sum(r.differs for b in self.blocks for r in b.rows)


def _cited(source: Source | None) -> str:
    if source is None:
        return "not loaded for this date"
    span = source.effective_from.isoformat()
    if source.effective_to:
        span += f" to {source.effective_to.isoformat()}"
    return f"{source.title} {source.version_label} (in effect {span})".strip()


def _facts(panel: Panel | None) -> dict[str, str]:
    if panel is None:
        return {}
    found = {fact.label: fact.value for fact in panel.facts}
    for table in panel.tables:
        if len(table.rows) > SMALL_TABLE:
            continue
        for row in table.rows:
            if not row:
                continue
            cells = [f"{c}: {v}" for c, v in zip(table.columns[1:], row[1:], strict=False) if v]
            found[f"{table.caption}, {table.columns[0]} {row[0]}"] = "; ".join(cells) or "listed"
    return found


def _rows(first: dict[str, str], second: dict[str, str]) -> tuple[CompareRow, ...]:
    labels = list(first) + [label for label in second if label not in first]
    return tuple(
        CompareRow(label, first.get(label, "—"), second.get(label, "—"))
        for label in labels
        if first.get(label) or second.get(label)
    )


def compare_pages(first: CodePage, second: CodePage) -> Comparison:
    """The two pages' facts side by side: the code itself, then each data panel."""
    head = CompareBlock(
        title="The code",
        first_source=_cited(first.release),
        second_source=_cited(second.release),
        rows=_rows(
            {"Title": first.title, "Status": first.status.label, "Billable": first.billable_label},
            {
                "Title": second.title,
                "Status": second.status.label,
                "Billable": second.billable_label,
            },
        ),
    )
    first_panels = {p.key: p for p in first.panels}
    second_panels = {p.key: p for p in second.panels}
    keys = list(first_panels) + [k for k in second_panels if k not in first_panels]
    blocks = [head]
    for key in keys:
        a, b = first_panels.get(key), second_panels.get(key)
        rows = _rows(_facts(a), _facts(b))
        if not rows:
            continue
        shown = a or b
        assert shown is not None
        blocks.append(
            CompareBlock(
                title=shown.title,
                first_source=_cited(a.source if a else None),
                second_source=_cited(b.source if b else None),
                rows=rows,
            )
        )
    return Comparison(
        first_on=first.on,
        second_on=second.on,
        first_notice=first.date_notice,
        second_notice=second.date_notice,
        blocks=tuple(blocks),
    )
