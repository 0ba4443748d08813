"""ICD-10-PCS codes built from the tables' rows (pcs_build.py) and the readings that feed them
(procedures.pcs_words with the definitions' keys, pcs_keys.py), by kind.

pcs_tables_2026_slice.json holds rows of six FY2026 tables exactly as the importer stores
them (icd10pcs_tables_2026.xml: 0FT, 0UP, 0QS, 0TB, 0UT and 3E0, a few rows each)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medcode.search.pcs_build import (
    Row,
    built_codes,
    fits_operation,
    operation_groups,
    reading_of,
    rows_from_tables,
    rows_naming,
)
from medcode.search.pcs_keys import (
    include_word,
    keys_from_terms,
    operation_contexts,
    operation_words,
)
from medcode.search.procedures import pcs_words
from medcode.search.ranking import words_of
from medcode.search.tests.test_pcs_lay_kinds import TITLE_WORDS

SLICE = Path(__file__).with_name("pcs_tables_2026_slice.json")
ROWS = rows_from_tables(json.loads(SLICE.read_text()))


def best(words: str, query: str = "") -> list[str]:
    return [code for code, _ in built_codes(reading_of(words.split(), query), ROWS, limit=3)]


@pytest.mark.parametrize(
    ("reading", "expected"),
    [
        # Nothing said of device or qualifier: No Device, No Qualifier (not Hand-Assisted).
        ("resection gallbladder percutaneous endoscopic", "0FT44ZZ"),
        # No approach said: Open where the row offers it.
        ("resection gallbladder", "0FT40ZZ"),
        ("resection uterus", "0UT90ZZ"),  # not Supracervical
        # The approach said, word for word (not "... With Percutaneous Endoscopic Assistance").
        ("resection uterus via natural opening endoscopic", "0UT98ZZ"),
        # A biopsy reads "diagnostic": qualifier X.
        ("excision bladder via natural opening endoscopic diagnostic", "0TBB8ZX"),
        # External where the row offers it and nothing says an incision was made.
        ("removal contraceptive device uterus", "0UPDXHZ"),
        ("reposition external left femoral shaft", "0QS9XZZ"),
        # Administration: by needle (Percutaneous) unless said.
        ("introduction nutritional substance central vein", "3E0436Z"),
        ("introduction other thrombolytic peripheral vein", "3E03317"),
    ],
)
def test_the_best_code_takes_the_coders_defaults(reading, expected):
    assert best(reading)[0] == expected


def test_a_scope_with_no_way_in_said_goes_through_the_bodys_own_opening_into_a_hollow_organ():
    # "Endoscopic" alone: the bladder (urinary system, 0T) is reached through the urethra
    # (Via Natural or Artificial Opening Endoscopic), not through the skin.
    assert best("excision bladder endoscopic diagnostic")[0] == "0TBB8ZX"
    # The gallbladder's system (0F) is on the list too (ERCP), but its resection table row
    # offers no scope through an opening: Percutaneous Endoscopic stays.
    assert best("resection gallbladder endoscopic")[0] == "0FT44ZZ"


@pytest.mark.parametrize(
    "words",
    ["resection gallbladder", "excision bladder diagnostic", "introduction vein", "nothing"],
)
def test_the_rows_named_by_operation_group_are_the_rows_that_fit(words):
    said = reading_of(words.split()).said
    expected = [row for row in ROWS if fits_operation(row, said)]
    assert rows_naming(said, operation_groups(ROWS)) == expected
    assert len(operation_groups(ROWS)) < len(ROWS)


def test_the_side_said_excludes_the_other():
    reading = reading_of(["reposition", "left", "femoral", "shaft"])
    codes = [c for c, _ in built_codes(reading, ROWS)]
    assert codes[0].startswith("0QS9")
    assert not {c[3] for c in codes} & set("68BGJ")  # the Right values of 0QS


def test_no_code_without_the_operation_or_a_body_part_said():
    assert best("gallbladder percutaneous") == []  # no root operation
    assert best("resection kidney") == []  # 0FT/0UT build no kidney


def test_the_querys_own_word_picks_between_two_readings():
    # Two body parts that say as many reading words: the one the query said wins.
    reading = reading_of(["resection", "uterus"], "uterus taken out")
    assert built_codes(reading, ROWS)[0][0].startswith("0UT9")


OPERATION_TERMS = [
    {"title": "Reposition", "included": ["Reposition of undescended testicle, fracture reduction"]},
    {"title": "Extirpation", "included": ["Thrombectomy, choledocholithotomy"]},
    {"title": "Excision", "included": ["Partial nephrectomy, liver biopsy"]},
    {"title": "Resection", "included": ["Total nephrectomy, total lobectomy of lung"]},
    {"title": "Supplement", "included": ["Herniorrhaphy using mesh"]},
    {"title": "Change", "included": ["Urinary catheter change"]},
    {"title": "Replacement", "included": ["Total hip replacement, bone graft, free skin graft"]},
    {"title": "Occlusion",
     "included": ["Fallopian tube ligation, ligation of inferior vena cava"]},
    {"title": "Dilation", "included": ["internal urethrotomy"]},
]  # fmt: skip


def test_a_phrase_that_begins_key_terms_reads_what_their_values_share():
    assert KEYS.partial[("cochlear", "implant")] == (
        "hearing", "device", "channel", "cochlear", "prosthesis"
    )  # fmt: skip
    assert KEYS.partial[("meniscus",)] == ("knee", "joint")
    assert KEYS.phrases[("tpa",)] == ("other", "thrombolytic")


def test_the_root_operations_includes_name_procedure_words():
    words = operation_words(OPERATION_TERMS)
    assert words["reduction"] == "reposition"
    assert words["thrombectomy"] == "extirpation"
    assert words["lobectomy"] == "resection"
    assert words["biopsy"] == "excision"
    assert "nephrectomy" not in words  # partial is an Excision, total a Resection
    assert "herniorrhaphy" not in words  # "using mesh" says how, not what
    assert "change" not in words  # an operation's own name is read as before
    assert include_word("Fulguration of rectal polyp") == "fulguration"


def test_an_include_word_written_after_what_it_is_done_to_needs_that_said():
    contexts = operation_contexts(OPERATION_TERMS)
    # "fracture reduction" (Reposition), "bone graft", "free skin graft" (Replacement): the
    # word names the operation only of those.
    assert contexts["reduction"] == frozenset({"fract"})
    assert contexts["graft"] == frozenset({"bone", "free", "skin"})
    # Written alone, before "of" somewhere, or a surgical word: no context needed.
    assert "thrombectomy" not in contexts
    assert "ligation" not in contexts  # "ligation of inferior vena cava"
    assert "urethrotomy" not in contexts
    assert KEYS.names_operation("reduction", ["closed", "reduction", "fractured", "femur"])
    assert not KEYS.names_operation("reduction", ["breast", "reduction"])
    assert not KEYS.names_operation("graft", ["coronary", "artery", "bypass", "graft"])
    assert KEYS.names_operation("graft", ["split", "thickness", "skin", "graft"])
    assert KEYS.names_operation("ligation", ["hemorrhoid", "ligation"])


def test_a_word_saying_where_or_what_kind_names_no_structure_alone():
    keys = keys_from_terms(
        [
            {
                "title": "Humeral Head, Right",
                "included": ["Neck of humerus (anatomical)(surgical)"],
            },
            {"title": "Elbow Joint, Right", "included": ["Proximal radioulnar joint"]},
        ],
        [],
    )
    # "surgical removal of wisdom tooth" is no Humeral Head, "proximal humerus" no Elbow Joint.
    assert ("surgical",) not in keys.partial and ("proximal",) not in keys.partial
    assert keys.partial[("radioulnar",)] == ("elbow", "joint")


BODY_TERMS = [
    {"title": "Knee Joint, Left", "titles": ["Knee Joint, Left", "Knee Joint, Right"],
     "included": ["Lateral meniscus", "Medial meniscus"]},
    {"title": "Lumbar Vertebra", "included": ["Spinous process", "Vertebral lamina"]},
    {"title": "Thoracic Vertebra", "included": ["Spinous process", "Vertebral lamina"]},
]  # fmt: skip
DEVICE_TERMS = [
    {"title": "Hearing Device, Multiple Channel Cochlear Prosthesis for Insertion in Ear, Nose, Sinus",
     "included": ["Cochlear implant (CI), multiple channel (electrode)"]},
    {"title": "Hearing Device, Single Channel Cochlear Prosthesis for Insertion in Ear, Nose, Sinus",
     "included": ["Cochlear implant (CI), single channel (electrode)"]},
    {"title": "Contraceptive Device in Female Reproductive System",
     "included": ["Intrauterine device (IUD)"]},
]  # fmt: skip
SUBSTANCE_TERMS = [
    {"title": "Other Thrombolytic", "included": ["Tissue Plasminogen Activator (tPA)(r-tPA)"]},
]
KEYS = keys_from_terms(BODY_TERMS, DEVICE_TERMS, SUBSTANCE_TERMS, OPERATION_TERMS)
WORDS = TITLE_WORDS | words_of(
    """knee joint meniscus hearing device channel cochlear prosthesis contraceptive uterus
    thrombolytic nutritional substance central peripheral vein introduction removal
    reposition extirpation femoral shaft external eye cornea right left excision resection
    biopsy diagnostic upper intestinal tract inspection abortion products conception vacuum
    extraction retained breast reduction lung lobe upper middle lower lumbar vertebra vein
    hemorrhoidal plexus replacement bypass coronary artery skin graft thyroid gland internal
    mammary one three cervix via natural opening occlusion esophageal extraluminal device
    dilation intraluminal stomach gastric"""
)


def read(query: str) -> list[str]:
    return pcs_words(query.split(), vocabulary=WORDS, keys=KEYS)


@pytest.mark.parametrize(
    ("query", "expected", "absent"),
    [
        # A device taken out is a Removal, not a Resection of the body part.
        ("IUD removal", "removal contraceptive device", "resection"),
        # Solid matter taken out: Extirpation.
        ("removed foreign body from right cornea", "extirpation cornea", "resection"),
        # Partial ...ectomy: a portion, Excision.
        ("left knee scope with partial meniscectomy", "excision knee joint left", "resection"),
        # The meniscus is a portion of the Knee Joint value (Body Part Key): all of it is
        # still an Excision of the joint.
        ("left knee scope with meniscectomy", "excision knee joint left", "resection"),
        # A fracture reduction (the Reposition's includes); closed: External.
        ("closed reduction of left femoral shaft fracture", "reposition external", "open"),
        # A substance of the Substance Key given: Introduction.
        ("tPA IV push", "introduction other thrombolytic peripheral vein", "insertion"),
        ("TPN through central line", "introduction nutritional substance central vein", "insertion"),
        ("TPN through the central line", "introduction nutritional substance central vein", "insertion"),
        # An operation said not done is not read.
        ("upper endoscopy, no biopsy", "inspection upper intestinal tract", "excision diagnostic"),
        # A pregnancy ended by suction: Abortion, Vacuum.
        ("suction D&C for elective termination", "abortion products conception vacuum", "endometrium"),
        # A D&C is a curettage: Abortion, No Qualifier (10A07ZZ), not Vacuum.
        ("D&C for elective termination", "abortion products conception", "vacuum endometrium"),
        # A pregnancy already lost: the retained products taken out, Extraction (10D17ZZ).
        ("suction D&C for missed abortion", "extraction products conception retained", "abortion"),
        # Fact check (issue 15): a breast reduction cuts out breast tissue, a portion: Excision
        # (GEM 85.31/85.32 -> 0HBT0ZZ/0HBU0ZZ/0HBV0ZZ), not the Reposition of a "fracture
        # reduction".
        ("breast reduction", "excision breast", "reposition"),
        ("reduction of fractured left femoral shaft", "reposition femoral shaft left", "excision"),
        # A lobectomy takes out a lobe (0BT: Upper Lung Lobe, Right ...), not the lung.
        ("right upper lobectomy", "resection lung lobe upper right", "excision"),
        ("left thyroid lobectomy", "resection thyroid lobe left", "lung"),
        # A lamina is a portion of a vertebra (Body Part Key): Excision, not Resection.
        ("lumbar laminectomy", "excision lumbar vertebra", "resection"),
        # Hemorrhoids: Lower Vein, qualifier Hemorrhoidal Plexus (GEM 49.46 -> 06BY0ZC), a
        # portion: Excision, not a Resection of the Rectum.
        ("hemorrhoidectomy", "excision lower vein hemorrhoidal plexus", "resection rectum"),
        # "graft" is a Replacement only of bone or skin ("bone graft", "free skin graft").
        ("coronary artery bypass graft", "bypass coronary artery", "replacement"),
        ("skin graft", "replacement skin", "bypass"),
        # Enucleation of the eye: Resection of Eye.
        ("enucleation of the left eye", "resection eye left", "excision"),
        # The heart's arteries are the Coronary Artery values, counted ("a": one).
        ("one stent in a heart artery", "dilation coronary artery one", "three"),
        # CABG: Bypass Coronary Artery, the count the body part, the LIMA the qualifier.
        ("CABG x3 with LIMA", "bypass coronary artery three internal mammary left", "one"),
        # LEEP: Excision of Cervix through the vagina (0UBC7ZZ).
        ("LEEP of the cervix", "excision cervix via natural opening", "resection"),
        # A band round a varix: Occlusion of the vein with an Extraluminal Device (06L38CZ).
        ("EGD with banding of esophageal varices",
         "occlusion esophageal vein extraluminal device via natural opening endoscopic",
         "inspection"),
    ],
)  # fmt: skip
def test_procedure_kinds_read_into_axis_values(query, expected, absent):
    words = read(query)
    assert set(expected.split()) <= set(words), words
    assert not set(absent.split()) & set(words), words


@pytest.mark.parametrize(
    "query",
    [
        # Enucleation of anything but the eye: which root operation the word does not say.
        "enucleation of ovarian cyst",
        "enucleation of prostate",
        "enucleation",
        # A laminectomy said to decompress is coded by its objective (Release of what?).
        "decompressive lumbar laminectomy",
        "lumbar laminectomy for decompression",
        # "reduction" of no fracture is no Reposition.
        "tongue reduction",
    ],
)
def test_a_reading_the_words_leave_open_is_no_reading(query):
    assert read(query) == []


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("cabg x2", ("two",)),
        ("cabg 1 week ago x2", ("two",)),  # the times sign, not a day count
        ("triple bypass", ("three",)),
        ("2 vessel cabg", ("two",)),
        ("a stent in a heart artery", ("one",)),
        ("had a cabg with lima to lad", ()),  # "a" counts no artery
        ("stent placed 3 days ago", ()),
        # A count beside the stent counts devices (027 device "Two Intraluminal Devices"),
        # read beside the arteries': "stent x2 in a heart artery" is One Artery (02703EZ), not
        # Two Arteries (02713EZ, which reading x2 as arteries built; hfact10).
        ("stent x2 in a heart artery", ("one", "two")),
        ("2 stents in a heart artery", ("one", "two")),
        ("one stent in a heart artery", ("one",)),
    ],
)
def test_a_count_of_coronary_arteries_is_one_the_query_gives_them(query, count):
    from medcode.search.procedures import coronary_count

    assert coronary_count(query.split()) == count


def test_a_gastric_band_is_no_occlusion():
    assert "occlusion" not in read("gastric banding")


def test_a_prefix_saying_where_is_not_the_stem():
    from medcode.search.pcs_build import stem, stems

    # "Intraluminal Device" (a stent) is no "Intracranial Artery".
    assert not stems("Intraluminal Device") & stems("Intracranial Artery")
    assert stem("arteries") == stem("artery") and stem("fractured") == stem("fracture")


CORONARY = rows_from_tables(
    [
        {
            "table": "021",
            "axes": [
                {"pos": 1, "label": "Medical and Surgical"},
                {"pos": 2, "label": "Heart and Great Vessels"},
                {"pos": 3, "label": "Bypass"},
            ],
            "rows": [
                {
                    "axes": {
                        "4": {
                            "title": "Body Part",
                            "labels": {
                                "0": "Coronary Artery, One Artery",
                                "2": "Coronary Artery, Three Arteries",
                            },
                        },
                        "5": {"title": "Approach", "labels": {"0": "Open"}},
                        "6": {"title": "Device", "labels": {"Z": "No Device"}},
                        "7": {
                            "title": "Qualifier",
                            "labels": {
                                "3": "Coronary Artery",
                                "8": "Internal Mammary, Right",
                                "9": "Internal Mammary, Left",
                            },
                        },
                    }
                }
            ],
        }
    ]
)


def test_a_qualifier_takes_the_side_said_and_the_count_picks_the_arteries():
    def first(words: str) -> str:
        return built_codes(reading_of(words.split()), CORONARY, limit=1)[0][0]

    assert first("bypass coronary artery one internal mammary left") == "02100Z9"
    assert first("bypass coronary artery three internal mammary right") == "02120Z8"
    # No count said: One and Three Arteries tie, nothing is built.
    assert built_codes(reading_of(["bypass", "coronary", "artery"]), CORONARY) == []


LUNG = rows_from_tables(
    [
        {
            "table": "0BT",
            "axes": [
                {"pos": 1, "label": "Medical and Surgical"},
                {"pos": 2, "label": "Respiratory System"},
                {"pos": 3, "label": "Resection"},
            ],
            "rows": [
                {
                    "axes": {
                        "4": {
                            "title": "Body Part",
                            "labels": {
                                "4": "Upper Lobe Bronchus, Right",
                                "C": "Upper Lung Lobe, Right",
                                "D": "Middle Lung Lobe, Right",
                                "F": "Lower Lung Lobe, Right",
                                "G": "Upper Lung Lobe, Left",
                                "K": "Lung, Right",
                                "L": "Lung, Left",
                            },
                        },
                        "5": {
                            "title": "Approach",
                            "labels": {"0": "Open", "4": "Percutaneous Endoscopic"},
                        },
                        "6": {"title": "Device", "labels": {"Z": "No Device"}},
                        "7": {"title": "Qualifier", "labels": {"Z": "No Qualifier"}},
                    }
                }
            ],
        }
    ]
)


def lung(words: str) -> list[str]:
    return [code for code, _ in built_codes(reading_of(words.split()), LUNG, limit=3)]


def test_a_lobectomy_builds_the_lobe_said_and_no_guess_between_lobes():
    # The lobe said: that lobe, never the whole lung (0BTK0ZZ).
    assert lung("resection lobe lung upper right percutaneous endoscopic")[0] == "0BTC4ZZ"
    # No lobe said: Upper, Middle and Lower tie, and a code built from one would be a guess.
    assert lung("resection lobe lung") == []
    # A side unsaid is no such tie: Right and Left of one part are both shown.
    assert lung("resection lung") == ["0BTK0ZZ", "0BTL0ZZ", "0BTK4ZZ"]


def test_a_clear_lead_comes_first_else_the_titled_first(monkeypatch):
    from medcode.search import pcs_build

    monkeypatch.setattr(
        pcs_build, "document_ids", lambda codes, _=None: [int(c[-1]) for c in codes]
    )
    clear = [("AAAAAA1", 5.0), ("AAAAAA2", 4.0), ("AAAAAA3", 1.0)]
    monkeypatch.setattr(pcs_build, "codes_for", lambda *a, **k: clear)
    # Led by a clear margin: the built code first; the runners-up within CLEAR only; no
    # clear lead: the titled and the built take turns.
    assert pcs_build.with_built(["x"], "x", [7, 8]) == [1, 7, 8]
    close = [("AAAAAA1", 5.0), ("AAAAAA2", 4.8), ("AAAAAA3", 1.0)]
    monkeypatch.setattr(pcs_build, "codes_for", lambda *a, **k: close)
    assert pcs_build.with_built(["x"], "x", [7, 8]) == [7, 1, 8, 2]
    monkeypatch.setattr(pcs_build, "codes_for", lambda *a, **k: [])
    assert pcs_build.with_built(["x"], "x", [7, 8]) == [7, 8]


@pytest.mark.django_db
def test_built_codes_pass_the_searchs_filters():
    import datetime as dt

    from medcode.search.backends import Filters
    from medcode.search.models import Document
    from medcode.search.pcs_build import document_ids

    def document(code: str, **fields: object) -> int:
        return Document.objects.create(
            system="ICD10PCS", code=code, display=code, code_text=code, title=code, **fields
        ).pk

    live = document("0DTJ4ZZ")
    ended = document("0DTJ0ZZ", is_current=False, terminated_on=dt.date(2020, 9, 30))
    # Order given kept; a document the search would leave out is left out here too.
    assert document_ids(["0DTJ0ZZ", "0DTJ4ZZ", "0DTJ8ZZ"]) == [live]
    assert document_ids(["0DTJ4ZZ"], Filters(is_billable=False)) == []
    assert document_ids(["0DTJ0ZZ", "0DTJ4ZZ"], Filters(on=dt.date(2019, 10, 1))) == [ended, live]


def test_the_groups_of_a_generation_hold_that_generations_rows(monkeypatch):
    from medcode.ops import generation
    from medcode.search import pcs_build

    read: list[str] = []

    def loaded(token: str) -> tuple[Row, ...]:
        read.append(token)
        return ROWS

    monkeypatch.setattr(pcs_build, "_loaded", loaded)
    # The generation moved on between the two reads: the groups cached under "old" are the
    # rows of "old", not of whatever generation is current by then.
    monkeypatch.setattr(generation, "current", lambda: pytest.fail("read again"))
    groups = pcs_build._groups.__wrapped__("old")
    assert read == ["old"] and sum(len(rows) for _, _, rows in groups) == len(ROWS)
