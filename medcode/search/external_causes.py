"""The ICD-10-CM Index to External Causes read for a lay query: how an injury happened
("slipped on the ice" -> Slipping, on, ice W00.0; "fell out of bed" -> Fall, out of, bed
W06; "cut myself with a kitchen knife" -> Cut, cutting, see also Contact, with, knife W26.0;
"burned my hand on the stove" -> Burn, stove X15.0).

The External Cause Index is read like the Alphabetic Index (index_matcher: main term, then
the subterms the query's words name, "see" references followed), after everyday past tenses
are put in its words ("fell" -> fall, "slipped" -> slipping). Only a path below a main term
counts: a main term alone ("Fall, falling" W19) says less than the query.
"""

from __future__ import annotations

import re
from functools import lru_cache

from medcode.search.index_matcher import AlphabeticIndex, build_tree, index_rows, stems

# Everyday past tenses -> the External Cause Index's main-term words.
VERBS = {
    "fell": "fall",
    "falls": "fall",
    "slipped": "slipping",
    "slip": "slipping",
    "tripped": "tripping",
    "trip": "tripping",
    "bit": "bite",
    "bitten": "bite",
    "stung": "sting",
    "hit": "struck",
    "burned": "burn",
    "burnt": "burn",
    # A tick or a mite is an arachnid, an arthropod: "Bite, arthropod NEC" (W57, bitten or
    # stung by nonvenomous insect and other nonvenomous arthropods).
    "tick": "arthropod",
    "ticks": "arthropod",
    "mite": "arthropod",
    "mites": "arthropod",
    # Jogging is running: "Activity, running" (Y93.02).
    "jogging": "running",
    "jog": "running",
}
# A second reading when the first finds nothing below a main term: "Kicked by" lists only
# "animal NEC" (W55.82, struck by other mammals) and person; the Index names the animals
# under "Butted by animal" with the same struck-by codes (horse W55.12, cow W55.22).
STRIKES = {"kicked": "butted animal", "kick": "butted animal"}
# Transport accidents: the Index lists them under "Accident, transport", by the victim's
# way of getting about, then collision with the counterpart or a noncollision accident,
# then traffic or nontraffic. The victim's words -> the Index's.
VICTIMS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("electric", "scooter"), "pedestrian conveyance standing electric scooter"),
    (("e", "scooter"), "pedestrian conveyance standing electric scooter"),
    (("pedestrian",), "pedestrian on foot"),
    (("walking",), "pedestrian on foot"),
    (("crossing",), "pedestrian on foot"),
    (("bicyclist",), "pedal cyclist"),
    (("cyclist",), "pedal cyclist"),
    (("bicycle",), "pedal cyclist"),
    (("bike",), "pedal cyclist"),
    (("biking",), "pedal cyclist"),
    (("cycling",), "pedal cyclist"),
)
# The other party of a collision, as the transport subterms name it.
COUNTERPARTS = {
    "car": "car",
    "cars": "car",
    "suv": "car",
    "truck": "truck",
    "bus": "bus",
    "van": "van",
    "pickup": "pickup pick up truck",  # "pickup truck" (cyclist), "pick-up truck" (pedestrian)
    "train": "railway vehicle",
}
# Off a public road: nontraffic.
NONTRAFFIC = {"driveway", "parking", "nontraffic", "trail", "path", "yard", "park"}
FALLS = {"fell", "fall", "falling", "thrown", "crashed", "crash", "wiped", "flipped"}
_WORD = re.compile(r"[a-z0-9]+")


def own_words() -> frozenset[str]:
    """The everyday words this reader translates: kept as typed when the search corrects
    a word it does not know ("fell" is no typo of "cell", nor "jogging" of "logging")."""
    victims = {w for phrase, _ in VICTIMS for w in phrase}
    return frozenset(VERBS) | frozenset(STRIKES) | frozenset(COUNTERPARTS) | victims | FALLS


def reading(text: str) -> str:
    """The query with its past tenses in the Index's words."""
    return " ".join(VERBS.get(w, w) for w in _WORD.findall(text.lower()))


def transport_reading(text: str) -> str:
    """The query in the words of "Accident, transport" when it names the victim's way of
    getting about and a counterpart or a fall ("pedestrian hit by a car crossing the
    street" -> transport pedestrian on foot collision car traffic), else ""."""
    words = _WORD.findall(text.lower())
    victim = next(
        (
            mapped
            for phrase, mapped in VICTIMS
            if any(tuple(words[i : i + len(phrase)]) == phrase for i in range(len(words)))
        ),
        "",
    )
    counterpart = next((COUNTERPARTS[w] for w in words if w in COUNTERPARTS), "")
    if not victim:
        return ""
    if counterpart:
        happened = f"collision {counterpart}"
    elif FALLS & set(words):
        happened = "fall" if "scooter" in victim else "noncollision accident"
    else:
        return ""
    if victim.startswith("pedestrian on foot") and not counterpart:
        return ""
    # "A vehicle accident is assumed to have occurred on the public highway unless another
    # place is specified" (the Tabular's transport accident definitions): traffic.
    place = "nontraffic" if NONTRAFFIC & set(words) else "traffic"
    return f"transport {victim} {happened} {place}".strip()


def external_codes(index: AlphabeticIndex, text: str) -> list[str]:
    """Index codes (undotted, maybe categories) of the paths below a main term that `text`
    names, most words first: a transport accident's path first, then the others."""
    read = reading(text)
    codes = [hit.code for hit in index.lookup(read) if hit.depth >= 1]
    if not codes and STRIKES.keys() & set(read.split()):
        struck = " ".join(STRIKES.get(w, w) for w in read.split())
        codes = [hit.code for hit in index.lookup(struck) if hit.depth >= 1]
    transport = transport_reading(text)
    if transport:
        paths = index.lookup_under("accident", frozenset(stems(transport)))
        codes = [hit.code for hit in paths if hit.depth >= 3][:1] + codes
    return list(dict.fromkeys(codes))


@lru_cache(maxsize=2)
def load_external_index(generation: str = "") -> AlphabeticIndex:
    """The current releases' Index to External Causes (cached per data generation)."""
    return AlphabeticIndex(roots=build_tree(index_rows("eindex")), neoplasm=[])
