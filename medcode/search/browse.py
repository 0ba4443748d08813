"""Reads for the hierarchy pages: ICD-10-CM chapters > sections > categories, HCPCS letter
groups, CPT numeric sections. They list search documents, so every loaded code set browses
the same way and each entry links to its code page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.db.models.functions import Length, Substr

from medcode.codes import cpt_ranges
from medcode.codes.models import Heading, Release
from medcode.search.models import Document

PAGE_SIZE = 200

# HCPCS Level II first letters and what CMS groups under them.
HCPCS_GROUPS = {
    "A": "Transportation, medical and surgical supplies, miscellaneous and experimental",
    "B": "Enteral and parenteral therapy",
    "C": "Hospital outpatient (OPPS) temporary codes",
    "E": "Durable medical equipment",
    "G": "Procedures and professional services (temporary)",
    "H": "Alcohol and drug abuse treatment and mental health services (Medicaid)",
    "J": "Drugs administered other than by mouth, chemotherapy drugs",
    "K": "Temporary codes for DME MACs",
    "L": "Orthotic and prosthetic procedures and devices",
    "M": "Medical services and quality measures",
    "P": "Pathology and laboratory services",
    "Q": "Temporary codes",
    "R": "Diagnostic radiology services",
    "S": "Temporary national codes (non-Medicare)",
    "T": "National codes for state Medicaid agencies",
    "U": "Coronavirus and other laboratory tests",
    "V": "Vision, hearing and speech-language services",
}

# CPT numeric sections as code ranges (the numbers are facts; descriptors stay AMA's).
CPT_SECTIONS = (
    ("anesthesia", "Anesthesia", "00100", "01999"),
    ("integumentary", "Surgery: integumentary system", "10004", "19499"),
    ("musculoskeletal", "Surgery: musculoskeletal system", "20100", "29999"),
    ("respiratory", "Surgery: respiratory system", "30000", "32999"),
    ("cardiovascular", "Surgery: cardiovascular system", "33016", "37799"),
    ("hemic-lymphatic", "Surgery: hemic and lymphatic systems", "38100", "38999"),
    ("mediastinum", "Surgery: mediastinum and diaphragm", "39000", "39599"),
    ("digestive", "Surgery: digestive system", "40490", "49999"),
    ("urinary", "Surgery: urinary system", "50010", "53899"),
    ("male-genital", "Surgery: male genital system", "54000", "55899"),
    ("female-genital", "Surgery: female genital system and maternity care", "55920", "59899"),
    ("endocrine", "Surgery: endocrine system", "60000", "60699"),
    ("nervous", "Surgery: nervous system", "61000", "64999"),
    ("eye", "Surgery: eye and ocular adnexa", "65091", "68899"),
    ("auditory", "Surgery: auditory system and operating microscope", "69000", "69990"),
    ("radiology", "Radiology", "70010", "79999"),
    ("laboratory", "Pathology and laboratory", "80047", "89398"),
    ("medicine", "Medicine", "90281", "99199"),
    ("evaluation-management", "Evaluation and management", "99202", "99499"),
    ("medicine-other", "Medicine: other services", "99500", "99607"),
    ("category-ii", "Category II (performance measurement)", "0001F", "9999F"),
    ("category-iii", "Category III (emerging technology)", "0001T", "9999T"),
    ("pla", "Proprietary laboratory analyses", "0001U", "9999U"),
)


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    first: str = ""
    last: str = ""
    count: int = 0


@dataclass(frozen=True)
class Entry:
    system: str
    code: str
    display: str
    title: str
    is_billable: bool


def _entries(documents: Iterable[Document]) -> list[Entry]:
    return [Entry(d.system, d.code, d.display, d.title, d.is_billable) for d in documents]


def icd10cm_chapters() -> list[Group]:
    headings = _current_headings().filter(kind="chapter").order_by("seq")
    return [Group(h.chapter, h.description, *_range(h.code_range)) for h in headings]


def icd10cm_sections(chapter: str) -> tuple[Group | None, list[Group]]:
    headings = _current_headings()
    head = headings.filter(kind="chapter", chapter=chapter).first()
    sections = headings.filter(kind="section", chapter=chapter).order_by("seq")
    counts = dict(
        Document.objects.current()
        .filter(system="ICD10CM", chapter=chapter)
        .annotate(n=Length("code"))
        .filter(n=3)
        .values_list("section")
        .annotate(c=Count("id"))
        .values_list("section", "c")
    )
    chapter_group = (
        Group(head.chapter, head.description, *_range(head.code_range)) if head else None
    )
    groups = [
        Group(s.code_range, s.description, *_range(s.code_range), count=counts.get(s.code_range, 0))
        for s in sections
    ]
    return chapter_group, groups


def icd10cm_section(code_range: str) -> tuple[Group | None, list[Entry]]:
    heading = _current_headings().filter(kind="section", code_range=code_range).first()
    first, last = _range(code_range)
    categories = (
        Document.objects.current()
        .filter(system="ICD10CM")
        .annotate(n=Length("code"))
        .filter(n=3, code__gte=first, code__lte=last)
        .order_by("code")
    )
    group = Group(heading.code_range, heading.description, first, last) if heading else None
    return group, _entries(categories)


def hcpcs_groups() -> list[Group]:
    counts = dict(
        Document.objects.current()
        .filter(system="HCPCS")
        .annotate(letter=Substr("code", 1, 1))
        .values_list("letter")
        .annotate(c=Count("id"))
        .values_list("letter", "c")
    )
    return [
        Group(letter, title, count=counts.get(letter, 0))
        for letter, title in HCPCS_GROUPS.items()
        if counts.get(letter)
    ]


def hcpcs_group(letter: str, *, page: int = 1) -> tuple[Group | None, list[Entry], bool]:
    letter = letter.upper()
    if letter not in HCPCS_GROUPS:
        return None, [], False
    documents = (
        Document.objects.current().filter(system="HCPCS", code__startswith=letter).order_by("code")
    )
    return _page(Group(letter, HCPCS_GROUPS[letter]), documents, page)


def cpt_sections() -> list[Group]:
    codes = Document.objects.current().filter(system="CPT").values_list("code", flat=True)
    counts = dict.fromkeys((key for key, _, _, _ in CPT_SECTIONS), 0)
    for code in codes:
        for key, _, first, last in CPT_SECTIONS:
            if first <= code <= last and same_kind(code, first):
                counts[key] += 1
                break
    return [
        Group(key, title, first, last, count=counts[key])
        for key, title, first, last in CPT_SECTIONS
        if counts[key]
    ]


def same_kind(code: str, first: str) -> bool:
    """Category II/III and PLA codes end in F, T or U; Category I codes are all digits."""
    return code[-1] == first[-1] if first[-1].isalpha() else code.isdigit()


def cpt_section(key: str, *, page: int = 1) -> tuple[Group | None, list[Entry], bool]:
    found = next((s for s in CPT_SECTIONS if s[0] == key), None)
    if found is None:  # a narrower range of ours, "26990-27299"
        first, _, last = key.partition("-")
        named = cpt_ranges.find(first, last)
        if named is None:
            return None, [], False
        found = (key, named.label, named.first, named.last)
    _, title, first, last = found
    documents = Document.objects.current().filter(system="CPT", code__gte=first, code__lte=last)
    if first[-1].isalpha():
        documents = documents.filter(code__endswith=first[-1])
    else:
        documents = documents.filter(code__regex=r"^[0-9]{5}$")
    documents = documents.order_by("code")
    return _page(Group(key, title, first, last), documents, page)


def _page(
    group: Group, documents: QuerySet[Document], page: int
) -> tuple[Group, list[Entry], bool]:
    start = (max(page, 1) - 1) * PAGE_SIZE
    rows = list(documents[start : start + PAGE_SIZE + 1])
    return group, _entries(rows[:PAGE_SIZE]), len(rows) > PAGE_SIZE


def _current_headings() -> QuerySet[Heading]:
    releases = Release.objects.filter(row_counts__has_key="headings", is_current=True)
    newest = releases.order_by("-effective_from", "-pk").first()
    return Heading.objects.filter(release=newest)


def _range(code_range: str) -> tuple[str, str]:
    first, _, last = code_range.partition("-")
    return first.replace(".", ""), (last or first).replace(".", "")
