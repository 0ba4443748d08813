"""What search reads: one document per code, the texts it is found by, and their vectors.

Documents are derived data, rebuilt from the code store after imports (see index.py); the
vectors are a cache keyed by text hash, so a rebuild never embeds an unchanged text again.
"""

from __future__ import annotations

from django.db import models


class DocumentQuerySet(models.QuerySet["Document"]):
    def current(self) -> DocumentQuerySet:
        return self.filter(is_current=True)


class Document(models.Model):
    """One code as search sees it: its newest description, synonyms and editorial title.

    SQLite indexes it with the external-content FTS5 table `search_fts`; PostgreSQL with
    the stored weighted tsvector column `search_vector` (both created in migrations).
    """

    system = models.CharField(max_length=12)
    code = models.CharField(max_length=16, help_text="upper case, no dot")
    display = models.CharField(max_length=16)
    code_text = models.CharField(max_length=64, help_text="the code as typed: S72.001A S72001A")
    title = models.TextField(help_text="the description shown in results")
    synonyms = models.TextField(blank=True, help_text="inclusion and index terms, short titles")
    editorial = models.TextField(blank=True, help_text="medcode's editorial title and summary")
    is_billable = models.BooleanField(default=True)
    is_current = models.BooleanField(default=True, help_text="in a current release")
    level = models.CharField(max_length=16, blank=True)
    parent = models.CharField(max_length=16, blank=True)
    chapter = models.CharField(max_length=8, blank=True)
    section = models.CharField(max_length=16, blank=True)
    added_on = models.DateField(null=True, blank=True)
    terminated_on = models.DateField(null=True, blank=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        db_table = "search_document"
        constraints = [
            models.UniqueConstraint(fields=["system", "code"], name="search_document_unique_code")
        ]
        indexes = [models.Index(fields=["code"], name="search_document_code")]

    def __str__(self) -> str:
        return f"{self.display} {self.title[:60]}"


class Entry(models.Model):
    """One text a document is found by (its title, an inclusion term, an index path...)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(max_length=12)
    text = models.TextField()
    text_hash = models.CharField(max_length=40)

    class Meta:
        db_table = "search_entry"
        indexes = [models.Index(fields=["text_hash"], name="search_entry_hash")]


class Vector(models.Model):
    """The embedding of one text (see embeddings.text_hash), kept across rebuilds."""

    text_hash = models.CharField(max_length=40, primary_key=True)
    model = models.CharField(max_length=64)
    vector = models.BinaryField(help_text="embeddings.to_bytes(..., 'int8')")
    cluster = models.IntegerField(default=-1, help_text="inverted-list cell, -1 until assigned")

    class Meta:
        db_table = "search_vector"


class Word(models.Model):
    """A word of the documents, for correcting typos (trigram candidates, edit distance)."""

    word = models.CharField(max_length=64, unique=True)
    documents = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "search_word"


class IndexState(models.Model):
    """What the lexical index and the vectors were built from, and when."""

    name = models.CharField(max_length=16, unique=True, help_text="lexical or vectors")
    signature = models.CharField(max_length=64, blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    blob = models.BinaryField(null=True, blank=True, help_text="vectors: the cell centroids")

    class Meta:
        db_table = "search_state"

    def __str__(self) -> str:
        return f"{self.name} {self.built_at}"
