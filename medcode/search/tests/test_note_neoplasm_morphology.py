"""A tumour named by its morphology is coded from the Neoplasm Table column its Index entry
names, at the site the finding says (neoplasm_morphology)."""

from medcode.search.index_matcher import AlphabeticIndex, build_tree
from medcode.search.neoplasm_morphology import morphology_hits, morphology_terms

# Rows as the FY2025 Index and Neoplasm Table have them (icd10cm_index_2025,
# icd10cm_neoplasm_table_2025), cut to what the tests read.
INDEX_ROWS = [
    (0, "Leiomyoma", "", "", "Neoplasm, connective tissue, benign", {}),
    (1, "uterus", "D25.9", "", "", {"nemod": "(cervix) (corpus)"}),
    (0, "Leiomyosarcoma", "", "", "Neoplasm, connective tissue, malignant", {}),
    (0, "Meningioma", "", "", "Neoplasm, meninges, benign", {}),
    (0, "Adenoma", "", "", "Neoplasm,  benign, by site", {}),
    (0, "Lipoma", "D17.9", "", "", {}),
]
NEOPLASM_ROWS = [
    (0, "Neoplasm, neoplastic", "", "", "", {}),
    (1, "bladder", "", "", "", {"malignant_primary": "C67.9", "benign": "D30.3"}),
    (1, "connective tissue NEC", "", "", "", {"malignant_primary": "C49.9", "benign": "D21.9"}),
    (1, "meninges", "", "", "", {"malignant_primary": "C70.9", "benign": "D32.9"}),
    (2, "spinal (cord)", "", "", "", {"malignant_primary": "C70.1", "benign": "D32.1"}),
    (1, "retroperitoneum", "", "", "", {"malignant_primary": "C48.0", "benign": "D20.0"}),
    (
        1,
        "uterus, uteri, uterine",
        "",
        "",
        "",
        {"malignant_primary": "C55", "benign": "D26.9"},
    ),
]


def make_index() -> AlphabeticIndex:
    neoplasm = build_tree(NEOPLASM_ROWS)
    return AlphabeticIndex(roots=build_tree(INDEX_ROWS), neoplasm=neoplasm[0].children)


def codes(index: AlphabeticIndex, text: str) -> list[str]:
    hits = index.lookup(text)
    return [h.code for h in [*hits, *morphology_hits(index, text, hits)]]


def test_the_morphology_terms_are_the_index_terms_referring_to_a_table_column():
    terms = morphology_terms(make_index())
    assert terms["leiomyom"].column == "benign"
    assert terms["leiomyosarcom"].column == "malignant_primary"
    assert "lipom" not in terms  # a code of its own


def test_a_morphology_is_coded_at_the_site_the_finding_names_in_its_column():
    index = make_index()
    assert codes(index, "bladder leiomyoma") == ["D303"]
    assert codes(index, "leiomyosarcoma of the retroperitoneum") == ["C480"]


def test_without_a_site_the_reference_row_is_read():
    index = make_index()
    assert codes(index, "meningioma") == ["D329"]
    assert codes(index, "leiomyoma") == ["D219"]
    # "by site" names no row: nothing without a site
    assert codes(index, "adenoma") == []


def test_the_reference_row_read_down_comes_before_the_findings_site():
    index = make_index()
    assert codes(index, "spinal meningioma") == ["D321"]
    # no subterm of the reference's row named: the site the finding names
    assert codes(index, "meningioma of the bladder") == ["D303"]


def test_the_terms_own_subterm_wins_over_the_table():
    index = make_index()
    assert codes(index, "leiomyoma of the uterus") == ["D259"]
    assert codes(index, "uterine leiomyoma") == ["D259"]  # another form of the Table's row


def test_a_behaviour_word_the_finding_says_keeps_its_column():
    index = make_index()
    assert morphology_hits(index, "malignant leiomyoma of the bladder", []) == []
