"""The ICD-10-PCS Body Part Key and Device Key as the search box reads them: an anatomical term
or a device's name -> the words of the PCS value that includes it ("Achilles tendon" -> Lower
Leg Tendon; "Peripherally inserted central catheter (PICC)" -> Infusion Device).

Both keys are the Medical and Surgical section's axes 4 and 6 of CMS's definitions file
(icd10pcs_definitions_<year>.xml), loaded by the definitions importer
(codes/importers/icd10pcs_tables.py) as `pcs_definitions:0:4` and `pcs_definitions:0:6`, and
read here from the loaded release at run time: a new file brings its own terms. A term the key
lists under values with different names ("Pelvic splanchnic nerve": Abdominal and Sacral
Sympathetic Nerve) is left out; a side (Left, Right, Bilateral) is not part of the value's
words, the query says it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from medcode.ops import generation

DEFINITIONS_DATASET = "icd10pcs_definitions"
BODY_PART_KEY = "pcs_definitions:0:4"
DEVICE_KEY = "pcs_definitions:0:6"
# The Administration section's Substance Key ("Tissue Plasminogen Activator (tPA)": Other
# Thrombolytic).
SUBSTANCE_KEY = "pcs_definitions:3:6"
# The Medical and Surgical root operations, each with the procedures it "includes"
# ("Reposition": "Reposition of undescended testicle, fracture reduction").
OPERATION_KEY = "pcs_definitions:0:3"
# Words of those includes that name no operation ("colostomy formation", "Face lift").
# A single word of key terms is read alone from this length: shorter ones are everyday
# words ("wing" of a fixed-wing plane is no Sphenoid Bone).
PARTIAL_WORD = 6
# A context word is compared by its first characters ("fracture", "fractured").
STEM = 5
NOT_OPERATION_WORDS = frozenset({"formation", "lift", "position", "previous"})
# Words of Body Part Key terms that say where, what kind or how, not which structure: read
# alone they name only the value of the one term they happen to be in ("surgical": "Neck of
# humerus (anatomical)(surgical)", Humeral Head; "proximal": "Proximal radioulnar joint",
# Elbow Joint; "involving": "Distal humerus, involving joint"; "procedures": "Breast
# procedures, skin only", Skin, Chest; "central": "Central axillary lymph node"; "cardiac":
# "Cardiac plexus", Thoracic Sympathetic Nerve; "mental": "Mental foramen", Mandible;
# "fundus": "Fundus uteri", Uterus; "isthmus": the aortic isthmus, not the thyroid's).
NOT_PART_WORDS = frozenset(
    """proximal surgical involving procedures central apical descending proper segmental
    arterial cardiac intestinal mental septal longitudinal spiral communicating annular
    angular circle triangle window border margin center sulcus isthmus fundus
    meatus""".split()  # noqa: SIM905
)
SIDE_WORDS = frozenset({"left", "right", "bilateral"})
LINKS = frozenset({"and", "of", "or", "with", "on", "for", "in"})
# Abbreviations in a key term that name a code set, not a body part or device when typed
# ("ICD" is the key's implantable cardioverter-defibrillator, and the code set of every
# diagnosis query).
CODE_SET_NAMES = frozenset({"icd", "cpt", "pcs", "hcpcs", "drg"})
_WORD = re.compile(r"[a-z0-9][a-z0-9&'-]*")
_MARK = re.compile(r"\((?:r|tm)\)", re.IGNORECASE)  # (R), (tm) after a brand
_GROUP = re.compile(r"\(([^()]*)\)")
_ABBREVIATION = re.compile(r"[a-z]?[A-Z][A-Z0-9/-]+")  # PICC, tPA
# A Device Key title is the device value, then "for <operation>" and/or "in <body system>".
_DEVICE_WHERE = re.compile(r"\s+(?:for|in)\s+[A-Z].*$")


@dataclass(frozen=True)
class PcsKeys:
    """Key terms (as word tuples) -> the words of the value they name; `longest` is the most
    words any term has."""

    phrases: Mapping[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    longest: int = 0
    # The values of the Substance Key (a substance given is an Introduction).
    substances: frozenset[tuple[str, ...]] = frozenset()
    # A word or phrase that only begins key terms, or is one word of them, -> the words all
    # their values share ("cochlear implant": the Multiple and Single Channel Cochlear
    # Prosthesis share hearing device channel cochlear prosthesis; "meniscus": Knee Joint).
    partial: Mapping[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    # A procedure word of a root operation's includes -> the operation ("reduction":
    # reposition; "thrombectomy": extirpation; "ligation": occlusion).
    operations: Mapping[str, str] = field(default_factory=dict)
    # The words of the Body Part Key's values ("uterus" names its own value).
    body_words: frozenset[str] = frozenset()
    # An include word that names its operation only beside one of these words (STEM
    # characters of the words written before it in its includes): "reduction" is a
    # Reposition as a "fracture reduction", not in a breast reduction (operation_contexts).
    operation_context: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def names_operation(self, word: str, said: Iterable[str]) -> bool:
        """Whether `word` names its root operation (operations) in a query of the words
        `said`: it is an include word, and the query says a word of its includes' context
        when it has one."""
        if word not in self.operations:
            return False
        context = self.operation_context.get(word)
        return context is None or bool(context & {w[:STEM] for w in said})

    def match(
        self, tokens: list[str], start: int, *, longer_than: int = 0
    ) -> tuple[int, tuple[str, ...]]:
        """The longest key term starting at tokens[start] with more than `longer_than` words:
        (its length, the value's words), or (0, ())."""
        for size in range(min(self.longest, len(tokens) - start), longer_than, -1):
            found = self.phrases.get(tuple(tokens[start : start + size]))
            if found is not None:
                return size, found
        return 0, ()

    def match_partial(
        self, tokens: list[str], start: int, known: frozenset[str]
    ) -> tuple[int, tuple[str, ...]]:
        """The longest phrase at tokens[start] that begins key terms (or is one word of
        them) and holds a word no PCS title has: (its length, the words its values share),
        or (0, ())."""
        for size in range(min(self.longest, len(tokens) - start), 0, -1):
            phrase = tuple(tokens[start : start + size])
            found = self.partial.get(phrase)
            if found is not None and any(w not in known for w in phrase):
                return size, found
        return 0, ()


NO_KEYS = PcsKeys()


def words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.lower()))


def term_phrases(text: str) -> list[tuple[str, ...]]:
    """The ways a key term may be typed. Parenthesised words are optional ("Implanted
    (venous)(access) port": implanted port, implanted venous port, implanted access port;
    "Great(er) saphenous vein": great and greater); a parenthesised abbreviation stands for
    the words before it ("Peripherally inserted central catheter (PICC)": also picc;
    "Percutaneous endoscopic gastrostomy (PEG) tube": also peg tube)."""
    text = _MARK.sub("", text)
    groups = list(_GROUP.finditer(text))
    if not groups:
        return [words(text)] if words(text) else []
    found: list[tuple[str, ...]] = []
    bare = _GROUP.sub(" ", text)
    found.append(words(bare))
    for group in groups:
        inner = group.group(1).strip()
        glued = group.start() > 0 and text[group.start() - 1].isalnum()
        rest = _GROUP.sub(" ", text[group.end() :])
        before = _GROUP.sub(" ", text[: group.start()])
        if _ABBREVIATION.fullmatch(inner) and not glued:
            short = words(inner)
            if (
                short
                and short[0] not in CODE_SET_NAMES
                and (len(inner) >= 3 or words(rest))
                and stands_for(inner.lower(), words(before))
            ):
                found.append(short + words(rest))
            continue
        joiner = "" if glued else " "
        found.append(words(before + joiner + inner + " " + rest))
    return [p for p in dict.fromkeys(found) if p]


def stands_for(abbreviation: str, before: tuple[str, ...]) -> bool:
    """Whether an abbreviation's letters are those of the words before it, in order, from
    the first letter of one of them (PICC: peripherally inserted central catheter; not MRI
    after the brand "Advisa")."""
    letters = [c for c in abbreviation if c.isalnum()]
    for start, word in enumerate(before):
        if letters and word[0] == letters[0]:
            rest = iter("".join(before[start:]))
            if all(c in rest for c in letters):
                return True
    return False


def value_words(text: str) -> tuple[str, ...]:
    """A value name's words that a title search needs (not "and", "of" or a single letter)."""
    return tuple(w for w in words(text) if w not in LINKS and len(w) > 1)


def body_part_words(title: str) -> tuple[str, ...]:
    """A Body Part value's words without its side: "Lower Leg Tendon, Left" -> lower leg
    tendon; "Subcutaneous Tissue and Fascia, Left Upper Arm" -> subcutaneous tissue fascia
    upper arm."""
    return tuple(w for w in value_words(title) if w not in SIDE_WORDS)


def device_words(title: str) -> tuple[str, ...]:
    """A Device Key title's device value: "Vascular Access Device, Totally Implantable in
    Subcutaneous Tissue and Fascia" -> vascular access device totally implantable."""
    return value_words(_DEVICE_WHERE.sub("", title))


def _shared(values: set[tuple[str, ...]]) -> tuple[str, ...]:
    """The words every value has, in the first's order."""
    first = sorted(values)[0]
    return tuple(w for w in first if all(w in v for v in values))


def partial_phrases(
    named: Mapping[tuple[str, ...], set[tuple[str, ...]]],
    body: Mapping[tuple[str, ...], set[tuple[str, ...]]],
) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Phrases that begin key terms (two words or more) and single words of Body Part Key
    terms, each -> the words all the values of those terms share (none shared: left out)."""
    begun: dict[tuple[str, ...], set[tuple[str, ...]]] = defaultdict(set)
    for phrase, values in named.items():
        for size in range(2, len(phrase)):
            begun[phrase[:size]] |= values
    for phrase, values in body.items():
        for word in phrase:
            if len(word) >= PARTIAL_WORD and word not in NOT_PART_WORDS:
                begun[(word,)] |= values
    out = {}
    for phrase, values in begun.items():
        if phrase in named:
            continue
        shared = _shared(values)
        if shared:
            out[phrase] = shared
    return out


def include_word(phrase: str) -> str:
    """The word of a root operation's include that names the procedure: the one before "of"
    ("Fulguration of rectal polyp", "total lobectomy of lung"), else the last ("fracture
    reduction", "Thrombectomy"); "" for a phrase that says how ("Herniorrhaphy using mesh")."""
    found = words(phrase)
    if not found or {"using", "with", "in", "a"} & set(found) or found[0] == "of":
        return ""
    word = found[found.index("of") - 1] if "of" in found else found[-1]
    return "" if word in NOT_OPERATION_WORDS or len(word) < 4 else word


def operation_words(terms: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Include word -> root operation (lower case); a word two operations include
    ("nephrectomy": Partial nephrectomy is an Excision, Total nephrectomy a Resection) is
    left out."""
    named: dict[str, set[str]] = defaultdict(set)
    for term in terms:
        for phrase in _include_phrases(term):
            word = include_word(phrase)
            if word:
                named[word].add(str(term["title"]).lower())
    # The operations' own names are read as before (procedures.OPERATIONS): "change" or
    # "control" alone ("birth control") names no procedure.
    titles = {str(term["title"]).lower() for term in terms}
    return {w: next(iter(ops)) for w, ops in named.items() if len(ops) == 1 and w not in titles}


def operation_contexts(terms: Iterable[Mapping[str, Any]]) -> dict[str, frozenset[str]]:
    """Include word -> the words (STEM characters) one of which must be said beside it, for
    a word its includes only ever write after the thing it is done to: "fracture
    reduction" (Reposition), "bone graft", "free skin graft" (Replacement). Such a word names
    the operation only of that thing: a breast reduction takes out breast tissue (a portion:
    Excision), a coronary artery bypass graft is a Bypass. A word some include writes alone
    or before "of" ("Thrombectomy", "ligation of inferior vena cava") needs none, nor does a
    surgical word, whose ending names the operation ("internal urethrotomy")."""
    context: dict[str, set[str]] = defaultdict(set)
    free: set[str] = set()
    for term in terms:
        for phrase in _include_phrases(term):
            word = include_word(phrase)
            found = words(phrase)
            if not word:
                continue
            before = found[: found.index(word)] if word in found else ()
            if "of" in found or not before or _surgical(word):
                free.add(word)
            else:
                context[word].update(w[:STEM] for w in before if w not in LINKS)
    return {w: frozenset(c) for w, c in context.items() if w not in free}


def _include_phrases(term: Mapping[str, Any]) -> Iterator[str]:
    """The phrases of a root operation's includes ("included", or "includes" joined by "; "
    in rows imported before it was kept), each of a comma-separated list on its own."""
    included = term.get("included")
    if included is None:
        included = [t for t in str(term.get("includes", "")).split("; ") if t]
    for text in included:
        yield from str(text).split(", ")


def _surgical(word: str) -> bool:
    """A word whose ending names an operation (-ectomy, -otomy, -scopy, -tripsy ...)."""
    from medcode.search.procedures import ENDINGS

    return any(word.endswith(ending) for ending in ENDINGS)


def keys_from_terms(
    body_parts: Iterable[Mapping[str, Any]],
    devices: Iterable[Mapping[str, Any]],
    substances: Iterable[Mapping[str, Any]] = (),
    operations: Iterable[Mapping[str, Any]] = (),
) -> PcsKeys:
    """The keys from the terms of the definitions rows (each {"title", "titles",
    "included"}; rows imported before `titles` and `included` were kept have "title" and
    "includes" joined by "; ")."""
    operations = list(operations)
    named: dict[tuple[str, ...], set[tuple[str, ...]]] = defaultdict(set)
    given: set[tuple[str, ...]] = set()
    body: set[str] = set()
    body_named: dict[tuple[str, ...], set[tuple[str, ...]]] = defaultdict(set)
    for terms, value_of in (
        (body_parts, body_part_words),
        (devices, device_words),
        (substances, value_words),
    ):
        for term in terms:
            values = {value_of(str(t)) for t in term.get("titles") or [term["title"]]}
            included = term.get("included")
            if included is None:
                included = [t for t in str(term.get("includes", "")).split("; ") if t]
            for text in included:
                for phrase in term_phrases(str(text)):
                    named[phrase] |= values
                    if value_of is body_part_words:
                        body_named[phrase] |= values
            if value_of is value_words:
                given |= values
            elif value_of is body_part_words:
                body.update(w for v in values for w in v)
    phrases = {
        phrase: next(iter(values))
        for phrase, values in named.items()
        if len(values) == 1 and next(iter(values))
    }
    return PcsKeys(
        phrases,
        max((len(p) for p in phrases), default=0),
        frozenset(given),
        partial_phrases(named, body_named),
        operation_words(operations),
        frozenset(body),
        operation_contexts(operations),
    )


def current_release_id(dataset: str) -> int | None:
    """The id of the newest current release of `dataset` (an ICD-10-PCS reference file),
    None when none is loaded."""
    from medcode.codes.models import Release

    return (
        Release.objects.filter(dataset=dataset, is_current=True)
        .order_by("-effective_from")
        .values_list("pk", flat=True)
        .first()
    )


@lru_cache(maxsize=2)
def _loaded(token: str) -> PcsKeys:
    del token
    from medcode.codes.models import ReferenceRow

    release_id = current_release_id(DEFINITIONS_DATASET)
    if release_id is None:
        return NO_KEYS
    rows = dict(
        ReferenceRow.objects.filter(
            release_id=release_id,
            key__in=[BODY_PART_KEY, DEVICE_KEY, SUBSTANCE_KEY, OPERATION_KEY],
        ).values_list("key", "data")
    )
    return keys_from_terms(
        rows.get(BODY_PART_KEY, {}).get("terms", []),
        rows.get(DEVICE_KEY, {}).get("terms", []),
        rows.get(SUBSTANCE_KEY, {}).get("terms", []),
        rows.get(OPERATION_KEY, {}).get("terms", []),
    )


def loaded_keys() -> PcsKeys:
    """The keys of the definitions release in force (cached per data generation); empty when
    no definitions file is loaded."""
    return _loaded(generation.current().token)
