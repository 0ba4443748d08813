"""The billable ICD-10-CM codes of the current release, for note mode: resolving an index
code to the billable code that fits a finding, and the age and sex a code is meant for.

Age and sex ranges follow the ICD-10-CM chapter and block titles (FY2026 tabular):
pregnancy, childbirth and the puerperium O00-O9A with Z33 (pregnant state), Z34 and Z36
(supervision and antenatal screening of pregnancy), Z37 (outcome of delivery), Z39
(postpartum care) and Z3A (weeks of gestation); certain conditions originating in the
perinatal period P00-P96 with Z38 (liveborn infants) and Z00.11- (newborn health
examination); diseases of male genital organs N40-N53, malignant neoplasms of male genital
organs C60-C63; inflammatory diseases of female pelvic organs N70-N77, noninflammatory
disorders of the female genital tract N80-N98, malignant neoplasms of female genital organs
C51-C58. The Medicare Code Edits v43.1 use the same ages (newborn: 0; maternity: 9-64) and
have no sex edit since 10/01/2024.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache

from medcode.search.index_matcher import stems

_SEVENTH = re.compile(r"^[A-Z][0-9][0-9A-Z][0-9A-Z]{3}[A-Z]$")


def is_maternity(code: str) -> bool:
    return code[:1] == "O" or code[:3] in ("Z33", "Z34", "Z36", "Z37", "Z39", "Z3A")


def is_newborn(code: str) -> bool:
    return code[:1] == "P" or code[:3] == "Z38" or code[:5] == "Z0011"


def is_male_only(code: str) -> bool:
    return "N40" <= code[:3] <= "N53" or "C60" <= code[:3] <= "C63"


def is_female_only(code: str) -> bool:
    return (
        "N70" <= code[:3] <= "N77"
        or "N80" <= code[:3] <= "N98"
        or "C51" <= code[:3] <= "C58"
        or is_maternity(code)
    )


def fits_patient(code: str, *, sex: str | None, age: float | None) -> bool:
    """False when the note's patient cannot have this code (a man and a pregnancy code,
    an adult and a perinatal code)."""
    if sex == "male" and is_female_only(code):
        return False
    if sex == "female" and is_male_only(code):
        return False
    if age is not None:
        if age >= 1 and is_newborn(code):
            return False
        if (age < 9 or age > 64) and is_maternity(code):
            return False
    return True


def seventh_character_stem(code: str) -> str | None:
    """S72001A -> S72001 (the code without its 7th character), else None."""
    return code[:6] if len(code) == 7 and _SEVENTH.match(code) else None


@dataclass
class CodeBook:
    codes: list[str]  # billable codes, sorted
    titles: dict[str, str]  # every current code (billable or not) -> title
    ids: dict[str, int] = field(default_factory=dict)  # code -> search Document id
    by_id: dict[int, str] = field(default_factory=dict)
    title_words: dict[str, frozenset[str]] = field(default_factory=dict)

    def is_billable(self, code: str) -> bool:
        i = bisect.bisect_left(self.codes, code)
        return i < len(self.codes) and self.codes[i] == code

    def descendants(self, prefix: str) -> list[str]:
        i = bisect.bisect_left(self.codes, prefix)
        out = []
        while i < len(self.codes) and self.codes[i].startswith(prefix):
            out.append(self.codes[i])
            i += 1
        return out

    def words(self, code: str) -> frozenset[str]:
        found = self.title_words.get(code)
        if found is None:
            found = frozenset(stems(self.titles.get(code, "")))
            self.title_words[code] = found
        return found

    def resolve(self, code: str, finding: frozenset[str] | set[str]) -> str | None:
        """A billable code for an index code: itself, or the descendant whose title fits the
        finding best (its words in the title), unspecified and initial encounter first."""
        code = code.replace(".", "").replace("-", "").upper()
        if not code:
            return None
        if self.is_billable(code):
            return code
        children = self.descendants(code)
        if not children:
            return None
        if len(children) == 1:
            return children[0]
        return max(children, key=lambda c: (self._fit(c, finding), -len(c), _reverse(c)))

    def _fit(self, code: str, finding: frozenset[str] | set[str]) -> float:
        words = self.words(code)
        title = self.titles.get(code, "").lower()
        score = len(words & finding) - 0.05 * len(words - finding)
        if "unspecified" in title:
            score += 0.5
        if seventh_character_stem(code):
            score += 1.0 if code.endswith("A") else -1.0
        return score


def _reverse(code: str) -> tuple[int, ...]:
    return tuple(-ord(c) for c in code)


@lru_cache(maxsize=2)
def load_codebook(generation: str = "") -> CodeBook:
    from medcode.search.models import Document

    rows = (
        Document.objects.current()
        .filter(system="ICD10CM")
        .values_list("id", "code", "title", "is_billable")
    )
    titles: dict[str, str] = {}
    ids: dict[str, int] = {}
    billable: list[str] = []
    for doc_id, code, title, is_billable in rows:
        titles[code] = title
        ids[code] = doc_id
        if is_billable:
            billable.append(code)
    billable.sort()
    by_id = {doc_id: code for code, doc_id in ids.items()}
    return CodeBook(codes=billable, titles=titles, ids=ids, by_id=by_id)
