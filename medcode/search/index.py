"""Building the search documents from the code store, after imports.

One document per (system, code): the description from the newest current release that
has the code, and as synonyms everything else the data says about it (ICD-10-CM inclusion
terms and Alphabetic Index paths, short titles, other current releases' wording, licensed
CPT descriptors when the install has them) plus medcode's editorial title. Each text is
also an Entry, the unit the semantic layer embeds.

The rebuild runs in one transaction, so searches keep the old index until it commits, and
is skipped when the releases it reads have not changed (see `source_signature`).
"""

from __future__ import annotations

import hashlib
import html
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nh3
from django.db import connection, transaction
from django.utils import timezone

from medcode.codes.models import (
    Code,
    CodeNote,
    FeeScheduleItem,
    IndexEntry,
    LicensedDescriptor,
    MueLimit,
    OppsItem,
    Release,
)
from medcode.content.articles import (
    CONTENT_ROOT,
    SYSTEM_FOLDERS,
    Article,
    ArticleError,
    load_article,
)
from medcode.content.cpt_titles import cpt_titles_path, reviewed_cpt_titles
from medcode.lib.codeshapes import system_of
from medcode.ops import generation
from medcode.ops.bulk import insert_rows
from medcode.search.embeddings import DEFAULT_MODEL, text_hash
from medcode.search.models import Document, Entry, IndexState, Word

# row_counts keys of the releases a rebuild reads.
SOURCE_TABLES = (
    "codes",
    "notes",
    "index_entries",
    "descriptors",
    "fee_items",
    "opps_items",
    "mue_limits",
)
# CPT codes are known from the payment tables even when no release describes them.
# Index paths beyond this many per code add little but noise (R69, Z codes).
MAX_INDEX_TERMS = 40
MAX_SYNONYMS_CHARS = 6000
WORD = re.compile(r"[a-z][a-z']{2,40}")
LEXICAL = "lexical"


@dataclass(slots=True)
class Draft:
    """A document being assembled; texts keep their first-seen order without repeats.

    About 200,000 drafts are held at once while the index is rebuilt (inside `medcode data
    import`): slots, and texts keyed by the hash of their lower-cased form rather than a
    lower-cased copy, keep that under the import's memory budget.
    """

    system: str
    code: str
    display: str = ""
    title: str = ""
    is_billable: bool = True
    is_current: bool = False
    level: str = ""
    parent: str = ""
    chapter: str = ""
    section: str = ""
    added_on: Any = None
    terminated_on: Any = None
    editorial: str = ""
    editorial_title: str = ""
    # hash of the lower-cased text -> (kind, text), in first-seen order
    texts: dict[int, tuple[str, str]] = field(default_factory=dict)

    def add(self, kind: str, text: str) -> None:
        text = " ".join(text.split())
        lowered = text.lower()
        key = hash(lowered)
        if text and key not in self.texts and lowered != self.title.lower():
            self.texts[key] = (kind, text)


@dataclass(frozen=True)
class IndexReport:
    status: str  # "built" or "unchanged"
    documents: int = 0
    entries: int = 0
    words: int = 0
    seconds: float = 0.0
    by_system: dict[str, int] = field(default_factory=dict)


def source_releases() -> list[Release]:
    return [
        r
        for r in Release.objects.order_by("pk")
        if any(key in r.row_counts for key in SOURCE_TABLES)
    ]


def source_signature(releases: Iterable[Release]) -> str:
    """Changes when a release is imported, replaced, removed or stops being current."""
    digest = hashlib.sha256()
    for r in releases:
        digest.update(f"{r.pk}:{r.sha256}:{r.is_current};".encode())
    for path in article_files():
        stat = path.stat()
        digest.update(f"{path.name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    titles = cpt_titles_path()
    if titles.is_file():
        stat = titles.stat()
        digest.update(f"{titles}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()


def article_files() -> list[Path]:
    return sorted(
        path for folder in SYSTEM_FOLDERS.values() for path in (CONTENT_ROOT / folder).glob("*.md")
    )


def editorial_articles() -> list[Article]:
    """Every valid article (parsed once per process: load_article caches); a bad file is left
    out here and fails its own test in medcode/content."""
    systems = {folder: system for system, folder in SYSTEM_FOLDERS.items()}
    articles = []
    for path in article_files():
        try:
            article = load_article(systems[path.parent.name], path.stem)
        except ArticleError:
            continue
        if article is not None:
            articles.append(article)
    return articles


def rebuild_index(
    *, force: bool = False, progress: Callable[[str], None] | None = None
) -> IndexReport:
    """Rebuild the documents, entries, vocabulary and full-text index from current data.

    Call once after a batch of imports; a no-op when nothing it reads has changed.
    """
    say = progress or (lambda message: None)
    started = time.perf_counter()
    releases = source_releases()
    signature = source_signature(releases)
    state = IndexState.objects.filter(name=LEXICAL).first()
    if not force and state is not None and state.signature == signature:
        return IndexReport(status="unchanged", documents=Document.objects.count())
    say("collecting codes")
    with _reading_without_mmap():
        drafts = collect_documents(releases)
    say(f"writing {len(drafts)} documents")
    with transaction.atomic():
        counts = write_documents(drafts)
        say("building the full-text index")
        from medcode.search.backends import get_backend

        get_backend().rebuild()
        IndexState.objects.update_or_create(
            name=LEXICAL,
            defaults={
                "signature": signature,
                "built_at": timezone.now(),
                "details": counts,
            },
        )
        transaction.on_commit(generation.bump)  # cached search results are of the old index
    from medcode.search.vectors import _invalidate

    _invalidate()  # document ids changed: this process reloads its vectors
    by_system = Counter(d.system for d in drafts.values())
    return IndexReport(
        status="built",
        documents=counts["documents"],
        entries=counts["entries"],
        words=counts["words"],
        seconds=round(time.perf_counter() - started, 2),
        by_system=dict(sorted(by_system.items())),
    )


@contextmanager
def _reading_without_mmap() -> Iterator[None]:
    """A one-off scan of every code table: on SQLite, read it through the page cache rather
    than the memory map the web workers share, so the pages read do not stay mapped into this
    process (about 150 MB on the full data, while 200,000 drafts are held)."""
    mapped = None
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA mmap_size")
            row = cursor.fetchone()  # no row for an in-memory database
            if row is not None:
                mapped = int(row[0])
                cursor.execute("PRAGMA mmap_size=0")
    try:
        yield
    finally:
        if mapped is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA mmap_size={mapped}")


def is_index_built() -> bool:
    return IndexState.objects.filter(name=LEXICAL).exists()


# ---------------------------------------------------------------- collecting


def collect_documents(releases: list[Release]) -> dict[tuple[str, str], Draft]:
    current = [r for r in releases if r.is_current]
    drafts = collect_codes([r for r in releases if "codes" in r.row_counts])
    add_notes(drafts, [r for r in current if "notes" in r.row_counts])
    add_index_terms(drafts, [r for r in current if "index_entries" in r.row_counts])
    add_index_tables(drafts, [r for r in current if "index_entries" in r.row_counts])
    add_descriptors(drafts, [r for r in current if "descriptors" in r.row_counts])
    payment = {"fee_items", "opps_items", "mue_limits"}
    add_payment_codes(drafts, [r for r in current if payment & r.row_counts.keys()])
    add_editorial(drafts)
    return drafts


def collect_codes(releases: list[Release]) -> dict[tuple[str, str], Draft]:
    """The primary row of each code comes from a current release, the newest first."""
    ordered = sorted(releases, key=lambda r: (not r.is_current, -r.effective_from.toordinal()))
    drafts: dict[tuple[str, str], Draft] = {}
    fields = (
        "system",
        "code",
        "display",
        "short_description",
        "long_description",
        "is_billable",
        "level",
        "parent",
        "chapter",
        "section",
        "added_on",
        "terminated_on",
    )
    for release in ordered:
        rows = Code.objects.filter(release=release).values_list(*fields)
        for row in rows.iterator(chunk_size=10_000):
            system, code, display, short, long, billable = row[:6]
            draft = drafts.get((system, code))
            if draft is None:
                draft = Draft(system=system, code=code, display=display or code)
                draft.title = " ".join((long or short or "").split())
                draft.is_billable = bool(billable)
                draft.level, draft.parent, draft.chapter, draft.section = row[6:10]
                draft.added_on, draft.terminated_on = row[10:12]
                drafts[(system, code)] = draft
            if release.is_current:
                draft.is_current = True
                draft.add("short", short or "")
                draft.add("alternate", long or "")
                if system == "ICD10PCS":
                    draft.add("stem", pcs_stem(draft.title))
    return drafts


def pcs_stem(title: str) -> str:
    """An ICD-10-PCS title without its approach, device and qualifier values: "Resection of
    Gallbladder, Open Approach" -> "Resection of Gallbladder" (shared by many codes, so
    embedded once for all of them)."""
    return title.split(", ")[0]


def add_notes(drafts: dict[tuple[str, str], Draft], releases: list[Release]) -> None:
    """ICD-10-CM inclusion terms and "includes" notes: other names for the code ("Diabetic
    nephropathy", "high blood pressure")."""
    if not releases:
        return
    notes = CodeNote.objects.filter(
        release__in=releases, note_type__in=("inclusionTerm", "includes")
    )
    for code, text in notes.order_by("release_id", "code", "seq").values_list("code", "text"):
        draft = drafts.get(("ICD10CM", code))
        if draft is not None:
            draft.add("inclusion", text)


def add_index_terms(drafts: dict[tuple[str, str], Draft], releases: list[Release]) -> None:
    """Alphabetic Index paths, main term first: "Diabetes, diabetic (mellitus) (sugar), with,
    kidney complications NEC" becomes a synonym of E11.29."""
    per_code: Counter[str] = Counter()
    for release in releases:
        entries = IndexEntry.objects.filter(release=release, table__in=("index", "eindex"))
        for code, text in index_paths(
            entries.order_by("table", "seq").values_list("table", "level", "term", "code", "cells")
        ):
            draft = drafts.get(("ICD10CM", code))
            if draft is not None and per_code[code] < MAX_INDEX_TERMS:
                per_code[code] += 1
                draft.add("index", text)


def add_index_tables(drafts: dict[tuple[str, str], Draft], releases: list[Release]) -> None:
    """What the rest of the Alphabetic Index says about a code: its "see" and "see also"
    references followed to the code they send the reader to ("Hives - see Urticaria" makes
    "Hives" a name of L50.9), the Table of Drugs and Chemicals by column (poisoning,
    adverse effect, underdosing) and the Neoplasm Table by behaviour."""
    from medcode.search.indexterms import drug_texts, neoplasm_texts, see_texts

    per_code: Counter[tuple[str, str]] = Counter()
    for release in releases:
        rows = IndexEntry.objects.filter(release=release).order_by("table", "seq")
        fields = ("table", "level", "term", "path", "code", "see", "see_also", "cells")
        found = rows.values_list(*fields)
        by_table: dict[str, list[tuple[Any, ...]]] = {}
        for row in found.iterator(chunk_size=20_000):
            by_table.setdefault(row[0], []).append(row[1:])
        for kind, texts in (
            ("see", see_texts(by_table.get("index", []))),
            ("drug", drug_texts(by_table.get("drug", []))),
            ("neoplasm", neoplasm_texts(by_table.get("neoplasm", []))),
        ):
            for code, text in texts:
                draft = drafts.get(("ICD10CM", code))
                if draft is not None and per_code[(kind, code)] < MAX_INDEX_TERMS:
                    per_code[(kind, code)] += 1
                    draft.add(kind, text)


def index_paths(rows: Iterable[tuple[str, int, str, str, Any]]) -> Iterator[tuple[str, str]]:
    """(code, "Main term (nemod), subterm, ...") for each index row that names a code."""
    path: list[str] = []
    table = None
    for row_table, level, term, code, cells in rows:
        if row_table != table:
            table, path = row_table, []
        nemod = cells.get("nemod", "") if isinstance(cells, dict) else ""
        del path[level:]
        path.extend([""] * (level - len(path)))
        path.append(f"{term} {nemod}".strip())
        normalised = code.replace(".", "").rstrip("-").upper()
        if normalised:
            yield normalised, ", ".join(p for p in path if p)


def add_descriptors(drafts: dict[tuple[str, str], Draft], releases: list[Release]) -> None:
    """Licensed CPT descriptors (only on installs that imported them) title their codes."""
    if not releases:
        return
    rows = LicensedDescriptor.objects.filter(release__in=releases).values_list("code", "descriptor")
    for code, descriptor in rows:
        draft = drafts.setdefault(("CPT", code), Draft(system="CPT", code=code, display=code))
        draft.is_current = True
        if not draft.title:
            draft.title = " ".join(descriptor.split())
        else:
            draft.add("licensed", descriptor)


def add_payment_codes(drafts: dict[tuple[str, str], Draft], releases: list[Release]) -> None:
    """CPT codes named by the fee schedule, OPPS or MUE tables, so "63650" is found even
    when no descriptor is loaded (CPT text is AMA's; the number is not)."""
    codes: set[str] = set()
    for model in (FeeScheduleItem, OppsItem, MueLimit):
        codes.update(model.objects.filter(release__in=releases).values_list("code", flat=True))
    known = {code for _, code in drafts}
    for code in sorted(codes):
        if system_of(code) == "CPT" and code not in known:
            drafts[("CPT", code)] = Draft(system="CPT", code=code, display=code, is_current=True)


def add_editorial(drafts: dict[tuple[str, str], Draft]) -> None:
    for article in editorial_articles():
        key = (article.system, article.code)
        draft = drafts.get(key)
        if draft is None:
            draft = Draft(article.system, article.code, display=article.code, is_current=True)
            drafts[key] = draft
        summary = plain_text(article.sections.get("description", ""))
        draft.editorial_title = article.title
        draft.editorial = f"{article.title}. {summary}".strip()
        draft.add("editorial", article.title)
    add_cpt_titles(drafts)


def add_cpt_titles(drafts: dict[tuple[str, str], Draft]) -> None:
    """medcode's reviewed CPT titles and summaries (content/cpt_titles.csv) title the CPT codes
    the data names and no article covers, so "total hip arthroplasty" finds 27130. A title
    alone makes no document: a code no loaded release names has no page."""
    for code, row in reviewed_cpt_titles().items():
        draft = drafts.get(("CPT", code))
        if draft is None or draft.editorial_title:
            continue
        draft.editorial_title = row.title
        draft.editorial = f"{row.title}. {row.summary}"
        draft.add("editorial", row.title)


def plain_text(fragment: str) -> str:
    return " ".join(html.unescape(nh3.clean(fragment, tags=set())).split())


# ---------------------------------------------------------------- writing


def code_text(draft: Draft) -> str:
    return draft.display if draft.display == draft.code else f"{draft.display} {draft.code}"


def write_documents(drafts: dict[tuple[str, str], Draft]) -> dict[str, int]:
    """Replace every document, entry and word (inside the caller's transaction)."""
    with connection.cursor() as cursor:
        for table in ("search_entry", "search_document", "search_word"):
            cursor.execute(f"DELETE FROM {table}")
    # General codes first (shorter codes), so document order is a sensible order to sample
    # very common words in (backends.COMMON_SAMPLE).
    ordered = sorted(drafts.values(), key=lambda d: (len(d.code), d.system, d.code))
    model = DEFAULT_MODEL.name

    def documents() -> Iterator[tuple[Any, ...]]:
        for pk, d in enumerate(ordered, start=1):
            synonyms = "\n".join(text for kind, text in d.texts.values() if kind != "editorial")
            title = d.title or d.editorial_title
            yield (
                pk,
                d.system,
                d.code,
                d.display,
                code_text(d),
                title,
                synonyms[:MAX_SYNONYMS_CHARS],
                d.editorial,
                d.is_billable,
                d.is_current,
                d.level,
                d.parent,
                d.chapter,
                d.section,
                d.added_on,
                d.terminated_on,
            )

    def entries() -> Iterator[tuple[Any, ...]]:
        for pk, d in enumerate(ordered, start=1):
            texts = [("title", d.title)] if d.title else []
            texts.extend(d.texts.values())
            for kind, text in texts:
                yield (pk, kind, text, text_hash(text, model_name=model))

    document_fields = (
        "id",
        "system",
        "code",
        "display",
        "code_text",
        "title",
        "synonyms",
        "editorial",
        "is_billable",
        "is_current",
        "level",
        "parent",
        "chapter",
        "section",
        "added_on",
        "terminated_on",
    )
    n_documents = insert_rows(Document, document_fields, documents())
    n_entries = insert_rows(Entry, ("document_id", "kind", "text", "text_hash"), entries())
    words = vocabulary(ordered)
    n_words = insert_rows(Word, ("word", "documents"), sorted(words.items()))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("search_document", "search_entry", "search_word"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"coalesce(max(id), 1)) FROM {table}"
                )
    return {"documents": n_documents, "entries": n_entries, "words": n_words}


def vocabulary(drafts: Iterable[Draft]) -> Counter[str]:
    """Every word of the documents and how many documents hold it (for typo correction)."""
    counts: Counter[str] = Counter()
    for d in drafts:
        text = " ".join([d.title, d.editorial_title, *(t for _, t in d.texts.values())])
        counts.update(set(WORD.findall(text.lower())))
    return counts
