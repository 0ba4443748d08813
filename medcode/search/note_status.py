"""Status codes (Z codes for what the patient has or has had done) for a note's findings,
read from the Alphabetic Index's "Status (post)", "Presence (of)" and "Dependence, on"
subterms, as a coder reads a device, an operation or a dependence the note states: "s/p
CABG" (Status, aortocoronary bypass / coronary artery bypass graft Z95.1), "pacemaker in
place" (Presence, cardiac pacemaker Z95.0), "colostomy" (Status, colostomy Z93.3), "on
hemodialysis" (Status, dialysis Z99.2), "home oxygen" (Dependence, on, oxygen Z99.81), "right
total knee replacement" (Presence, knee-joint implant Z96.651).

Only Z codes are read (Status, epilepticus and Dependence, drug ... are conditions, read as
such by the Index lookup), and not the subterms that name a time rather than a thing the
patient has ("Status, postoperative", "postpartum").
"""

from __future__ import annotations

import re

from medcode.search.codebook import CodeBook
from medcode.search.index_matcher import AlphabeticIndex, stem, stems
from medcode.search.notes_findings import Finding

STATUS_MAIN_TERMS = (
    "status",
    "presence",
    "dependence",
    "replacement by artificial or mechanical device or prosthesis of",
)
# Subterms of "Status" that say when, not what: every note has a postoperative day.
_TIME_SUBTERMS = ("postoperative", "postsurgical", "postpartum", "pregnancy")


# A device placed or an opening made in this encounter is the procedure, not yet a status
# (a PEG placed during the stay is no Z93.1): such a clause is read for status only when
# the note puts it in the past ("s/p", "history of": assertion "history").
_DONE_NOW = re.compile(
    r"(?i)\b(?:placed|inserted|implanted|created|performed|underwent|undergo\w*|scheduled|"
    r"planned|today)\b"
)


def is_status_finding(finding: Finding) -> bool:
    if finding.assertion == "history":
        return True
    return finding.assertion == "affirmed" and not _DONE_NOW.search(finding.text)


def status_hits(
    index: AlphabeticIndex, book: CodeBook, texts: list[str]
) -> list[tuple[str, float]]:
    """(billable Z code, score in [0, 1]) for a finding read in `texts` (its words, and
    with its expansions: "CABG", "total knee replacement"): the paths that use the most of
    its words."""
    found: list[tuple[int, str]] = []
    for text in dict.fromkeys([texts[0], " ".join(texts)]):
        words = frozenset(stems(text))
        if not words:
            continue
        for main in STATUS_MAIN_TERMS:
            # "Replacement by ... prosthesis of" lists body parts below it: the finding must
            # say it was replaced ("coronary artery disease" is no Z95.5)
            if main.startswith("replacement") and not words & frozenset(stems(main)):
                continue
            if main == "dependence" and not _LONG_TERM.search(text):
                continue
            for hit in index.lookup_under(main, words | {stem(main)}):
                if not _is_status_path(hit.path, main, text):
                    continue
                code = book.resolve(hit.code, words)
                # "Dependence, on, renal dialysis", "Dependence, oxygen": Z99 only (never
                # "Dependence, drug")
                if code and code.startswith("Z99" if main == "dependence" else "Z"):
                    found.append((hit.words, code))
    # the paths that use the most of the finding's words ("coronary artery bypass graft"
    # Z95.1, not "coronary artery graft" Z95.5)
    top = max((n for n, _ in found), default=0)
    return sorted({(code, 1.0) for n, code in found if n == top})


def _is_status_path(path: str, main: str, text: str) -> bool:
    """A path below the main term whose every subterm's words the finding says, as words
    ("Presence, cardiac, pacemaker"; not "Status, estrogen receptor, positive" for a stool
    test "positive for C. difficile", "Presence, artificial, eye" for "each eye", or
    "Dependence, on, respirator" for "respiratory failure")."""
    parts = [p.strip().lower() for p in path.split(">")]
    if len(parts) < 2 or parts[1].startswith(_TIME_SUBTERMS):
        return False
    said = set(re.findall(r"[a-z0-9]+", text.lower()))
    said |= {w.removesuffix("s") for w in said}
    for part in parts[1:]:
        named = set(re.findall(r"[a-z0-9]+", _NEMOD.sub(" ", part))) - _CONNECTORS
        if named and not named <= said:
            return False
    return True


_NEMOD = re.compile(r"\([^)]*\)")
_CONNECTORS = frozenset({"with", "on", "of", "or", "by", "see", "and", "the", "for", "in"})
# "Dependence, oxygen (long-term) (supplemental)": oxygen given in an emergency is none.
_LONG_TERM = re.compile(
    r"(?i)\b(?:home|chronic\w*|long[- ]term|dependen\w*|supplemental|baseline|bound|"
    r"nightly|nocturnal|continuous|at night|maintenance)\b"
)
