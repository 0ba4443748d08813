"""Case notes for "case mode": split a note into sentences and phrases, and tell which
findings are denied, belong to a relative, or are past history.

The assertion logic follows NegEx (Chapman et al., 2001): trigger phrases open a scope
over the words that follow (or, for post-triggers, precede) them, and termination terms
("but", "however", ";") close it, so "no fever but has cough" denies only the fever.
Every span keeps its character offsets: `text[span.start:span.end] == span.text`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal

from medcode.search.clinical_words import LAY_SOCIAL

Assertion = Literal["affirmed", "negated", "family", "history"]
SpanKind = Literal["sentence", "phrase"]

# Longer sentences are cut (at a space) so an embedding of 128 tokens still covers them.
MAX_SENTENCE_CHARS = 600
# A trigger's scope covers at most this many words (NegEx used 5; lists need more).
MAX_SCOPE_WORDS = 12


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of a note: `kind` "sentence" or "phrase" (a clause of a longer sentence).

    `context` is the whole sentence and `context_start` its offset in the note, so the
    assertion of a phrase can depend on a trigger earlier in its sentence.
    """

    start: int
    end: int
    text: str
    kind: SpanKind
    sentence: int
    context: str
    context_start: int


# ---------------------------------------------------------------- trigger lists

# Before the finding: "denies chest pain", "no evidence of fracture".
NEGATION_BEFORE = (
    "no",
    "not",
    "non",
    "nor",
    "neither",
    "without",
    "denies",
    "denied",
    "deny",
    "denying",
    "negative for",
    "no evidence of",
    "no sign of",
    "no signs of",
    "no history of",
    "no complaints of",
    "no findings of",
    "free of",
    "absence of",
    "absent",
    "ruled out",
    "rules out",
    "rule out",
    "r/o",
    "excluded",
    "resolved",
    "never had",
    "never",
    "none",
    "did not have",
    "does not have",
    "did not show",
    "did not reveal",
    "failed to reveal",
    "not demonstrate",
    "no new",
    "unremarkable for",
    "with no",
    "w/o",
)
# After the finding: "pneumonia was ruled out", "blood cultures were negative".
NEGATION_AFTER = (
    "was ruled out",
    "were ruled out",
    "is ruled out",
    "has been ruled out",
    "have been ruled out",
    "was excluded",
    "were excluded",
    "is negative",
    "was negative",
    "were negative",
    "are negative",
    "negative",
    "not seen",
    "not found",
    "not detected",
    "not present",
    "is absent",
    "was absent",
    "were absent",
    "are absent",
    "unlikely",
    "resolved",
)
# An uncertain diagnosis ("suspected appendicitis", "pneumonia not excluded"): coded as if it
# existed in an inpatient record (ICD-10-CM Official Guidelines II.H, III.C), never in an
# outpatient one (IV.H: code the symptoms instead). Read as affirmed unless the caller asks
# for the outpatient reading (reading(..., outpatient=True)); its scope ends at a comma.
# "rule out" / "r/o" stay negations (NEGATION_BEFORE): in a note's narrative they name a
# work-up ("CT to rule out appendicitis") more often than a diagnosis at discharge.
UNCERTAIN_BEFORE = (
    "suspected",
    "suspect",
    "suspicion of",
    "suspicious for",
    "probable",
    "probably",
    "likely",
    "most likely",
    "possible",
    "possibly",
    "questionable",
    "question of",
    "presumed",
    "presumptive",
    "concern for",
    "concerning for",
    "cannot rule out",
    "cannot exclude",
    "can't rule out",
    "differential includes",
    "differential diagnosis includes",
)
UNCERTAIN_AFTER = (
    "not excluded",
    "not ruled out",
    "not been ruled out",
    "cannot be ruled out",
    "can not be ruled out",
    "could not be ruled out",
    "cannot be excluded",
    "could not be excluded",
    "is suspected",
    "was suspected",
    "is likely",
    "is possible",
    "is probable",
)
# Look like triggers, are not: "no change", "gram negative", "not only".
PSEUDO_TRIGGERS = (
    "no change",
    "no changes",
    "no increase",
    "no decrease",
    "no further",
    "no longer",
    "not only",
    "not necessarily",
    "not certain",
    "without difficulty",
    "gram negative",
    "gram-negative",
    "negative pressure",
    "rh negative",
    "triple negative",
    "her2 negative",
    "no significant change",
    # A social need said with a negation is the need itself ("No transportation to
    # appointments": Insecurity, transportation Z59.82; "not enough food": Z59.41).
    *(p for p in LAY_SOCIAL if p.split()[0] in ("no", "not", "without")),
)
FAMILY_BEFORE: tuple[str, ...] = (
    "family history of",
    "family history",
    "family hx",
    "family hx of",
    "fhx",
    "fh",
    "mother had",
    "mother has",
    "mother with",
    "mother died of",
    "father had",
    "father has",
    "father with",
    "father died of",
    "sister had",
    "sister has",
    "sister with",
    "brother had",
    "brother has",
    "brother with",
    "grandmother had",
    "grandfather had",
    "parents had",
    "uncle with",
    "aunt with",
    "uncle had",
    "aunt had",
    "relatives with",
    "in the family",
)
# A relative and what the note says of the relative's condition ("maternal uncle died by
# suicide", "brother was diagnosed with glaucoma"), beside the phrases above.
RELATIVES = (
    "mother",
    "father",
    "sister",
    "brother",
    "grandmother",
    "grandfather",
    "uncle",
    "aunt",
    "cousin",
    "sibling",
    "siblings",
    "parents",
    "mom",
    "dad",
)
RELATIVE_SAYS = (
    "had",
    "has",
    "with",
    "died of",
    "died from",
    "died by",
    "died after",
    "died at",
    "passed away from",
    "passed away of",
    "diagnosed with",
    "was diagnosed with",
    "is diagnosed with",
    "suffered from",
    "suffers from",
    "history of",
    "hx of",
)
FAMILY_BEFORE = (
    *FAMILY_BEFORE,
    *(
        f"{side}{relative} {says}"
        for side in ("", "maternal ", "paternal ")
        for relative in RELATIVES
        for says in RELATIVE_SAYS
    ),
)
HISTORY_BEFORE = (
    "history of",
    "personal history of",
    "past history of",
    "past medical history",
    "past medical history of",
    "medical history of",
    "pmh",
    "pmhx",
    "hx of",
    "h/o",
    "previous",
    "previously",
    "prior",
    "formerly",
    "in the past",
    "status post",
    "s/p",
    "background of",
)
# Close every open scope: "no fever but has cough".
TERMINATION = (
    "but",
    "however",
    "although",
    "though",
    "yet",
    "except",
    "apart from",
    "aside from",
    "nevertheless",
    "still",
    "whereas",
    "while",
    "which",
    "who",
    "presents",
    "presented",
    "presenting",
    "complains",
    "complained",
    "complaining",
    "reports",
    "reported",
    "secondary to",
    "due to",
    "cause of",
    "source of",
    "etiology of",
)

# Where a sentence is cut into phrases (a subset: "due to" joins what it relates).
CLAUSE_BREAKS = (
    "but",
    "however",
    "although",
    "though",
    "yet",
    "except",
    "apart from",
    "aside from",
    "nevertheless",
    "whereas",
)

# ---------------------------------------------------------------- sentence splitting

ABBREVIATIONS = frozenset(
    [
        "dr",
        "mr",
        "mrs",
        "ms",
        "prof",
        "sr",
        "jr",
        "st",
        "vs",
        "etc",
        "approx",
        "appt",
        "apt",
        "dept",
        "est",
        "min",
        "max",
        "no",
        "nos",
        "fig",
        "figs",
        "e.g",
        "eg",
        "i.e",
        "ie",
        "cf",
        "al",
        "viz",
        "resp",
        "incl",
        "pt",
        "pts",
        "hx",
        "dx",
        "tx",
        "rx",
        "sx",
        "fx",
        "yo",
        "y.o",
        "ca",
        "co",
        "inc",
        "vol",
        "ref",
        "mg",
        "ml",
        "mcg",
        "kg",
        "cm",
        "mm",
        "hr",
        "hrs",
        "wk",
        "wks",
        "mo",
        "mos",
        "yr",
        "yrs",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "a.m",
        "p.m",
        "b.i.d",
        "t.i.d",
        "q.i.d",
        "p.o",
        "p.r.n",
    ]
)

_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029"
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
_BULLET = re.compile(
    rf"[\s{_CONTROL}]*(?:[-*•·‣◦▪–—>]+|\(?(?:\d{{1,3}}|[a-zA-Z])[.)](?=\s|$)|\(\d{{1,3}}\))"
    rf"[\s{_CONTROL}]*"
)
_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*(?=[\s" + _CONTROL + r"]+|$)")
_WORD = re.compile(r"[^\W_]+(?:[-'/.][^\W_]+)*", re.UNICODE)
_PHRASE_BREAK = re.compile(r"[;:]|,(?!\d)|\s[-–—]\s")


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or not text[start].isprintable()):
        start += 1
    while end > start and (text[end - 1].isspace() or not text[end - 1].isprintable()):
        end -= 1
    return start, end


def _lines(text: str) -> list[tuple[int, int]]:
    """Logical lines: hard-wrapped lines are joined, bullets start a new line."""
    raw: list[tuple[int, int]] = []
    pos = 0
    for m in _LINE_BREAK.finditer(text):
        raw.append((pos, m.start()))
        pos = m.end()
    raw.append((pos, len(text)))

    joined: list[tuple[int, int]] = []
    for start, end in raw:
        s, e = _strip(text, start, end)
        if s == e:
            joined.append((s, s))  # blank line: a paragraph break
            continue
        bullet = _BULLET.match(text, s, e)
        if bullet and bullet.end() < e:
            s = bullet.end()
        elif bullet:
            continue  # a lone "1." line
        if joined and _continues(text, joined[-1], s, is_bullet=bool(bullet)):
            joined[-1] = (joined[-1][0], e)
        else:
            joined.append((s, e))
    return [(s, e) for s, e in joined if s < e]


def _continues(text: str, previous: tuple[int, int], start: int, *, is_bullet: bool) -> bool:
    p_start, p_end = previous
    if is_bullet or p_start == p_end:
        return False
    last = text[p_end - 1]
    return last not in ".!?:;" and text[start].islower()


def _is_abbreviation(text: str, line_start: int, dot: int) -> bool:
    word = re.search(r"([^\W\d_]+(?:\.[^\W\d_]+)*)\.*$", text[line_start : dot + 1])
    if word is None:
        return False
    token = word.group(1).lower()
    return token in ABBREVIATIONS


def _sentences(text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for line_start, line_end in _lines(text):
        start = line_start
        for m in _SENTENCE_END.finditer(text, line_start, line_end):
            dot = m.start()
            nxt = m.end()
            while nxt < line_end and (text[nxt].isspace() or not text[nxt].isprintable()):
                nxt += 1
            if nxt < line_end and text[nxt].islower():
                continue
            if text[dot] == "." and _is_abbreviation(text, start, dot):
                continue
            out.extend(_cut_long(text, start, m.end()))
            start = m.end()
        out.extend(_cut_long(text, start, line_end))
    return [(s, e) for s, e in out if s < e and any(c.isalnum() for c in text[s:e])]


def _cut_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    start, end = _strip(text, start, end)
    pieces = []
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start + MAX_SENTENCE_CHARS // 2, start + MAX_SENTENCE_CHARS)
        if cut == -1:
            cut = start + MAX_SENTENCE_CHARS
        pieces.append(_strip(text, start, cut))
        start, end = _strip(text, cut, end)
    pieces.append((start, end))
    return pieces


def _phrases(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Clauses of one sentence, cut at punctuation and at termination terms."""
    cuts = [m.span() for m in _PHRASE_BREAK.finditer(text, start, end)]
    cuts.extend(m.span() for m in _clause_break_regex().finditer(text, start, end))
    cuts.sort()
    out = []
    pos = start
    for cut_start, cut_end in cuts:
        out.append(_strip(text, pos, cut_start))
        pos = max(pos, cut_end)
    out.append(_strip(text, pos, end))
    return [(s, e) for s, e in out if s < e and _has_content(text[s:e])]


def _has_content(text: str) -> bool:
    words = [w.lower() for w in _WORD.findall(text)]
    return any(w not in _trigger_words() and not w.isdigit() for w in words)


def split_note(text: str) -> list[Span]:
    """Sentences of `text` in order, each followed by its phrases when it has several."""
    spans: list[Span] = []
    for index, (s, e) in enumerate(_sentences(text)):
        context = text[s:e]
        spans.append(Span(s, e, context, "sentence", index, context, s))
        phrases = _phrases(text, s, e)
        if len(phrases) > 1:
            spans.extend(
                Span(ps, pe, text[ps:pe], "phrase", index, context, s) for ps, pe in phrases
            )
    return spans


# ---------------------------------------------------------------- assertions


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    word: str


_TOKEN = re.compile(r"[^\W_]+(?:[-'/][^\W_]+)*|[;,]")

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "and",
        "or",
        "with",
        "is",
        "was",
        "were",
        "are",
        "be",
        "been",
        "has",
        "have",
        "had",
        "his",
        "her",
        "their",
        "its",
        "this",
        "that",
        "patient",
        "pt",
        # The subject of a clause is no finding: "He denies chest pain", "She is not on any
        # anticoagulant" deny what follows, and the pronoun alone must not affirm the clause.
        "he",
        "she",
        "they",
        "we",
        "today",
        "currently",
    ]
)
# Negation triggers that are also qualifiers in the classification's own titles ("concussion
# without loss of consciousness", "type 2 diabetes without complications"): the words they
# govern stay in the finding's reading (Span.reading), every other denial blanks its words.
SOFT_NEGATION = frozenset({("without",), ("w/o",)})
# Pre-triggers that a clause also puts last ("Streptococcal pharyngitis ruled out.", "chest
# pain denied"): with nothing to deny after them, they deny the words before them.
BOTH_WAYS = frozenset({("ruled", "out"), ("excluded",), ("resolved",), ("absent",), ("denied",)})


@cache
def _clause_break_regex() -> re.Pattern[str]:
    words = sorted(CLAUSE_BREAKS, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)


@cache
def _trigger_words() -> frozenset[str]:
    phrases = (
        NEGATION_BEFORE
        + NEGATION_AFTER
        + FAMILY_BEFORE
        + HISTORY_BEFORE
        + UNCERTAIN_BEFORE
        + UNCERTAIN_AFTER
    )
    return frozenset(w for p in phrases for w in p.split()) | STOP_WORDS


@cache
def _trigger_table() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """First word -> (words, role), longest first, so "no evidence of" beats "no"."""
    table: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for role, phrases in (
        ("pseudo", PSEUDO_TRIGGERS),
        ("uncertain_after", UNCERTAIN_AFTER),
        ("uncertain", UNCERTAIN_BEFORE),
        ("neg_after", NEGATION_AFTER),
        ("family", FAMILY_BEFORE),
        ("history", HISTORY_BEFORE),
        ("negated", NEGATION_BEFORE),
        ("end", TERMINATION),
    ):
        for phrase in phrases:
            words = tuple(m.group() for m in _TOKEN.finditer(phrase.lower()))
            table.setdefault(words[0], []).append((words, role))
    for entries in table.values():
        entries.sort(key=lambda item: -len(item[0]))  # stable: earlier roles win ties
    return table


# After "mother has/had/with", words that make the relative the one who reports or acts, not
# the one with a condition: "Mom has noticed wheezing", "Mother with concerns about a rash",
# "Dad had to carry her in", "Mom has been giving Tylenol" describe the patient.
_RELATIVE_ACTS = frozenset(
    [
        "been",
        "noticed",
        "noted",
        "seen",
        "observed",
        "witnessed",
        "heard",
        "found",
        "felt",
        "concerns",
        "concern",
        "questions",
        "worries",
        "tried",
        "given",
        "giving",
        "brought",
        "called",
        "taken",
        "taking",
        "to",
        "him",
        "her",
        "them",
        "his",
        "patient",
        "child",
        "baby",
        "son",
        "daughter",
        "kid",
    ]
)


def _reports(trigger: tuple[str, ...], role: str, following: list[str]) -> bool:
    """A relative's "has/had/with" trigger followed by what the relative does or reports
    (_RELATIVE_ACTS): not a family finding."""
    return (
        role == "family"
        and trigger[-1] in ("has", "had", "with")
        and bool(following)
        and following[0] in _RELATIVE_ACTS
    )


def _find_triggers(words: list[str]) -> dict[int, tuple[int, str]]:
    """Start index -> (end index, role) of each trigger, scanning left to right."""
    found: dict[int, tuple[int, str]] = {}
    table = _trigger_table()
    i = 0
    while i < len(words):
        if words[i] == ";":
            found[i] = (i + 1, "end")
            i += 1
            continue
        for trigger, role in table.get(words[i], ()):
            if tuple(words[i : i + len(trigger)]) == trigger and not _reports(
                trigger, role, words[i + len(trigger) : i + len(trigger) + 1]
            ):
                found[i] = (i + len(trigger), role)
                i += len(trigger)
                break
        else:
            i += 1
    return found


@lru_cache(maxsize=512)
def _assert_context(context: str) -> tuple[tuple[_Token, ...], tuple[frozenset[str] | None, ...]]:
    """Tokens of a sentence and, per token, the assertions covering it (None: not content)."""
    tokens = [_Token(m.start(), m.end(), m.group().lower()) for m in _TOKEN.finditer(context)]
    words = [t.word for t in tokens]
    states: list[set[str] | None] = [set() for _ in tokens]
    triggers = _find_triggers(words)
    open_scopes: dict[str, int] = {}  # role -> words left in its scope
    boundary = 0  # a post-trigger looks back no further than this (termination or comma)
    i = 0
    while i < len(tokens):
        if i in triggers:
            end, role = triggers[i]
            for k in range(i, end):
                states[k] = None
            if role in ("uncertain", "uncertain_after"):
                # the trigger's own words are blanked with what it makes uncertain
                for k in range(i, end):
                    states[k] = {"uncertain_trigger"}
            if role == "end":
                open_scopes.clear()
                boundary = end
            elif role == "neg_after" or (
                role == "negated"
                and tuple(words[i:end]) in BOTH_WAYS
                and _ends_clause(words, triggers, end)
            ):
                _mark_back(states, max(boundary, i - MAX_SCOPE_WORDS), i, ("negated", "denied"))
            elif role == "uncertain_after" or (
                role == "uncertain" and _ends_clause(words, triggers, end)
            ):
                # "appendicitis not excluded", "pneumonia likely"
                _mark_back(states, max(boundary, i - MAX_SCOPE_WORDS), i, ("uncertain",))
            elif role != "pseudo":
                open_scopes[role] = MAX_SCOPE_WORDS
                if role == "negated" and tuple(words[i:end]) not in SOFT_NEGATION:
                    open_scopes["denied"] = MAX_SCOPE_WORDS
            i = end
            continue
        if words[i] == ",":
            states[i] = None
            boundary = i + 1
            # an uncertainty is its own finding's, never a list's ("likely viral URI, cough")
            open_scopes.pop("uncertain", None)
        elif words[i] in STOP_WORDS:
            states[i] = None
            # A denial put last reaches back over its own finding, not across "with":
            # "diabetes and hypertension with pneumonia resolved" denies the pneumonia.
            if words[i] == "with":
                boundary = i + 1
        else:
            state = states[i]
            if state is not None:
                state.update(open_scopes)
            for role in list(open_scopes):
                open_scopes[role] -= 1
                if open_scopes[role] <= 0:
                    del open_scopes[role]
        i += 1
    frozen = tuple(None if state is None else frozenset(state) for state in states)
    return tuple(tokens), frozen


def _mark_back(states: list[set[str] | None], start: int, end: int, marks: tuple[str, ...]) -> None:
    """A post-trigger's scope: the content words from `start` to `end`."""
    for k in range(start, end):
        state = states[k]
        if state is not None and "uncertain_trigger" not in state:
            state.update(marks)


def _ends_clause(words: list[str], triggers: dict[int, tuple[int, str]], at: int) -> bool:
    """Whether no content word follows position `at` before the clause ends."""
    for k in range(at, len(words)):
        if words[k] in (",", ";") or triggers.get(k, (0, ""))[1] == "end":
            return True
        if words[k] not in STOP_WORDS:
            return False
    return True


_PRECEDENCE: tuple[Assertion, ...] = ("negated", "family", "history")
_UNCERTAIN_MARKS = frozenset({"uncertain", "uncertain_trigger"})


def classify(span: Span) -> Assertion:
    """How the note asserts the finding in `span`.

    A span with any plainly affirmed word is "affirmed" (so a sentence that denies one
    finding and reports another is kept); otherwise negation wins over family history,
    which wins over personal history.
    """
    offset = span.start - span.context_start
    tokens, states = _assert_context(span.context)
    # An uncertainty ("possible", "pneumonia likely") is no assertion here (`reading` blanks
    # it in an outpatient record): its trigger is not content, like any trigger's words, and
    # the words it covers are asserted by the other triggers alone.
    covered = [
        state - _UNCERTAIN_MARKS
        for token, state in zip(tokens, states, strict=True)
        if state is not None
        and "uncertain_trigger" not in state
        and offset <= token.start
        and token.end <= offset + len(span.text)
    ]
    if not covered or any(not state for state in covered):
        return "affirmed"
    for assertion in _PRECEDENCE:
        if any(assertion in state for state in covered):
            return assertion
    return "affirmed"


def reading(span: Span, *, outpatient: bool = False) -> str:
    """The span's text with the words a trigger denies blanked out (offsets kept), so an
    affirmed clause is coded for what it affirms: "right eardrum bulging with no perforation"
    is read as "right eardrum bulging". A qualifier's "without" blanks nothing. In an
    `outpatient` record an uncertain diagnosis is blanked too, trigger and all ("cough,
    likely viral bronchitis" is read as "cough"; Official Guidelines IV.H)."""
    offset = span.start - span.context_start
    tokens, states = _assert_context(span.context)
    chars = list(span.text)
    blank = {"denied", "uncertain", "uncertain_trigger"} if outpatient else {"denied"}
    for token, state in zip(tokens, states, strict=True):
        inside = offset <= token.start and token.end <= offset + len(span.text)
        if state and state & blank and inside:
            chars[token.start - offset : token.end - offset] = " " * (token.end - token.start)
    return "".join(chars)


def is_negated(span: Span) -> bool:
    return classify(span) == "negated"


def span_of(text: str) -> Span:
    """`text` alone as a one-sentence span, to classify a phrase without its note."""
    return Span(0, len(text), text, "sentence", 0, text, 0)
