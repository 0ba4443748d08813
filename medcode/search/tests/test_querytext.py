import sqlite3

import pytest

from medcode.search.querytext import (
    LAY_SYNONYMS,
    MAX_QUERY_WORDS,
    CodeRange,
    CodeTerm,
    expand_synonyms,
    fts5_query,
    parse_query,
    quote_fts,
)


def only_code(q: str) -> CodeTerm:
    parsed = parse_query(q)
    assert len(parsed.codes) == 1, parsed
    return parsed.codes[0]


@pytest.mark.parametrize(
    ("q", "code", "system", "is_prefix"),
    [
        ("s72001a", "S72001A", "icd10cm", False),
        ("S72.001A", "S72001A", "icd10cm", False),
        ("  e11.9 ", "E119", "icd10cm", True),
        ("S72.0", "S720", "icd10cm", True),
        ("S72.0-", "S720", "icd10cm", True),
        ("I10", "I10", "icd10cm", True),
        ("C4A.0", "C4A0", "icd10cm", True),
        ("0DTJ4ZZ", "0DTJ4ZZ", "icd10pcs", False),
        ("0dtj4zz", "0DTJ4ZZ", "icd10pcs", False),
        ("0DT", "0DT", "icd10pcs", True),
        ("E0601", "E0601", "hcpcs", False),
        ("j1100", "J1100", "hcpcs", False),
        ("99213", "99213", "cpt", False),
        ("0001F", "0001F", "cpt", False),
        ("0042T", "0042T", "cpt", False),
        ("0001U", "0001U", "cpt", False),
        ("0002M", "0002M", "cpt", False),
    ],
)
def test_it_recognises_each_code_form(q, code, system, is_prefix):
    term = only_code(q)
    assert term.code == code
    assert system in term.systems
    if system != "hcpcs":  # J1100 is also the shape of ICD-10-CM J11.00, which has children
        assert term.is_prefix is is_prefix
    assert parse_query(q).words == ()


def test_a_code_that_fits_two_code_sets_lists_both():
    assert only_code("E1100").systems == ("icd10cm", "hcpcs")
    assert only_code("E11.00").systems == ("icd10cm",)


@pytest.mark.parametrize("q", ["2nd degree burn", "5mg tablets", "10cm wound", "3rd toe"])
def test_units_and_ordinals_are_words_not_procedure_codes(q):
    parsed = parse_query(q)
    assert parsed.codes == ()
    assert parsed.words


@pytest.mark.parametrize(
    ("q", "first", "last", "system"),
    [
        ("63650-63688", "63650", "63688", "cpt"),
        ("63650 - 63688", "63650", "63688", "cpt"),
        ("S72.0-S72.2", "S720", "S722", "icd10cm"),
        ("A00–B99", "A00", "B99", "icd10cm"),
        ("e0100 to e0105", "E0100", "E0105", "hcpcs"),
    ],
)
def test_it_recognises_ranges(q, first, last, system):
    parsed = parse_query(q)
    assert len(parsed.ranges) == 1
    code_range = parsed.ranges[0]
    assert (code_range.first, code_range.last) == (first, last)
    assert system in code_range.systems
    assert parsed.codes == ()


def test_a_range_holds_the_codes_under_its_ends():
    code_range = CodeRange("S72.0-S72.2", "S720", "S722", ("icd10cm",))
    assert code_range.contains("S72199A")
    assert code_range.contains("S720")
    assert not code_range.contains("S723")
    assert not code_range.contains("S71")


def test_a_hyphenated_word_is_not_a_range():
    parsed = parse_query("x-ray chest")
    assert parsed.ranges == ()
    assert parsed.words == ("x", "ray", "chest")


@pytest.mark.parametrize(
    ("q", "modifiers"),
    [
        ("59", ("59",)),
        ("-59", ("59",)),
        ("mod 59", ("59",)),
        ("modifier XS", ("XS",)),
        ("mod-xs", ("XS",)),
        ("XS", ("XS",)),
        ("99213 25", ("25",)),
        ("27447 -LT", ("LT",)),
    ],
)
def test_it_recognises_modifiers(q, modifiers):
    assert parse_query(q).modifiers == modifiers


def test_lower_case_two_letter_words_are_not_modifiers():
    parsed = parse_query("pain in lt knee or hip")
    assert parsed.modifiers == ()
    assert "knee" in parsed.words


def test_upper_case_operators_are_not_modifiers():
    assert parse_query("fever OR cough").modifiers == ()


def test_a_short_code_shape_among_words_is_kept_as_a_word_too():
    parsed = parse_query("vitamin B12 deficiency")
    assert parsed.words == ("vitamin", "b12", "deficiency")
    assert only_code("vitamin B12 deficiency").code == "B12"


@pytest.mark.parametrize(
    "q", ["", "   ", "!!!", '""', "---", "()*", "\x00\x01", "'; DROP TABLE codes;--"]
)
def test_empty_and_punctuation_only_queries_parse_to_nothing_harmful(q):
    parsed = parse_query(q)
    expression = fts5_query(parsed.words)
    assert parsed.codes == ()
    if not parsed.words:
        assert parsed.is_empty or parsed.modifiers
        assert expression == ""


def test_non_latin_text_becomes_words():
    parsed = parse_query("糖尿病 Диабет diabetes")
    assert parsed.words == ("糖尿病", "диабет", "diabetes")


def test_control_characters_are_dropped():
    assert parse_query("fe\x00ver\x1b cough").words == ("fe", "ver", "cough")


def test_very_long_queries_are_capped():
    assert len(parse_query("pain " * 500).words) == MAX_QUERY_WORDS


def test_fts_tokens_are_quoted_with_inner_quotes_doubled():
    assert quote_fts('say "hi"') == '"say ""hi"""'
    assert fts5_query(["femur", "neck"], prefix_last=False, expand=False) == '"femur" AND "neck"'


def test_the_last_token_is_a_prefix_for_autocomplete():
    assert fts5_query(["fracture", "femu"], expand=False) == '"fracture" AND "femu"*'


def test_stop_words_are_dropped_unless_nothing_else_is_left():
    assert fts5_query(["fracture", "of", "the", "femur"], prefix_last=False, expand=False) == (
        '"fracture" AND "femur"'
    )
    assert fts5_query(["of", "the"], prefix_last=False) == '"of" AND "the"'


def test_synonyms_expand_lay_words():
    assert fts5_query(["broken", "hip"], prefix_last=False) == (
        '("broken" OR "fracture") AND ("hip" OR ("femur" AND "neck"))'
    )
    groups = expand_synonyms(["sugar", "diabetes", "type", "2"])
    assert groups[0] == (("sugar", "diabetes"), ("diabetes", "mellitus"))


def test_every_lay_synonym_is_lower_case_and_expands_to_something():
    for key, expansions in LAY_SYNONYMS.items():
        assert key == key.lower()
        assert expansions


FTS_ROWS = [
    ("Fracture of neck of right femur",),
    ("Acute myocardial infarction",),
    ("Power operated vehicle (POV), group 1",),
    ('Quoted "NEAR" AND text: a*b',),
]


@pytest.fixture
def fts():
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(title)")
    db.executemany("INSERT INTO t VALUES (?)", FTS_ROWS)
    yield db
    db.close()


@pytest.mark.parametrize(
    "q",
    [
        "NEAR(fever cough, 2)",
        "fever AND NOT cough OR",
        "title:femur",
        "^femur",
        "-femur",
        "fem*",
        '"unbalanced',
        "a + b",
        "{title}: x",
        "糖尿病",
        "\x00",
        "pain " * 100,
    ],
)
def test_fts_operators_in_user_input_are_inert(fts, q):
    expression = fts5_query(parse_query(q).words)
    if expression:
        fts.execute("SELECT * FROM t WHERE t MATCH ?", (expression,)).fetchall()


@pytest.mark.parametrize(
    ("q", "title"),
    [
        ("heart attack", "Acute myocardial infarction"),
        ("broken hip", "Fracture of neck of right femur"),
        ("thigh bone fracture", "Fracture of neck of right femur"),
        ("power wheelchair", "Power operated vehicle (POV), group 1"),
        ("fractu", "Fracture of neck of right femur"),
        ('near and "a', 'Quoted "NEAR" AND text: a*b'),
    ],
)
def test_fts_queries_find_the_expected_rows(fts, q, title):
    expression = fts5_query(parse_query(q).words)
    rows = fts.execute("SELECT title FROM t WHERE t MATCH ?", (expression,)).fetchall()
    assert (title,) in rows


def test_everyday_body_words_expand_to_the_titles_anatomy():
    from medcode.search.querytext import expand_synonyms

    groups = expand_synonyms(["upper", "back", "pain"])
    assert groups[0] == (("upper", "back"), ("thoracic",))
    assert (("coccyx",)) in expand_synonyms(["tailbone", "pain"])[0]


@pytest.mark.django_db
def test_words_spelt_by_ear_are_one_correction_away():
    from medcode.search.typos import TrigramIndex, correct_words, skeleton

    assert skeleton("hemmoroids") == skeleton("hemorrhoids")
    assert skeleton("pneumothorax") == "neumotorax"
    words = TrigramIndex([("hemorrhoids", 40), ("hemorrhage", 900), ("asthma", 500)])

    class Source:  # the backend's candidate interface over a real trigram index
        def similar_words(self, word: str, *, limit: int = 40) -> list[tuple[str, int]]:
            return words.similar(word, limit=limit)

    assert correct_words(["hemmoroids"], Source()) == {"hemmoroids": "hemorrhoids"}
    assert correct_words(["ashtma"], Source()) == {"ashtma": "asthma"}
    assert correct_words(["xylophone"], Source()) == {}


@pytest.mark.parametrize(
    ("words", "expansion"),
    [
        (["strep", "throat"], ("streptococcal", "pharyngitis")),
        (["svt"], ("supraventricular", "tachycardia")),
        (["ringing", "in", "ears"], ("tinnitus",)),
        (["diaper", "rash"], ("diaper", "dermatitis")),
        (["low", "iron"], ("iron", "deficiency")),
    ],
)
def test_shorthand_and_everyday_names_expand_to_the_index_words(words, expansion):
    groups = expand_synonyms(words)
    assert any(expansion in group for group in groups)


def test_r_o_is_rule_out_not_the_right_side():
    words = parse_query("r/o fracture left wrist").words
    assert "right" not in words and "left" in words
    assert "right" in parse_query("c/o r sided pain").words


# ---------------------------------------------------------------- clauses and negation


def test_a_clause_that_denies_is_left_out_and_the_others_are_stated():
    import re

    from medcode.search.querytext import clauses, stated_clauses

    denial = re.compile(r"\bno\b")
    assert clauses("allergic to penicillin, no other allergies") == [
        "allergic to penicillin",
        " no other allergies",
    ]
    assert stated_clauses("allergic to penicillin, no other allergies", denial) == [
        "allergic to penicillin"
    ]
    # breaks=None: the whole text is one clause, so a denial anywhere leaves nothing.
    assert stated_clauses("flu shot today, no fever", denial, breaks=None) == []
    assert stated_clauses("flu shot today", denial, breaks=None) == ["flu shot today"]


def test_a_cue_is_affirmed_unless_a_negation_comes_shortly_before_it_in_its_clause():
    import re

    from medcode.search.querytext import affirmed

    cue = re.compile(r"\bon purpose\b")
    assert affirmed(cue, "took them on purpose")
    assert not affirmed(cue, "took them, not on purpose")
    assert affirmed(cue, "not hungry, took them on purpose")  # the negation is another clause's
    assert not affirmed(cue, "she did not take them on purpose")  # within four words
    assert affirmed(cue, "did not want to say she took them on purpose")  # five back
    assert affirmed(cue, "no one knows why she ever took all of them on purpose")
    colon = re.compile(r"[,.;:]")
    assert affirmed(cue, "not sure: took them on purpose", breaks=colon)
    assert not affirmed(cue, "not sure: took them on purpose")
