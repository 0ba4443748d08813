"""ICD-10-PCS codes built from the tables' rows for a procedure read in PCS words.

A coder builds a PCS code axis by axis: the root operation (table), then in one row of that
table the body part, approach, device and qualifier values. procedures.pcs_words reads a lay
query into the words of those values ("lap appy": resection appendix percutaneous
endoscopic); here every row of every table whose operation the reading names is scored value
by value, and the best valid codes are returned. Each axis is scored on its own label's
words (CMS icd10pcs_tables_<year>.xml, loaded as the `pcs_table:<3 characters>` reference
rows), so the result is always a code some table row builds, and an axis the query leaves
open takes the value a coder takes when nothing is said:

- device and qualifier: "No Device" / "No Qualifier" (and the Diagnostic qualifier only for
  a biopsy, which procedures.pcs_words reads as "diagnostic");
- approach: what the query says (percutaneous, endoscopic, via natural opening, external);
  else Percutaneous in Administration and for a Dilation or Drainage, External where the row
  offers it (nothing says an incision was made), else Open;
- side: the side the query names; none named, the Right and Left values tie;
- a value whose label adds words the query did not say costs a little per word, so of two
  body parts the one that says no more than the query wins ("Kidney, Right" before "Kidney
  Pelvis, Right" for "right kidney").

Tables of the New Technology section (X) rank below the rest: a coder reaches for them only
when the query names the new technology.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import zip_longest
from typing import TYPE_CHECKING, Any

from medcode.ops import generation

if TYPE_CHECKING:
    from medcode.search.backends import Filters

TABLES_DATASET = "icd10pcs_tables"
STEM = 5
_WORD = re.compile(r"[a-z0-9][a-z0-9']*")
_PARENS = re.compile(r"\([^)]*\)")
# Label words that say nothing a query would ("Other Antineoplastic", "No Device").
NEUTRAL = frozenset(
    {"and", "of", "or", "with", "to", "the", "in", "on", "for", "from", "other", "no", "none"}
    | {"device", "qualifier", "approach"}
)
SIDES = {"right": "left", "left": "right"}
APPROACH_WORDS = frozenset(
    {"open", "percutaneous", "endoscopic", "via", "natural", "opening", "external", "artificial"}
)
DEFAULT_APPROACH = "Open"
SCOPE_ONLY = frozenset({"endos"})
# Body systems (characters 1-2) whose organs a scope reaches through a natural opening
# (Via Natural or Artificial Opening Endoscopic): ear, nose and sinus; respiratory; mouth
# and throat; gastrointestinal; hepatobiliary (ERCP); urinary; female and male reproductive.
NATURAL_SYSTEMS = frozenset({"09", "0B", "0C", "0D", "0F", "0T", "0U", "0V"})
EXTERNAL = "External"
# A substance or blood product given into a vein, muscle or joint goes in by needle:
# Administration's Percutaneous.
DEFAULT_BY_SECTION = {"3": "Percutaneous"}
# Medical and Surgical operations done through a needle or catheter unless said otherwise:
# Dilation (its includes: "Percutaneous transluminal angioplasty") and Drainage ("Thoracentesis";
# an incision said is Open). Characters 3 of the 0 section's tables.
DEFAULT_BY_OPERATION = {"7": "Percutaneous", "9": "Percutaneous"}
# These defaults are firmer than Open's: a code they pick leads the titled ones (CLEAR).
FIRM_BONUS = 0.7
# Weights of a said word matched on each axis (2 body system, 4-7 the row's axes); a word a
# value's label adds that the query did not say costs UNSAID (on axes 4-7).
MATCH = {2: 1.0, 4: 3.0, 5: 2.0, 6: 2.0, 7: 2.0}
UNSAID = {4: 0.6, 5: 1.0, 6: 1.0, 7: 1.0}
# A word of the query's own (not only of its reading) in a value's label adds this much: of
# "Large Intestine" (the reading of "colonoscopy") and "Sigmoid Colon", the one said.
OWN = 0.5
NEW_TECHNOLOGY = "X"
NEW_TECHNOLOGY_COST = 4.0
# A label of the Right/Left pair when the query names no side: both tie, after a value
# that has no side.
UNSIDED_COST = 0.3
DEFAULT_BONUS = 0.5
PART_SAID = 1.5
KEEP = 3  # values kept per axis and row
BUILT_DEPTH = 5  # built codes joined to a query's procedure hits
CLEAR = 0.6  # a built code this far ahead of the next leads them
TIE = 1e-6  # scores this close are equal


@dataclass(frozen=True)
class Value:
    char: str
    label: str
    stems: frozenset[str]  # the label's content words, cut to STEM characters
    side: str  # "right", "left", "bilateral" or ""


@dataclass(frozen=True)
class Row:
    table: str  # the first three characters
    operation: frozenset[str]  # stems of the operation label (axis 3), parentheses left out
    abbreviation: frozenset[str]  # stems of its parenthesised short name ("CT Scan")
    system: frozenset[str]  # stems of the body system label (axis 2)
    axes: tuple[tuple[Value, ...], ...]  # axes 4-7
    approaches: bool  # axis 5 is the Approach (not a contrast, duration, ...)
    anchored: bool  # axis 4 names where (body part, system, region): the query must say it
    devices: bool  # axis 6 is the Device (not a function, substance, ...)


# Prefixes that say where, not what: a word beginning with one is cut STEM characters after
# it ("intraluminal" is no "intracranial", "superior" no "superficial").
PREFIXES = ("intra", "extra", "inter", "infra", "supra", "super", "trans")


def stem(word: str) -> str:
    """A word cut to STEM characters (after a PREFIXES prefix): its forms compare equal
    ("artery", "arteries")."""
    for prefix in PREFIXES:
        if word.startswith(prefix):
            return word[: len(prefix) + STEM]
    return word[:STEM]


def stems(text: str) -> frozenset[str]:
    """The content words of a label or query, each cut to STEM characters."""
    return frozenset(stem(w) for w in _WORD.findall(text.lower()) if w not in NEUTRAL)


def _side(label: str) -> str:
    words = set(_WORD.findall(label.lower()))
    for side in ("bilateral", "right", "left"):
        if side in words:
            return side
    return ""


def _value(char: str, label: str) -> Value:
    plain = stems(label) - {"right", "left", "bilat"}
    return Value(char, label, frozenset(plain), _side(label))


def rows_from_tables(tables: Iterable[Mapping[str, Any]]) -> tuple[Row, ...]:
    """Rows from the `pcs_table:` reference rows' data ({"table", "axes", "rows"})."""
    out: list[Row] = []
    for table in tables:
        head = {int(a["pos"]): str(a["label"]) for a in table["axes"]}
        label = head.get(3, "")
        operation = stems(_PARENS.sub(" ", label))
        abbreviation = frozenset().union(*(stems(m) for m in _PARENS.findall(label)))
        for row in table["rows"]:
            axes = tuple(
                tuple(_value(c, str(label)) for c, label in row["axes"][str(pos)]["labels"].items())
                for pos in (4, 5, 6, 7)
            )
            approaches = row["axes"]["5"].get("title") == "Approach"
            anchored = row["axes"]["4"].get("title") != "Qualifier" and any(
                v.stems for v in axes[0]
            )
            devices = row["axes"]["6"].get("title") == "Device"
            system = stems(head.get(2, ""))
            out.append(
                Row(
                    str(table["table"]),
                    operation,
                    abbreviation,
                    system,
                    axes,
                    approaches,
                    anchored,
                    devices,
                )
            )
    return tuple(out)


@lru_cache(maxsize=2)
def _loaded(token: str) -> tuple[Row, ...]:
    del token
    from medcode.codes.models import ReferenceRow
    from medcode.search.pcs_keys import current_release_id

    release_id = current_release_id(TABLES_DATASET)
    if release_id is None:
        return ()
    data = ReferenceRow.objects.filter(
        release_id=release_id, key__startswith="pcs_table:"
    ).values_list("data", flat=True)
    return rows_from_tables(data)


def loaded_rows() -> tuple[Row, ...]:
    """The rows of the tables release in force (cached per data generation)."""
    return _loaded(generation.current().token)


Groups = tuple[tuple[frozenset[str], frozenset[str], tuple[Row, ...]], ...]


def operation_groups(rows: Iterable[Row]) -> Groups:
    """The rows grouped by their operation's words and short name (a few dozen groups), so a
    reading is matched against each operation once, not against every row."""
    grouped: dict[tuple[frozenset[str], frozenset[str]], list[Row]] = {}
    for row in rows:
        grouped.setdefault((row.operation, row.abbreviation), []).append(row)
    return tuple((op, abbr, tuple(found)) for (op, abbr), found in grouped.items())


@lru_cache(maxsize=2)
def _groups(token: str) -> Groups:
    # The rows of this token's generation (loaded_rows() would read the generation again).
    return operation_groups(_loaded(token))


def loaded_groups() -> Groups:
    """loaded_rows() grouped by operation (cached per data generation; warm-up builds it)."""
    return _groups(generation.current().token)


def rows_naming(said: frozenset[str], groups: Groups) -> list[Row]:
    """The rows whose operation the reading's words name (fits_operation), by group."""
    return [
        row
        for _operation, _abbreviation, rows in groups
        if fits_operation(rows[0], said)
        for row in rows
    ]


@dataclass(frozen=True)
class Reading:
    said: frozenset[str]  # stems of the reading's words (procedures.pcs_words)
    own: frozenset[str]  # stems of the query's own words
    side: str  # "right", "left", "bilateral" or ""
    approach: frozenset[str]  # stems of the approach words said
    device: bool  # the reading says "device"


def reading_of(pcs: Sequence[str], query: str = "") -> Reading:
    """A Reading of procedures.pcs_words' output (`pcs`) for `query`."""
    words = [w for text in pcs for w in _WORD.findall(text.lower())]
    said = frozenset(stem(w) for w in words if w not in NEUTRAL)
    side = next((s for s in ("bilateral", "right", "left") if s in words), "")
    if "both" in words or "both" in query.lower().split():
        side = "bilateral"
    return Reading(
        said=said - {"right", "left", "bilat"},
        own=stems(query) - {"right", "left", "bilat", "both"},
        side=side,
        approach=frozenset(stem(w) for w in words if w in APPROACH_WORDS),
        device="device" in words,
    )


def fits_operation(row: Row, said: frozenset[str]) -> bool:
    """The reading names the row's operation: every word of its label, or of its short name."""
    return bool(row.operation) and (
        row.operation <= said or (bool(row.abbreviation) and row.abbreviation <= said)
    )


def _approach_score(value: Value, reading: Reading, row: Row) -> float:
    """What the query says of the approach, matched word for word; none said: External
    where the row offers it (nothing says an incision was made), else Open."""
    words = value.stems - {"artif"}
    if reading.approach == SCOPE_ONLY and "endos" in words:
        # A scope, no way in said: through the body's own opening into a hollow organ
        # reached that way, else through the skin (a joint, the abdomen).
        natural = "natur" in words
        return 2.0 if natural == (row.table[:2] in NATURAL_SYSTEMS) else 1.0
    if reading.approach:
        return 2.0 * len(words & reading.approach) - 2.0 * len(words - reading.approach)
    firm = DEFAULT_BY_SECTION.get(row.table[0]) or DEFAULT_BY_OPERATION.get(row.table[2])
    if firm and row.table[0] in "03":
        return FIRM_BONUS if value.label == firm else 0.0
    if value.label == EXTERNAL:
        return DEFAULT_BONUS + 0.1
    return DEFAULT_BONUS if value.label == DEFAULT_APPROACH else 0.0


def _value_score(
    value: Value, pos: int, reading: Reading, said: frozenset[str], row: Row
) -> float | None:
    """A value's score for the reading (`said`: its words less the operation's), None when
    it contradicts it (the other side)."""
    if pos == 4 and reading.side in SIDES and value.side == SIDES[reading.side]:
        return None
    if pos == 4 and value.side == "bilateral" and reading.side not in ("bilateral", ""):
        return None
    if pos == 5 and row.approaches:
        return _approach_score(value, reading, row)
    matched = len(value.stems & said)
    unsaid = len(value.stems - said)
    score = MATCH[pos] * matched - UNSAID[pos] * unsaid + OWN * len(value.stems & reading.own)
    if pos in (6, 7) and matched and unsaid:
        # A device or qualifier said in part ("vaccine": Influenza Vaccine) is no more
        # than the default (No Qualifier): the query did not say which.
        score -= PART_SAID
    if pos == 4 and value.side in SIDES and not reading.side:
        score -= UNSIDED_COST
    if pos == 4 and value.side and value.side == reading.side:
        score += UNSIDED_COST  # "right hemicolectomy": Large Intestine, Right
    if pos == 7 and value.side in SIDES and reading.side in SIDES:
        # A qualifier's side ("Internal Mammary, Left": the LIMA of a CABG).
        score += UNSIDED_COST if value.side == reading.side else -UNSIDED_COST
    if pos > 4 and not value.stems and not (pos == 6 and reading.device):
        score += DEFAULT_BONUS  # No Device, No Qualifier, None
    return score


def _best(
    row: Row, pos: int, reading: Reading, said: frozenset[str], keep: int
) -> list[tuple[float, Value]]:
    scored = [
        (s, v)
        for v in row.axes[pos - 4]
        if (s := _value_score(v, pos, reading, said, row)) is not None
    ]
    scored.sort(key=lambda item: -item[0])
    return scored[:keep]


def built_codes(
    reading: Reading, rows: Sequence[Row], *, limit: int = 10
) -> list[tuple[str, float]]:
    """The best codes the rows build for the reading: (code, score), best first; [] when
    the best codes are of different body parts (undecided)."""
    found: dict[str, float] = {}
    parts: dict[str, tuple[str, frozenset[str], bool]] = {}
    for row in rows:
        if not fits_operation(row, reading.said):
            continue
        said = reading.said - row.operation - row.abbreviation
        # The query's own words name a device or qualifier too ("drug eluting stent":
        # Intraluminal Device, Drug-eluting); a body part only as its reading says it (the
        # "vaginal" of a vaginal hysterectomy is the approach, not the Vagina).
        named = said | (reading.own - row.operation - row.abbreviation)
        # A device said ("chest tube": drainage ... device) may be named by the operation's
        # word (Drainage Device).
        device = named | reading.said if reading.device else named
        axes = [
            _best(row, 4, reading, said, KEEP),
            _best(row, 5, reading, said, KEEP),
            _best(row, 6, reading, device, KEEP),
            _best(row, 7, reading, named, KEEP),
        ]
        if not all(axes):
            continue
        base = MATCH[2] * len(row.system & said)
        if row.table.startswith(NEW_TECHNOLOGY):
            base -= NEW_TECHNOLOGY_COST
        # The body part (system, region) must say something the query said; a row whose
        # axis 4 is a qualifier (Mental Health: "Unilateral-Single Seizure") or "None" need
        # not.
        # Unless the query names a device in full ("dual chamber pacemaker": Pacemaker, Dual
        # Chamber, in the chest's subcutaneous tissue).
        if (
            row.anchored
            and not any(v.stems & said for _, v in axes[0])
            and not (row.devices and any(v.stems and v.stems <= said for _, v in axes[2]))
        ):
            continue
        for s4, v4 in axes[0]:
            for s5, v5 in axes[1][:2]:
                for s6, v6 in axes[2][:2]:
                    for s7, v7 in axes[3][:2]:
                        code = row.table + v4.char + v5.char + v6.char + v7.char
                        score = base + s4 + s5 + s6 + s7
                        if score > found.get(code, float("-inf")):
                            found[code] = score
                            parts[code] = (row.table, v4.stems, bool(v4.stems & said))
    ranked = sorted(found.items(), key=lambda item: (-item[1], item[0]))
    if undecided(ranked, parts):
        return []
    return ranked[:limit]


def undecided(
    ranked: Sequence[tuple[str, float]], parts: Mapping[str, tuple[str, frozenset[str], bool]]
) -> bool:
    """Whether the best codes tie between body parts of one table that each say a word of
    the reading: it named the part but not which one ("lobectomy": Upper, Middle or Lower
    Lung Lobe; "skin graft": which skin), and a code built from one of them would be a
    guess. Right and Left of one part are no such tie (the side is asked of the coder, both
    are shown), nor are parts the reading did not name (a pacemaker's place, chest or
    abdomen) or two operations' tables."""
    if not ranked:
        return False
    best = ranked[0][1]
    named: dict[str, set[frozenset[str]]] = {}
    for code, score in ranked:
        table, part, said = parts[code]
        if score > best - TIE and said:
            named.setdefault(table, set()).add(part)
    return any(len(found) > 1 for found in named.values())


def codes_for(pcs: Sequence[str], query: str, *, limit: int = 10) -> list[tuple[str, float]]:
    """The codes the loaded tables build for a query read in PCS words (`pcs`:
    procedures.pcs_words of `query`), best first, with their scores; [] when the reading is
    empty."""
    if not pcs:
        return []
    reading = reading_of(pcs, query)
    rows = rows_naming(reading.said, loaded_groups())
    return built_codes(reading, rows, limit=limit)


def with_built(
    pcs: Sequence[str], query: str, titled: Sequence[int], filters: Filters | None = None
) -> list[int]:
    """Document ids of a procedure query's codes: those the tables build for its reading
    (codes_for) joined with `titled`, the ids of the codes whose titles say the reading's
    words. A built code that leads the next by CLEAR or more comes first (on the lay sets
    its top-1 was right 98 times in 102), then the titled ones; else the titled and the
    built codes within CLEAR of the best take turns, the titled first. Built codes whose
    documents the search's `filters` leave out (date of service, billable, current) are
    left out too."""
    built = codes_for(pcs, query, limit=BUILT_DEPTH)
    if not built:
        return list(titled)
    # Only the codes as good as the best but for CLEAR: the runners-up would outvote the
    # titled codes in the fusion.
    near = [c for c, score in built if score > built[0][1] - CLEAR]
    ids = document_ids(near, filters)
    lead = built[0][1] - (built[1][1] if len(built) > 1 else float("-inf"))
    if lead >= CLEAR or not titled:
        return list(dict.fromkeys([*ids, *titled]))
    # No clear lead: the titled first, each followed by a built one ("hemodialysis
    # session": the durations tie, the titled order stands).
    paired = [d for pair in zip_longest(titled, ids) for d in pair if d is not None]
    return list(dict.fromkeys(paired))


def document_ids(codes: Sequence[str], filters: Filters | None = None) -> list[int]:
    """Search document ids of the ICD-10-PCS `codes` that pass the `filters` (default: a
    current document), in the order given (a code without such a document left out)."""
    from medcode.search import backends

    return backends.document_ids("ICD10PCS", codes, filters or backends.Filters())
