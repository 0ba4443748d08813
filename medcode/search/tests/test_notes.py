import pytest

from medcode.search.notes import MAX_SENTENCE_CHARS, classify, is_negated, span_of, split_note


def texts(note: str, kind: str = "sentence") -> list[str]:
    return [s.text for s in split_note(note) if s.kind == kind]


def assertion_of(note: str, phrase: str, kind: str | None = None) -> str:
    """The assertion of the first span (of `kind`) whose text starts with `phrase`."""
    for span in split_note(note):
        if span.text.startswith(phrase) and kind in (None, span.kind):
            return classify(span)
    raise AssertionError(f"no span starts with {phrase!r}")


def test_every_span_slices_back_to_the_note():
    note = (
        "Dr. Smith saw him.\r\n- denies pain; no fever but has cough\n\n"
        "2) Hypertension, e.g. 150/90."
    )
    spans = split_note(note)
    assert spans
    for span in spans:
        assert note[span.start : span.end] == span.text
        assert note[span.context_start : span.context_start + len(span.context)] == span.context


def test_it_splits_sentences_but_not_at_abbreviations_or_decimals():
    note = "Seen by Dr. Jones e.g. for review. Temperature 38.5 C. Mrs. Lee vs. control. Next."
    assert texts(note) == [
        "Seen by Dr. Jones e.g. for review.",
        "Temperature 38.5 C.",
        "Mrs. Lee vs. control.",
        "Next.",
    ]


def test_it_strips_bullets_and_list_numbers_and_skips_lone_numbers():
    note = (
        "Problems:\n- asthma\n* eczema\n• obesity\n1. Hypertension\n2) Diabetes\n(3) Gout\n1.\nDone"
    )
    assert texts(note) == [
        "Problems:",
        "asthma",
        "eczema",
        "obesity",
        "Hypertension",
        "Diabetes",
        "Gout",
        "Done",
    ]


def test_it_joins_hard_wrapped_lines():
    assert texts("The patient was\nadmitted with chest pain.\nNo fever.") == [
        "The patient was\nadmitted with chest pain.",
        "No fever.",
    ]


def test_it_cuts_a_sentence_into_phrases_at_punctuation_and_contrast_words():
    assert texts("No fever but has cough; mild anemia, stable.", "phrase") == [
        "No fever",
        "has cough",
        "mild anemia",
        "stable.",
    ]


@pytest.mark.parametrize(
    ("note", "phrase", "expected"),
    [
        ("Patient denies chest pain.", "Patient denies chest pain", "negated"),
        ("No evidence of fracture.", "No evidence of fracture", "negated"),
        ("Negative for malignancy.", "Negative for malignancy", "negated"),
        ("Free of metastases.", "Free of metastases", "negated"),
        ("Absence of ascites.", "Absence of ascites", "negated"),
        ("Appendicitis was ruled out.", "Appendicitis was ruled out", "negated"),
        ("Blood cultures were negative.", "Blood cultures were negative", "negated"),
        ("Walks without a cane.", "Walks without", "affirmed"),
        ("Gram negative bacilli in urine.", "Gram negative bacilli", "affirmed"),
        ("Pneumonia cannot be ruled out.", "Pneumonia cannot", "affirmed"),
        ("Family history of colon cancer.", "Family history of colon cancer", "family"),
        ("His mother had breast cancer.", "His mother had breast cancer", "family"),
        ("FHx: diabetes.", "FHx: diabetes", "family"),
        ("No family history of diabetes.", "No family history", "negated"),
        ("History of duodenal ulcer.", "History of duodenal ulcer", "history"),
        ("Status post appendectomy.", "Status post appendectomy", "history"),
        ("No history of nephrolithiasis.", "No history of", "negated"),
        ("Acute cholecystitis.", "Acute cholecystitis", "affirmed"),
        # A relative who reports or acts is not a relative with the condition.
        ("Mom has noticed wheezing at night.", "Mom has noticed", "affirmed"),
        ("Mother with concerns about rash on arms.", "Mother with concerns", "affirmed"),
        ("Dad had to carry her in for leg pain.", "Dad had to", "affirmed"),
        ("Mother had a stroke at 60.", "Mother had a stroke", "family"),
        ("Brother has the same rash.", "Brother has", "family"),
        # An uncertainty word is no assertion here (reading() blanks it in an outpatient
        # record): it neither breaks a denial nor turns its sentence into another's history.
        ("Ruled out metastases and possible primary tumors.", "Ruled out", "negated"),
        ("Possible pneumonia.", "Possible pneumonia", "affirmed"),
        # (the history scope of "previously" ends before "reconstructive surgery", which only
        # the uncertainty covers: as plain words they affirm the sentence)
        (
            "Previously told of the risks of the procedure, including bleeding, infection, "
            "fistula, stricture, pain, incontinence, scarring and possible later reconstructive "
            "surgery.",
            "Previously",
            "affirmed",
        ),
    ],
)
def test_it_classifies_findings(note, phrase, expected):
    assert assertion_of(note, phrase) == expected


def test_termination_limits_negation_to_the_first_finding():
    note = "No fever but has cough."
    assert assertion_of(note, "No fever", "phrase") == "negated"
    assert assertion_of(note, "has cough", "phrase") == "affirmed"
    # A sentence that reports something is kept, even if it also denies something.
    assert assertion_of(note, "No fever but", "sentence") == "affirmed"


def test_negation_covers_a_list_of_findings():
    note = "No history of nephrolithiasis, hematuria or urinary tract infections."
    assert assertion_of(note, "hematuria") == "negated"


def test_a_post_negation_does_not_reach_past_a_comma():
    note = "Chest X-ray showed pneumonia, blood cultures were negative."
    assert assertion_of(note, "Chest X-ray showed pneumonia") == "affirmed"
    assert assertion_of(note, "blood cultures") == "negated"


def test_is_negated_and_span_of_classify_a_phrase_without_a_note():
    assert is_negated(span_of("no pleural effusion"))
    assert not is_negated(span_of("pleural effusion"))


def test_a_twenty_thousand_character_note_is_split_quickly_and_fully():
    sentence = "Patient denies chest pain but reports dyspnea on exertion, e.g. on stairs. "
    note = (sentence * (20_000 // len(sentence) + 1))[:20_000]
    spans = split_note(note)
    sentences = [s for s in spans if s.kind == "sentence"]
    assert len(sentences) >= 260
    assert all(note[s.start : s.end] == s.text for s in spans)
    assert {classify(s) for s in spans} == {"negated", "affirmed"}


def test_a_sentence_without_full_stops_is_cut_to_an_embeddable_length():
    note = "word " * 1000
    sentences = [s for s in split_note(note) if s.kind == "sentence"]
    assert len(sentences) > 1
    assert all(len(s.text) <= MAX_SENTENCE_CHARS for s in sentences)


def test_control_characters_and_empty_notes_do_not_break_it():
    assert split_note("") == []
    assert split_note("\x00\x01\x02 \t\n") == []
    note = "Fever\x00 and\x07 cough.\x0bNo rash.\u2028Pain\x1f."
    spans = split_note(note)
    assert [s.text for s in spans if s.kind == "sentence"] == [
        "Fever\x00 and\x07 cough.",
        "No rash.",
        "Pain\x1f.",
    ]
    assert [classify(s) for s in spans if s.kind == "sentence"] == [
        "affirmed",
        "negated",
        "affirmed",
    ]


def test_non_latin_text_is_split_without_errors():
    spans = split_note("患者有发热。 Пациент жалуется на боль. No pain.")
    assert spans[-1].text == "No pain."
    assert classify(spans[-1]) == "negated"


def test_a_line_that_starts_with_a_decimal_number_keeps_it():
    assert texts("38.5 C was measured.\n2. Fever") == ["38.5 C was measured.", "Fever"]
