"""The code guard: no answer shows a code as valid unless the loaded code sets list it.

Every code-shaped token of an answer (and of the question) is checked against the releases in
force on the date in question: the newest release of each code set that lists codes of the
token's family (its first character), the same reading the code pages use. A token is

- ``valid``: listed there and not terminated on the date;
- ``not_valid_on_date``: the code sets know it, but not on that date (deleted, or added later);
- ``not_found``: no loaded release lists it.

`guard_answer` then removes every sentence and fact that names a ``not_found`` token, marks
``not_valid_on_date`` tokens where they appear, and states plainly, first, what each code of
the question is. The builders in answer.py and the optional language model (llm.py) both pass
through here, so the rule has one implementation.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db.models.functions import Substr
from django.urls import reverse

from medcode.assistant.facts import CONSULT_URL, Answer, Draft, Fact
from medcode.assistant.hcpcs_years import hcpcs_in_use, hcpcs_listing
from medcode.assistant.intent import POS_MENTION, Question, code_shapes, find_codes, find_modifiers
from medcode.codes.models import Code, FeeScheduleItem, MueLimit, OppsItem, Release
from medcode.codes.queries import SYSTEM_LABELS, release_catalog
from medcode.lib.codeshapes import CPT_CODE, PROCEDURE_CODE
from medcode.lib.in_force import age, started
from medcode.ops import datacache
from medcode.rules.modifier_sets import CPT_LEVEL_I

Status = Literal["valid", "not_valid_on_date", "not_found"]
Kind = Literal["code", "modifier", "pos"]

NOT_FOUND = "{code} is not a code in the code sets loaded here (checked on {on})."
NOT_FOUND_MODIFIER = "{code} is not a modifier in the loaded modifier lists (checked on {on})."
NOT_FOUND_POS = "{code} is not an assigned place-of-service code in the loaded POS list."
NOT_VALID = "{code} is not valid on {on}: {detail}"
NOT_VALID_MARK = "{code} (not valid on {on})"
REMOVED = "A statement naming {codes} was removed: no loaded code set lists {them}."
SYSTEMS_CHECKED = "ICD-10-CM, ICD-10-PCS, HCPCS Level II, CPT (by number, from the CMS files)"


@dataclass(frozen=True)
class CodeCheck:
    """What the loaded code sets say about one code-shaped token on one date."""

    text: str
    code: str  # upper case, no dot
    kind: Kind
    status: Status
    system: str = ""
    display: str = ""
    title: str = ""
    detail: str = ""
    url: str = ""
    release: str = ""
    is_billable: bool | None = None
    # Set when no loaded release of the code set covers the date (the nearest one was read).
    note: str = ""

    @property
    def is_valid(self) -> bool:
        return self.status == "valid"

    @property
    def label(self) -> str:
        return f"{SYSTEM_LABELS.get(self.system, self.system)} {self.display}".strip()

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "code": self.display or self.code,
            "kind": self.kind,
            "status": self.status,
            "system": self.system,
            "title": self.title,
            "detail": self.detail,
            "url": self.url,
            "release": self.release,
            "is_billable": self.is_billable,
        }


# --- Which release governs a code on a date ----------------------------------------------------


@datacache.cached("code-first-letters", keep_when_off=True)
def _family_letters(release_id: int) -> frozenset[str]:
    """The first characters of the codes a release lists (a partial file lists few)."""
    return frozenset(
        Code.objects.filter(release_id=release_id)
        .annotate(first=Substr("code", 1, 1))
        .values_list("first", flat=True)
        .distinct()
    )


def governing_release(system: str, code: str, on: dt.date) -> Release | None:
    """The newest release of `system` in force on `on` that lists codes of `code`'s family."""
    releases = release_catalog().with_table("codes", system)
    if not releases:
        return None
    begun = started(releases, on) or releases[:1]
    ordered = sorted(begun, key=age, reverse=True)
    if system in FISCAL_YEAR_SYSTEMS:
        # ICD-10 code sets change on October 1. When the newest release that started has
        # ended and the next loaded one is a later update of the fiscal year `on` falls in
        # (FY2026's April update for a November 2025 date), that fiscal year's code set is the
        # one in force, not the previous year's.
        ended = all(r.effective_to is not None and r.effective_to < on for r in begun)
        same_year = [r for r in releases if r.effective_from > on and fiscal_year_start(r) <= on]
        if ended and same_year:
            ordered = sorted(same_year, key=age) + ordered
    for release in ordered:
        if code[:1] in _family_letters(release.pk):
            return release
    return None


FISCAL_YEAR_SYSTEMS = frozenset({"ICD10CM", "ICD10PCS"})


def fiscal_year_start(release: Release) -> dt.date:
    """October 1 that starts the federal fiscal year a release's effective date falls in."""
    start = release.effective_from
    return dt.date(start.year if start.month >= 10 else start.year - 1, 10, 1)


BEFORE_RELEASES = (
    "{on} is before the earliest loaded {label} release; the answer reads {citation}, "
    "effective {start}."
)
AFTER_RELEASES = (
    "No loaded {label} release covers {on}: the answer reads the latest, {citation} "
    "(effective {start} to {end}); a newer release may differ."
)


FISCAL_YEAR_UPDATE = (
    "{citation} is a later update of the fiscal year code set in force on {on} (it took effect "
    "{year_start}); a code added only in that update (effective {start}) was not yet valid on "
    "{on}."
)


def _coverage_note(release: Release, on: dt.date, label: str, citation: str) -> str:
    start = release.effective_from.isoformat()
    if (
        release.effective_from > on
        and release.code_system in FISCAL_YEAR_SYSTEMS
        and fiscal_year_start(release) <= on
    ):
        return FISCAL_YEAR_UPDATE.format(
            citation=citation,
            on=on.isoformat(),
            year_start=fiscal_year_start(release).isoformat(),
            start=start,
        )
    if release.effective_from > on:
        return BEFORE_RELEASES.format(
            on=on.isoformat(), label=label, citation=citation, start=start
        )
    if release.effective_to is not None and on > release.effective_to:
        end = release.effective_to.isoformat()
        return AFTER_RELEASES.format(
            on=on.isoformat(), label=label, citation=citation, start=start, end=end
        )
    return ""


def _key(text: str) -> str:
    """How a checker remembers a code-shaped text: upper case, the dot kept when typed."""
    return text.strip().upper()


def _url(display: str, system: str, on: dt.date | None) -> str:
    path = reverse("codes:detail", args=[display])
    query = []
    if system == "POS":
        query.append("system=POS")
    if on is not None:
        query.append(f"date={on.isoformat()}")
    return path + ("?" + "&".join(query) if query else "")


# --- Checking -------------------------------------------------------------------------------------


class CodeChecker:
    """Checks tokens on one date, remembering each answer (one checker per answer)."""

    def __init__(
        self, on: dt.date, *, link_date: dt.date | None = None, prefer: tuple[str, ...] = ()
    ) -> None:
        self.on = on
        self.link_date = link_date  # put ?date= on links when the question named a date
        self.prefer = prefer  # code sets the question names, read first
        self._seen: dict[tuple[Kind, str], CodeCheck] = {}

    def codes(self, texts: Iterable[str]) -> list[CodeCheck]:
        """Checks of code-shaped texts, in order. "E09.00" (dotted: ICD-10-CM only) and "E0900"
        (any code set: HCPCS E0900 first) are different questions and remembered apart."""
        texts = [t.strip() for t in texts]
        wanted: dict[str, str] = {}
        for text in texts:
            key = _key(text)
            if ("code", key) not in self._seen:
                wanted[key] = text
        if wanted:
            for key, check in self._check_codes(wanted):
                self._seen[("code", key)] = check
        return [self._seen[("code", _key(t))] for t in texts]

    def code(self, text: str) -> CodeCheck:
        return self.codes([text])[0]

    def modifier(self, text: str) -> CodeCheck:
        value = text.strip().upper()
        key: tuple[Kind, str] = ("modifier", value)
        if key not in self._seen:
            self._seen[key] = self._check_modifier(value)
        return self._seen[key]

    def pos(self, text: str) -> CodeCheck:
        value = text.strip().zfill(2)
        key: tuple[Kind, str] = ("pos", value)
        if key not in self._seen:
            self._seen[key] = self._check_pos(value)
        return self._seen[key]

    @property
    def checked(self) -> list[CodeCheck]:
        return list(self._seen.values())

    # -- codes

    def _check_codes(self, wanted: dict[str, str]) -> list[tuple[str, CodeCheck]]:
        plain = {key.replace(".", "") for key in wanted}
        rows: dict[str, list[tuple[Any, ...]]] = {}
        for row in (
            Code.objects.filter(code__in=plain)
            .exclude(system__in=("MODIFIER", "POS"))
            .values_list(
                "code",
                "system",
                "display",
                "short_description",
                "long_description",
                "release_id",
                "terminated_on",
                "is_billable",
                "attributes",
                "added_on",
            )
        ):
            rows.setdefault(row[0], []).append(row)
        missing = [k for k in wanted if "." not in k and k not in rows]
        data_only = _known_from_procedure_tables(missing)
        return [
            (
                key,
                self._status_of(
                    text, key.replace(".", ""), rows.get(key.replace(".", ""), []), data_only
                ),
            )
            for key, text in wanted.items()
        ]

    def _status_of(
        self, text: str, code: str, rows: list[tuple[Any, ...]], data_only: dict[str, str]
    ) -> CodeCheck:
        shapes = code_shapes(text) or code_shapes(code)
        named = tuple(s for s in self.prefer if s in shapes)
        allowed = (
            shapes if "." in text else (*named, *shapes, "CPT", "HCPCS", "ICD10CM", "ICD10PCS")
        )
        order: dict[str, int] = {}
        for system in allowed:
            order.setdefault(system, len(order))
        by_system: dict[str, list[tuple[Any, ...]]] = {}
        for row in rows:
            if row[1] in order and ("." not in text or "." in row[2]):
                by_system.setdefault(row[1], []).append(row)
        catalog = release_catalog()
        verdicts: list[CodeCheck] = []
        for system in sorted(by_system, key=lambda s: order[s]):
            verdicts.append(self._verdict(text, code, system, by_system[system], catalog))
        if not verdicts and code in data_only:
            system = "CPT" if CPT_CODE.match(code) else "HCPCS"
            return CodeCheck(
                text,
                code,
                "code",
                "valid",
                system,
                code,
                f"{SYSTEM_LABELS[system]} code {code}",
                f"Listed in {data_only[code]}.",
                _url(code, system, self.link_date),
                data_only[code],
            )
        # The code set the token's shape (or the question) reads first wins when it knows the
        # code at all: "G9381" is the deleted HCPCS code, not ICD-10-CM G93.81 undotted.
        if verdicts:
            return verdicts[0]
        return CodeCheck(text, code, "code", "not_found", detail=SYSTEMS_CHECKED)

    def _verdict(
        self, text: str, code: str, system: str, rows: list[tuple[Any, ...]], catalog: Any
    ) -> CodeCheck:
        found = self._release_verdict(text, code, system, rows, catalog)
        if system != "HCPCS" or found.kind != "code":
            return found
        found = self._record_verdict(found, code, rows, catalog)
        # Between two loaded quarterly files, the yearly HCPCS list knows codes added or
        # terminated meanwhile (J1308 added in 2025; J1170 terminated 2024-09-30).
        in_use = hcpcs_in_use(code, self.on)
        listed = hcpcs_listing().get(code)
        if in_use is False and found.status == "valid" and listed is not None:
            ended = listed[1].isoformat() if listed[1] else ""
            return dataclasses.replace(
                found,
                status="not_valid_on_date",
                detail=f"terminated {ended} (HCPCS yearly list); it could be reported through "
                f"{ended}.",
            )
        if in_use is True and found.status == "not_valid_on_date" and listed is not None:
            return dataclasses.replace(
                found,
                status="valid",
                detail=f"In the HCPCS list in use from {listed[2].isoformat()}.",
            )
        return found

    def _record_verdict(
        self, found: CodeCheck, code: str, rows: list[tuple[Any, ...]], catalog: Any
    ) -> CodeCheck:
        """A HCPCS code on a date no loaded quarterly file covers: the record's own added and
        termination dates (in the newest file listing it) say whether it was in use then
        (J1939 added 2024-01-01 is valid on 2024-03-01, between the 2020 and 2024 files)."""
        on = self.on
        releases = {r.pk: r for r in catalog.releases}
        governing = governing_release("HCPCS", code, on)
        if (
            governing is not None
            and governing.effective_from <= on
            and (governing.effective_to is None or on <= governing.effective_to)
        ):
            return found
        dated = [
            (releases[row[5]].effective_from, row)
            for row in rows
            if row[5] in releases and len(row) > 9 and row[9] is not None
        ]
        if not dated:
            return found
        row = max(dated, key=lambda item: item[0])[1]
        added, ended = row[9], row[6]
        citation = catalog.sources[row[5]].citation
        in_use = on >= added and (ended is None or on <= ended)
        if (found.status == "valid") == in_use:
            return found  # the record agrees: keep the release's own wording
        if on < added:
            return dataclasses.replace(
                found,
                status="not_valid_on_date",
                detail=f"added {added.isoformat()} ({citation}), after {on.isoformat()}.",
            )
        if ended is not None and on > ended:
            return dataclasses.replace(
                found,
                status="not_valid_on_date",
                detail=f"terminated {ended.isoformat()} ({citation}); it could be reported "
                f"through {ended.isoformat()}.",
            )
        if found.status == "not_valid_on_date":
            return dataclasses.replace(
                found,
                status="valid",
                detail=f"In use from {added.isoformat()}"
                + (f" to {ended.isoformat()}" if ended else "")
                + f" by its record in {citation}.",
            )
        return found

    def _release_verdict(
        self, text: str, code: str, system: str, rows: list[tuple[Any, ...]], catalog: Any
    ) -> CodeCheck:
        on = self.on
        by_release = {r[5]: r for r in rows}
        governing = governing_release(system, code, on)
        releases = {r.pk: r for r in catalog.releases}
        label = SYSTEM_LABELS.get(system, system)
        if governing is not None and governing.pk in by_release:
            row = by_release[governing.pk]
            citation = catalog.sources[governing.pk].citation
            title = row[4] or row[3] or f"{label} code {row[2]}"
            common = {
                "system": system,
                "display": row[2],
                "title": title,
                "url": _url(row[2], system, self.link_date),
                "release": citation,
                "is_billable": bool(row[7]) if system in {"ICD10CM", "ICD10PCS"} else None,
            }
            common["note"] = _coverage_note(governing, on, label, citation)
            terminated = row[6]
            pfs_status = str((row[8] or {}).get("pfs_status", ""))
            if terminated is not None and terminated < on:
                detail = f"deleted; it could be reported through {terminated.isoformat()}."
                return CodeCheck(text, code, "code", "not_valid_on_date", detail=detail, **common)
            if pfs_status in {"D", "F"}:
                detail = f"the Medicare fee schedule marks it deleted (status {pfs_status})."
                return CodeCheck(text, code, "code", "not_valid_on_date", detail=detail, **common)
            return CodeCheck(text, code, "code", "valid", detail=f"Listed in {citation}.", **common)
        listed = sorted(
            (releases[pk] for pk in by_release if pk in releases),
            key=lambda r: (r.effective_from, r.pk),
        )
        if not listed:
            return CodeCheck(text, code, "code", "not_found", detail=SYSTEMS_CHECKED)
        later = [r for r in listed if r.effective_from > on]
        last = listed[-1]
        row = by_release[last.pk]
        if later and len(later) == len(listed):
            first = later[0]
            detail = (
                f"it first appears in {catalog.sources[first.pk].citation}, effective "
                f"{first.effective_from.isoformat()}."
            )
            if system in FISCAL_YEAR_SYSTEMS and fiscal_year_start(first) < first.effective_from:
                detail = (
                    f"it first appears in {catalog.sources[first.pk].citation}, an update of "
                    f"the code set that took effect {fiscal_year_start(first).isoformat()}, "
                    f"after {on.isoformat()}."
                )
        else:
            before = started(listed, on)[-1]
            newer = catalog.sources[governing.pk].citation if governing is not None else ""
            detail = f"last listed in {catalog.sources[before.pk].citation}" + (
                f"; not listed in {newer}, read for {on.isoformat()}." if newer else "."
            )
        return CodeCheck(
            text,
            code,
            "code",
            "not_valid_on_date",
            system,
            row[2],
            row[4] or row[3] or f"{label} code {row[2]}",
            detail,
            _url(row[2], system, self.link_date),
            catalog.sources[last.pk].citation,
        )

    # -- modifiers and places of service

    def _check_modifier(self, value: str) -> CodeCheck:
        governing = governing_release("MODIFIER", value, self.on)
        catalog = release_catalog()
        if governing is not None:
            row = (
                Code.objects.filter(release_id=governing.pk, code=value)
                .values_list("display", "long_description", "short_description", "terminated_on")
                .first()
            )
            if row is not None and (row[3] is None or row[3] >= self.on):
                citation = catalog.sources[governing.pk].citation
                return CodeCheck(
                    value,
                    value,
                    "modifier",
                    "valid",
                    "MODIFIER",
                    row[0],
                    row[1] or row[2],
                    f"Listed in {citation}.",
                    _url(row[0], "MODIFIER", self.link_date),
                    citation,
                )
        if value in CPT_LEVEL_I:
            return CodeCheck(
                value,
                value,
                "modifier",
                "valid",
                "MODIFIER",
                value,
                f"CPT modifier {value}",
                "A CPT (Level I) modifier (built-in list; its AMA descriptor is not shown).",
                _url(value, "MODIFIER", self.link_date),
                "CPT Level I modifiers (built in)",
            )
        return CodeCheck(
            value, value, "modifier", "not_found", detail="Checked CPT and HCPCS modifiers."
        )

    def _check_pos(self, value: str) -> CodeCheck:
        governing = governing_release("POS", value, self.on)
        if governing is not None:
            row = (
                Code.objects.filter(release_id=governing.pk, code=value, system="POS")
                .values_list("display", "short_description", "is_billable")
                .first()
            )
            if row is not None and row[2]:
                citation = release_catalog().sources[governing.pk].citation
                return CodeCheck(
                    value,
                    value,
                    "pos",
                    "valid",
                    "POS",
                    row[0],
                    row[1],
                    f"Listed in {citation}.",
                    _url(row[0], "POS", self.link_date),
                    citation,
                )
        return CodeCheck(value, value, "pos", "not_found", detail="Checked the CMS POS code set.")


def _known_from_procedure_tables(codes: Sequence[str]) -> dict[str, str]:
    """CPT/HCPCS codes with no code row but listed in a CMS payment table (OPPS, PFS, MUE)."""
    shaped = [c for c in codes if PROCEDURE_CODE.match(c)]
    if not shaped:
        return {}
    catalog = release_catalog()
    found: dict[str, str] = {}
    for model in (OppsItem, FeeScheduleItem, MueLimit):
        rest = [c for c in shaped if c not in found]
        if not rest:
            break
        for code, release_id in model.objects.filter(code__in=rest).values_list(
            "code", "release_id"
        ):
            source = catalog.sources.get(release_id)
            if source is not None:
                found.setdefault(code, source.citation)
    return found


# --- Guarding an answer --------------------------------------------------------------------------


@dataclass
class Mentions:
    codes: list[str] = field(default_factory=list)
    modifiers: list[str] = field(default_factory=list)
    pos: list[str] = field(default_factory=list)


def mentions_in(text: str) -> Mentions:
    """Code-shaped tokens, modifiers (in modifier context) and POS codes named in a text."""
    codes = find_codes(text)
    return Mentions(
        codes=[c.text for c in codes],
        modifiers=list(find_modifiers(text, codes)),
        pos=[p.zfill(2) for p in POS_MENTION.findall(text)],
    )


def check_text(checker: CodeChecker, text: str) -> list[CodeCheck]:
    found = mentions_in(text)
    checks = checker.codes(found.codes) if found.codes else []
    checks += [checker.modifier(m) for m in found.modifiers]
    checks += [checker.pos(p) for p in found.pos]
    return checks


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")


def split_sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(text.strip()) if s]


@dataclass(frozen=True)
class Cleaned:
    text: str
    removed: tuple[str, ...]  # the tokens that made a statement go
    # The codes (normalised) the answer ends up naming: in kept statements, and the removed
    # ones, which the removal notice names.
    named: tuple[str, ...] = ()


def clean_text(checker: CodeChecker, text: str) -> Cleaned:
    """The text without sentences naming unknown codes; inactive codes marked as such."""
    kept: list[str] = []
    removed: list[str] = []
    codes: list[str] = []
    marked: set[str] = set()
    for sentence in split_sentences(text):
        checks = check_text(checker, sentence)
        unknown = [c for c in checks if c.status == "not_found"]
        codes += [c.code for c in (unknown or checks)]
        if unknown:
            removed += [c.text for c in unknown]
            continue
        for check in checks:
            if check.status == "not_valid_on_date" and check.text not in marked:
                marked.add(check.text)
                sentence = _mark_once(sentence, check.text, checker.on)
        kept.append(sentence)
    return Cleaned(" ".join(kept), tuple(dict.fromkeys(removed)), tuple(dict.fromkeys(codes)))


def _mark_once(sentence: str, token: str, on: dt.date) -> str:
    mark = NOT_VALID_MARK.format(code=token, on=on.isoformat())
    if mark in sentence:
        return sentence
    pattern = re.compile(rf"(?<![\w.]){re.escape(token)}(?![\w])(?! \(not valid)")
    return pattern.sub(lambda m: mark, sentence, count=1)


def status_statement(check: CodeCheck, on: dt.date) -> str:
    """How an answer states a code that is not valid: first, in plain words."""
    if check.status == "not_found":
        template = {"code": NOT_FOUND, "modifier": NOT_FOUND_MODIFIER, "pos": NOT_FOUND_POS}
        return template[check.kind].format(code=check.text, on=on.isoformat())
    return NOT_VALID.format(
        code=check.display or check.text, on=on.isoformat(), detail=check.detail
    )


def removal_notice(tokens: Sequence[str]) -> str:
    listed = ", ".join(tokens)
    return REMOVED.format(codes=listed, them="it" if len(tokens) == 1 else "them")


DONT_KNOW = (
    "The loaded data does not settle this, and CasePilot does not guess. Check the sources "
    "cited here and your payer's or Medicare contractor's policy, or send the question to "
    "CaseConsultant ({consult}) for an answer by email."
)
NOTHING_SURE = "I cannot answer that from the loaded code sets and guidance."
CODE_SETS_CHECKED = "Codes in this answer were checked against the code sets loaded for {on}."


def guard_answer(
    draft: Draft,
    *,
    question: Question,
    intent: str,
    checker: CodeChecker,
    phrased_by: str = "medcode",
) -> Answer:
    """The answer as shown: unknown codes removed, invalid ones stated first, always cited."""
    on = checker.on
    asked = checker.codes([c.text for c in question.codes]) if question.codes else []
    asked += [checker.modifier(m) for m in question.modifiers]
    asked += [checker.pos(p) for p in question.pos_codes]
    statements = [status_statement(c, on) for c in asked if not c.is_valid]
    summary = clean_text(checker, draft.summary)
    removed = list(summary.removed)
    shown = {c.code for c in asked} | set(summary.named)
    facts: list[Fact] = []
    for fact in draft.facts:
        cleaned = clean_text(checker, fact.text)
        removed += cleaned.removed
        shown.update(cleaned.named)
        if cleaned.text:
            facts.append(Fact(cleaned.text, fact.citation))
    notices = []
    for notice in draft.notices:
        cleaned = clean_text(checker, notice)
        shown.update(cleaned.named)
        if cleaned.text:
            notices.append(cleaned.text)
    notices += [c.note for c in asked if c.note]
    removed = [t for t in dict.fromkeys(removed) if t not in {c.text for c in asked}]
    if removed:
        notices.append(removal_notice(removed))
    unsure = draft.is_unsure or not summary.text
    if unsure:
        notices.append(DONT_KNOW.format(consult=CONSULT_URL))
    text = " ".join(s for s in (*statements, summary.text) if s) or NOTHING_SURE
    if not facts:
        facts.append(_code_sets_fact(on))
    codes = tuple(c for c in checker.checked if c.code in shown)
    return Answer(
        question=question.text,
        intent=intent,
        on=on,
        summary=text,
        facts=tuple(facts),
        codes=codes,
        notices=tuple(dict.fromkeys(notices)),
        offers_consult=unsure,
        removed=tuple(removed),
        phrased_by=phrased_by,
    )


def _code_sets_fact(on: dt.date) -> Fact:
    """The fallback citation: the code set releases every code here was checked against."""
    from medcode.assistant.facts import Citation

    catalog = release_catalog()
    names = []
    for system in ("ICD10CM", "ICD10PCS", "HCPCS", "CPT", "MODIFIER", "POS"):
        for release in catalog.in_force("codes", on, system)[-1:]:
            names.append(catalog.sources[release.pk].citation)
    return Fact(
        CODE_SETS_CHECKED.format(on=on.isoformat()),
        Citation("Loaded code sets", reverse("codes:index"), "; ".join(names) or "none loaded"),
    )
